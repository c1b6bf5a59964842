"""Dense similarity of single sentences to a question, for choosing the sentence that answers within a clause."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable

import numpy as np

log = logging.getLogger(__name__)


class SentenceVectors:
    """Passage vectors of sentences, computed in batches and kept for the life of the index.

    A question never waits for the model: while it loads (or when it fails) similarities are simply not given
    and sentences are chosen by their words alone."""

    def __init__(self, embedder, batch: int = 64, limit: int = 20000):
        self.embedder = embedder
        self.batch = batch
        self.limit = limit  # sentences kept at most (a 10k-chunk corpus stays bounded)
        self._vecs: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def _ready(self) -> bool:
        loaded = getattr(self.embedder, "loaded", True)  # a lazily loaded model: only once it is there
        return self.embedder is not None and hasattr(self.embedder, "embed_passages") and bool(loaded)

    def warm(self, sentences: Iterable[str]) -> int:
        """Encode sentences not seen yet (in batches); returns how many were encoded."""
        if not self._ready():
            return 0
        with self._lock:
            todo = [s for s in dict.fromkeys(sentences) if s and s not in self._vecs]
        todo = todo[: max(0, self.limit - len(self._vecs))]
        for start in range(0, len(todo), self.batch):
            part = todo[start:start + self.batch]
            try:
                vecs = np.asarray(self.embedder.embed_passages(part), dtype=np.float32)
            except Exception as exc:  # noqa: BLE001 - similarity is an aid; words still choose the sentence
                log.warning("sentence vectors skipped: %s", exc)
                return start
            with self._lock:
                self._vecs.update(zip(part, vecs, strict=True))
        return len(todo)

    def similarities(self, query: str, sentences: list[str]) -> dict[str, float]:
        """Cosine similarity of each sentence to the question; empty when the model is not ready."""
        if not sentences or not self._ready():
            return {}
        try:
            self.warm(sentences)
            q = np.asarray(self.embedder.embed_query(query), dtype=np.float32)
        except Exception as exc:  # noqa: BLE001
            log.debug("sentence similarity skipped: %s", exc)
            return {}
        with self._lock:
            have = [(s, self._vecs[s]) for s in sentences if s in self._vecs]
        if not have:
            return {}
        mat = np.stack([v for _, v in have])
        sims = mat @ q / (np.linalg.norm(mat, axis=1) * (np.linalg.norm(q) or 1.0) + 1e-9)
        return {s: float(x) for (s, _), x in zip(have, sims, strict=True)}
