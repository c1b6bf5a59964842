"""Load the onboarding language data (glossary rules, document-question cues) from ingest/data/onboarding.json."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "onboarding.json"


@dataclass(frozen=True)
class GlossaryRules:
    """How terms are found in a plan's text and how a definition sentence is recognised."""

    quotes: tuple[tuple[str, str], ...]
    quote_min: int
    quote_max: int
    quote_skip: re.Pattern
    categories: tuple[str, ...]
    suffixes: tuple[str, ...]
    lead_verbs: tuple[str, ...]
    suffix_min_stem: int
    province_abbr: str
    province_names: dict  # abbreviation -> province ("陕" -> "陕西"): how 苏陕 / 苏青 read
    abbr_next: tuple[str, ...]
    edition: re.Pattern
    definition_after: tuple[str, ...]
    definition_window: int
    definition_before: tuple[str, ...]
    generic_heads: tuple[str, ...]
    header_prefixes: tuple[str, ...]


@dataclass(frozen=True)
class QuestionCues:
    """Patterns that mark questions about the document itself and definition questions."""

    define: re.Pattern
    define_prefix: re.Pattern
    relation: re.Pattern
    strip_term: re.Pattern
    newest: re.Pattern
    topics: dict[str, re.Pattern]
    document_words: re.Pattern
    overall_section: re.Pattern
    followups: dict[str, str]
    starters: tuple[str, ...]
    filler: re.Pattern
    residue_max: int
    partner_place: re.Pattern
    partner_min: int
    term_leftover: re.Pattern
    programme_words: re.Pattern = re.compile("(?!)")  # 东西部协作 is the programme, not this document


@dataclass(frozen=True)
class Phrasebook:
    glossary: GlossaryRules
    questions: QuestionCues


def _longest_first(words: list[str]) -> tuple[str, ...]:
    return tuple(sorted(words, key=len, reverse=True))


def parse(raw: dict) -> Phrasebook:
    """Build the typed rules from the JSON object (compiles every pattern once)."""
    g, q = raw["glossary"], raw["questions"]
    rules = GlossaryRules(
        quotes=tuple((a, b) for a, b in g["quotes"]), quote_min=int(g["quote_min"]), quote_max=int(g["quote_max"]),
        quote_skip=re.compile(g["quote_skip"]), categories=_longest_first(g["categories"]),
        suffixes=tuple(g["suffixes"]), lead_verbs=_longest_first(g["lead_verbs"]),
        suffix_min_stem=int(g["suffix_min_stem"]), province_abbr=g["province_abbr"],
        province_names=dict(g.get("province_names", {})), abbr_next=tuple(g["abbr_next"]), edition=re.compile(g["edition"]),
        definition_after=_longest_first(g["definition_after"]), definition_window=int(g["definition_window"]),
        definition_before=tuple(g["definition_before"]), generic_heads=tuple(g["generic_heads"]),
        header_prefixes=tuple(g["header_prefixes"]))
    cues = QuestionCues(
        define=re.compile(q["define"]), define_prefix=re.compile(q["define_prefix"]),
        relation=re.compile(q["relation"]), strip_term=re.compile(q["strip_term"]), newest=re.compile(q["newest"]),
        topics={k: re.compile(v) for k, v in q["topics"].items()}, document_words=re.compile(q["document_words"]),
        overall_section=re.compile(q["overall_section"]), followups=dict(q["followups"]),
        starters=tuple(q["starters"]), filler=re.compile(q["filler"]), residue_max=int(q["residue_max"]),
        partner_place=re.compile(q["partner_place"]), partner_min=int(q["partner_min"]),
        term_leftover=re.compile(q["term_leftover"]), programme_words=re.compile(q.get("programme_words", "(?!)")))
    return Phrasebook(rules, cues)


@cache
def load(path: Path = DATA) -> Phrasebook:
    """The shipped phrasebook (read once per process; it is immutable)."""
    return parse(json.loads(path.read_text(encoding="utf-8")))
