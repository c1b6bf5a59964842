"""Result dataclasses: a retrieval hit and a task record."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Hit:
    """One retrieved chunk: id, fused score, display text and its metadata."""

    id: str
    score: float
    content: str
    metadata: dict = field(default_factory=dict)
    folded: list[str] = field(default_factory=list)  # other plans with a near-identical clause, folded under this one

    @property
    def doc(self) -> str:
        return self.metadata.get("doc", "")

    @property
    def item(self) -> int | None:
        return int(self.metadata["item"]) if self.metadata.get("item") else None


@dataclass
class TaskRecord:
    """A plan task as stored in the index."""

    doc: str
    item: int
    title: str
    section: str
    units: list[str]
    lead_unit: str
    text: str
    chunk_id: str
    doc_title: str = ""
    listed_units: list[str] = field(default_factory=list)
    unit_text: str = ""

    def role(self, unit: str) -> str:
        return "牵头" if unit == self.lead_unit else "参与"
