"""The knowledge index the answerer reads: records, BM25, dense search in Chroma, fused by RRF."""

from __future__ import annotations

import logging
import re

from ingest.embedding import Embedder, EmbedderNotReady
from ingest.store import IndexStore, Snapshot, StoreUnavailable
from ingest.units import AliasTable

from .fusion import reciprocal_rank_fusion
from .lexical import BM25Index, JiebaTokenizer, TokenCache
from .models import Hit
from .records import RecordBook
from .understand import QuestionParser

log = logging.getLogger(__name__)

# Words that say a question is about one of the related (non-plan) documents.
_RELATED_SIGNAL = re.compile(r"(19|20)\d{2}年(?!度)|国办|国务院|人社部|国家发展改革委|习近平|胡春华|座谈会|联席会|新华社|"
                             r"新闻联播|人民日报|指导意见|指示|文件|号文|全国|闽宁")


def lexical_text(text: str, meta: dict) -> str:
    """What BM25 sees: the clause plus its section, title and units."""
    parts = [meta.get("section", ""), meta.get("task_title", ""), text, meta.get("units", "")]
    if meta.get("kind") == "prose":
        parts.insert(0, meta.get("title", ""))
    return "\n".join(p for p in parts if p)


class KnowledgeIndex:
    """Everything answerable, loaded once from the active index generation."""

    def __init__(self, snapshot: Snapshot, store: IndexStore | None, embedder: Embedder | None,
                 aliases: AliasTable, plan_doc: str = "", token_cache: TokenCache | None = None):
        self.snapshot = snapshot
        self.store = store
        self.embedder = embedder
        self.aliases = aliases
        self.chunks: dict[str, tuple[str, dict]] = {
            cid: (text, meta) for cid, text, meta in zip(snapshot.ids, snapshot.documents, snapshot.metadatas)
        }
        self.records = RecordBook.from_snapshot(snapshot.ids, snapshot.documents, snapshot.metadatas, plan_doc)
        self.plan_doc = self.records.doc
        words = list(aliases.aliases) + self.records.units + [t.title for t in self.records.tasks]
        words += [s.short_name for s in self.records.sections] + ["镇巴县", "尖扎县", "东西部协作", "疗休养", "苏陕",
                                                                    "苏青", "消费帮扶", "劳务协作", "区中园"]
        self.tokenizer = JiebaTokenizer(words)
        ids = list(self.chunks)
        self.bm25 = BM25Index(ids, [lexical_text(*self.chunks[i]) for i in ids], self.tokenizer, cache=token_cache)
        self.parser = QuestionParser(aliases, self.records.units,
                                     {s.number: s.short_name for s in self.records.sections},
                                     task_titles={t.item: t.title for t in self.records.tasks})

    @classmethod
    def load(cls, store: IndexStore, embedder: Embedder | None, aliases: AliasTable, plan_doc: str = "",
             token_cache: TokenCache | None = None):
        snapshot, _ = store.snapshot()
        return cls(snapshot, store, embedder, aliases, plan_doc, token_cache)

    def __len__(self) -> int:
        return len(self.chunks)

    def hit(self, cid: str, score: float) -> Hit:
        text, meta = self.chunks[cid]
        return Hit(id=cid, score=score, content=text, metadata=meta)

    def bm25_run(self, query: str, k: int = 20) -> list[tuple[str, float]]:
        return self.bm25.search(query, k)

    def dense_run(self, query: str, k: int = 20) -> list[tuple[str, float]]:
        """Nearest chunks by cosine; raises StoreUnavailable when the vector store is down."""
        if self.embedder is None or self.store is None:
            return []
        vec = self.embedder.embed_query(query)
        hits = self.store.query(vec, k, collection=self.snapshot.collection or None)
        return [(cid, s) for cid, s in hits if cid in self.chunks]

    def search(self, query: str, k: int = 5, depth: int = 20) -> tuple[list[Hit], dict]:
        """Hybrid search: RRF of BM25 and dense runs; plan clauses first unless the question points elsewhere.

        Returns hits and the raw per-run scores (for answerability checks).
        """
        lexical = self.bm25_run(query, depth)
        raw: dict = {"bm25": dict(lexical), "dense": {}}
        try:
            dense = self.dense_run(query, depth)
        except (StoreUnavailable, EmbedderNotReady) as exc:  # keywords only while the server or model is not up
            log.warning("dense search unavailable: %s", exc)
            dense, raw["dense_error"] = [], str(exc)
        raw["dense"] = dict(dense)
        fused = reciprocal_rank_fusion([[c for c, _ in lexical], [c for c, _ in dense]], k=60)
        hits = [self.hit(cid, score) for cid, score in fused]
        if self.plan_doc and not self._points_to_related(query, lexical):
            hits.sort(key=lambda h: h.doc != self.plan_doc)  # stable: keeps fused order within each group
        return hits[:k], raw

    def _points_to_related(self, query: str, lexical: list[tuple[str, float]]) -> bool:
        if _RELATED_SIGNAL.search(query):
            return True
        best_plan = max((s for c, s in lexical if self.chunks[c][1].get("doc") == self.plan_doc), default=0.0)
        best_other = max((s for c, s in lexical if self.chunks[c][1].get("doc") != self.plan_doc), default=0.0)
        return best_other > 1.5 * best_plan and best_other > 0
