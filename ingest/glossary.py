"""A glossary of a plan's terms found by rules over the indexed chunks, with where each is mentioned or explained."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field

from .chunking import split_sentences
from .phrasebook import GlossaryRules

_HAN = "\u4e00-\u9fa5"


@dataclass
class Sentence:
    """One sentence of an indexed chunk, with where it sits."""

    chunk_id: str
    doc: str
    title: str
    kind: str  # preamble / section / task / prose
    section: str
    item: int | None
    date: str
    text: str
    order: int  # position in the corpus walk: keeps plan order stable


@dataclass
class Term:
    """A glossary entry: the name, what kind of thing the text calls it, and its sentences."""

    name: str
    category: str = ""
    rule: str = ""  # quoted / suffix / abbreviation / edition / ad hoc
    mentions: list[Sentence] = field(default_factory=list)  # in the plan
    related: list[Sentence] = field(default_factory=list)  # in related documents, newest first
    definitions: list[Sentence] = field(default_factory=list)  # sentences that say what it is, newest first

    @property
    def explained(self) -> bool:
        return bool(self.definitions)

    @property
    def items(self) -> list[int]:
        out: list[int] = []
        for s in self.mentions:
            if s.item and s.item not in out:
                out.append(s.item)
        return out

    def to_dict(self) -> dict:
        return {"term": self.name, "category": self.category, "rule": self.rule, "items": self.items,
                "explained": self.explained, "mentions": [s.text for s in self.mentions],
                "definitions": [{"doc": s.doc, "date": s.date, "text": s.text} for s in self.definitions]}


def _mask(text: str, spans: Iterable[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        chars[start:end] = "\u0000" * (end - start)
    return "".join(chars)


class TermFinder:
    """The rules of one phrasebook applied to a text: quoted names, names ending in 行动/工程…, abbreviations."""

    def __init__(self, rules: GlossaryRules):
        self.rules = rules
        self._quote = [re.compile(re.escape(a) + rf"([^{re.escape(b)}\n]{{{rules.quote_min},{rules.quote_max}}})"
                                  + re.escape(b)) for a, b in rules.quotes if a != b] + \
                      [re.compile(re.escape(a) + rf"([^{re.escape(a)}\n]{{{rules.quote_min},{rules.quote_max}}})"
                                  + re.escape(a)) for a, b in rules.quotes if a == b]
        self._suffix = re.compile(rf"([{_HAN}、]{{{rules.suffix_min_stem},16}}?)({'|'.join(rules.suffixes)})")
        abbr = re.escape(rules.province_abbr)
        self._abbr = re.compile(rf"(?<![{abbr}])([{abbr}][{abbr}])(?=" + "|".join(map(re.escape, rules.abbr_next))
                                + ")")

    def find(self, text: str) -> list[tuple[str, str, str]]:
        """(name, category, rule) for every term in `text`, in order of appearance."""
        found: list[tuple[int, str, str, str]] = []
        spans = []
        for pattern in self._quote:
            for m in pattern.finditer(text):
                name = m.group(1).strip()
                spans.append(m.span())
                if self.rules.quote_skip.search(name):
                    continue
                after = text[m.end():m.end() + 6]
                category = next((c for c in self.rules.categories if after.startswith(c)), "")
                found.append((m.start(), name, category, "quoted"))
        masked = _mask(text, spans)
        for m in self._suffix.finditer(masked):
            for name in self._expand(m.group(1), m.group(2)):
                found.append((m.start(), name, m.group(2), "suffix"))
        for m in self._abbr.finditer(text):  # the original text: a quote right after the pair is a cue
            if masked[m.start()] != "\u0000":
                found.append((m.start(), m.group(1), "简称", "abbreviation"))
        for m in self.rules.edition.finditer(masked):
            found.append((m.start(1), m.group(1), "展会", "edition"))
        return [(n, c, r) for _, n, c, r in sorted(found, key=lambda x: x[0])]

    def _expand(self, stem: str, suffix: str) -> list[str]:
        """'开展消费帮扶新春、金秋' + 行动 -> 消费帮扶新春行动, 消费帮扶金秋行动 (shared head, short coordinated tails)."""
        cut = 0
        for verb in self.rules.lead_verbs:
            if verb == "、":
                continue
            pos = stem.rfind(verb)
            if pos >= 0:
                cut = max(cut, pos + len(verb))
        stem = stem[cut:]
        parts = [p for p in stem.split("、") if p]
        if not parts:
            return []
        if len(parts) == 1:
            names = [parts[0]]
        else:
            tail = len(parts[-1])
            head = parts[0][:-tail] if len(parts[0]) > tail and all(len(p) == tail for p in parts[1:]) else ""
            names = [head + parts[0][-tail:], *(head + p for p in parts[1:])] if head else [parts[-1]]
        return [n + suffix for n in names
                if len(n) >= self.rules.suffix_min_stem and not n.startswith(self.rules.generic_heads)]


class Glossary:
    """The terms of the primary plan; explanations come from related documents (newest first)."""

    def __init__(self, sentences: list[Sentence], rules: GlossaryRules, plan_doc: str, terms: list[Term] = ()):
        self.sentences = sentences
        # one string of all sentences: a phrase is found by str.find in C, not by a Python loop per sentence
        self._starts: list[int] = []
        pos = 0
        for sent in sentences:
            self._starts.append(pos)
            pos += len(sent.text) + 1
        self._blob = "\u0001".join(sent.text for sent in sentences)
        self.rules = rules
        self.plan_doc = plan_doc
        self.set_terms(list(terms))

    def set_terms(self, terms: list[Term]) -> None:
        self.terms = terms
        self._by_name = {t.name: t for t in terms}

    def __len__(self) -> int:
        return len(self.terms)

    def get(self, name: str) -> Term | None:
        return self._by_name.get(name.strip("“”「」\"' "))

    def describe(self, name: str) -> Term:
        """The glossary entry, or an ad hoc one for any phrase: its plan mentions, related sentences, definitions."""
        return self.get(name) or self._entry(name, "", "ad hoc")

    def search(self, query: str, limit: int = 50) -> list[Term]:
        """Terms whose name contains the query first, then terms whose sentences do."""
        query = (query or "").strip()
        if not query:
            return list(self.terms[:limit])
        by_name = [t for t in self.terms if query in t.name or t.name in query]
        by_text = [t for t in self.terms if t not in by_name and
                   (query in t.category or any(query in s.text for s in t.mentions + t.related))]
        return (by_name + by_text)[:limit]

    def containing(self, phrase: str) -> list[Sentence]:
        """Sentences that contain `phrase`, in corpus order."""
        out: list[Sentence] = []
        if not phrase:
            return out
        pos = self._blob.find(phrase)
        while pos >= 0:
            i = bisect_right(self._starts, pos) - 1
            out.append(self.sentences[i])
            nxt = self._starts[i + 1] if i + 1 < len(self._starts) else len(self._blob)
            pos = self._blob.find(phrase, nxt)
        return out

    def in_text(self, text: str) -> list[Term]:
        return [t for t in self.terms if t.name in text]

    def is_definition(self, term: str, sentence: str) -> bool:
        r = self.rules
        after = "|".join(map(re.escape, r.definition_after))
        if re.search(re.escape(term) + rf"[”」\"]?[^。；，]{{0,{r.definition_window}}}?[，,]?(?:{after})", sentence):
            return True
        return any(f"{b}{term}" in sentence for b in r.definition_before)

    def _entry(self, name: str, category: str, rule: str, found_in: list[Sentence] = ()) -> Term:
        plan_doc = self.plan_doc
        seen: set[tuple[str, str]] = set()
        hits = []
        for s in sorted([*found_in, *self.containing(name)], key=lambda s: s.order):
            if (s.doc, s.text) not in seen:  # overlapping prose chunks repeat a sentence
                seen.add((s.doc, s.text))
                hits.append(s)
        mentions = [s for s in hits if s.doc == plan_doc]
        related = sorted((s for s in hits if s.doc != plan_doc), key=lambda s: (s.date, -s.order), reverse=True)
        definitions = [s for s in related + mentions if self.is_definition(name, s.text)]
        definitions.sort(key=lambda s: (s.doc == plan_doc, _neg(s.date)))
        return Term(name, category, rule, mentions, related, definitions)

    @classmethod
    def build(cls, chunks: Iterable[tuple[str, str, dict]], plan_doc: str, rules: GlossaryRules) -> Glossary:
        """Walk the indexed chunks (plan clauses in order), find terms in the plan, collect their sentences."""
        ordered = sorted(chunks, key=lambda c: (c[2].get("doc") != plan_doc, c[2].get("doc", ""),
                                                int(c[2].get("start", 0) or 0)))
        sentences: list[Sentence] = []
        for cid, text, meta in ordered:
            for sent, _, _ in split_sentences(text):
                if sent.startswith(rules.header_prefixes):
                    continue  # 标题/来源/发布 lines describe the file, they do not explain terms
                item = int(meta["item"]) if meta.get("item") else None
                sentences.append(Sentence(cid, meta.get("doc", ""), meta.get("title", ""), meta.get("kind", ""),
                                          meta.get("section", ""), item, meta.get("date", ""), sent, len(sentences)))
        sections = {m.get("section", "").split("、", 1)[-1] for _, _, m in ordered if m.get("kind") == "section"}
        glossary = cls(sentences, rules, plan_doc)
        finder = TermFinder(rules)
        found: dict[str, tuple[str, str, list[Sentence]]] = {}
        for s in sentences:
            if s.doc != plan_doc:
                continue
            for name, category, rule in finder.find(s.text):
                if name in sections:
                    continue
                _, seen_category, where = found.setdefault(name, (rule, category, []))
                if category and not seen_category:
                    found[name] = (rule, category, where)
                where.append(s)  # '消费帮扶新春、金秋行动' names both terms without spelling either out
        glossary.set_terms([glossary._entry(name, category, rule, where)
                            for name, (rule, category, where) in found.items()])
        return glossary


def _neg(date: str) -> str:
    """Sort key that puts later ISO-like dates first."""
    return "".join(chr(0x10FFFF - ord(c)) for c in date)
