"""'X是什么' answered from the glossary and from related documents (newest first), or 'the corpus never explains X'."""

from __future__ import annotations

import re

from ingest.glossary import Glossary, Sentence, Term
from ingest.phrasebook import QuestionCues
from retriever.index import KnowledgeIndex

from .models import Answer, Citation

MAX_AD_HOC = 12  # longer phrases are questions about content, not names: retrieval answers those
MAX_DOCS = 3


def chunk_citation(index: KnowledgeIndex, chunk_id: str, highlights: list[str] | None = None,
                   score: float = 1.0) -> Citation:
    """A citation of one indexed chunk, with the sentences that answer marked."""
    text, m = index.chunks[chunk_id]
    units = [u for u in m.get("units", "").split("、") if u]
    item = int(m["item"]) if m.get("item") else None
    section = m.get("section", "") or ("前言" if m.get("kind") == "preamble" else "")
    return Citation(doc=m.get("doc", ""), title=m.get("title", ""), section=section, item=item,
                    units=units, text=text, score=score, date=m.get("date", ""), highlights=list(highlights or []))


def where(s: Sentence) -> str:
    """'第15项 深化品牌公益帮扶' / '前言' / '三、消费帮扶增收行动（部分说明）' / '《title》（date）'."""
    if s.kind == "task":
        section = s.section.split(" ")[0]
        return f"第{s.item}项（{section}）"
    if s.kind == "preamble":
        return "前言"
    if s.kind == "section":
        return f"{s.section}（部分说明）"
    return f"《{s.title}》" + (f"（{s.date}）" if s.date else "")


def _cite(index: KnowledgeIndex, sentences: list[Sentence]) -> list[Citation]:
    """One citation per chunk, in the order given, highlighting every quoted sentence of it."""
    marks: dict[str, list[str]] = {}
    for s in sentences:
        marks.setdefault(s.chunk_id, []).append(s.text)
    return [chunk_citation(index, cid, texts) for cid, texts in marks.items() if cid in index.chunks]


def per_document(glossary: Glossary, term: Term) -> list[Sentence]:
    """The best related sentence of each document, newest document first: a definition if there is one."""
    best: dict[str, tuple[int, Sentence]] = {}
    for s in term.related:
        # a body line that repeats the document's title says nothing about the term
        in_title = re.sub(r"\s", "", s.text) in re.sub(r"\s", "", s.title)
        rank = 0 if in_title else 3 if s in term.definitions else 2 if len(s.text) >= 30 else 1
        if s.doc not in best or rank > best[s.doc][0]:
            best[s.doc] = (rank, s)
    picked = sorted((s for _, s in best.values()), key=lambda s: s.date, reverse=True)
    return picked[:MAX_DOCS]


def term_answer(index: KnowledgeIndex, glossary: Glossary, term: Term, asked: str = "") -> Answer:
    """A glossary term: what the plan calls it, where it appears, and any explanation in related documents."""
    name = term.name
    lines: list[str] = []
    if asked and asked != name:
        lines.append(f"语料中没有“{asked}”这个说法；下面是其中的“{name}”。\n")
    plan_defs = [s for s in term.definitions if s in term.mentions]
    related = per_document(glossary, term)
    related_defs = [s for s in related if s in term.definitions]
    # only a quoted name's category is the plan's own word ("“苏社有为共振兴”公益品牌"); other rules' labels are ours
    kind = f"，要点称之为“{term.category}”" if term.rule == "quoted" and term.category else ""
    reading = abbreviation_reading(index, glossary, term)
    if reading:
        lines.append(reading)
    if not term.explained:
        lines.append(f"要点和相关文件都没有解释“{name}”是什么（语料中没有它的定义）{kind}。"
                     f"它在要点中出现 {len(term.mentions)} 处：")
    else:
        lines.append(f"“{name}”在要点中出现 {len(term.mentions)} 处{kind}：")
    for s in term.mentions[:4]:
        lines.append(f"- {where(s)}：“{s.text}”")
    if len(term.mentions) > 4:
        lines.append(f"- 另有 {len(term.mentions) - 4} 处未列出。")
    if related_defs or plan_defs:
        lines.append("\n对它的说明（新的在前）：")
        for s in related_defs + plan_defs:
            lines.append(f"> {where(s)}：{s.text}\n")
    other = [s for s in related if s not in related_defs]
    if other:
        lines.append("\n相关文件中提到它的地方（新的在前，不是定义）：")
        lines += [f"- {where(s)}：“{s.text}”" for s in other]
    cited = term.mentions[:4] + related_defs + other
    return Answer(question="", answer="\n".join(lines), found=True, mode="glossary",
                  citations=_cite(index, cited))


def abbreviation_reading(index: KnowledgeIndex, glossary: Glossary, term: Term) -> str:
    """How a province-pair abbreviation reads ("苏青" = 江苏 and 青海), said as a reading, with the plan's counties."""
    names = glossary.rules.province_names
    if term.rule != "abbreviation" or not all(c in names for c in term.name):
        return ""
    provinces = [names[c] for c in term.name]
    keys = "、".join(f"{c}＝{names[c]}" for c in term.name)
    counties = [p for p in index.places if p.endswith("县")]
    where_ = (f"要点的协作地区是{'、'.join(counties)}，但没有写明各县分属哪个省。" if counties else "")
    return (f"按省份简称的通常读法，“{term.name}”指{'与'.join(provinces)}之间的东西部协作（{keys}）；"
            f"这是简称的读法，不是语料中的定义。{where_}\n")


def phrase_answer(index: KnowledgeIndex, glossary: Glossary, term: Term) -> Answer | None:
    """A phrase that is not a glossary term ('东西部协作'): related documents' sentences, newest first."""
    related = per_document(glossary, term)
    if not related:
        return None  # the plan's own wording is retrieval's job
    lines = [f"相关文件中关于“{term.name}”的说法（新的在前）："]
    for s in related:
        label = "（说明）" if s in term.definitions else ""
        lines.append(f"\n> {where(s)}{label}：{s.text}")
    if not any(s in term.definitions for s in related):
        lines.append(f"\n这些文件都没有给“{term.name}”下定义，以上是提到它的原文。")
    if term.mentions:
        lines.append(f"\n要点中提到“{term.name}” {len(term.mentions)} 处，例如 {where(term.mentions[0])}："
                     f"“{term.mentions[0].text}”")
    cited = related + term.mentions[:1]
    return Answer(question="", answer="\n".join(lines), found=True, mode="glossary", citations=_cite(index, cited))


def relation_answer(index: KnowledgeIndex, glossary: Glossary, cues: QuestionCues, a: str, b: str) -> Answer | None:
    """'A和B是什么关系': what the corpus says of each, and whether any sentence states the relation."""
    terms = [resolve(glossary, cues, x) or glossary.describe(x) for x in (a, b)]
    a, b = terms[0].name, terms[1].name
    if not any(t.mentions or t.related for t in terms):
        return None
    lines: list[str] = []
    cited: list[Sentence] = []
    for t in terms:
        picked = per_document(glossary, t) + t.mentions[:1]
        if not picked:
            lines.append(f"- 语料中没有出现“{t.name}”。")
            continue
        lines.append(f"**{t.name}**：")
        lines += [f"> {where(s)}：{s.text}\n" for s in picked]
        cited += picked
    both = [s for s in glossary.containing(a) if b in s.text]
    if both:
        lines.append("同时提到两者的原文：")
        lines += [f"> {where(s)}：{s.text}\n" for s in both[:2]]
        cited = both[:2] + cited
    else:
        lines.append(f"语料中没有一句话同时提到“{a}”和“{b}”，没有直接说明两者的关系；以上是各自的原文，新的在前。")
    return Answer(question="", answer="\n".join(lines), found=True, mode="glossary", citations=_cite(index, cited))


def resolve(glossary: Glossary, cues: QuestionCues, asked: str) -> Term | None:
    """The glossary term a phrase names: itself, the one term it is part of, or a term plus a generic word."""
    term = glossary.get(asked)
    if term is not None or len(asked) < 2:
        return term
    around = [t for t in glossary.terms if asked in t.name]  # '银发生辉' -> '银发生辉·银龄行动'
    if len(around) == 1:
        return around[0]
    inside = [t for t in glossary.terms if t.name in asked and cues.term_leftover.match(asked.replace(t.name, ""))]
    if inside and not glossary.describe(asked).mentions:  # '苏青协作' is not in the text; '苏青' is
        return max(inside, key=lambda t: len(t.name))
    return None


def several_terms(glossary: Glossary, cues: QuestionCues, asked: str) -> list[Term]:
    """'苏陕、苏青是啥意思': the glossary terms of a listed phrase, or [] unless every piece is one."""
    pieces = [p for p in re.split(r"[、和与及跟]", asked) if p.strip()]
    terms = [resolve(glossary, cues, _clean(cues, p)) for p in pieces]
    return terms if len(terms) >= 2 and all(terms) else []  # type: ignore[return-value]


def terms_answer(index: KnowledgeIndex, glossary: Glossary, terms: list[Term]) -> Answer:
    """One glossary answer per listed term, each under its name."""
    answers = [term_answer(index, glossary, t) for t in terms]
    text = "\n\n".join(f"**{t.name}**\n\n{a.answer}" for t, a in zip(terms, answers))
    cites: list[Citation] = []
    for a in answers:
        cites += [c for c in a.citations if all((c.doc, c.item, c.text) != (x.doc, x.item, x.text) for x in cites)]
    return Answer(question="", answer=text, found=True, mode="glossary", citations=cites)


def asked_phrase(cues: QuestionCues, query: str) -> str | None:
    """X of 'X是什么/指什么/什么是X', cleaned of 'the plan's …' wording; None for other questions."""
    text = query.strip()
    m = cues.define.match(text) or cues.define_prefix.match(text)
    return _clean(cues, m.group(1)) if m else None


def relation_pair(cues: QuestionCues, query: str) -> tuple[str, str] | None:
    m = cues.relation.search(query.strip())
    return (_clean(cues, m.group(1)), _clean(cues, m.group(2))) if m else None


def term_or_phrase_answer(index: KnowledgeIndex, glossary: Glossary, cues: QuestionCues, asked: str,
                          has_reference: bool) -> Answer | None:
    """A glossary answer, else what related documents say of the phrase; None leaves it to retrieval."""
    term = resolve(glossary, cues, asked)
    if term is not None:
        return term_answer(index, glossary, term, asked)
    if has_reference or len(asked) > MAX_AD_HOC:
        return None
    return phrase_answer(index, glossary, glossary.describe(asked))


def _clean(cues: QuestionCues, phrase: str) -> str:
    return cues.strip_term.sub("", phrase.strip(" “”「」\"'")).strip(" “”「」\"'")
