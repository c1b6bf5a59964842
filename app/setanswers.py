"""Answers to set questions over the records: the complete set, how it was read, exactly those tasks cited."""

from __future__ import annotations

from retriever.models import TaskRecord
from retriever.query import SetQuery, SetResult
from retriever.records import RecordBook
from retriever.understand import ParsedQuestion

from .lookup import LEAD_LABEL, LEAD_ROLE, task_citation
from .models import Answer


def _names(units: list[str], joiner: str = "、") -> str:
    return joiner.join(f"**{u}**" for u in units)


def _scope(book: RecordBook, sq: SetQuery, q: ParsedQuestion) -> str:
    names = [book.section(n).name for n in q.sections if book.section(n)]
    return f"在{'、'.join(names)}中，" if sq.scope is not None and names else ""


def _task_condition(sq: SetQuery) -> str:
    parts = []
    if sq.include:
        parts.append(("有" + _names(sq.include, "或")) if sq.any_of or len(sq.include) == 1
                     else _names(sq.include, "和") + "都在其中")
    if sq.exclude:
        parts.append("没有" + _names(sq.exclude, "、"))
    if sq.count:
        parts.append("只有一个责任单位" if (sq.count.op, sq.count.n) == ("==", 1)
                     else f"责任单位{sq.count.describe()}个")
    if sq.extreme:
        parts.append("责任单位" + ("最多" if sq.extreme == "max" else "最少"))
    return "、".join(parts)


def _ignore_note(book: RecordBook, sq: SetQuery) -> str:
    if not (sq.count or sq.extreme) or not sq.ignore:
        return ""
    universal = [u for u in sq.ignore if u in book.universal_units()]
    others = [u for u in sq.ignore if u not in universal]
    notes = []
    if universal:
        notes.append(f"不计每项任务都有的{'、'.join(universal)}")
    if others:
        notes.append(f"不计{'、'.join(others)}")
    return "（" + "，".join(notes) + "）"


def _task_lines(result: SetResult) -> list[str]:
    lines = []
    for t in result.tasks:
        counted = result.unit_counts.get(t.item)
        size = f"，计 {counted} 个" if result.query.count or result.query.extreme else ""
        lines.append(f"- **第{t.item}项 {t.title}**（{t.section}）— 责任单位：{'、'.join(t.units)}"
                     f"（共 {len(t.units)} 个{size}）")
    return lines


def _unit_lines(result: SetResult) -> list[str]:
    return [f"- **{u}**（{len(ts)} 项）：" + "；".join(f"第{t.item}项 {t.title}" for t in ts) if ts else f"- **{u}**"
            for u, ts in result.units]


def _unit_condition(sq: SetQuery) -> str:
    if sq.on_every_task:
        return "、".join(f"第{i}项" for i in sq.scope or []) + "都有"
    if sq.include:
        return f"与{_names(sq.include, '、')}共同负责过任务"
    if sq.count and (sq.count.op, sq.count.n) == ("==", 0):
        return f"没有一项任务{LEAD_ROLE}" if sq.lead_only else "没有任务"
    what = "列第一位的任务" if sq.lead_only else "任务"
    if sq.extreme:
        return ("列第一位的任务" if sq.lead_only else "负责任务") + ("最多" if sq.extreme == "max" else "最少")
    if sq.count:
        if (sq.count.op, sq.count.n) == ("==", 1):
            return f"只有一项{what}"
        return f"{what}{sq.count.describe()}项"
    return f"在至少一项任务中{LEAD_ROLE}" if sq.lead_only else ""


def set_answer(book: RecordBook, q: ParsedQuestion, result: SetResult) -> Answer:
    """The whole set with how the question was read; cites exactly the tasks it lists."""
    sq = result.query
    scope = _scope(book, sq, q)
    parts: list[str] = []
    if sq.target == "tasks":
        condition = _task_condition(sq)
        noun = f"{condition}的任务" if condition else "要点中的任务"
        head = f"{scope}{noun}共 **{len(result.tasks)}** 项{_ignore_note(book, sq)}"
        parts.append(head + ("：" if result.tasks else "。"))
        parts += _task_lines(result)
        if result.collective:
            items = "、".join(f"第{t.item}项" for t in result.collective)
            names = "、".join(dict.fromkeys(u for t in result.collective for u in t.units if u not in sq.ignore))
            parts.append(f"\n说明：{items}的责任单位是{names}，即多个成员单位，要点未列出具体数目，所以没有计入。")
        universal = [u for u in sq.ignore if u in book.universal_units()]
        if universal and sq.count:
            source = next((t for t in book.tasks if universal[0] in t.listed_units), None)
            where = f"第{source.item}项写明其“均为责任单位，不再列出”" if source else "要点统一说明"
            parts.append(f"\n说明：{'、'.join(universal)}是全部 {len(book.tasks)} 项任务的责任单位（{where}），"
                         "计数时未计入；算上它，每项任务都至少有两个责任单位。")
    elif sq.target == "sections":
        parts.append(_section_head(sq, len(result.sections)) + ("：" if result.sections else "。"))
        parts += [f"- **{sec.name}**（{len(ts)} 项）：" + "；".join(f"第{t.item}项 {t.title}" for t in ts)
                  for sec, ts in result.sections]
    else:
        condition = _unit_condition(sq)
        noun = f"{condition}的单位" if condition else "要点中的责任单位"
        head = f"{scope}{noun}共 **{len(result.units)}** 个"
        parts.append(head + ("：" if result.units else "。"))
        parts += _unit_lines(result)
        if sq.lead_only:
            parts.append(f"\n说明：要点未标明牵头单位，这里按{LEAD_LABEL}统计。")
        for u in result.set_aside:
            parts.append(f"\n说明：{u}按要点的统一说明是全部 {len(book.tasks)} 项任务的责任单位，未参与比较。")
    if sq.target == "units" and sq.count and sq.count.test(0) and sq.lead_only:
        parts.append(f"\n说明：要点未标明牵头单位，这里按{LEAD_LABEL}判断；这些单位都参与了任务，只是没有列在第一位。")
    cited: list[TaskRecord] = result.cited
    return Answer(question=q.text, answer="\n".join(parts), found=True, mode="lookup",
                  citations=[task_citation(t) for t in cited],
                  listed=_listed(result))


def _listed(result: SetResult) -> list[int | str]:
    """What a follow-up such as 第二个呢 refers to: the tasks or units listed (sections: their first task)."""
    if result.query.target == "tasks":
        return [t.item for t in result.tasks]
    return [u for u, _ in result.units]


def _section_head(sq: SetQuery, n: int) -> str:
    if sq.extreme:
        return f"任务{'最多' if sq.extreme == 'max' else '最少'}的部分共 **{n}** 个"
    if sq.count:
        return f"任务数{sq.count.describe()}项的部分共 **{n}** 个"
    return f"要点共分 **{n}** 个部分"
