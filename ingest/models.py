"""Dataclasses shared by ingest, retrieval and the app: documents, plan records, chunks."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Document:
    """A loaded, cleaned source document; `doc_id` is the file stem."""

    doc_id: str
    path: str
    text: str
    title: str
    date: str = ""
    source: str = ""
    body_start: int = 0  # offset of the body after any 标题/来源/发布 header lines


@dataclass
class PlanTask:
    """One numbered task of a work plan with its responsible units."""

    item: int
    title: str
    body: str
    section_no: int
    section: str
    units: list[str] = field(default_factory=list)
    lead_unit: str = ""
    listed_units: list[str] = field(default_factory=list)
    unit_text: str = ""
    text: str = ""
    start: int = 0
    end: int = 0

    def record(self, doc_id: str) -> dict:
        return {
            "doc": doc_id,
            "item": self.item,
            "title": self.title,
            "section": self.section,
            "units": list(self.units),
            "lead_unit": self.lead_unit,
        }


@dataclass
class PlanSection:
    """A numbered section (一、二、…) with its introductory paragraph."""

    number: int
    name: str
    heading: str
    intro: str = ""
    start: int = 0
    end: int = 0
    items: list[int] = field(default_factory=list)


@dataclass
class Plan:
    """A parsed work plan: title, preamble, sections and tasks."""

    doc_id: str
    title: str
    preamble: str
    sections: list[PlanSection]
    tasks: list[PlanTask]
    preamble_span: tuple[int, int] = (0, 0)

    def records(self) -> list[dict]:
        return [t.record(self.doc_id) for t in self.tasks]

    def task(self, item: int) -> PlanTask | None:
        return next((t for t in self.tasks if t.item == item), None)


@dataclass
class Chunk:
    """A unit of retrieval: display text, the text that is embedded, and flat metadata."""

    id: str
    doc: str
    text: str
    embed_text: str
    metadata: dict

    def as_dict(self) -> dict:
        return asdict(self)
