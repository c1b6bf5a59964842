"""Questions with several parts ("A负责哪些？B呢", "丝博会在哪条 那条谁牵头"): split, answer each, combine."""

from __future__ import annotations

import re
from collections.abc import Callable

from retriever.lexicon import Lexicon
from retriever.understand import ParsedQuestion, QuestionParser

from .gate import OWN_TOPIC_IDF
from .models import Answer, Citation, DialogueContext

_SENTENCE_END = re.compile(r"(?<=[？?！!；;。])")
_CLAUSE = re.compile(r"[，,]|\s+")
# a part that only asks again about something just named: "那条谁牵头", "它的责任单位呢"
_LEADS_BACK = re.compile(r"^(?:那|那么|还有|另外|以及|又|再)")


def _has_question(p: ParsedQuestion, lexicon: Lexicon) -> bool:
    if lexicon.cue("self_remark", p.text) and not (p.intents or lexicon.cue("question_word", p.text)):
        return False  # "…？我们工会想先问问": the asker speaking of themselves, not a question about the unit
    return bool(p.units or p.items or p.sections or p.intents or p.unknown_units
                or lexicon.cue("question_word", p.text))


def _asks(segment: str, lexicon: Lexicon) -> bool:
    """A clause that asks something itself ("谁牵头", "青洽会呢"), not one that sets the scene ("那边的手艺人")."""
    return bool(lexicon.cue("question_word", lexicon.cue_sub("not_a_question", "", segment)))


def _group(segments: list[str], lexicon: Lexicon) -> list[str]:
    """Clauses joined into parts, each ending with a clause that asks; scene-setting clauses go with what follows."""
    parts: list[str] = []
    pending = ""
    for seg in segments:
        pending = f"{pending}，{seg}" if pending else seg
        if _asks(seg, lexicon) and not lexicon.cue("scope_frame", seg):  # "…的几条里面，" sets the scope
            parts.append(pending)
            pending = ""
    if pending:
        if parts:
            parts[-1] = f"{parts[-1]}，{pending}"
        else:
            parts.append(pending)
    return parts


def _distributed(text: str, parser: QuestionParser, lexicon: Lexicon) -> list[str]:
    """"A和B分别由谁负责" as "A由谁负责" and "B由谁负责", unless A and B are both units, tasks or parts (those the
    records answer together)."""
    m = lexicon.cue("distributive", text)
    if m is None:
        return []
    named = [parser.parse(m[h]) for h in ("a", "b")]
    if all(p.units or p.items or p.sections for p in named) or not _asks(m["rest"], lexicon):
        return []  # both are units, tasks or parts: the records answer them together
    rest = re.sub(r"^[，,\s]?(?:分别|各自|各)", "", m["rest"])
    return [m["a"] + rest, m["b"] + rest]


def _elaborates(part: str, parsed: ParsedQuestion, lexicon: Lexicon) -> bool:
    """An example, the options in mind or a guess that spells out the part before it, naming nothing of its own."""
    return not (parsed.units or parsed.items or parsed.sections) and bool(lexicon.cue("elaboration", part.strip()))


_WHOLE_ASKS = {"count", "tasks", "section_of"}  # "另外一共有多少条具体任务": asks the plan itself

_SET_CONDITIONS = {"not_lead", "lead", "alone", "together"}  # "…，不牵头但参与的又是哪些" asks a list of its own


class Parts(list):
    """The parts of one message; `independent` when each is whole by construction ("A和B分别…" asked of each)."""

    independent = False


def split_parts(text: str, parser: QuestionParser, lexicon: Lexicon) -> list[str]:
    """The question's parts; one part when it is a single question (however long).

    Sentences split at their end marks; within a sentence, clauses split at commas and spaces when each part
    asks something of its own ("生态保护那条谁牵头，重点盯的是哪些区域", "丝博会是第几届 青洽会呢").
    """
    if not _SENTENCE_END.search(text.strip(" ？?。")):  # "A、B各是第几条，分别归哪个局": every clause asked of each
        each = Parts(_distributed(text.strip(" ？?。"), parser, lexicon))
        if each:
            each.independent = True
            return each
    sentences = [p.strip(" ，,") for p in _SENTENCE_END.split(text) if len(p.strip(" ，,？?！!；;。")) >= 2]
    parts: list[str] = []
    for sentence in sentences:
        segments = [c.strip() for c in _CLAUSE.split(sentence) if len(c.strip(" ？?！!；;。")) >= 2]
        grouped = _group(segments, lexicon) if len(segments) > 1 else [sentence]
        parts += grouped if all(_has_question(parser.parse(g), lexicon) for g in grouped) else [sentence]
    if len(parts) <= 1:
        each = Parts(_distributed(text.strip(" ？?。"), parser, lexicon))
        each.independent = True
        return each or [text]
    kept: list[str] = []
    pending = ""
    for part in parts:  # a remark that asks nothing ("我是新来的。") belongs to the question after it
        parsed = parser.parse(part)
        if not _has_question(parsed, lexicon):
            pending += part
            continue
        if kept and not pending and _elaborates(part, parsed, lexicon):
            kept[-1] = f"{kept[-1]}，{part}"  # "哪家医院，县医院还是中医院": the options belong to the question
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
                    has_topic: Callable[..., bool]) -> str:
    """A part with nothing of its own to ask about ("主要讲什么内容") is about what the part before it named."""
    if previous is not None and len(parsed.units) == 1 and len(previous.units) == 1 and not parsed.items \
            and previous.units[0] != parsed.units[0] and "together" in parsed.intents:
        # "工商联有几条，跟发改委重合的是哪些", "…它跟人社局重合的是哪些": shared with the unit just asked about
        pronoun = lexicon.cue("pronoun", part)
        if pronoun:
            return part[:pronoun.start()] + previous.units[0] + part[pronoun.end():]
        return previous.units[0] + part
    # a task a retrieval answer cited is only a guess at what was asked: a part with a topic of its own, even a
    # common one ("会商制度有啥要求？推进机制又是咋规定的"), is not about it
    floor = 0.0 if previous is not None and previous.mode == "retrieval" else None
    if previous is None or parsed.units or parsed.items or parsed.sections or lexicon.cue("pronoun", part) \
            or has_topic(part, floor):
        return part
    if previous.items:
        return "、".join(f"第{i}项" for i in previous.items) + part
    if previous.units:
        return "、".join(previous.units) + part
    if previous.sections:
        return "、".join(f"第{n}部分" for n in previous.sections) + part
    return part


def combine(question: str, parts: list[str], answers: list[Answer]) -> Answer:
    """One answer with a heading per part; citations of every part, in order, without repeats."""
    lines: list[str] = []
    citations: list[Citation] = []
    seen: set[tuple] = set()
    shown: dict[str, int] = {}  # answer text -> index of its heading line
    for n, (part, ans) in enumerate(zip(parts, answers), 1):
        heading = f"（{n}）{ans.resolved_question or part}"
        if ans.mode == "retrieval":  # a part cites the clauses it shows, not the further ones a lone answer lists
            displayed = [c for c in ans.citations if (f"第{c.item}项" if c.item else c.title) in ans.answer]
            ans.citations = displayed or ans.citations[:1]
        if ans.answer in shown:  # "第六部分是什么，包括哪些任务": both parts have one answer; show it once
            at = shown[ans.answer]
            lines[at] = lines[at][:-2] + f"；{heading}**"
            continue
        shown[ans.answer] = len(lines)
        lines += [f"**{heading}**", "", ans.answer, ""]
        for c in ans.citations:
            key = (c.doc, c.item, c.text)
            if key not in seen:
                seen.add(key)
                citations.append(c)
    notices = " ".join(dict.fromkeys(a.notice for a in answers if a.notice))
    return Answer(question=question, answer="\n".join(lines).strip(), found=any(a.found for a in answers),
                  mode="multi", citations=citations, notice=notices, context=answers[-1].context)


def merge_fragments(parts: list[str], parser: QuestionParser, lexicon: Lexicon,
                    topical: Callable[[str], bool]) -> list[str]:
    """"…疗休养基地具体是哪几家，叫啥名字": a part without a single topic word, after a part that names no unit,
    task or part, asks more of the same thing: one question, decided before anything is searched (answering the
    first alone and then both together would search twice). A part asking who (谁负责) may point back to the task
    the answer before it finds, and stays apart."""
    if getattr(parts, "independent", False) or len(parts) < 2:
        return parts
    out = [parts[0]]
    for part in parts[1:]:
        parsed, prev = parser.parse(part), parser.parse(out[-1])
        records = prev.target or prev.count or prev.extreme  # "只出现过一次的单位有哪些？各自是哪项": its list answers
        if not (parsed.units or parsed.items or parsed.sections or prev.units or prev.items or prev.sections) \
                and not records and not topical(part) and not lexicon.cue("pronoun", part) \
                and not parsed.intents & (_WHOLE_ASKS | {"who", "lead"}):
            out[-1] = f"{out[-1]}，{part}"
        else:
            out.append(part)
    return out


def answer_parts(question: str, parts: list[str], parser: QuestionParser, lexicon: Lexicon,
                 ask: Callable[[str, DialogueContext | None], Answer], context: DialogueContext | None,
                 has_topic: Callable[..., bool]) -> Answer:
    """Answer the parts in order, each able to refer back to the one before it."""
    answers: list[Answer] = []
    asked: list[str] = []
    contexts = [context]  # the context each part was asked in
    for part in parts:
        parsed = parser.parse(part)
        before = contexts[-1]
        text = carry_reference(part, parsed, before if answers else None, lexicon, has_topic)
        if answers and before and before.listed and answers[-1].mode == "lookup" \
                and not (parsed.units or parsed.items or parsed.sections) and not has_topic(part) \
                and not lexicon.cue("pronoun", part) and not (parsed.intents & _SET_CONDITIONS):
            tasks = [e for e in before.listed if isinstance(e, int)]
            if not (tasks and lexicon.cue("content_ask", part)):
                asked[-1] = f"{asked[-1]}，{part}"  # "哪个单位最多？都是哪些": the list just given answers it
                continue
            text = "、".join(f"第{i}项" for i in tasks) + part  # "数据局有任务没？有的话干啥的": ask of those tasks
        if answers and text == part and not getattr(parts, "independent", False) \
                and not (parsed.units or parsed.items or parsed.sections) and not (before and (before.listed or before.units or before.items or before.sections)) \
                and not has_topic(part, OWN_TOPIC_IDF) and not lexicon.cue("pronoun", part) \
                and not parsed.intents & _WHOLE_ASKS:
            # nothing of its own and nothing to point back to ("…截止到哪天 反馈给谁"): one question with the last
            merged = f"{asked[-1]}，{part}"
            answers.pop()
            contexts.pop()
            asked[-1] = merged
            ans = ask(merged, contexts[-1])
        else:
            asked.append(part)
            ans = ask(text, contexts[-1])
            if not ans.resolved_question or ans.resolved_question == part:
                ans.resolved_question = text
        answers.append(ans)
        contexts.append(ans.context or contexts[-1])
    return answers[0] if len(answers) == 1 else combine(question, asked, answers)
