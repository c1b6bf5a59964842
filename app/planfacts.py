"""What the plan says about itself (title, status, year, preamble, parts, partners), read once per index."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ingest.glossary import Glossary
from ingest.phrasebook import QuestionCues
from retriever.index import KnowledgeIndex
from retriever.models import TaskRecord
from retriever.records import SectionRecord

from .definitions import chunk_citation
from .models import Answer


@dataclass
class PlanFacts:
    """What the plan says about itself, read from its records and text."""

    title: str = ""
    status: str = ""
    year: str = ""
    preamble: str = ""
    preamble_id: str = ""
    sections: list[SectionRecord] = field(default_factory=list)
    tasks: list[TaskRecord] = field(default_factory=list)
    units: list[str] = field(default_factory=list)
    universal: list[str] = field(default_factory=list)
    partners: list[tuple[str, int]] = field(default_factory=list)  # place, mentions
    abbreviations: list[str] = field(default_factory=list)


def read_facts(index: KnowledgeIndex, cues: QuestionCues, glossary: Glossary) -> PlanFacts:
    """Title, status, year, preamble, parts, tasks, units and partner counties, read from the plan's records."""
    book = index.records
    if not book:
        return PlanFacts()
    title = book.doc_title
    status = re.search(r"[（(]([^（()）]{2,10})[）)]\s*$", title)
    year = re.search(r"(\d{4})\s*年", title)
    pre = next(((cid, t) for cid, (t, m) in index.chunks.items()
                if m.get("doc") == book.doc and m.get("kind") == "preamble"), ("", ""))
    plan_text = "\n".join(t for t, m in index.chunks.values() if m.get("doc") == book.doc)
    places = Counter(cues.partner_place.findall(plan_text))
    order = {p: plan_text.find(p) for p in places}
    partners = sorted(((p, n) for p, n in places.items() if n >= cues.partner_min), key=lambda x: order[x[0]])
    abbreviations = [t.name for t in glossary.terms if t.rule == "abbreviation"]
    return PlanFacts(title=title, status=status.group(1) if status else "", year=year.group(1) if year else "",
                     preamble=pre[1], preamble_id=pre[0], sections=list(book.sections), tasks=list(book.tasks),
                     units=book.units, universal=book.universal_units(), partners=partners,
                     abbreviations=abbreviations)


def together(answers: list[Answer]) -> Answer:
    """Several facts about the document asked at once, one after another, each with its citations."""
    first = answers[0]
    for other in answers[1:]:
        first.answer += "\n\n" + other.answer
        first.citations += [c for c in other.citations if c not in first.citations]
        if other.found and not first.found:  # "谁发的、啥年份的": the year is stated though the issuer is not
            first.found, first.mode = True, other.mode
    return first


def issued_answer(index: KnowledgeIndex, title: str) -> Answer:
    """When the plan was issued, its number, where comments go by when: an answer only if its own text states one."""
    lex = index.lexicon
    states = [lex.fact_types[n].state for n in ("docno", "day") if n in lex.fact_types]
    said = [(cid, s) for cid, (text, meta) in index.chunks.items() if meta.get("doc") == index.plan_doc
            for s in re.split(r"(?<=[。；])", text) if any(p.search(s) for p in states) or "截止" in s]
    if said:
        return Answer(question="", answer="\n".join(f"> {s}" for _, s in said[:3]), found=True, mode="overview",
                      citations=[chunk_citation(index, c, [s]) for c, s in said[:3]])
    return Answer(question="", answer=f"要点中没有写明印发日期、文号，也没有写意见反馈的截止时间和方式；标题写明这是"
                  f"征求意见稿：《{title}》。", found=False, mode="refusal")


def drop_title_words(title: str, text: str) -> str:
    """Remove every run of 2+ characters that also occurs in the plan's title ('通州', '2026年')."""
    out, i = [], 0
    while i < len(text):
        n = 0
        for j in range(len(text), i + 1, -1):
            if text[i:j] in title:
                n = j - i
                break
        out.append("" if n else text[i])
        i += n or 1
    return "".join(out)


def asked_together(cues: dict[str, re.Pattern], query: str, topics: list[str]) -> list[str]:
    """Facts about the document asked in one message ("主要讲啥，分几大块", "哪个区、哪年的"), in the order asked;
    a topic whose cue is the same words as an earlier one's ("分几大块": counts and structure) counts once."""
    spans = sorted((cues[t].search(query).span(), t) for t in topics)
    kept: list[str] = []
    end = -1
    for (start, stop), topic in spans:
        if start >= end:
            kept.append(topic)
            end = stop
    return kept if len(kept) > 1 else []
