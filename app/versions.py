"""Plans over time in the chat: which plan an answer used, and "what changed" answered from the plan diff."""

from __future__ import annotations

from ingest.plandiff import PlanDiff, TaskChange
from retriever.index import KnowledgeIndex
from retriever.plans import PlanScope
from retriever.understand import ParsedQuestion

from .lookup import task_citation
from .models import Answer

_KIND = {"added": "新增", "removed": "删除", "changed": "修改", "moved": "调整部分"}
_PLAN_MODES = {"lookup", "item", "section", "overview", "retrieval", "glossary", "multi"}


def asks_for_changes(index: KnowledgeIndex, text: str) -> bool:
    return any(w in text for w in index.plans.vocab.change_words)


def compared_pair(index: KnowledgeIndex, scope: PlanScope) -> tuple[str, str] | None:
    """(older, newer) plan for a change question: the two it names, or the one it names (or the newest) and the
    version before it."""
    shelf = index.plans
    if len(scope.named) >= 2:
        a, b = sorted(scope.named[:2], key=lambda d: shelf.infos[d].order_key())
        return a, b
    new = scope.named[0] if scope.named else shelf.default_doc
    old = shelf.previous(new)
    if old is None and scope.named and new != shelf.default_doc:
        old, new = new, shelf.default_doc  # "和去年比有什么变化": the named older plan against the newest
    return (old, new) if old else None


def _where(t: TaskChange) -> str:
    if t.old_item and t.new_item:
        return f"第{t.new_item}项（原第{t.old_item}项）" if t.old_item != t.new_item else f"第{t.new_item}项"
    return f"第{t.new_item}项" if t.new_item else f"原第{t.old_item}项"


def _line(t: TaskChange, unit: str | None = None) -> str:
    bits = []
    if unit and unit in t.units_added and t.change != "added":
        bits.append("新增为责任单位")
    if unit and unit in t.units_removed and t.change != "removed":
        bits.append("不再是责任单位")
    if t.text_changed and t.change in ("changed", "moved"):
        bits.append("任务文字有修改")
    if t.change in ("changed", "moved") and t.old_section != t.new_section:
        bits.append(f"从“{t.old_section}”调整到“{t.new_section}”")
    if not unit and t.change == "changed":
        if t.units_added:
            bits.append(f"增加责任单位：{'、'.join(t.units_added)}")
        if t.units_removed:
            bits.append(f"减少责任单位：{'、'.join(t.units_removed)}")
    tail = f"：{'；'.join(bits)}" if bits else ""
    return f"- **{_KIND[t.change]}** {_where(t)} {t.title}{tail}"


def change_answer(index: KnowledgeIndex, scope: PlanScope, q: ParsedQuestion) -> Answer | None:
    """'正式稿和征求意见稿有什么不同' / '区总工会的任务有变化吗', from the diff of two indexed plans."""
    pair = compared_pair(index, scope)
    if pair is None:
        return None
    shelf = index.plans
    old_doc, new_doc = pair
    diff = shelf.diff(old_doc, new_doc)
    old_label, new_label = shelf.infos[old_doc].label, shelf.infos[new_doc].label
    head = f"《{new_label}》与《{old_label}》相比："
    if q.units:
        return _unit_changes(index, q, diff, head, old_doc, new_doc)
    lines = [head, f"任务从 {len(shelf.book(old_doc).tasks)} 项变为 {len(shelf.book(new_doc).tasks)} 项；"
             f"内容未变 {diff.unchanged} 项（其中 {diff.renumbered} 项只是编号变了），有变化 {len(diff.tasks)} 项："]
    lines += [_line(t) for t in diff.tasks]
    for s in diff.sections:
        lines.append(f"- 部分{ {'added': '新增', 'removed': '删除', 'renamed': '改名', 'changed': '说明有修改'}[s.change]}："
                     + "→".join(n for n in (s.old_name, s.new_name) if n))
    if not diff.tasks and not diff.sections:
        lines.append("两份要点的任务和责任单位完全相同。")
    return Answer(question=q.text, answer="\n".join(lines), found=True, mode="diff",
                  citations=_citations(index, diff.tasks, old_doc, new_doc))


def _unit_changes(index: KnowledgeIndex, q: ParsedQuestion, diff: PlanDiff, head: str, old_doc: str,
                  new_doc: str) -> Answer:
    shelf = index.plans
    lines = [head]
    touched: list[TaskChange] = []
    for unit in q.units:
        old_n = len(shelf.book(old_doc).tasks_of(unit))
        new_n = len(shelf.book(new_doc).tasks_of(unit))
        mine = [t for t in diff.tasks if unit in t.units_added or unit in t.units_removed or (
            t.change in ("changed", "moved") and unit in shelf.book(new_doc).task(t.new_item).units)]
        lines.append(f"**{unit}**的任务从 {old_n} 项变为 {new_n} 项" + ("，有以下变化：" if mine else "，没有变化。"))
        lines += [_line(t, unit) for t in mine]
        touched += [t for t in mine if t not in touched]
    return Answer(question=q.text, answer="\n".join(lines), found=True, mode="diff",
                  citations=_citations(index, touched, old_doc, new_doc))


def _citations(index: KnowledgeIndex, changes: list[TaskChange], old_doc: str, new_doc: str) -> list:
    """The new version's clause of every changed or added task, the old clause of removed ones."""
    cites = []
    for t in changes:
        rec = index.plans.book(new_doc).task(t.new_item) if t.new_item else index.plans.book(old_doc).task(t.old_item)
        if rec is not None:
            cites.append(task_citation(rec))
    return cites


def note_plan(index: KnowledgeIndex, scope: PlanScope, result: Answer) -> Answer:
    """Say which plan answered when more than one version is indexed or the question named one."""
    shelf = index.plans
    if scope.notice:
        result.notice = " ".join(x for x in (result.notice, scope.notice) if x)
    if result.mode not in _PLAN_MODES or not (shelf.versioned or scope.explicit):
        return result
    if result.mode in ("retrieval", "glossary", "multi") and all(c.doc != scope.doc for c in result.citations):
        return result  # answered from related documents: no plan to name
    info = shelf.info(scope.doc)
    if info is None:
        return result
    if scope.explicit:
        note = f"（依据《{info.label}》）"
    else:
        others = "、".join(f"《{i.label}》" for i in shelf.series if i.doc != scope.doc)
        note = f"（依据最新的《{info.label}》；另有{others}，可在问题中写明年份或版本）"
    result.answer = f"{note}\n\n{result.answer}"
    return result
