"""The answer contract: Answer and Citation (same shape for the CLI, the API and the chat page)."""

from __future__ import annotations

from dataclasses import dataclass, field

MODES = ("lookup", "item", "section", "retrieval", "refusal", "multi", "overview", "glossary", "diff")


@dataclass
class Citation:
    """One cited clause: where it is (document, section, task number) and its text."""

    doc: str
    title: str
    section: str
    item: int | None
    units: list[str]
    text: str
    score: float
    date: str = ""
    highlights: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"doc": self.doc, "title": self.title, "section": self.section, "item": self.item,
                "units": list(self.units), "text": self.text, "score": round(float(self.score), 4),
                "date": self.date, "highlights": list(self.highlights)}


@dataclass
class DialogueContext:
    """What a follow-up question may refer back to."""

    question: str = ""
    units: list[str] = field(default_factory=list)
    items: list[int] = field(default_factory=list)
    sections: list[int] = field(default_factory=list)
    intents: set[str] = field(default_factory=set)
    mode: str = ""
    suggestions: list[str] = field(default_factory=list)  # answerable follow-up questions shown as chips
    listed: list[int | str] = field(default_factory=list)  # the previous answer's list: task numbers or units
    plan: str = ""  # the plan the question named (its follow-ups stay in it); "" for the newest


@dataclass
class Answer:
    """A complete answer; `to_dict()` is the JSON object of `ask --json` and the API."""

    question: str
    answer: str
    found: bool
    mode: str
    citations: list[Citation] = field(default_factory=list)
    ms: float = 0.0
    notice: str = ""
    resolved_question: str = ""
    context: DialogueContext | None = None
    listed: list[int | str] = field(default_factory=list)  # what the answer lists, in order (for 第二项呢)
    curated: dict | None = None  # the maintainer's answer shown above this one (app/curated.py)

    def to_dict(self) -> dict:
        out = {"question": self.question, "answer": self.answer, "found": self.found, "mode": self.mode,
               "citations": [c.to_dict() for c in self.citations], "ms": round(self.ms, 2)}
        if self.notice:
            out["notice"] = self.notice
        if self.resolved_question and self.resolved_question != self.question:
            out["resolved_question"] = self.resolved_question
        if self.curated:
            out["curated"] = dict(self.curated)
        return out
