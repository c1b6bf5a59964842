"""Reciprocal rank fusion: combine ranked runs whose scores are not comparable (BM25 vs cosine)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def reciprocal_rank_fusion(runs: Iterable[Sequence[str]], k: int = 60,
                           weights: Sequence[float] | None = None) -> list[tuple[str, float]]:
    """Fuse ranked lists of ids: score(d) = sum_r w_r / (k + rank_r(d)), rank starting at 1.

    Ties are broken by the best rank a document reached, then by first appearance, so output is deterministic.
    """
    runs = [list(r) for r in runs]
    if weights is None:
        weights = [1.0] * len(runs)
    if len(weights) != len(runs):
        raise ValueError("one weight per run")
    scores: dict[str, float] = {}
    best: dict[str, int] = {}
    order: dict[str, int] = {}
    for run, w in zip(runs, weights):
        seen: set[str] = set()
        for rank, doc_id in enumerate(run, start=1):
            if doc_id in seen:  # a run lists each document once; later duplicates are ignored
                continue
            seen.add(doc_id)
            scores[doc_id] = scores.get(doc_id, 0.0) + w / (k + rank)
            best[doc_id] = min(best.get(doc_id, rank), rank)
            order.setdefault(doc_id, len(order))
    return sorted(scores.items(), key=lambda kv: (-kv[1], best[kv[0]], order[kv[0]]))
