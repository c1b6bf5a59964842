"""Whether the corpus can answer a question: refuse only on evidence of absence, never on wording alone."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from retriever.index import KnowledgeIndex
from retriever.lexicon import FactType

# Part-of-speech tags (jieba) of names: a name the corpus never mentions is evidence that it does not answer.
_NAME_TAGS = {"ns", "nr", "nrt", "nrfg", "nt", "nz", "eng"}
# A modifier this rare in everyday Chinese names something ("青稞酒推介会"); "两地医院" is just a phrase.
RARE_NAME_FREQ = 200
# Nouns only: an absent verb or idiom ("送过来", "发挥余热") is a way of asking, not a topic.
_NOUN_TAGS = {"n", "nz", "ns", "nr", "nrt", "nrfg", "nt", "eng", "x"}


@dataclass
class TermGroup:
    """One topic word of the question with the plan terms it may appear as, and its weight (BM25 idf)."""

    surface: str
    forms: tuple[str, ...]
    weight: float
    names_thing: bool = True  # a noun or name (not a verb, preposition or number): what a sentence must be about

    def found_in(self, text: str) -> str | None:
        return next((f for f in self.forms if f in text), None)


@dataclass
class QuestionTerms:
    groups: list[TermGroup] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)  # specific words that occur nowhere in the corpus
    domain: bool = False  # at least one word of the question occurs in the corpus
    text: str = ""
    topical: bool = False  # some word of its own, not only the frame words every question has

    def coverage(self, text: str) -> float:
        total = sum(g.weight for g in self.groups)
        low = text.lower()
        return sum(g.weight for g in self.groups if g.found_in(low)) / total if total else 0.0

    def top_found(self, text: str) -> bool:
        """Whether the question's most specific word (highest weight) is in `text`."""
        if not self.groups:
            return False
        return bool(max(self.groups, key=lambda g: g.weight).found_in(text.lower()))

    def matched(self, text: str) -> list[str]:
        low = text.lower()
        return [f for f in (g.found_in(low) for g in self.groups) if f]


def question_terms(index: KnowledgeIndex, text: str) -> QuestionTerms:
    """Topic words with their plan-term forms and weights; specific words the corpus lacks are set apart.

    Worked out once per question text and index (the result is not changed by its readers)."""
    return index.memo("terms", text, lambda: _question_terms(index, text))


def _question_terms(index: KnowledgeIndex, text: str) -> QuestionTerms:
    lex = index.lexicon
    out = QuestionTerms(text=text)
    tagged = index.tokenizer.tagged(text)
    known = [tok for tok, _ in tagged if len(tok) >= 3 and index.mentions(tok)]
    expansions = lex.expansions(text)
    covered = set()
    for word, terms in expansions.items():  # everyday words first: they stand for the plan's terms
        if any(word in tok and word != tok for tok in known):
            continue  # "休养" inside "疗休养": the plan's own term is already there
        present = [t for t in terms if index.mentions(t)]
        if present:
            weight = max(_idf(index, t) for t in present)
            out.groups.append(TermGroup(word, tuple(dict.fromkeys([word, *present])), weight))
            out.domain = True
            covered.update(word)
    for tok, tag in tagged:
        if tok in lex.stopwords or not re.search(r"[\w\u4e00-\u9fff]", tok):
            continue
        if index.mentions(tok):
            out.domain = True
        if tok in lex.generic or (len(tok) < 2 and not tok.isascii()) or set(tok) <= covered:
            continue
        if index.mentions(tok) or _known_parts(index, tok):
            thing = tag[:1] in ("n", "x", "e") and not tok.isdigit()
            out.groups.append(TermGroup(tok, (tok,), _idf(index, tok), names_thing=thing))
        elif _specific(index, tok, tag):
            out.absent.append(tok)
    out.absent += _unknown_named_events(index, tagged)
    # a year no document mentions ("2027年的要点") is as absent as a name
    out.absent += [f"{y}年" for y in re.findall(r"(?<!\d)((?:19|20)\d{2})(?=\s*年)", text) if not index.mentions(y)]
    out.topical = bool(out.groups)
    if not out.groups:  # "东西部协作搞了多少年": only frame words; they are all the topic there is
        for tok in index.tokenizer.tokens(text, search=False):
            if len(tok) >= 2 and tok not in lex.stopwords and index.mentions(tok):
                out.groups.append(TermGroup(tok, (tok,), _idf(index, tok)))
    return out


def named_in(index: KnowledgeIndex, question: str) -> dict[str, set[str]]:
    """The corpus's quoted names ("苏超", "三改一整") that the question uses, each with the clauses that use it."""
    names = index.memo("quoted-names", "", lambda: _quoted_names(index))
    return {name: chunks for name, chunks in names.items() if name in question}


def _quoted_names(index: KnowledgeIndex) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for text, _ in index.chunks.values():
        for name in re.findall(r"“([^“”]{2,16})”", text):
            if re.search(r"[\u4e00-\u9fff]", name) and not re.search(r"\d{4}年", name):
                found.setdefault(name, set())
    for name in found:
        found[name] = {cid for cid, (text, _) in index.chunks.items() if name in text}
    return found


def has_own_topic(index: KnowledgeIndex, text: str) -> bool:
    """Whether a question names something specific of its own: a word found in at most a tenth of the clauses.

    A later part of a multi-part question with only common words ("重点盯的是哪些区域") is about what the part
    before it named."""
    terms = question_terms(index, text)
    return terms.topical and any(g.weight >= specific_weight(index) for g in terms.groups)


def specific_weight(index: KnowledgeIndex) -> float:
    """The BM25 idf of a word found in a tenth of the clauses: words at least this rare name something."""
    n = len(index)
    df = max(1.0, 0.1 * n)
    return math.log((n - df + 0.5) / (df + 0.5)) if n else 0.0


def _unknown_named_events(index: KnowledgeIndex, tagged: list[tuple[str, str]]) -> list[str]:
    """"青稞酒推介会", "某某协会": an event or body named by a word the corpus never uses is not in the corpus."""
    out = []
    for (prev, tag), (tok, _) in zip(tagged, tagged[1:]):
        name = prev + tok
        if tag in _NOUN_TAGS and len(prev) >= 2 and index.lexicon.cue("organisation_suffix", name) \
                and prev not in index.lexicon.generic and index.tokenizer.frequency(prev) < RARE_NAME_FREQ \
                and not index.mentions(prev) and not index.mentions(name) and prev not in index.lexicon.synonyms:
            out.append(name)
    return out


def _idf(index: KnowledgeIndex, term: str) -> float:
    return max(index.bm25.idf(term), 0.05) if index.bm25.has(term) else 1.5


def _known_parts(index: KnowledgeIndex, tok: str) -> bool:
    """A compound of words the corpus has ('牦牛肉' = 牦牛 + 肉) is not a new name."""
    parts = [p for p in index.tokenizer.subwords(tok) if p != tok and len(p) >= 2]
    return bool(parts) and all(index.mentions(p) for p in parts) and sum(map(len, parts)) >= len(tok) - 1


def _specific(index: KnowledgeIndex, tok: str, tag: str) -> bool:
    """Names, organisations, foreign words and words no dictionary knows: their absence is evidence.

    Everyday nouns the corpus lacks ("片子", "热度") are only another way of saying what it says, so they are not.
    """
    if tag not in _NOUN_TAGS:
        return False
    if index.tokenizer.frequency(tok) == 0 and re.search(r"[和与及跟或的]", tok):
        return False  # an unknown word cut across a conjunction ("苏陕和苏青" → "陕和苏") is no name
    if tag in ("nr", "nrt", "nrfg") and len(tok) < 3:
        return False  # jieba tags many two-character verb-object words as names ("养牛"); full names have three
    if tag in _NAME_TAGS or tok.isascii() or index.lexicon.cue("organisation_suffix", tok):
        return True
    # a word no dictionary knows, if long enough not to be a mis-cut of two everyday words ("这摊事" → "摊事")
    return len(tok) >= 3 and index.tokenizer.frequency(tok) == 0


@dataclass
class FactEvidence:
    sentence: str
    match: str
    hit_index: int


def find_fact(index: KnowledgeIndex, fact: FactType, terms: QuestionTerms, sentences: list[list[str]],
              places: tuple[str, ...] = (), contexts: list[str] | None = None) -> FactEvidence | None:
    """The on-topic sentence that states a fact of the wanted type (a number, a date …), best first.

    A sentence is on topic with its context: "2018年12月30日印发" answers "指导意见是哪年发布的" because the
    document it belongs to is that 指导意见.
    """
    best: tuple[float, FactEvidence] | None = None
    for i, sents in enumerate(sentences):
        context = contexts[i] if contexts else ""
        for sent in sents:
            bare = sent
            for place in places:  # the partner counties are named everywhere: not an answer to "where"
                bare = bare.replace(place, "")
            m = index.lexicon.states(fact, bare)
            if not m and fact.name == "place":  # "在<协作县>召开" names the place even though the county is everywhere
                m = index.lexicon.cue("held_at", sent)
            if not m:
                continue
            cov = terms.coverage(sent + "\n" + context)
            if not _about(index, terms, sent, context, cov) and not _dates_its_document(index, fact, terms, context):
                continue
            score = cov - 0.02 * i
            if fact.name == "place" and index.lexicon.cue("held_at", sent):
                score += 0.1  # "在宁夏银川召开" says where; a province named in passing does not
            if best is None or score > best[0]:
                best = (score, FactEvidence(sent, m.group(0), i))
    return best[1] if best else None


def _dates_its_document(index: KnowledgeIndex, fact: FactType, terms: QuestionTerms, context: str) -> bool:
    """A date line of a document answers "哪年印发的" when the question is about that document (its title)."""
    return fact.name in ("year", "day", "when") and bool(context) and terms.coverage(context) >= 0.75


def _about(index: KnowledgeIndex, terms: QuestionTerms, sentence: str, context: str, cov: float) -> bool:
    """Whether a sentence (with its clause's or document's title) is about what the question asks: it carries
    every specific word of the question ("几个直供基地": 直供 and 基地's kin, not just 农产品), or, when the question has
    none, half of its words, at least one of them in the sentence itself."""
    text = sentence + "\n" + context  # `cov` is the question terms' coverage of this text
    specific = [g for g in terms.groups if g.weight >= specific_weight(index) and g.names_thing]
    if specific:
        return cov >= 0.34 and all(g.found_in(text.lower()) for g in specific)
    return cov >= 0.5 and bool(terms.matched(sentence))


def asked_instances(index: KnowledgeIndex, question: str) -> str | None:
    """The category whose members a question asks to be named ("具体是哪两个科室" → 科室), or None."""
    m = index.lexicon.cue("instances_ask", question)
    if not m:
        return None
    groups = m.groupdict()
    noun = next((g for g in (groups.get(f"noun{i}") for i in ("", "2", "3", "4", "5")) if g), "")
    noun = re.sub(r"[啊呀呢吗的了？?]+$", "", noun)
    if groups.get("noun4") or groups.get("noun5"):  # "哪所学校", "哪个镇": only categories whose members have names
        heads = (noun[i:j] for j in range(len(noun), 0, -1) for i in range(j))  # 医院结对 → 医院
        return next((h for h in heads if index.lexicon.cue("member_suffix_categories", h)), None)
    if index.lexicon.cue("measure_words", noun):
        noun = ""
    if not noun:  # "示范标杆学校具体是哪几所": the noun stands before the ask
        before = [t for t, tag in index.tokenizer.tagged(question[:m.start()]) if tag.startswith("n") and len(t) >= 2]
        noun = before[-1] if before else ""
    return noun[-2:] if noun else None


def asked_name(index: KnowledgeIndex, question: str) -> str | None:
    """The thing whose name a question asks ("重点劳务品牌都叫啥名字" → 劳务品牌): its last one or two nouns."""
    if re.search(r"[“「\"]", question):  # "“苏超”是什么": a named thing is asked about, not for its name
        return None
    m = index.lexicon.cue("name_ask", question)
    if not m:
        return None
    after = index.tokenizer.tagged(question[m.end():])
    if after and len(after[0][0]) >= 2 and (after[0][1][:1] == "n" or after[0][1] == "vn"):  # "叫啥行动": it follows
        return after[0][0]
    before = index.tokenizer.tagged(re.sub(r"(?:这个|那个|这些|那些|的|都|具体)+$", "", question[:m.start()]))
    nouns: list[str] = []
    for tok, tag in reversed(before):
        if not (tag.startswith("n") or tag == "vn") or len(tok) < 2 or tok in index.lexicon.generic or len(nouns) == 2:
            break
        nouns.insert(0, tok)
    return "".join(nouns) or None


def gives_name(index: KnowledgeIndex, sentence: str, thing: str) -> bool:
    """Whether a sentence gives the name of `thing`: a quoted name right before it (“苏社有为共振兴”公益品牌),
    the thing said in the plan's words ("公益牌子" → 公益品牌)."""
    spellings = {thing}
    for word, terms in index.lexicon.expansions(thing).items():
        spellings |= {s.replace(word, t) for s in spellings for t in terms}
    return any(re.search(rf"[”」》]{re.escape(s)}", sentence) for s in spellings)


def names_members(index: KnowledgeIndex, sentence: str, noun: str) -> bool:
    """Whether a sentence names members of the category: a list of them ("心内科、骨科") or a quoted name before it.

    Members of most categories do not carry its name (特色产品: 腊肉、茶叶): any list counts for those.
    """
    for place in index.places:  # "镇巴县、尖扎县" is where, not which ones
        sentence = sentence.replace(place, "")
    if not index.lexicon.cue("member_suffix_categories", noun):
        return bool(re.search(r"[\u4e00-\u9fa5]{2,10}、[\u4e00-\u9fa5]{2,10}", sentence))
    head = noun[:1]
    listed = re.search(rf"[\u4e00-\u9fa5]{{1,10}}{head}[\u4e00-\u9fa5]?、[\u4e00-\u9fa5]{{1,10}}{head}", sentence)
    quoted = re.search(rf"”{re.escape(noun)}", sentence)
    return bool(listed or quoted)
