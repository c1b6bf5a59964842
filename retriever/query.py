"""Set questions over the task records: A but not B, A or B, count filters, most / least, single-unit tasks, leads."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .models import TaskRecord
from .records import RecordBook, SectionRecord
from .understand import ParsedQuestion
from .wording import CountFilter, Wording


@dataclass
class SetQuery:
    """A question over the records, independent of its wording."""

    target: str  # 'tasks', 'units' or 'sections'
    include: list[str] = field(default_factory=list)  # tasks must have these units (all, or any when any_of)
    any_of: bool = False
    exclude: list[str] = field(default_factory=list)  # tasks must not have these units
    ignore: list[str] = field(default_factory=list)  # units left out when counting a task's units
    count: CountFilter | None = None
    extreme: str | None = None  # 'max' / 'min'
    scope: list[int] | None = None  # task numbers in scope (a section), None for the whole plan
    lead_only: bool = False  # units target: count only the tasks a unit is listed first on
    on_every_task: bool = False  # units target: only units on every task in scope (第6项和第7项都有的单位)


@dataclass
class SetResult:
    """The complete answer set: tasks (target tasks) or units with the tasks behind each."""

    query: SetQuery
    tasks: list[TaskRecord] = field(default_factory=list)
    units: list[tuple[str, list[TaskRecord]]] = field(default_factory=list)
    unit_counts: dict[int, int] = field(default_factory=dict)  # task -> counted units (target tasks)
    sections: list[tuple[SectionRecord, list[TaskRecord]]] = field(default_factory=list)
    collective: list[TaskRecord] = field(default_factory=list)  # tasks whose sole unit stands for several
    set_aside: list[str] = field(default_factory=list)  # universal units kept out of a most/least ranking

    @property
    def cited(self) -> list[TaskRecord]:
        """Exactly the tasks the answer lists."""
        if self.query.target == "tasks":
            return self.tasks
        seen: dict[int, TaskRecord] = {}
        for _, tasks in self.units + self.sections:
            seen.update((t.item, t) for t in tasks)
        return [seen[i] for i in sorted(seen)]


def plan_query(q: ParsedQuestion, book: RecordBook, wording: Wording) -> SetQuery | None:
    """The set question a parsed question asks, or None when it is a plain lookup (or not about the records)."""
    if not book or _content_left(q, wording):
        return None
    if q.items:  # 第6项和第7项共同的责任单位: the units on every one of them
        # only explicit words: in 第6项和第7项都由谁负责, 都 asks for each task's units
        both = len(q.items) >= 2 and wording.items_together.search(q.residue)
        return SetQuery("units", scope=sorted(q.items), on_every_task=True) if both and (
            q.target == "units" or "who" in q.intents) else None
    scope = sorted({i for n in q.sections if book.section(n) for i in book.section(n).items}) if q.sections else None
    if q.within:  # "其中…": only the tasks a list just showed
        scope = sorted(set(q.within) & set(scope)) if scope is not None else sorted(q.within)
    universal = [u for u in book.universal_units() if u not in q.units]
    ignore = list(dict.fromkeys(q.excluded + universal))
    count = q.count
    if q.single_unit and (count is None or count.counted != "tasks"):
        count = CountFilter("==", 1, "units")
    target = q.target or (count and {"tasks": "units", "units": "tasks"}.get(count.counted or ""))
    if count and count.counted is None and target:
        count = CountFilter(count.op, count.n, "units" if target == "tasks" else "tasks")
    base = SetQuery(target=target or "tasks", include=list(q.units), any_of=q.union, exclude=list(q.negated),
                    ignore=ignore, count=count, extreme=q.extreme, scope=scope, lead_only="lead" in q.intents)
    if target == "sections":
        return base if not q.units and not q.sections and (count or q.extreme or {"count", "list"} & q.intents) \
            else None
    if q.negated or q.union:
        base.target, base.lead_only = "tasks", False
        return base
    if q.units:
        if target == "units" and "together" in q.intents:  # 和发改委一起负责任务的单位
            return base
        # a named unit with most/least: 区妇联的任务中哪项涉及单位最多
        return base if q.extreme and target == "tasks" else None
    if target == "units" and (base.lead_only or count or q.extreme or "count" in q.intents):
        return base
    if target == "tasks" and not (count or q.extreme) and "count" in q.intents and not q.sections:
        return None  # 一共有多少项任务: the overview's question, answered with the parts of the plan
    if target == "tasks" and (count or q.extreme or ({"count", "list"} & q.intents and not q.sections)):
        base.lead_only = False
        return base
    return None


def _content_left(q: ParsedQuestion, wording: Wording) -> str:
    """What the set wording does not explain; anything left means the question asks about more than the records."""
    text = q.residue
    for word in wording.extremes:  # before the glue words, which would eat 多 out of 最多
        text = text.replace(word, "")
    # set phrases first, then glue before intent words: 参与 alone would leave the 不 of 不参与 behind, and
    # 共有 (together) alone the 一 of 一共有
    patterns = [wording.zero_phrase, wording.count_phrase, wording.count_mask, wording.single_unit, wording.target_ask,
                wording.target_head, wording.target_tail, wording.target_each, wording.set_glue,
                wording.items_together, *wording.intents.values(), wording.union_words, wording.set_glue]
    for p in patterns:
        text = p.sub("", text)
    return re.sub(r"[\W\d_]", "", text)


def run(book: RecordBook, sq: SetQuery, wording: Wording) -> SetResult:
    """Evaluate a set query on the records."""
    pool = [t for t in book.tasks if sq.scope is None or t.item in sq.scope]
    if sq.include:
        has = any if sq.any_of else all
        pool = [t for t in pool if has(u in t.units for u in sq.include)]
    pool = [t for t in pool if not any(u in t.units for u in sq.exclude)]
    result = SetResult(query=sq)
    if sq.target == "tasks":
        counts = {t.item: _unit_count(t, sq.ignore, wording) for t in pool}
        result.unit_counts = counts
        if sq.count:
            # a collective name (…成员单位) is several units of unstated number: only a lower bound can hold for sure
            lower_bound = sq.count.op in (">", ">=")
            uncertain = [t for t in pool if any(wording.is_collective(u) for u in _counted(t, sq.ignore))]
            result.collective = [t for t in uncertain if not lower_bound]
            pool = [t for t in pool if sq.count.test(counts[t.item]) and (lower_bound or t not in uncertain)]
        if sq.extreme and pool:
            best = (max if sq.extreme == "max" else min)(counts[t.item] for t in pool)
            pool = [t for t in pool if counts[t.item] == best]
        result.tasks = pool
        return result
    if sq.target == "sections":
        return _sections(book, sq, result)
    # a count that admits zero (没有牵头任务的单位) must see the units with no matching task too
    per_unit: dict[str, list[TaskRecord]] = {u: [] for u in book.units} if sq.count and sq.count.test(0) else {}
    for t in pool:
        for u in t.units:
            if u in sq.exclude or u in sq.include or (sq.lead_only and u != t.lead_unit):
                continue
            per_unit.setdefault(u, []).append(t)
    if sq.on_every_task:
        per_unit = {u: ts for u, ts in per_unit.items() if len(ts) == len(pool)}
    if sq.count:
        per_unit = {u: ts for u, ts in per_unit.items() if sq.count.test(len(ts))}
    if sq.extreme and per_unit:
        # a unit on every task by a blanket rule would always win 'most': rank the others, name it separately
        ranked = {u: ts for u, ts in per_unit.items() if u not in book.universal_units()} or per_unit
        result.set_aside = [u for u in per_unit if u not in ranked]
        best = (max if sq.extreme == "max" else min)(len(ts) for ts in ranked.values())
        per_unit = {u: ts for u, ts in ranked.items() if len(ts) == best}
    order = {u: i for i, u in enumerate(book.units)}
    result.units = sorted(per_unit.items(), key=lambda kv: (-len(kv[1]), order.get(kv[0], 0)))
    return result


def _counted(task: TaskRecord, ignore: list[str]) -> list[str]:
    return [u for u in task.units if u not in ignore]


def _unit_count(task: TaskRecord, ignore: list[str], wording: Wording) -> int:
    """Units on a task, not counting ignored ones; a collective name (…成员单位) stands for at least two."""
    return sum(2 if wording.is_collective(u) else 1 for u in _counted(task, ignore))


def _sections(book: RecordBook, sq: SetQuery, result: SetResult) -> SetResult:
    """Sections with their tasks; most / least by number of tasks."""
    rows = [(sec, [t for t in book.tasks if t.item in sec.items]) for sec in book.sections]
    if sq.count:
        rows = [(sec, ts) for sec, ts in rows if sq.count.test(len(ts))]
    if sq.extreme and rows:
        best = (max if sq.extreme == "max" else min)(len(ts) for _, ts in rows)
        rows = [(sec, ts) for sec, ts in rows if len(ts) == best]
    result.sections = rows
    return result
