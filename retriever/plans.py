"""Every indexed plan as its own RecordBook, the default (newest) plan, and which plan a question is scoped to."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.plan_parser import find_unit_clause
from ingest.plandiff import DiffSection, DiffTask, PlanDiff, diff_tasks, section_name
from ingest.planinfo import PlanInfo, PlanVocabulary, load_vocabulary, plan_info
from ingest.units import AliasTable

from .models import Hit
from .records import RecordBook
from .understand import QuestionParser

_PLACE = re.compile(r"[\u4e00-\u9fa5]{1,4}?(?:省|市|区|县|旗)")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")


@dataclass
class PlanScope:
    """The plan a question is about, whether the question named it, and the question to answer."""

    doc: str
    explicit: bool = False
    text: str = ""
    notice: str = ""  # the question named a plan that is not indexed
    named: list[str] = field(default_factory=list)  # plans the question names, in order (for comparisons)


def title_places(title: str) -> list[str]:
    """The place names a plan title starts with ('2027年苏州市吴江区…' -> 苏州市, 苏州, 吴江区, 吴江)."""
    rest = _YEAR.sub("", title, count=1).strip()
    names: list[str] = []
    while m := _PLACE.match(rest):
        names += [m.group(0)] + ([m.group(0)[:-1]] if len(m.group(0)) >= 3 else [])
        rest = rest[m.end():]
    return names


def plan_infos(metadatas: list[dict], vocab: PlanVocabulary) -> dict[str, PlanInfo]:
    """One PlanInfo per document with task records; stored plan fields win over the title (older indexes lack them)."""
    counts: dict[str, int] = {}
    titles: dict[str, str] = {}
    for meta in metadatas:
        if meta.get("kind") == "task":
            counts[meta["doc"]] = counts.get(meta["doc"], 0) + 1
            titles.setdefault(meta["doc"], meta.get("plan_title") or meta.get("title", ""))
    return {doc: plan_info(doc, titles[doc], vocab, counts[doc]) for doc in counts}


class PlanShelf:
    """The plans in one index generation; lookups use the default plan unless a question names another."""

    def __init__(self, books: dict[str, RecordBook], infos: dict[str, PlanInfo], default_doc: str,
                 aliases: AliasTable, vocab: PlanVocabulary):
        self.books = books
        self.infos = infos
        self.aliases = aliases
        self.vocab = vocab
        self._parsers: dict[str, QuestionParser] = {}
        self._diffs: dict[tuple[str, str], PlanDiff] = {}
        self.default_doc = default_doc
        series = infos[default_doc].series if default_doc in infos else ""
        # versions of the default plan's series, oldest first
        self.series = sorted((i for i in infos.values() if i.series == series), key=PlanInfo.order_key)
        self.places = self._places()

    @classmethod
    def from_snapshot(cls, ids: list[str], documents: list[str], metadatas: list[dict], configured: str,
                      aliases: AliasTable, vocab: PlanVocabulary | None = None) -> PlanShelf:
        vocab = vocab or load_vocabulary()
        infos = plan_infos(metadatas, vocab)
        rows: dict[str, list[int]] = {}
        for i, meta in enumerate(metadatas):  # one pass: thousands of plans must not each scan the whole index
            if meta.get("doc") in infos:
                rows.setdefault(meta["doc"], []).append(i)
        books = {doc: RecordBook.from_snapshot([ids[i] for i in r], [documents[i] for i in r],
                                               [metadatas[i] for i in r], doc) for doc, r in rows.items()}
        return cls(books, infos, cls.pick_default(infos, configured), aliases, vocab)

    @staticmethod
    def pick_default(infos: dict[str, PlanInfo], configured: str) -> str:
        """The newest version in the configured plan's series (else the series of the plan with most tasks)."""
        if not infos:
            return configured
        anchor = infos.get(configured) or max(infos.values(), key=lambda i: (i.tasks, i.doc))
        return max((i for i in infos.values() if i.series == anchor.series), key=PlanInfo.order_key).doc

    def __len__(self) -> int:
        return len(self.infos)

    @property
    def default(self) -> RecordBook:
        return self.books.get(self.default_doc) or RecordBook([], [], self.default_doc)

    @property
    def versioned(self) -> bool:
        """More than one version or year of the default plan is indexed: answers say which one they used."""
        return len(self.series) > 1

    def book(self, doc: str) -> RecordBook:
        return self.books.get(doc) or self.default

    def info(self, doc: str) -> PlanInfo | None:
        return self.infos.get(doc)

    def parser(self, doc: str) -> QuestionParser:
        """A question parser that knows this plan's units, sections and task titles (built on first use)."""
        if doc not in self._parsers:
            book = self.book(doc)
            self._parsers[doc] = QuestionParser(self.aliases, book.units,
                                                {s.number: s.short_name for s in book.sections},
                                                task_titles={t.item: t.title for t in book.tasks})
        return self._parsers[doc]

    def ordered(self) -> list[PlanInfo]:
        """All plans, the default series first, newest first within each series."""
        home = self.infos[self.default_doc].series if self.default_doc in self.infos else ""
        return sorted(self.infos.values(), key=lambda i: (i.series != home, i.series, -(i.year or 0), -i.rank))

    def _places(self) -> dict[str, str]:
        """Places that open other series' titles (苏州市, 吴江区, 吴江 …) and not the default's -> series."""
        home = self.infos[self.default_doc].title if self.default_doc in self.infos else ""
        places: dict[str, str] = {}
        for info in self.infos.values():
            for name in title_places(info.title):
                if name not in home:
                    places.setdefault(name, info.series)
        return places

    # --- scope ----------------------------------------------------------------------------------
    def scope(self, text: str) -> PlanScope:
        """The plan a question names by year (2025年, 去年), version (正式稿) or place; else the default plan."""
        plain = PlanScope(doc=self.default_doc, text=text)
        if len(self.infos) <= 1:
            return plain  # one plan: nothing to choose, the question is left as it is
        rest = text
        series = self.infos[self.default_doc].series
        for place in sorted(self.places, key=len, reverse=True):
            if place in rest:
                series = self.places[place]
                break
        candidates = [i for i in self.infos.values() if i.series == series]
        newest_year = max((i.year or 0 for i in candidates), default=0)
        years: list[int] = []
        for m in _YEAR.finditer(rest):
            years.append(int(m.group(1)))
        for word in sorted(self.vocab.relative_years, key=len, reverse=True):
            if word in rest and newest_year:
                years.append(newest_year + self.vocab.relative_years[word])
                rest = rest.replace(word, "")
        versions = self._versions_in(rest)
        named = self._named(candidates, years, [v for v, _ in versions])
        explicit = bool(named) or series != self.infos[self.default_doc].series
        if (years or versions) and not named:
            if not any(w in text for w in self.vocab.plan_words):
                return plain  # "2025年新春行动": a year, but not a plan's
            wanted = "、".join([f"{y}年" for y in years] + [v for v, _ in versions])
            return PlanScope(doc=self.default_doc, text=text,
                             notice=f"索引中没有{wanted}的要点，以下按《{self.infos[self.default_doc].label}》回答。")
        if not explicit:
            return plain
        doc = named[-1] if named else max(candidates, key=PlanInfo.order_key).doc
        if doc == self.default_doc and not versions and len(named) <= 1:
            return plain  # "2026年…" where 2026 is the newest plan's year: the question is left as it is
        # the naming words stay in the question: "征求意见稿是正式文件吗" needs them to be about the plan at all
        return PlanScope(doc=doc, explicit=True, text=text, named=named)

    def _versions_in(self, text: str) -> list[tuple[str, str]]:
        """Versions named in the text with the alias used, in order of appearance (longest alias at a position)."""
        found: list[tuple[int, str, str]] = []
        for name, _, aliases in self.vocab.versions:
            for alias in aliases:
                for m in re.finditer(re.escape(alias), text):
                    found.append((m.start(), name, alias))
        found.sort(key=lambda f: (f[0], -len(f[2])))
        out: list[tuple[str, str]] = []
        end = -1
        for pos, name, alias in found:
            if pos >= end:
                out.append((name, alias))
                end = pos + len(alias)
        return out

    @staticmethod
    def _named(candidates: list[PlanInfo], years: list[int], versions: list[str]) -> list[str]:
        """Docs matching the named years and versions, one per name, in the order named."""
        out: list[str] = []
        if versions:
            for v in versions:
                pool = [i for i in candidates if i.version == v and (not years or i.year in years)]
                if pool:
                    doc = max(pool, key=PlanInfo.order_key).doc
                    if doc not in out:
                        out.append(doc)
            return out
        for y in years:
            pool = [i for i in candidates if i.year == y]
            if pool:
                doc = max(pool, key=PlanInfo.order_key).doc
                if doc not in out:
                    out.append(doc)
        return out

    def diff(self, old: str, new: str) -> PlanDiff:
        """The diff of two indexed plans, computed once per pair."""
        key = (old, new)
        if key not in self._diffs:
            self._diffs[key] = diff_books(self.book(old), self.book(new))
        return self._diffs[key]

    def previous(self, doc: str) -> str | None:
        """The version before `doc` in its series (an earlier version of the same year, else the year before)."""
        info = self.infos.get(doc)
        if info is None:
            return None
        older = [i for i in self.infos.values() if i.series == info.series and i.order_key() < info.order_key()]
        return max(older, key=PlanInfo.order_key).doc if older else None


_LEAD_NO = re.compile(r"^\s*\d{1,3}[.．、]\s*")
FOLD_MIN = 0.6  # bigram overlap of a clause and its copy in another version; different tasks stay far below


def _bigrams(text: str) -> set[str]:
    text = _LEAD_NO.sub("", text)
    return {text[i:i + 2] for i in range(len(text) - 1)}


def fold_versions(hits: list[Hit], preferred: str, threshold: float = FOLD_MIN) -> tuple[list[Hit], set[str]]:
    """Drop near-identical clauses of other plans, noting their documents on the clause kept (the preferred plan's
    when it is among them, else the best ranked). Returns the hits kept and the chunk ids folded away."""
    kept: list[tuple[Hit, set[str]]] = []
    folded: set[str] = set()
    for hit in hits:
        if hit.metadata.get("kind") == "prose":
            kept.append((hit, set()))
            continue
        grams = _bigrams(hit.content)
        twin = None
        for i, (other, other_grams) in enumerate(kept):
            if other.doc == hit.doc or not other_grams:
                continue
            if len(grams & other_grams) / (len(grams | other_grams) or 1) >= threshold:
                twin = i
                break
        if twin is None:
            kept.append((hit, grams))
            continue
        other = kept[twin][0]
        if hit.doc == preferred and other.doc != preferred:  # the scoped plan's clause takes the place
            hit.folded = [other.doc, *other.folded]
            kept[twin] = (hit, grams)
            folded.add(other.id)
        else:
            folded.add(hit.id)
            if hit.doc not in other.folded:
                other.folded.append(hit.doc)
    return [h for h, _ in kept], folded


def book_for_diff(book: RecordBook) -> tuple[list[DiffTask], list[DiffSection]]:
    """A plan's records in the diff's terms: task text without its number and unit list."""
    tasks = []
    for t in book.tasks:
        text = _LEAD_NO.sub("", t.text)
        found = find_unit_clause(text)
        if found:
            text = (text[:found[1]] + text[found[2]:]).strip()
        tasks.append(DiffTask(item=t.item, title=t.title, text=text, section=section_name(t.section),
                              units=tuple(t.units)))
    sections = [DiffSection(number=s.number, name=s.short_name, intro=s.text.split("\n", 1)[-1] if "\n" in s.text
                            else "") for s in book.sections]
    return tasks, sections


def diff_books(old: RecordBook, new: RecordBook) -> PlanDiff:
    """The diff of two indexed plans (same rules as `python -m ingest diff`)."""
    old_tasks, old_secs = book_for_diff(old)
    new_tasks, new_secs = book_for_diff(new)
    return diff_tasks(old_tasks, new_tasks, old_secs, new_secs, old.doc, new.doc)


class PlanView:
    """A KnowledgeIndex seen through one plan: that plan's records, id and parser; everything else is shared."""

    def __init__(self, index, doc: str):
        self._index = index
        self.records = index.plans.book(doc)
        self.plan_doc = doc
        self.parser = index.plans.parser(doc)

    def __getattr__(self, name: str):
        return getattr(self._index, name)

    def __len__(self) -> int:
        return len(self._index)
