"""Exact answers from the plan's task records: a unit's tasks, a task's units, a section's tasks."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.numerals import cn_to_int

from .models import TaskRecord


@dataclass
class SectionRecord:
    doc: str
    number: int
    name: str  # e.g. 六、社会帮扶深化行动
    text: str
    chunk_id: str
    items: list[int] = field(default_factory=list)

    @property
    def short_name(self) -> str:
        return self.name.split("、", 1)[-1]


class RecordBook:
    """Task and section records of the plan(s) in the index, with set queries over units."""

    def __init__(self, tasks: list[TaskRecord], sections: list[SectionRecord], primary_doc: str = ""):
        docs = {t.doc for t in tasks}
        # one plan answers lookups: the configured one if indexed, else the plan with most tasks
        if primary_doc not in docs and docs:
            primary_doc = max(docs, key=lambda d: sum(1 for t in tasks if t.doc == d))
        self.doc = primary_doc
        self.tasks = sorted((t for t in tasks if t.doc == primary_doc), key=lambda t: t.item)
        self.sections = sorted((s for s in sections if s.doc == primary_doc), key=lambda s: s.number)
        for s in self.sections:
            s.items = [t.item for t in self.tasks if t.section.split(" ")[0] == s.name]
        self.doc_title = self.tasks[0].doc_title if self.tasks else ""

    @classmethod
    def from_snapshot(cls, ids: list[str], documents: list[str], metadatas: list[dict],
                      primary_doc: str = "") -> RecordBook:
        tasks, sections = [], []
        for cid, text, meta in zip(ids, documents, metadatas):
            if meta.get("kind") == "task":
                units = [u for u in meta.get("units", "").split("、") if u]
                tasks.append(TaskRecord(doc=meta["doc"], item=int(meta["item"]), title=meta.get("task_title", ""),
                                        section=meta.get("section", ""), units=units,
                                        lead_unit=meta.get("lead_unit", ""), text=text, chunk_id=cid,
                                        doc_title=meta.get("title", ""),
                                        listed_units=[u for u in meta.get("listed_units", "").split("、") if u],
                                        unit_text=meta.get("unit_text", "")))
            elif meta.get("kind") == "section":
                name = meta.get("section", "")
                m = re.match(r"^(\S+?)、", name)
                number = cn_to_int(m.group(1)) if m else None
                sections.append(SectionRecord(doc=meta["doc"], number=number or 0, name=name, text=text,
                                              chunk_id=cid))
        return cls(tasks, sections, primary_doc)

    def __bool__(self) -> bool:
        return bool(self.tasks)

    @property
    def units(self) -> list[str]:
        """Every unit named in the plan, in order of first appearance."""
        seen: list[str] = []
        for t in self.tasks:
            seen.extend(u for u in t.units if u not in seen)
        return seen

    def task(self, item: int) -> TaskRecord | None:
        return next((t for t in self.tasks if t.item == item), None)

    def section(self, number: int) -> SectionRecord | None:
        return next((s for s in self.sections if s.number == number), None)

    def section_of(self, item: int) -> SectionRecord | None:
        task = self.task(item)
        return next((s for s in self.sections if task and task.section.split(" ")[0] == s.name), None)

    def tasks_of(self, unit: str) -> list[TaskRecord]:
        return [t for t in self.tasks if unit in t.units]

    def led_by(self, unit: str) -> list[TaskRecord]:
        return [t for t in self.tasks if t.lead_unit == unit]

    def shared_by(self, units: list[str]) -> list[TaskRecord]:
        return [t for t in self.tasks if all(u in t.units for u in units)]

    def universal_units(self) -> list[str]:
        """Units responsible for every task (e.g. a liaison group named once for all)."""
        return [u for u in self.units if all(u in t.units for t in self.tasks)]

    def alone(self, unit: str) -> list[TaskRecord]:
        """Tasks whose only responsible unit is `unit`, not counting units that are on every task."""
        universal = set(self.universal_units()) - {unit}
        return [t for t in self.tasks if unit in t.units and not (set(t.units) - universal - {unit})]

    def matrix(self) -> list[dict]:
        """Rows of the responsibility matrix: one per unit, a cell per task ('牵头', '参与' or '')."""
        rows = []
        for unit in self.units:
            row = {"单位": unit}
            for t in self.tasks:
                row[str(t.item)] = t.role(unit) if unit in t.units else ""
            row["任务数"] = sum(1 for t in self.tasks if unit in t.units)
            rows.append(row)
        return rows
