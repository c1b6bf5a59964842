"""A LangChain `BaseRetriever` over xiezuo-qa: the records' clauses for record questions, hybrid search otherwise."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from .models import Hit

log = logging.getLogger(__name__)

__all__ = ["RECORD_MODES", "XiezuoRetriever"]

# answers made from the parsed records (exact task lists), as opposed to "retrieval", "refusal" and "multi"
RECORD_MODES = frozenset({"lookup", "item", "section"})


class _CitationLike(Protocol):
    doc: str
    title: str
    section: str
    item: int | None
    units: list[str]
    text: str
    score: float


class _AnswerLike(Protocol):
    mode: str
    citations: Sequence[_CitationLike]
    resolved_question: str


class _Searchable(Protocol):
    def search(self, query: str, k: int = 5) -> tuple[list[Hit], dict]: ...


class XiezuoRetriever(BaseRetriever):
    """`invoke(question)` -> `Document`s: page_content is the clause; metadata has doc, title, section, item, units
    (a list), score, and `source` ("record" or "search").

    Record questions (a unit's tasks, a task's units, a section's tasks) return exactly the records' clauses, in the
    answer's order; every other question returns the top `k` clauses of the hybrid (BM25 + dense, RRF) search.

    Why two callables instead of an index: deciding whether a question is a record question is the job of the
    app's answerer (question router, follow-up handling, injection stripping, record lookups), and `retriever/` may
    not import `app/`. So the retriever is handed that decision as `answer` (any callable returning an object with
    `mode`, `citations` and `resolved_question`, e.g. `Service.ask` or `Answerer.answer`) and the search as `search`
    (query, k -> hits, e.g. a KnowledgeIndex's). `from_service` / `from_answerer` wire both; they read the index at
    each call, so a re-index is seen by an existing retriever.
    """

    answer: Callable[[str], Any]
    search: Callable[[str, int], list[Hit]]
    k: int = 5

    @classmethod
    def from_service(cls, service: Any, k: int = 5, **kwargs: Any) -> XiezuoRetriever:
        """From a running app.service.Service (its `ask` and its current index)."""
        return cls(answer=service.ask, search=lambda q, n: service.index.search(q, n)[0], k=k, **kwargs)

    @classmethod
    def from_answerer(cls, answerer: Any, k: int = 5, **kwargs: Any) -> XiezuoRetriever:
        """From an app.answerer.Answerer (its `answer` and its index)."""
        return cls(answer=answerer.answer, search=lambda q, n: answerer.index.search(q, n)[0], k=k, **kwargs)

    @classmethod
    def from_index(cls, answer: Callable[[str], Any], index: _Searchable, k: int = 5,
                   **kwargs: Any) -> XiezuoRetriever:
        """From any answering callable and a KnowledgeIndex (or anything with the same `search`)."""
        return cls(answer=answer, search=lambda q, n: index.search(q, n)[0], k=k, **kwargs)

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        if not isinstance(query, str) or not query.strip():
            return []
        ans: _AnswerLike = self.answer(query)
        if ans.mode in RECORD_MODES:
            return [citation_document(c, ans.mode) for c in ans.citations]
        # search what the answerer understood (instructions stripped, follow-up resolved), not the raw text
        hits = self.search(ans.resolved_question or query, self.k)
        log.debug("retriever %r: %s, %d hits", query[:40], ans.mode, len(hits))
        return [hit_document(h, ans.mode) for h in hits[: self.k]]


def citation_document(c: _CitationLike, mode: str) -> Document:
    """A record's clause as a Document."""
    meta = {"doc": c.doc, "title": c.title, "section": c.section, "item": c.item, "units": list(c.units),
            "score": float(c.score), "source": "record", "mode": mode}
    return Document(page_content=c.text, metadata=meta)


def hit_document(hit: Hit, mode: str) -> Document:
    """A search hit as a Document (units are stored joined by 、 in the index)."""
    m = hit.metadata
    meta = {"doc": hit.doc, "title": m.get("title", ""), "section": m.get("section", ""), "item": hit.item,
            "units": [u for u in str(m.get("units", "")).split("、") if u], "score": float(hit.score),
            "source": "search", "mode": mode}
    if m.get("date"):
        meta["date"] = m["date"]
    return Document(id=hit.id, page_content=hit.content, metadata=meta)
