"""False premises the corpus itself refutes: a place paired with what the text says of another place or document."""

from __future__ import annotations

import re

from ingest.numerals import cn_to_int
from retriever.index import KnowledgeIndex

from .gate import QuestionTerms, implied_provinces, known_parts, specific_weight

_CLAUSE = re.compile(r"[，。；;！？!?]")


def premise_conflict(index: KnowledgeIndex, terms: QuestionTerms) -> str:
    """Why the question's premise does not hold, in one sentence; "" when the corpus does not contradict it.

    Two checks, both from where the corpus says things, never from the question's wording alone:
    - the question names a related document (by words only it uses: 西安, 国办发) and a partner place that
      document never mentions ("129号文对镇巴县提了哪些要求");
    - the question pairs a place with something the plan only ever says of another place
      ("尖扎的腊肉": the plan writes 镇巴腊肉; "苏青“四方结对”": the plan writes 苏陕“四方结对”).
    """
    mixed = _people_elsewhere(index, terms)
    if mixed:
        return mixed
    places = _places_in(index, terms.text)
    if not places:
        return ""
    doc = _named_document(index, terms)
    if doc:
        text = _doc_text(index, doc)
        missing = [p for p in places if p not in text]
        if missing:
            return f"{_doc_label(index, doc)}中没有提到{'、'.join(missing)}。"
    for thing in _things(index, terms, places):
        owners = _owners(index, thing)
        if owners and not owners & set(places):
            return f"要点中的“{thing}”说的是{'、'.join(sorted(owners))}，不是{'、'.join(places)}。"
    return ""


def partner_beyond(index: KnowledgeIndex, text: str) -> str:
    """"第三个协作县是哪个": a partner counted past the partners the plan has; "咱区对口帮扶甘肃哪个县": a partner
    province the plan does not have (though another document may name it)."""
    counties = [p for p in index.places if p.endswith("县")]
    other = _other_partner_province(index, text)
    if other and counties:
        return f"要点中通州区的协作县是{'、'.join(counties)}，没有{other}的县。"
    m = index.lexicon.cue("partner_ordinal", text)
    if not m or not counties:
        return ""
    n = cn_to_int(m.group("n"))
    if n is None or n <= len(counties):
        return ""
    return f"要点中的协作县只有{'、'.join(counties)}这{len(counties)}个，没有第{m.group('n')}个。"


def _other_partner_province(index: KnowledgeIndex, text: str) -> str:
    """A province the question pairs the district with (对口帮扶甘肃) that the plan neither names nor implies."""
    if not index.lexicon.cue("partner_claim", text) or any(p[:2] in text for p in index.places):
        return ""
    from ingest.phrasebook import load

    covered = implied_provinces(index)
    plan = _doc_text(index, index.plan_doc)
    for province in dict.fromkeys(load().glossary.province_names.values()):
        if province in text and province not in covered and province not in plan:
            return province
    return ""


def unsaid_claim(index: KnowledgeIndex, text: str) -> list[str]:
    """The words of a claim put for confirmation ("冷链运输费给补一半是吧") or of a thing asked for ("有没有高原补助")
    that no document uses: what the documents would have to say in words they never use is not theirs."""
    lex = index.lexicon
    confirm = lex.cue("confirm", text)
    if confirm:
        # what a claim asserts is in its nouns, names, figures and times ("半年", "下个月", "儿科"); its verbs are
        # the asker's own way of saying it ("拿来", "拨给", "放进"), which the documents say in theirs
        claim, tags = _sentence_of(text, confirm).replace(confirm.group(0), "，"), ("n", "m", "j", "t", "e")
    else:  # "有没有高原补助": the nouns of the thing asked for
        asked = lex.cue("exists_ask", text)
        if not asked:
            return []
        claim, tags = asked.group("thing"), ("n",)
    def claims(tok: str, tag: str) -> bool:
        if len(tok) < 2 or tok in lex.stopwords or tok in lex.generic or lex.cue("question_word", tok):
            return False
        if tok in index.parser.names:
            return False  # a unit's name (发改委) is the subject of the claim, read by the records
        every = re.fullmatch(r"每([周月年天日季])", tok) if confirm else None
        if every:  # "每周播一期": a frequency asserted; the plan says 按月, 年度 for 每月, 每年
            unit = every.group(1)
            return not any(index.mentions(f) for f in (tok, f"按{unit}", f"{unit}度"))
        if re.fullmatch(r"[一二两三四五六七八九十俩]{1,2}[个家项条种类位处]", tok):
            return False  # "镇巴跟尖扎两个县": a count of what the question itself names, checked by counting
        if len(tok) == 2 and tag == "n" and index.tokenizer.frequency(tok) == 0:
            return False  # a cut across two words ("我们县派到" → 县派), not a word of the claim
        return tag[:1] in tags and not re.match(r"[这那哪该此本每各]", tok)  # "那条", "这块" point, claim nothing

    words = [t for t, tag in index.tokenizer.tagged(claim) if claims(t, tag)]
    mapped = [w for w in lex.synonyms if w in text]
    # an everyday word of the lexicon stands for the plan's term; one character ("电") inside a word is no such word
    return [w for w in words if not index.mentions(w) and not known_parts(index, w)  # 牦牛肉 = 牦牛 + 肉
            and not any(w in m or (len(m) >= 2 and m in w) for m in mapped)]


def _sentence_of(text: str, m: re.Match) -> str:
    """The sentence a confirmation cue sits in ("腊肉算不算" of "…哪些土特产啊？腊肉算不算"; all of "医生是不是到
    县医院，一待就是半年"), with the one before it when the cue stands alone ("冷链费补一半。是吧")."""
    bounds = [0, *(i + 1 for i, ch in enumerate(text) if ch in "。？?！!；;"), len(text) + 1]
    start = max(b for b in bounds if b <= m.start())
    end = min(b for b in bounds if b > m.start())
    sentence = text[start:end]
    if len(re.sub(r"[^\u4e00-\u9fff]", "", sentence.replace(m.group(0), ""))) < 2 and start > 0:
        start = max(b for b in bounds if b < start - 1) if start > 1 else 0
        sentence = text[start:end]
    return sentence


def _place_names(index: KnowledgeIndex) -> list[str]:
    """Partner counties (short names) and the programme abbreviations the plan uses (苏陕, 苏青)."""
    def build() -> list[str]:
        short = {p[:-1] if p.endswith("县") else p for p in index.places}
        plan = _doc_text(index, index.plan_doc)
        # 苏陕 / 苏青: the province-pair names the plan itself uses for each partnership
        abbreviations = set(re.findall(r"苏[陕青甘黔滇桂藏新宁蒙]", plan))
        return sorted(short | abbreviations, key=len, reverse=True)
    return index.memo("place-names", "", build)


def _places_in(index: KnowledgeIndex, text: str) -> list[str]:
    return [p for p in _place_names(index) if p in text]


def _named_document(index: KnowledgeIndex, terms: QuestionTerms) -> str:
    """The one related document the question names: it speaks of a document (a meeting, a 号文, an 指示) and
    uses names or years that no other document has (西安, 广州, 国办发, 2017年)."""
    if not index.lexicon.cue("related_signal", terms.text):
        return ""
    docs: set[str] = set()
    names = [t for t, tag in index.tokenizer.tagged(terms.text) if tag in ("ns", "nr", "nt", "nz") and len(t) >= 2]
    words = names + re.findall(r"(?:19|20)\d{2}(?=\s*年)", terms.text) + re.findall(r"国办发|\d+号", terms.text)
    for word in words:
        holders = _docs_with(index, word)
        if len(holders) == 1:
            docs |= holders
    docs.discard(index.plan_doc)
    return next(iter(docs)) if len(docs) == 1 else ""


def _people_elsewhere(index: KnowledgeIndex, terms: QuestionTerms) -> str:
    """"刘国中在广州座谈会上…": a person the corpus names in one document and a place or year it names only in
    another, with no document naming both, is a mixed-up premise."""
    if not index.lexicon.cue("related_signal", terms.text):
        return ""
    tagged = [(t, tag) for t, tag in index.tokenizer.tagged(terms.text) if len(t) >= 2]
    people = [t for t, tag in tagged if tag == "nr" and _docs_with(index, t)]
    # "在哪个城市开的": the noun after the question word is the kind of answer wanted, not a place named
    others = [t for t, tag in tagged if tag in ("ns", "nt") and _docs_with(index, t)
              and not re.search(rf"(?:哪|什么|啥)[一个座家所]?{re.escape(t)}", terms.text)]
    others += re.findall(r"(?:19|20)\d{2}(?=\s*年)", terms.text)
    for person in people:
        for other in others:
            if other in person or person in other:
                continue
            if not _docs_with(index, person) & _docs_with(index, other):
                return f"语料中没有同时提到“{person}”和“{other}”的文件。"
    return ""


def _docs_with(index: KnowledgeIndex, word: str) -> set[str]:
    return index.memo("docs-with", word, lambda: {m.get("doc", "") for t, m in index.chunks.values() if word in t})


def _doc_text(index: KnowledgeIndex, doc: str) -> str:
    return index.memo("doc-text", doc, lambda: "\n".join(t for t, m in index.chunks.values() if m.get("doc") == doc))


def _doc_label(index: KnowledgeIndex, doc: str) -> str:
    title = next((m.get("title", "") for _, m in index.chunks.values() if m.get("doc") == doc), doc)
    return f"《{title}》"


def _things(index: KnowledgeIndex, terms: QuestionTerms, places: list[str]) -> list[str]:
    """The specific things the question pairs with its places: rare nouns and the corpus's quoted names."""
    floor = specific_weight(index)
    out = [g.surface for g in terms.groups if g.names_thing and g.weight >= floor and len(g.surface) >= 2
           and not any(g.surface in p or p in g.surface for p in places) and index.mentions(g.surface)]
    out += re.findall(r"[“「\"]([^”」\"]{2,16})[”」\"]", terms.text)
    return list(dict.fromkeys(out))


def _owners(index: KnowledgeIndex, thing: str) -> set[str]:
    """The places the plan says `thing` of: the nearest place named before it in the same clause, for every
    occurrence; empty when any occurrence belongs to no place (then the plan says it generally)."""
    def build() -> set[str]:
        names = _place_names(index)
        owners: set[str] = set()
        for clause in _plan_clauses(index):
            at = clause.find(thing)
            while at >= 0:
                found = _owners_at(clause, at, names)
                if not found:
                    return set()
                owners |= found
                at = clause.find(thing, at + 1)
        return owners
    return index.memo("owners", thing, build)


def _plan_clauses(index: KnowledgeIndex) -> list[str]:
    """The plan's clauses (split at ，。；) with unit names masked, worked out once per index."""
    def build() -> list[str]:
        units = sorted(index.records.units, key=len, reverse=True) if index.records else []
        out: list[str] = []
        for text, meta in index.chunks.values():
            if meta.get("doc") != index.plan_doc:
                continue
            for unit in units:  # "区对口帮扶镇巴联络组" names a unit, not a place
                text = text.replace(unit, "\u0000" * len(unit))
            out += [c for c in _CLAUSE.split(text) if c]
        return out
    return index.memo("plan-clauses", "", build)


def _owners_at(clause: str, at: int, names: list[str]) -> set[str]:
    """The nearest place named before position `at`, with the places listed right before it ("镇巴县、尖扎县")."""
    spans = sorted({(m.start(), m.end(), p) for p in names for m in re.finditer(re.escape(p), clause[:at])})
    spans = [s for s in spans if not any(o != s and o[0] <= s[0] and s[1] <= o[1] for o in spans)]
    if not spans:
        return set()
    out = {spans[-1][2]}
    for (_, end, name), (start, _, _) in zip(reversed(spans[:-1]), reversed(spans[1:])):
        if not re.fullmatch(r"[县、和与及\s]*", clause[end:start]):
            break
        out.add(name)
    return out
