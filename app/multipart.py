"""Questions with several parts ("A负责哪些？B呢", "丝博会在哪条 那条谁牵头"): split, answer each, combine."""

from __future__ import annotations

import re
from collections.abc import Callable

from retriever.lexicon import Lexicon
from retriever.understand import ParsedQuestion, QuestionParser

from .models import Answer, Citation, DialogueContext

_SENTENCE_END = re.compile(r"(?<=[？?！!；;。])")
# a part that only asks again about something just named: "那条谁牵头", "它的责任单位呢"
_LEADS_BACK = re.compile(r"^(?:那|那么|还有|另外|以及|又|再)")


def _has_question(p: ParsedQuestion, lexicon: Lexicon) -> bool:
    return bool(p.units or p.items or p.sections or p.intents or p.unknown_units
                or lexicon.cue("question_word", p.text))


def split_parts(text: str, parser: QuestionParser, lexicon: Lexicon) -> list[str]:
    """The question's parts; one part when it is a single question (however long)."""
    parts = [p.strip(" ，,") for p in _SENTENCE_END.split(text) if len(p.strip(" ，,？?！!；;。")) >= 2]
    if len(parts) <= 1:
        chunks = [c for c in re.split(r"\s+", text.strip()) if c]
        # a space separates two questions only when the second points back or names something of its own
        if len(chunks) == 2 and (lexicon.cue("pronoun", chunks[1]) or _LEADS_BACK.match(chunks[1])) \
                and _has_question(parser.parse(chunks[0]), lexicon) \
                and _has_question(parser.parse(chunks[1]), lexicon):
            return chunks
        return [text]
    kept: list[str] = []
    pending = ""
    for part in parts:  # a remark that asks nothing ("我是新来的。") belongs to the question after it
        if not _has_question(parser.parse(part), lexicon):
            pending += part
            continue
        kept.append(pending + part)
        pending = ""
    if pending:
        if kept:
            kept[-1] += pending
        else:
            kept.append(pending)
    return kept


def carry_reference(part: str, parsed: ParsedQuestion, previous: DialogueContext | None, lexicon: Lexicon,
                    has_topic: Callable[[str], bool]) -> str:
    """A part with nothing of its own to ask about ("主要讲什么内容") is about what the part before it named."""
    if previous is None or parsed.units or parsed.items or parsed.sections or lexicon.cue("pronoun", part) \
            or has_topic(part):
        return part
    if previous.items:
        return "、".join(f"第{i}项" for i in previous.items) + part
    if previous.units:
        return "、".join(previous.units) + part
    return part


def combine(question: str, parts: list[str], answers: list[Answer]) -> Answer:
    """One answer with a heading per part; citations of every part, in order, without repeats."""
    lines: list[str] = []
    citations: list[Citation] = []
    seen: set[tuple] = set()
    for n, (part, ans) in enumerate(zip(parts, answers), 1):
        lines += [f"**（{n}）{ans.resolved_question or part}**", "", ans.answer, ""]
        for c in ans.citations:
            key = (c.doc, c.item, c.text)
            if key not in seen:
                seen.add(key)
                citations.append(c)
    notices = " ".join(dict.fromkeys(a.notice for a in answers if a.notice))
    return Answer(question=question, answer="\n".join(lines).strip(), found=any(a.found for a in answers),
                  mode="multi", citations=citations, notice=notices, context=answers[-1].context)


def answer_parts(question: str, parts: list[str], parser: QuestionParser, lexicon: Lexicon,
                 ask: Callable[[str, DialogueContext | None], Answer], context: DialogueContext | None,
                 has_topic: Callable[[str], bool]) -> Answer:
    """Answer the parts in order, each able to refer back to the one before it."""
    answers: list[Answer] = []
    ctx = context
    for part in parts:
        text = carry_reference(part, parser.parse(part), ctx if answers else None, lexicon, has_topic)
        ans = ask(text, ctx)
        if not ans.resolved_question or ans.resolved_question == part:
            ans.resolved_question = text
        answers.append(ans)
        ctx = ans.context or ctx
    return combine(question, parts, answers)
