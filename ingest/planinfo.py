"""A plan's identity read from its title: year, version (征求意见稿/送审稿/正式稿 …) and the series it belongs to."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "plans.json"
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_BRACKET = re.compile(r"[（(〔]([^（()）〔〕]{2,12})[）)〕]")


@dataclass(frozen=True)
class PlanVocabulary:
    """Version names with their order, and the words for years and changes (from ingest/data/plans.json)."""

    versions: tuple[tuple[str, int, tuple[str, ...]], ...]  # name, rank, aliases
    unmarked_version: str
    relative_years: dict[str, int] = field(default_factory=dict)
    change_words: tuple[str, ...] = ()
    previous_words: tuple[str, ...] = ()
    plan_words: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, raw: dict) -> PlanVocabulary:
        versions = tuple((v["name"], int(v["rank"]), tuple(v.get("aliases", [])) + (v["name"],))
                         for v in raw["versions"])
        return cls(versions=versions, unmarked_version=raw["unmarked_version"],
                   relative_years=dict(raw.get("relative_years", {})),
                   change_words=tuple(raw.get("change_words", [])),
                   previous_words=tuple(raw.get("previous_words", [])),
                   plan_words=tuple(raw.get("plan_words", [])))

    def rank(self, version: str) -> int:
        return next((r for name, r, _ in self.versions if name == version), 0)

    def version_in(self, text: str) -> tuple[str, str] | None:
        """The version a text names (longest alias wins) and the alias as written."""
        found = [(alias, name) for name, _, aliases in self.versions for alias in aliases if alias in text]
        if not found:
            return None
        alias, name = max(found, key=lambda f: len(f[0]))
        return name, alias


@cache
def load_vocabulary(path: Path = DATA) -> PlanVocabulary:
    return PlanVocabulary.from_dict(json.loads(path.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class PlanInfo:
    """Who a plan is: its document id, title, year, version and series (title without year and version)."""

    doc: str
    title: str
    year: int | None
    version: str
    rank: int
    series: str
    tasks: int = 0

    @property
    def label(self) -> str:
        """How answers name the plan: its title, with the version in brackets when the title does not show it."""
        return self.title if self.version in self.title else f"{self.title}（{self.version}）"

    def order_key(self) -> tuple:
        """Newer plans sort later: by year, then by how final the version is."""
        return (self.year or 0, self.rank, self.doc)

    def as_dict(self) -> dict:
        return {"doc": self.doc, "title": self.title, "year": self.year, "version": self.version,
                "series": self.series, "tasks": self.tasks}


def plan_info(doc: str, title: str, vocab: PlanVocabulary | None = None, tasks: int = 0) -> PlanInfo:
    """Read year and version from a plan title; a title that names no version is the issued text."""
    vocab = vocab or load_vocabulary()
    year = _YEAR.search(title)
    version = None
    for m in _BRACKET.finditer(title):
        found = vocab.version_in(m.group(1))
        if found:
            version = found[0]
    if version is None:
        found = vocab.version_in(title)
        version = found[0] if found else vocab.unmarked_version
    series = _BRACKET.sub("", _YEAR.sub("", title))
    series = re.sub(r"\s+", "", series)
    return PlanInfo(doc=doc, title=title, year=int(year.group(1)) if year else None, version=version,
                    rank=vocab.rank(version), series=series, tasks=tasks)
