"""Reciprocal rank fusion: the pure function and the TREC-run CLI against golden files."""

from __future__ import annotations

from pathlib import Path

import pytest

from retriever.__main__ import fuse_runs
from retriever.fusion import reciprocal_rank_fusion

GOLDEN = Path(__file__).parent / "golden" / "fusion"


def test_rrf_scores_by_hand():
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["c", "a", "d"]], k=60)
    assert [d for d, _ in fused] == ["a", "c", "b", "d"]
    assert fused[0][1] == pytest.approx(1 / 61 + 1 / 62)
    assert fused[3][1] == pytest.approx(1 / 63)


def test_rrf_ignores_raw_scores_and_duplicates():
    # a run lists ids only; the same id twice in one run counts once, at its best rank
    assert reciprocal_rank_fusion([["x", "x", "y"]]) == reciprocal_rank_fusion([["x", "y"]])[:1] + [("y", 1 / 63)]


def test_rrf_weights_and_ties():
    fused = reciprocal_rank_fusion([["a"], ["b"]], weights=[1.0, 2.0])
    assert [d for d, _ in fused] == ["b", "a"]
    tie = reciprocal_rank_fusion([["a"], ["b"]])
    assert [d for d, _ in tie] == ["a", "b"]  # equal scores: first seen wins, deterministic
    with pytest.raises(ValueError):
        reciprocal_rank_fusion([["a"]], weights=[1.0, 1.0])
    assert reciprocal_rank_fusion([]) == []


def test_fuse_cli_matches_golden_with_chinese_query_ids():
    out = fuse_runs([GOLDEN / "bm25.run", GOLDEN / "dense.run"], k=60)
    assert out == (GOLDEN / "expected.run").read_text(encoding="utf-8").splitlines()
