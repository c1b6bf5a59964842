"""A claim put for confirmation that the documents contradict: the same kind of thing stated with another value."""

from __future__ import annotations

import re
from dataclasses import dataclass

from retriever.index import KnowledgeIndex

from .gate import question_terms, specific_weight
from .quoting import sentences_of

_HAN = "\u4e00-\u9fff"
_NUMERAL = "一二三四五六七八九十百两"
# a sentence must carry this share of the question's topic words, one of them specific, to speak of the same thing
_ON_TOPIC = 0.6


def claimed_shapes(index: KnowledgeIndex, question: str, words: list[str]) -> list[tuple[str, re.Pattern]]:
    """The values a question asserts with the shape a contradicting value would have: 第三届 → 第N届, 2024年度 →
    YYYY年度, 长江流域 → XX流域 (a word the corpus lacks before a head the corpus uses)."""
    out: list[tuple[str, re.Pattern]] = []
    for m in re.finditer(rf"第([{_NUMERAL}\d]+)([届次批期轮])", question):
        if not index.mentions(m.group(0)):
            out.append((m.group(0), re.compile(rf"第[{_NUMERAL}\d]+{m.group(2)}")))
    for m in re.finditer(r"(?<!\d)(?:19|20)\d{2}年度?", question):
        if not index.mentions(m.group(0)):
            out.append((m.group(0), re.compile(rf"(?<!\d)(?:19|20)\d{{2}}{m.group(0)[4:]}")))
    for word in words:
        at = question.find(word)
        if at < 0 or not re.fullmatch(rf"[{_HAN}]{{2,4}}", word):
            continue
        head = question[at + len(word):at + len(word) + 2]
        if len(head) == 2 and re.fullmatch(rf"[{_HAN}]{{2}}", head) and index.mentions(head):
            out.append((word + head, re.compile(rf"[{_HAN}]{{{len(word)}}}{head}")))
        elif len(word) >= 4 and index.mentions(word[-2:]) and not index.mentions(word[:-2]):  # 长江流域 as one word
            out.append((word, re.compile(rf"[{_HAN}]{{{len(word) - 2}}}{word[-2:]}")))
    return out


@dataclass
class Contradiction:
    chunk_id: str
    sentence: str
    claimed: str  # what the question asserts ("第三届")
    stated: str  # what the documents say instead ("第五届")


def contradiction(index: KnowledgeIndex, question: str, words: list[str]) -> Contradiction | None:
    """"交易会今年办的是第三届吧" when the plan says 第五届: the on-topic sentence stating another value of the same
    shape; None when there is none (then the claim is only unsupported, and refused as such)."""
    if not index.lexicon.cue("confirm", question):
        return None
    shapes = claimed_shapes(index, question, words)
    if not shapes:
        return None
    terms = question_terms(index, question)
    floor = specific_weight(index)
    best: tuple[float, Contradiction] | None = None
    for cid, (_, meta) in index.chunks.items():
        for sent in sentences_of(index.hit(cid, 1.0)):
            low = sent.lower()
            for claim, shape in shapes:
                stated = next((m.group(0) for m in shape.finditer(sent) if m.group(0) != claim), "")
                if not stated:
                    continue
                specific = [g for g in terms.groups if g.weight >= floor and g.surface not in claim
                            and (form := g.found_in(low)) and form not in stated]
                score = terms.coverage(sent) + (0.05 if meta.get("doc") == index.plan_doc else 0.0)
                if specific and score >= _ON_TOPIC and (best is None or score > best[0]):
                    best = (score, Contradiction(cid, sent, claim, stated))
    return best[1] if best else None
