"""Whether the corpus can answer a question: refuse only on evidence of absence, never on wording alone."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from retriever.index import KnowledgeIndex
from retriever.lexicon import Lexicon

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
    aside = aside_start(lex, text)
    at = 0
    for tok, tag in tagged:
        at += len(tok)
        if tok in lex.stopwords or not re.search(r"[\w\u4e00-\u9fff]", tok):
            continue
        if index.mentions(tok):
            out.domain = True
        if tok in lex.generic or (len(tok) < 2 and not tok.isascii()) or set(tok) <= covered:
            continue
        if index.mentions(tok) or known_parts(index, tok):
            thing = tag[:1] in ("n", "x", "e") and not tok.isdigit()
            out.groups.append(TermGroup(tok, (tok,), _idf(index, tok), names_thing=thing))
        elif is_unit_alias(index, tok):  # "教体局": the short name of a unit the plan writes in full is no absent name
            out.domain = True
        elif at <= aside and _specific(index, tok, tag) and tok not in implied_provinces(index):
            out.absent.append(tok)
    out.absent += _unknown_named_events(index, index.tokenizer.tagged(text[:aside]))
    out.absent += absent_provinces(index, text[:aside])
    out.absent += absent_choice(index, text[:aside])
    # a year no document mentions ("2027年的要点") is as absent as a name
    out.absent += [f"{y}年" for y in re.findall(r"(?<!\d)((?:19|20)\d{2})(?=\s*年)", text) if not index.mentions(y)]
    out.absent += _absent_relative_years(index, text)
    claimed = lex.cues.get("claimed_value")  # "是不是每月5号前报": a figure asserted that no document states
    out.absent += [m.group(0) for m in (claimed.finditer(text) if claimed else ())
                   if not index.mentions(re.sub(r"\s", "", m.group(0)))]
    out.absent += [q for q in re.findall(r"[“「\"]([^”」\"]{3,20})[”」\"]", text) if not index.mentions_loosely(q)
                   and re.search(r"[\u4e00-\u9fff]", q)  # a quoted name the corpus never uses,
                   and not re.search(r"[xX×*＊]{2}|某某|什么|啥", q)]  # unless it is a pattern ("XX行动")
    out.topical = bool(out.groups)
    if not out.groups:  # "东西部协作搞了多少年": only frame words; they are all the topic there is
        for tok in index.tokenizer.tokens(text, search=False):
            if len(tok) >= 2 and tok not in lex.stopwords and index.mentions(tok):
                out.groups.append(TermGroup(tok, (tok,), _idf(index, tok)))
    return out


def is_unit_alias(index: KnowledgeIndex, tok: str) -> bool:
    """Whether `tok` is a known short name of a unit the corpus writes in full ("教体局" → 区教育体育局)."""
    unit = index.parser.names.get(tok)
    return bool(unit) and unit != tok and index.mentions(unit)


def aside_start(lex: Lexicon, text: str) -> int:
    """Where a remark after the question begins ("…咋弄的？我老伴儿她姐就在镇巴"): its words are the asker's
    story, not what is asked, so a name in it the documents lack is no evidence. A premise before the question
    ("听说要建个加工厂，真的吗") is part of what is asked."""
    clauses = list(re.finditer(r"[^，,。？?！!；;]+[，,。？?！!；;]*", text))
    asking = [m for m in clauses if lex.cue("asking_clause", m.group(0))]
    if not asking or asking[-1] is clauses[-1]:
        return len(text)
    return asking[-1].end()


def implied_provinces(index: KnowledgeIndex) -> frozenset[str]:
    """Provinces the corpus names by the usual pair abbreviation only (苏青 → 青海, 苏陕 → 陕西): a question naming
    them ("跟陕西那边还是青海那边") speaks of what the plan covers, though the full name is never written."""
    def build() -> frozenset[str]:
        names, abbr, after = _abbreviations()
        pairs = {m.group(1) for text, _ in index.chunks.values()
                 for m in re.finditer(rf"([{abbr}]{{2}})(?={after})", text)}  # 苏陕、苏青东西部协作
        return frozenset(names[c] for pair in pairs for c in pair if c in names)
    return index.memo("implied-provinces", "", build)


def _abbreviations() -> tuple[dict[str, str], str, str]:
    """One-character province abbreviations (their provinces, as a regex character class) and the words that may
    follow a pair of them (苏陕东西部协作), from the phrasebook data."""
    from ingest.phrasebook import load

    rules = load().glossary
    return rules.province_names, re.escape(rules.province_abbr), "|".join(map(re.escape, rules.abbr_next))


def absent_provinces(index: KnowledgeIndex, text: str) -> list[str]:
    """Provinces named by their one-character abbreviation (援疆, 援藏, 沪滇协作) that no document covers: jieba
    knows these words as verbs, so only the abbreviation tells that the question is about another province."""
    def build() -> tuple[dict[str, str], re.Pattern]:
        names, abbr, after = _abbreviations()
        return names, re.compile(rf"援([{abbr}])|(?<![{abbr}])([{abbr}]{{2,3}})(?={after})")
    names, pattern = index.memo("province-abbreviations", "", build)
    covered = implied_provinces(index)
    out = []
    for m in pattern.finditer(text):
        word = m.group(0)
        provinces = [names.get(c, "") for c in (m.group(1) or m.group(2))]
        if any(p and p not in covered and not index.mentions(p) for p in provinces) and not index.mentions(word):
            out.append(word)
    return out


def absent_choice(index: KnowledgeIndex, text: str) -> list[str]:
    """"包大巴还是坐专列": a choice between two things neither of which any document mentions cannot be answered
    from them; a choice with one side the documents name is a question about it."""
    m = index.lexicon.cue("choice", text)
    if m is None:
        return []
    sides = []
    lex = index.lexicon
    for side in (m.group("a").rpartition("是")[2], m.group("b")):  # "送工是包大巴": the option is after 是
        nouns = [tok for tok, tag in index.tokenizer.tagged(side) if tag[:1] in ("n", "e", "b") and len(tok) >= 2
                 and tok not in lex.generic and tok not in lex.stopwords and tok not in lex.synonyms]
        if not nouns or any(index.mentions(n) or known_parts(index, n) for n in nouns):
            return []
        sides += nouns
    return sides


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


def _absent_relative_years(index: KnowledgeIndex, text: str) -> list[str]:
    """'明年' of a 2026 plan is 2027: absent when no document mentions that year."""
    plans = index.plans
    info = plans.infos.get(index.plan_doc) if plans is not None else None
    if info is None or not info.year:
        return []
    return [f"{info.year + n}年（{word}）" for word, n in plans.vocab.relative_years.items()
            if word in text and not index.mentions(str(info.year + n))]


# a word this rare (劳务 1.7; not 区域 1.4, 产业 0.7, 任务) is a topic of its own, though not a specific name
OWN_TOPIC_IDF = 1.5


def has_own_topic(index: KnowledgeIndex, text: str, floor: float | None = None) -> bool:
    """Whether a question names something specific of its own: a word found in at most a tenth of the clauses
    (or whose idf reaches `floor`).

    A later part of a multi-part question with only common words ("重点盯的是哪些区域") is about what the part
    before it named."""
    terms = question_terms(index, text)
    least = specific_weight(index) if floor is None else floor
    return terms.topical and any(g.weight >= least for g in terms.groups)


def specific_weight(index: KnowledgeIndex) -> float:
    """The BM25 idf of a word found in a tenth of the clauses: words at least this rare name something."""
    n = len(index)
    df = max(1.0, 0.1 * n)
    return math.log((n - df + 0.5) / (df + 0.5)) if n else 0.0


def _unknown_named_events(index: KnowledgeIndex, tagged: list[tuple[str, str]]) -> list[str]:
    """"青稞酒推介会", "某某协会": an event or body named by a word the corpus never uses is not in the corpus."""
    out = []
    for i, ((prev, tag), (tok, _)) in enumerate(zip(tagged, tagged[1:])):
        name = prev + tok
        after = "".join(t for t, _ in tagged[i + 2:i + 4])
        if tag[:1] == "n" and len(prev) >= 2 and index.lexicon.cue("event_suffix", tok) and not index.mentions(name):
            # "腊肉节", "帮扶券": a festival or voucher named after a corpus word, never mentioned; unless it is
            # only an example of a kind ("年货节那种活动")
            if not index.lexicon.cue("example_of_kind", after):
                out.append(name)
            continue
        suffix = index.lexicon.cue("organisation_suffix", name) or index.lexicon.cue("place_suffix", tok)
        if tag in _NOUN_TAGS and len(prev) >= 2 and suffix \
                and prev not in index.lexicon.generic and index.tokenizer.frequency(prev) < RARE_NAME_FREQ \
                and not index.mentions(prev) and not index.mentions(name) and prev not in index.lexicon.synonyms:
            out.append(name)
    return out


def _idf(index: KnowledgeIndex, term: str) -> float:
    return max(index.bm25.idf(term), 0.05) if index.bm25.has(term) else 1.5


def known_parts(index: KnowledgeIndex, tok: str) -> bool:
    """A compound of words the corpus has ('牦牛肉' = 牦牛 + 肉) is not a new name."""
    parts = [p for p in index.tokenizer.subwords(tok) if p != tok and len(p) >= 2]
    return bool(parts) and all(index.mentions(p) for p in parts) and sum(map(len, parts)) >= len(tok) - 1


def _specific(index: KnowledgeIndex, tok: str, tag: str) -> bool:
    """Names, organisations, foreign words and words no dictionary knows: their absence is evidence.

    Everyday nouns the corpus lacks ("片子", "热度") are only another way of saying what it says, so they are not.
    """
    if tag not in _NOUN_TAGS or tok.lower() in ("x", "xx", "xxx"):
        return False  # "XX行动" is a pattern, not a name
    if index.parser.wording.not_a_name.match(tok):
        return False  # "哪些项目" (one word to jieba) asks; it names nothing
    if index.tokenizer.frequency(tok) == 0 and re.search(r"[和与及跟或的]", tok):
        return False  # an unknown word cut across a conjunction ("苏陕和苏青" → "陕和苏") is no name
    if tag in ("nr", "nrt", "nrfg") and len(tok) < 3:
        return False  # jieba tags many two-character verb-object words as names ("养牛"); full names have three
    if tag in ("nr", "nrt", "nrfg") and index.tokenizer.frequency(tok) == 0 and not index.lexicon.cue("surnames", tok):
        return False  # a guessed "name" that starts with no surname is speech ("别太勤"), not a person
    if tag in ("nz", "nt") and len(tok) < 3 and not tok.isascii():
        return False  # two-character "proper nouns" of the dictionary are mostly everyday words ("牵线")
    if tag in ("nr", "nrt", "nrfg") and any(tok.endswith(w) and index.tokenizer.frequency(tok[:-len(w)]) > 0
                                           for w in index.lexicon.synonyms if len(w) < len(tok)):
        return False  # "山里娃" = 山里 + 娃 (an everyday word of the lexicon), not a person
    if tag in _NAME_TAGS or tok.isascii() or (len(tok) >= 3 and index.lexicon.cue("organisation_suffix", tok)):
        return True  # a two-character word with such an ending names a kind of thing (场所, 公司), not one body
    # a word no dictionary knows, if long enough not to be a mis-cut of two everyday words ("这摊事" → "摊事"),
    # nor a compound of everyday words ("山里娃" = 山里 + 娃)
    return len(tok) >= 3 and index.tokenizer.frequency(tok) == 0 and not _everyday_compound(index, tok)


def _everyday_compound(index: KnowledgeIndex, tok: str) -> bool:
    parts = index.tokenizer.dictionary_cut(tok)
    return len(parts) >= 2 and "".join(parts) == tok and all(
        index.tokenizer.frequency(p) > 0 or p in index.lexicon.synonyms for p in parts)
