"""Systems under evaluation: xiezuo-qa and three baselines that only retrieve (they never refuse)."""

from __future__ import annotations

import time
from pathlib import Path

from ingest.embedding import Embedder
from ingest.loaders import discover, load_document
from ingest.pipeline import load_corpus
from ingest.units import AliasTable
from retriever.index import KnowledgeIndex

from .scoring import Output


class XiezuoSystem:
    name = "xiezuo-qa"

    def __init__(self, answerer):
        self.answerer = answerer

    def run(self, question: str) -> Output:
        ans = self.answerer.answer(question)
        return Output(found=ans.found, answer=ans.answer, cited=[(c.doc, c.item) for c in ans.citations], ms=ans.ms)


class _RunSystem:
    """Top-k chunks of one retrieval run, pasted as the answer."""

    k = 4

    def __init__(self, index: KnowledgeIndex):
        self.index = index

    def ranked(self, question: str) -> list[tuple[str, float]]:
        raise NotImplementedError

    def run(self, question: str) -> Output:
        started = time.perf_counter()
        ranked = self.ranked(question)[: self.k]
        hits = [self.index.hit(cid, s) for cid, s in ranked]
        ms = (time.perf_counter() - started) * 1000
        return Output(found=bool(hits), answer="\n".join(h.content for h in hits),
                      cited=[(h.doc, h.item) for h in hits], ms=ms)


class BM25System(_RunSystem):
    name = "BM25 only"

    def ranked(self, question):
        return self.index.bm25_run(question, 20)


class DenseSystem(_RunSystem):
    name = "dense only"

    def ranked(self, question):
        return self.index.dense_run(question, 20)


class NaiveSystem:
    """The tutorial pipeline: RecursiveCharacterTextSplitter(500, 50) + Chroma + the same encoder, k=4."""

    name = "naive RAG (500/50, k=4)"

    def __init__(self, corpus_dir: Path, embedder: Embedder, aliases: AliasTable, plan_doc: str):
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        self.embedder = embedder
        self.plan_doc = plan_doc
        corpus = load_corpus(corpus_dir, aliases, plan_doc)
        self.task_spans = [(t.start, t.end, t.item) for p in corpus.plans if p.doc_id == plan_doc for t in p.tasks]
        splitter = RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=50, add_start_index=True)
        ids, texts, metas = [], [], []
        for path in discover(corpus_dir):
            try:
                doc = load_document(path)
            except Exception:
                continue
            for i, piece in enumerate(splitter.create_documents([doc.text])):
                start = piece.metadata["start_index"]
                ids.append(f"{doc.doc_id}:{i}")
                texts.append(piece.page_content)
                metas.append({"doc": doc.doc_id, "start": start, "end": start + len(piece.page_content)})
        client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
        try:
            client.delete_collection("naive_baseline")
        except Exception:
            pass
        self.coll = client.create_collection("naive_baseline", embedding_function=None,
                                             configuration={"hnsw": {"space": "cosine"}})
        vecs = embedder.embed_passages(texts)
        for i in range(0, len(ids), 500):
            self.coll.add(ids=ids[i:i + 500], embeddings=vecs[i:i + 500], documents=texts[i:i + 500],
                          metadatas=metas[i:i + 500])

    def _items(self, meta: dict) -> list[int | None]:
        if meta["doc"] != self.plan_doc:
            return [None]
        items = [item for s, e, item in self.task_spans if s < meta["end"] and e > meta["start"]]
        return items or [None]

    def run(self, question: str) -> Output:
        started = time.perf_counter()
        res = self.coll.query(query_embeddings=[self.embedder.embed_query(question)], n_results=4,
                              include=["documents", "metadatas"])
        ms = (time.perf_counter() - started) * 1000
        cited: list[tuple[str, int | None]] = []
        for meta in res["metadatas"][0]:
            for item in self._items(meta):
                if (meta["doc"], item) not in cited:
                    cited.append((meta["doc"], item))
        return Output(found=True, answer="\n".join(res["documents"][0]), cited=cited, ms=ms)
