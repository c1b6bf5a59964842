"""The knowledge index the answerer reads: records, BM25, dense search in Chroma, fused by RRF."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import TypeVar

from ingest.embedding import Embedder, EmbedderNotReady
from ingest.store import IndexStore, Snapshot, StoreUnavailable
from ingest.units import AliasTable

from .fusion import reciprocal_rank_fusion
from .lexical import BM25Index, JiebaTokenizer, TokenCache
from .lexicon import Lexicon
from .models import Hit
from .plans import PlanShelf, fold_versions
from .sentences import SentenceVectors
from .understand import QuestionParser

log = logging.getLogger(__name__)
T = TypeVar("T")

_HAN = re.compile(r"[\u4e00-\u9fa5]+")


def lexical_text(text: str, meta: dict) -> str:
    """What BM25 sees: the clause plus its section, title and units."""
    parts = [meta.get("section", ""), meta.get("task_title", ""), text, meta.get("units", "")]
    if meta.get("kind") == "prose":
        parts.insert(0, meta.get("title", ""))
    return "\n".join(p for p in parts if p)


class KnowledgeIndex:
    """Everything answerable, loaded once from the active index generation."""

    def __init__(self, snapshot: Snapshot, store: IndexStore | None, embedder: Embedder | None,
                 aliases: AliasTable, plan_doc: str = "", token_cache: TokenCache | None = None,
                 lexicon: Lexicon | None = None):
        self.lexicon = lexicon or Lexicon.load()
        self._speller = None
        self._memo: dict[tuple[str, str], object] = {}
        self.snapshot = snapshot
        self.store = store
        self.embedder = embedder
        self.sentence_vectors = SentenceVectors(embedder)
        self.aliases = aliases
        self.chunks: dict[str, tuple[str, dict]] = {
            cid: (text, meta) for cid, text, meta in zip(snapshot.ids, snapshot.documents, snapshot.metadatas)
        }
        # every plan in the index has its own records; lookups use the newest version unless a question names one
        self.plans = PlanShelf.from_snapshot(snapshot.ids, snapshot.documents, snapshot.metadatas, plan_doc, aliases)
        self.records = self.plans.default
        self.plan_doc = self.records.doc
        words = list(aliases.aliases) + self.records.units + [t.title for t in self.records.tasks]
        self.places = self._partner_places()
        words += [s.short_name for s in self.records.sections] + list(self.places)
        words += [t for terms in self.lexicon.synonyms.values() for t in terms]
        self.tokenizer = JiebaTokenizer(words, stopwords=self.lexicon.stopwords)
        ids = list(self.chunks)
        texts = [lexical_text(*self.chunks[i]) for i in ids]
        self._text = "\n".join(texts).lower()  # for "does the corpus mention X at all"
        self.bm25 = BM25Index(ids, texts, self.tokenizer, cache=token_cache)
        self._doc_rows: dict[str, list[int]] = {}
        self.parser = QuestionParser(aliases, self.records.units,
                                     {s.number: s.short_name for s in self.records.sections},
                                     task_titles={t.item: t.title for t in self.records.tasks}, places=self.places)

    @classmethod
    def load(cls, store: IndexStore, embedder: Embedder | None, aliases: AliasTable, plan_doc: str = "",
             token_cache: TokenCache | None = None, lexicon: Lexicon | None = None):
        snapshot, _ = store.snapshot()
        return cls(snapshot, store, embedder, aliases, plan_doc, token_cache, lexicon)

    def _partner_places(self) -> tuple[str, ...]:
        """Counties the plan names at least three times, with their short forms (X县 and X)."""
        plan_text = "\n".join(t.text for t in self.records.tasks)
        counts: dict[str, int] = {}
        for i, ch in enumerate(plan_text):
            if ch == "县":  # count the two- and three-character names ending here ("X县", "助X县" …)
                for n in (2, 3):
                    name = plan_text[max(0, i - n):i + 1]
                    if len(name) == n + 1 and _HAN.fullmatch(name):
                        counts[name] = counts.get(name, 0) + 1
        # a three-character name only when it is not just a two-character one with a word before it
        counties = [c for c, n in counts.items() if n >= 3 and (len(c) == 3 or n >= 0.8 * counts.get(c[1:], 0))]
        return tuple(counties + [c[:-1] for c in counties if len(c) >= 3])

    def mentions(self, term: str) -> bool:
        """Whether any indexed text contains `term` (lower-cased)."""
        term = term.lower()
        return self.bm25.has(term) or term in self._text

    def mentions_loosely(self, phrase: str, gap: int = 4) -> bool:
        """Whether the corpus has `phrase`'s characters in order with short gaps ("江苏+协作地" in
        "江苏企业+协作地资源"): a name quoted from memory is still the corpus's name."""
        pattern = f".{{0,{gap}}}".join(re.escape(c) for c in phrase.lower())
        return re.search(pattern, self._text) is not None

    @property
    def speller(self):
        """Sound-alike correction over the corpus's words and the lexicon's everyday words (built on first use)."""
        if self._speller is None:
            from .spelling import Speller

            words = [w for w in self.bm25.vocab if len(w) >= 2] + list(self.lexicon.synonyms)
            known = self.tokenizer.frequency
            def is_known(w: str) -> bool:
                return self.mentions(w) or w in self.lexicon.synonyms or known(w) > 0

            def word_spans(text: str) -> list[tuple[int, int, bool]]:
                # known: a word of its own (a corpus token, an everyday word), not a piece of one ("白内" of 白内障)
                return [(a, b, bool(self.bm25.has(w) or w in self.lexicon.synonyms or known(w) > 0))
                        for w, a, b in self.tokenizer.spans(text) if len(w) >= 2]

            self._speller = Speller(words, is_known, self.lexicon.confusions, word_spans=word_spans,
                                    function_chars=self.lexicon.cues.get("function_chars"), in_corpus=self.mentions)
        return self._speller

    def spell(self, query: str) -> tuple[str, list[tuple[str, str]]]:
        """The question with misspelt words read as the corpus's words, and what was read how."""
        return self.memo("spell", query, lambda: self.speller.correct(query))

    def memo(self, kind: str, text: str, compute: Callable[[], T]) -> T:
        """What was worked out about one question text, kept for this index generation: a question is read by the
        router, the gate, the parts splitter and the retrieval answer, and each needs the same reading."""
        key = (kind, text)
        if key not in self._memo:
            if len(self._memo) >= 8192:
                self._memo.clear()
            self._memo[key] = compute()
        return self._memo[key]  # type: ignore[return-value]

    def expanded_query(self, query: str) -> str:
        """The question plus the plan terms its everyday words stand for (for keyword search)."""
        extra = self.lexicon.expand(query)
        return f"{query} {' '.join(extra)}" if extra else query

    def __len__(self) -> int:
        return len(self.chunks)

    def hit(self, cid: str, score: float) -> Hit:
        text, meta = self.chunks[cid]
        return Hit(id=cid, score=score, content=text, metadata=meta)

    def bm25_run(self, query: str, k: int = 20) -> list[tuple[str, float]]:
        return self.bm25.search(query, k)

    def prefetch(self, queries: list[str]) -> None:
        """Embed several queries in one encoder call (the parts of one question), so each part's search hits
        the cache; a model still loading or a failure only costs the batch."""
        batch = getattr(self.embedder, "embed_queries", None)
        if batch is None or len(queries) < 2 or self.store is None:
            return
        try:
            vectors = batch(queries)
            runs = self.store.query_many(vectors, self.dense_depth, collection=self.snapshot.collection or None)
        except Exception as exc:  # noqa: BLE001 - the parts are searched one by one after this anyway
            log.debug("batched query embedding skipped: %s", exc)
            return
        for query, run in zip(queries, runs, strict=False):  # one store round trip for all the parts
            self._memo[("dense", query)] = [(cid, s) for cid, s in run if cid in self.chunks]

    dense_depth = 20  # the depth `search` asks of the dense run, fetched ahead for the parts of a question

    def dense_run(self, query: str, k: int = 20) -> list[tuple[str, float]]:
        """Nearest chunks by cosine; raises StoreUnavailable when the vector store is down."""
        if self.embedder is None or self.store is None:
            return []
        fetched = self._memo.pop(("dense", query), None) if k <= self.dense_depth else None
        if fetched is not None:  # fetched with the other parts of the same question, used once
            return fetched[:k]
        vec = self.embedder.embed_query(query)
        hits = self.store.query(vec, k, collection=self.snapshot.collection or None)
        return [(cid, s) for cid, s in hits if cid in self.chunks]

    def search(self, query: str, k: int = 5, depth: int = 20, plan: str | None = None) -> tuple[list[Hit], dict]:
        """Hybrid search: RRF of BM25 and dense runs; the plan's clauses first unless the question points elsewhere.

        `plan` is the plan a question is scoped to (default: the newest); near-identical clauses of other plans
        are folded under the best one. Returns hits and the raw per-run scores (for answerability checks).
        """
        preferred = plan or self.plan_doc
        lexical = self.bm25_run(self.expanded_query(query), depth)
        raw: dict = {"bm25": dict(lexical), "dense": {}}
        try:
            dense = self.dense_run(query, depth)
        except (StoreUnavailable, EmbedderNotReady) as exc:  # keywords only while the server or model is not up
            log.warning("dense search unavailable: %s", exc)
            dense, raw["dense_error"] = [], str(exc)
        raw["dense"] = dict(dense)
        runs = [[c for c, _ in lexical], [c for c, _ in dense]]
        if len(self.plans) > 1 and preferred:  # other plans' copies may crowd the scoped plan out of both runs
            runs.append(self._plan_run(query, preferred, depth))
        fused = reciprocal_rank_fusion(runs, k=60)
        hits = [self.hit(cid, score) for cid, score in fused]
        if len(self.plans) > 1:
            hits, raw["folded"] = fold_versions(hits, preferred)  # answers must not bring the copies back
        if preferred and not self._points_to_related(query, lexical, preferred):
            hits.sort(key=lambda h: h.doc != preferred)  # stable: keeps fused order within each group
        elif self.lexicon.cue("recency", query):  # "最近/最新": the newest dated document first
            hits.sort(key=lambda h: h.metadata.get("date") or "", reverse=True)
        return hits[:k], raw

    def _plan_run(self, query: str, doc: str, depth: int) -> list[str]:
        """Keyword hits within one plan's clauses (a third run for RRF when several plans are indexed)."""
        allowed = self._doc_rows.setdefault(doc, [i for i, cid in enumerate(self.bm25.ids)
                                                  if self.chunks[cid][1].get("doc") == doc])
        return [c for c, _ in self.bm25.search(self.expanded_query(query), depth, rows=allowed)]

    def _points_to_related(self, query: str, lexical: list[tuple[str, float]], plan: str = "") -> bool:
        if self.lexicon.cue("related_signal", query) or self.lexicon.cue("recency", query):
            return True
        plan = plan or self.plan_doc
        best_plan = max((s for c, s in lexical if self.chunks[c][1].get("doc") == plan), default=0.0)
        best_other = max((s for c, s in lexical if self.chunks[c][1].get("kind") == "prose"), default=0.0)
        return best_other > 1.5 * best_plan and best_other > 0
