"""Compare two versions of a plan: tasks matched by content (not number), sections by name; a pure function."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from difflib import SequenceMatcher

from .models import Plan

# Two different tasks of one plan share little text (the 2026 plan's closest pair, tasks 13 and 14, scores 0.26);
# a reworded task keeps well over half of its text.
MATCH_MIN = 0.55
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class DiffTask:
    """What the diff compares of a task: its number, title, text without the unit list, section and units."""

    item: int
    title: str
    text: str
    section: str
    units: tuple[str, ...]


@dataclass(frozen=True)
class DiffSection:
    number: int
    name: str  # without its number, e.g. 消费帮扶增收行动
    intro: str = ""


@dataclass
class TaskChange:
    change: str  # added | removed | changed | moved
    old_item: int | None
    new_item: int | None
    title: str
    text_changed: bool = False
    units_added: list[str] = field(default_factory=list)
    units_removed: list[str] = field(default_factory=list)
    old_title: str = ""
    old_section: str = ""
    new_section: str = ""
    old_text: str = ""
    new_text: str = ""


@dataclass
class SectionChange:
    change: str  # added | removed | renamed | changed (its introduction)
    old_number: int | None
    new_number: int | None
    old_name: str
    new_name: str
    intro_changed: bool = False


@dataclass
class PlanDiff:
    old: str
    new: str
    tasks: list[TaskChange] = field(default_factory=list)
    sections: list[SectionChange] = field(default_factory=list)
    unchanged: int = 0  # tasks with the same content (perhaps renumbered)
    renumbered: int = 0

    def to_dict(self, with_text: bool = False) -> dict:
        drop = () if with_text else ("old_text", "new_text")
        return {"old": self.old, "new": self.new, "unchanged": self.unchanged, "renumbered": self.renumbered,
                "tasks": [{k: v for k, v in asdict(t).items() if k not in drop} for t in self.tasks],
                "sections": [asdict(s) for s in self.sections]}

    def for_unit(self, unit: str) -> list[TaskChange]:
        """Changes that touch a unit: its tasks added, removed or reworded, and tasks it joined or left."""
        out = []
        for t in self.tasks:
            if unit in t.units_added or unit in t.units_removed:
                out.append(t)
        return out


def section_name(display: str) -> str:
    """'三、消费帮扶增收行动 （一）…' -> '消费帮扶增收行动'."""
    head = display.split(" ")[0]
    return head.split("、", 1)[-1]


def plan_tasks(plan: Plan) -> tuple[list[DiffTask], list[DiffSection]]:
    """A parsed plan in the diff's terms."""
    tasks = [DiffTask(item=t.item, title=t.title, text=f"{t.title}。{t.body}".strip(), section=section_name(t.section),
                      units=tuple(t.units)) for t in plan.tasks]
    sections = [DiffSection(number=s.number, name=s.name, intro=s.intro) for s in plan.sections]
    return tasks, sections


def _norm(text: str) -> str:
    return _SPACE.sub("", text)


def similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, _norm(a), _norm(b), autojunk=False).ratio()


def match_tasks(old: list[DiffTask], new: list[DiffTask]) -> list[tuple[DiffTask, DiffTask]]:
    """Pairs of the same task in both versions: identical text first, then the most similar pairs above MATCH_MIN."""
    pairs: list[tuple[DiffTask, DiffTask]] = []
    left, right = list(old), list(new)
    by_text: dict[str, list[DiffTask]] = {}
    for t in right:
        by_text.setdefault(_norm(t.text), []).append(t)
    for t in list(left):
        same = by_text.get(_norm(t.text))
        if same:
            other = same.pop(0)
            pairs.append((t, other))
            left.remove(t)
            right.remove(other)
    scored = []
    for a in left:
        for b in right:
            score = similarity(a.text, b.text)
            if a.title == b.title:
                score = max(score, MATCH_MIN)  # a kept title names the same task even when the text was rewritten
            if score >= MATCH_MIN:
                scored.append((score, a.item, b.item, a, b))
    used_a: set[int] = set()
    used_b: set[int] = set()
    for _, _, _, a, b in sorted(scored, key=lambda s: (-s[0], s[1], s[2])):
        if a.item not in used_a and b.item not in used_b:
            pairs.append((a, b))
            used_a.add(a.item)
            used_b.add(b.item)
    return sorted(pairs, key=lambda p: p[1].item)


def _section_map(old_secs: list[DiffSection], new_secs: list[DiffSection],
                 pairs: list[tuple[DiffTask, DiffTask]]) -> tuple[dict[str, str], list[SectionChange]]:
    """Old section name -> new section name: same name, else the new section that took most of its tasks."""
    mapping: dict[str, str] = {}
    changes: list[SectionChange] = []
    new_names = {s.name for s in new_secs}
    for s in old_secs:
        if s.name in new_names:
            mapping[s.name] = s.name
    taken = set(mapping.values())
    for s in old_secs:
        if s.name in mapping:
            continue
        votes: dict[str, int] = {}
        for a, b in pairs:
            if a.section == s.name and b.section not in taken:
                votes[b.section] = votes.get(b.section, 0) + 1
        if votes:
            target = max(votes, key=lambda n: votes[n])
            mapping[s.name] = target
            taken.add(target)
    new_by_name = {s.name: s for s in new_secs}
    for s in old_secs:
        target = mapping.get(s.name)
        if target is None:
            changes.append(SectionChange("removed", s.number, None, s.name, ""))
            continue
        t = new_by_name[target]
        intro_changed = _norm(s.intro) != _norm(t.intro)
        if target != s.name:
            changes.append(SectionChange("renamed", s.number, t.number, s.name, t.name, intro_changed))
        elif intro_changed:
            changes.append(SectionChange("changed", s.number, t.number, s.name, t.name, True))
    for s in new_secs:
        if s.name not in taken:
            changes.append(SectionChange("added", None, s.number, "", s.name))
    return mapping, changes


def diff_tasks(old: list[DiffTask], new: list[DiffTask], old_secs: list[DiffSection], new_secs: list[DiffSection],
               old_id: str = "old", new_id: str = "new") -> PlanDiff:
    """Added, removed, changed and moved tasks; a task whose number alone changed is not reported."""
    pairs = match_tasks(old, new)
    mapping, section_changes = _section_map(old_secs, new_secs, pairs)
    result = PlanDiff(old=old_id, new=new_id, sections=section_changes)
    for a, b in pairs:
        text_changed = _norm(a.text) != _norm(b.text)
        added = [u for u in b.units if u not in a.units]
        removed = [u for u in a.units if u not in b.units]
        moved = mapping.get(a.section, a.section) != b.section
        if not (text_changed or added or removed or moved):
            result.unchanged += 1
            result.renumbered += a.item != b.item
            continue
        change = "changed" if (text_changed or added or removed) else "moved"
        result.tasks.append(TaskChange(change, a.item, b.item, b.title, text_changed, added, removed,
                                       old_title=a.title, old_section=a.section, new_section=b.section,
                                       old_text=a.text, new_text=b.text))
    matched_old = {a.item for a, _ in pairs}
    matched_new = {b.item for _, b in pairs}
    for b in new:
        if b.item not in matched_new:
            result.tasks.append(TaskChange("added", None, b.item, b.title, True, list(b.units), [],
                                           new_section=b.section, new_text=b.text))
    for a in old:
        if a.item not in matched_old:
            result.tasks.append(TaskChange("removed", a.item, None, a.title, True, [], list(a.units),
                                           old_title=a.title, old_section=a.section, old_text=a.text))
    result.tasks.sort(key=lambda t: (t.new_item if t.new_item is not None else t.old_item + 0.5, t.change))
    return result


def diff_plans(old: Plan, new: Plan) -> PlanDiff:
    """Diff two parsed plans."""
    old_tasks, old_secs = plan_tasks(old)
    new_tasks, new_secs = plan_tasks(new)
    return diff_tasks(old_tasks, new_tasks, old_secs, new_secs, old.doc_id, new.doc_id)


def marked_segments(old: str, new: str) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
    """Both texts cut into (piece, changed) runs, for showing them side by side with the changed words marked."""
    sm = SequenceMatcher(None, old, new, autojunk=False)
    left: list[tuple[str, bool]] = []
    right: list[tuple[str, bool]] = []
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if i2 > i1:
            left.append((old[i1:i2], op != "equal"))
        if j2 > j1:
            right.append((new[j1:j2], op != "equal"))
    return left, right
