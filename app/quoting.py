"""The sentences an answer quotes: a clause split into sentences, the ones that answer chosen, the phrase in bold."""

from __future__ import annotations

import re
from functools import lru_cache

from ingest.chunking import split_sentences
from retriever.models import Hit

from .gate import QuestionTerms

_CONTINUES = re.compile(r"^(?:他|她|其|会议|会上)(?:还|并|同时)?(?:强调|指出|表示|要求|提出|认为)")
_HEADING = re.compile(r"^[（(][一二三四五六七八九十]{1,3}[)）][^。]{2,30}。$")
_CLAUSE_END = re.compile(r"[。！？；!?;”’」』）)]$")


def sentences_of(hit: Hit) -> list[str]:
    """The clause's sentences without its bare title and its unit list (neither answers a question)."""
    return list(_clause_sentences(hit.content, hit.metadata.get("task_title", ""), hit.metadata.get("kind", "")))


@lru_cache(maxsize=2048)
def _clause_sentences(content: str, title: str, kind: str) -> tuple[str, ...]:
    """Worked out once per clause text: every question reads the same few dozen clauses."""
    sents: list[str] = []
    for s, _, _ in split_sentences(content):
        # "他强调，…" goes on from the sentence before; a short numbered heading ("（一）推动…") leads into the next
        if sents and (_CONTINUES.match(s) or _HEADING.match(sents[-1])):
            sents[-1] += s
        else:
            sents.append(s)
    out = [s for s in sents if not (title and title in s and len(s) <= len(title) + 6)
           and not re.match(r"^[（(〔\[]?责任单位|^(?:标题|来源)[：:]", s)]
    if kind == "section" and len(out) > 1:
        out = out[1:]  # the heading line
    return tuple(out or sents)


def best_sentences(terms: QuestionTerms, hit: Hit, places: tuple[str, ...], limit: int = 2,
                   sims: dict[str, float] | None = None) -> list[str]:
    """The sentences carrying the most question terms, in original order; a named partner county ranks a sentence
    up, and so does being the clause's sentence closest in meaning to the question (`sims`, when the model is up)."""
    sents = sentences_of(hit)
    asked = [p for p in places if p in terms.text]
    by_meaning = sorted((s for s in sents if sims and s in sims), key=lambda s: -sims[s])  # type: ignore[index]
    meaning_bonus = {s: b for s, b in zip(by_meaning, (0.2, 0.1), strict=False)} if len(sents) > 1 else {}
    scored = []
    for i, sent in enumerate(sents):
        score = terms.coverage(sent) + meaning_bonus.get(sent, 0.0)
        if asked and any(p in sent for p in asked):
            score += 0.25
        scored.append((score, i))
    top = sorted((x for x in scored if x[0] > 0), key=lambda x: (-x[0], x[1]))[:limit]
    if not top:
        return sents[:1]
    return [sents[i] for _, i in sorted(top, key=lambda x: x[1])]


def join_sentences(sentences: list[str]) -> str:
    """Join extracted sentences; a line that had no end punctuation (a title) keeps a break after it."""
    out = ""
    for sent in sentences:
        if out and not _CLAUSE_END.search(out):
            out += "；"
        out += sent
    return out


def bold_answer(sentence: str, terms: QuestionTerms, phrase: str = "") -> str:
    """Bold the answering phrase: the stated fact, or the comma-delimited part that carries most question terms."""
    if phrase and phrase in sentence:
        return sentence.replace(phrase, f"**{phrase}**", 1)
    parts = re.split(r"(?<=[，,；;：:])", sentence)  # not at 、: "政府引导、市场主导" is one phrase
    scored = [(terms.coverage(p), -i, p) for i, p in enumerate(parts) if p.strip("，,、；;：:。 ")]
    if not scored:
        return sentence
    cov, _, part = max(scored)
    if cov <= 0 or len(parts) < 2:
        return sentence
    core = part.rstrip("，,、；;：:。")
    return sentence.replace(core, f"**{core}**", 1) if core else sentence
