"""Exact answers from the plan's records: unit task lists, task units, section contents."""

from __future__ import annotations

from ingest.numerals import int_to_cn
from retriever.models import TaskRecord
from retriever.records import RecordBook
from retriever.understand import ParsedQuestion

from .models import Answer, Citation

# The plan names no lead unit; the first-listed unit is what people usually take as the lead. Said the same way everywhere.
LEAD_LABEL = "列第一位的单位（通常视为牵头）"
LEAD_ROLE = "列第一位（通常视为牵头）"


def role_label(rec: TaskRecord, unit: str) -> str:
    return LEAD_ROLE if unit == rec.lead_unit else "参与"


def task_citation(rec: TaskRecord, score: float = 1.0, highlights: list[str] | None = None) -> Citation:
    return Citation(doc=rec.doc, title=rec.doc_title, section=rec.section, item=rec.item, units=list(rec.units),
                    text=rec.text, score=score, highlights=highlights or [])


def _result(q: ParsedQuestion, parts: list[str], cited: list[TaskRecord], mode: str) -> Answer:
    """An answer citing exactly the tasks it lists; nothing to cite means the reference did not exist."""
    found = bool(cited)
    return Answer(question=q.text, answer="\n".join(parts), found=found, mode=mode if found else "refusal",
                  citations=[task_citation(r) for r in cited])


def _task_line(rec: TaskRecord, unit: str | None = None) -> str:
    role = f" — {role_label(rec, unit)}" if unit else ""
    return f"- **第{rec.item}项 {rec.title}**（{rec.section}）{role}"


def _inheritance_note(book: RecordBook, unit: str, tasks: list[TaskRecord]) -> str:
    """Explain units that a task carries by a rule stated once (以下…均为责任单位，不再列出)."""
    inherited = [t.item for t in tasks if t.listed_units and unit not in t.listed_units]
    if not inherited:
        return ""
    source = next((t for t in book.tasks if unit in t.listed_units and "以下" in t.unit_text), None)
    where = f"第{source.item}项的责任单位中写明“以下{unit.removeprefix('区')}均为责任单位，不再列出”" if source else "要点的统一说明"
    span = f"第{inherited[0]}–{inherited[-1]}项" if len(inherited) > 2 else "、".join(f"第{i}项" for i in inherited)
    return f"\n\n说明：{span}的责任单位中未单独列出{unit}，但{where}，因此这些任务都由其负责。"


def unit_tasks(book: RecordBook, q: ParsedQuestion) -> Answer:
    """A unit's complete task list (or intersection / sole-responsibility / lead-only variants)."""
    units = q.units
    if q.sections:
        scope = {i for n in q.sections if book.section(n) for i in book.section(n).items}
    else:
        scope = None

    def scoped(tasks: list[TaskRecord]) -> list[TaskRecord]:
        return [t for t in tasks if (scope is None or t.item in scope) and (not q.within or t.item in q.within)]

    parts: list[str] = []
    cited: dict[int, TaskRecord] = {}
    if len(units) >= 2 and "together" in q.intents:
        tasks = scoped(book.shared_by(units))
        names = "和".join(units)
        if tasks:
            parts.append(f"{names}共同负责的任务共 **{len(tasks)}** 项：")
            parts += [_task_line(t) for t in tasks]
        else:
            parts.append(f"要点中没有{names}共同负责的任务。")
        cited.update((t.item, t) for t in tasks)
    else:
        for unit in units:
            if "alone" in q.intents:
                tasks = scoped(book.alone(unit))
                others = [u for u in book.universal_units() if u != unit]
                extra = f"（不计每项任务都有的{'、'.join(others)}）" if others else ""
                head = f"仅由**{unit}**负责的任务{extra}共 **{len(tasks)}** 项" + ("：" if tasks else "。")
            elif "not_lead" in q.intents:  # 参与了但不是牵头的: the tasks it is on but not listed first
                tasks = [t for t in scoped(book.tasks_of(unit)) if t.lead_unit != unit]
                head = f"**{unit}**参与但不{LEAD_ROLE}的任务共 **{len(tasks)}** 项" + ("：" if tasks else "。")
            elif "lead" in q.intents and "who" not in q.intents:
                tasks = scoped(book.led_by(unit))
                head = f"**{unit}**{LEAD_ROLE}的任务共 **{len(tasks)}** 项" + ("：" if tasks else "。")
            else:
                tasks = scoped(book.tasks_of(unit))
                led = sum(1 for t in tasks if t.lead_unit == unit)
                head = (f"**{unit}**在要点中负责 **{len(tasks)}** 项任务（其中 {led} 项为{LEAD_LABEL}，"
                        f"{len(tasks) - led} 项参与）："
                        if tasks else f"要点没有给**{unit}**分配任务。")
            tasks_shown: list[TaskRecord] = []  # a part's tasks shown as evidence that the unit is not on them
            if not tasks and scope:  # "发改委在医教帮扶那部分有任务吗": no, and who is on that part instead
                head, tasks_shown = _absent_in_scope(book, unit, q.sections)
            parts.append(head)
            parts += [_task_line(t, unit) for t in tasks]
            parts += [f"- **第{t.item}项 {t.title}**：{'、'.join(t.units)}" for t in tasks_shown]
            parts.append(_inheritance_note(book, unit, tasks))
            cited.update((t.item, t) for t in tasks + tasks_shown)
    text = "\n".join(p for p in parts if p)
    citations = [task_citation(cited[i]) for i in sorted(cited)]
    return Answer(question=q.text, answer=text, found=True, mode="lookup", citations=citations,
                  listed=sorted(cited) if len(units) == 1 or "together" in q.intents else [])


def _absent_in_scope(book: RecordBook, unit: str, sections: list[int]) -> tuple[str, list[TaskRecord]]:
    """A unit with no task in the parts asked about: say so, and show who is on those tasks as the evidence."""
    found = [book.section(n) for n in sections if book.section(n)]
    names = "、".join(f"「{s.name}」" for s in found)
    tasks = [t for s in found for i in s.items if (t := book.task(i))]
    total = len(book.tasks_of(unit))
    elsewhere = f"（它在要点中共负责 {total} 项任务，都不在这部分）" if total else ""
    return f"**{unit}**在{names}中没有任务{elsewhere}。这部分各项任务的责任单位是：", tasks


def unknown_unit(book: RecordBook, q: ParsedQuestion) -> Answer:
    """The plan names no such unit: say so, with the closest known names (never a silent guess)."""
    lines = []
    for name in q.unknown_units[:1]:
        close = q.suggestions.get(name) or []
        lines.append(f"要点没有给「{name}」分配任务，责任单位中也没有这个单位。")
        if close:
            lines.append(f"名称相近的责任单位：{'、'.join(close)}。如果您问的是其中之一，请用它的名称再问一次。")
    lines.append(f"要点中的责任单位共 {len(book.units)} 个：{'、'.join(book.units)}。")
    return Answer(question=q.text, answer="\n\n".join(lines), found=False, mode="lookup")


def members_unlisted(book: RecordBook, q: ParsedQuestion, unit: str) -> Answer:
    """"专班成员单位有哪些": the plan names the group, never its members; say so and where it is named."""
    items = "、".join(f"第{t.item}项" for t in book.tasks_of(unit))
    where = f"它在{items}中作为责任单位出现。" if items else ""
    return Answer(question=q.text, answer=f"要点及相关文件中没有列出「{unit}」包括哪些单位（没有成员名单）。{where}",
                  found=False, mode="refusal")


def unit_on_task(book: RecordBook, q: ParsedQuestion, unit: str, item: int, matched: str = "") -> Answer:
    """Whether one unit is responsible for one task (found from the question's words): yes or no, and who is."""
    rec = book.task(item)
    if rec is None:
        return _result(q, [], [], "lookup")
    if "lead" in q.intents:  # "光明行是卫健委牵头的吗": whether it is listed first, and who is
        if unit == rec.lead_unit:
            head = f"**是**。第{item}项“{rec.title}”的责任单位中列第一位（通常视为牵头）的是{unit}。"
        else:
            on = f"{unit}是责任单位之一，但" if unit in rec.units else f"{unit}不在其责任单位中；"
            head = f"**不是**。第{item}项“{rec.title}”{on}列第一位（通常视为牵头）的是**{rec.lead_unit}**。"
    elif unit in rec.units:
        head = f"**是**。{unit}是第{item}项“{rec.title}”的责任单位（{role_label(rec, unit)}）。"
    else:
        head = f"**不是**。第{item}项“{rec.title}”的责任单位中没有{unit}。"
    said = [f"> 第{item}项原文：{matched}", ""] if matched else []
    return _result(q, [head, "", *said, f"第{item}项的责任单位：{'、'.join(rec.units)}。"], [rec], "lookup")


def item_answer(book: RecordBook, q: ParsedQuestion) -> Answer:
    """A task's title, section, lead and all responsible units, with the clause."""
    parts, cited = [], []
    for n in q.items:
        rec = book.task(n)
        if rec is None:
            parts.append(f"要点共 {len(book.tasks)} 项任务，没有第{n}项。")
            continue
        cited.append(rec)
        if "section_of" in q.intents:  # 第N项属于哪个部分
            parts.append(f"第{n}项“{rec.title}”属于 **{rec.section}**。")
            continue
        parts.append(f"**第{rec.item}项 {rec.title}**（属于“{rec.section}”）")
        if "lead" in q.intents:
            unmarked = "（要点未标明牵头单位）" if "牵头" not in rec.unit_text else ""
            parts.append(f"- {LEAD_LABEL}：**{rec.lead_unit}**{unmarked}")
        else:
            parts.append(f"- {LEAD_LABEL}：{rec.lead_unit}")
        parts.append(f"- 责任单位（{len(rec.units)} 个）：{'、'.join(rec.units)}")
        note = [u for u in rec.units if rec.listed_units and u not in rec.listed_units]
        if note:
            # "责任单位栏里点名的有几个" counts the listed ones: say both numbers
            parts.append(f"- 其中{'、'.join(note)}依据要点“以下…均为责任单位，不再列出”的统一说明计入；"
                         f"责任单位栏中点名列出的是 {len(rec.units) - len(note)} 个。")
        if not ({"who", "lead"} & q.intents) or q.asks_what:  # "第12条谁负责、主要干啥": the clause as well
            parts.append(f"\n> {rec.text}\n")
    return _result(q, parts, cited, "item")


def section_answer(book: RecordBook, q: ParsedQuestion) -> Answer:
    """A section's name, its introduction and its tasks with the first-listed unit of each."""
    parts, cited = [], []
    for n in q.sections:
        sec = book.section(n)
        if sec is None:
            parts.append(f"要点共 {len(book.sections)} 个部分，没有第{n}部分。")
            continue
        tasks = [book.task(i) for i in sec.items]
        intro = sec.text.split("\n", 1)[1].strip() if "\n" in sec.text else ""  # the first line is the heading
        parts.append(f"**{sec.name}**（第{int_to_cn(n)}部分）")
        if intro and intro != sec.name:
            parts.append(f"\n> {intro}\n")
        parts.append(f"本部分共 **{len(tasks)}** 项任务（括号内为{LEAD_LABEL}）：")
        parts += [f"- 第{t.item}项 {t.title}（{t.lead_unit}）" for t in tasks]
        cited += tasks
    answer = _result(q, parts, cited, "section")
    answer.listed = [t.item for t in cited]
    return answer


def ask_which(book: RecordBook, q: ParsedQuestion) -> Answer:
    """A name that fits several units: ask which one, never guess."""
    lines = []
    for written, units in q.ambiguous.items():
        lines.append(f"「{written}」可能指：{'、'.join(units)}。请说明是哪一个，例如“{units[0]}负责哪些任务”。")
    return Answer(question=q.text, answer="\n\n".join(lines), found=False, mode="lookup", listed=[])


def reading_note(q: ParsedQuestion) -> str:
    """How misspelt names were read, shown above the answer."""
    return "".join(f"（按「{unit}」理解：问题中写的是「{written}」，要点中没有这个名称。）\n\n"
                   for written, unit in q.readings)
