"""The side-by-side evaluation table (a pure function over results JSON), on a tiny golden input."""

from __future__ import annotations

from eval.summary import table


def _res(acc: float, colloquial: float) -> dict:
    return {"accuracy": acc, "lookup_accuracy": 1.0, "refusal_accuracy": 0.5, "false_refusals": 2,
            "recall_at_3": 0.9, "mrr": 0.8, "p95_ms": 12.34, "per_kind": {"colloquial": colloquial}}


def test_table_puts_sets_in_rows_and_systems_in_columns():
    results = {"heldout2": {"meta": {"questions": 3}, "results": {"xiezuo-qa": _res(0.875, 0.9),
                                                                   "BM25 only": _res(0.5, 0.6)}},
               "dev": {"meta": {"questions": 2}, "results": {"xiezuo-qa": _res(1.0, 1.0)}}}
    text = table(results, ["xiezuo-qa", "BM25 only"])
    lines = text.splitlines()
    assert lines[0] == "| set | metric | xiezuo-qa | BM25 only |"
    assert lines[2] == "| dev (2) | overall accuracy | 100.0% | – |"  # dev first, a missing system is a dash
    assert "| heldout2 (3) | overall accuracy | 87.5% | 50.0% |" in lines
    assert "| heldout2 (3) | kind: colloquial | 90% | 60% |" in lines
    assert "| heldout2 (3) | p95 ms (warm) | 12.3 | 12.3 |" in lines
