"""The benchmark report: rows are ratios against same-run floors, and int8's adoption rule (no timing here)."""

from __future__ import annotations

from eval.bench_report import int8_verdict, render


def _acc(torch: int, int8: int, n: int = 60) -> dict:
    row = {"n": n, "accuracy": 0.0, "r3": 1.0, "mrr": 1.0}
    return {"torch": dict(row, correct=torch), "onnx": dict(row, correct=torch), "onnx-int8": dict(row, correct=int8)}


def test_int8_rule_allows_at_most_one_lost_question_per_set():
    assert "int8 qualifies" in int8_verdict({"dev": _acc(190, 189), "heldout": _acc(58, 58)})
    assert "does not qualify" in int8_verdict({"dev": _acc(190, 190), "heldout": _acc(58, 56)})


def test_render_reports_ratios_and_misses():
    r = {"backend": "onnx-int8", "compare": "torch", "date": "d", "cpus": 2, "repeats": 3,
         "cold": {"floor": (0.5, 80.0), "lookup": (1.5, 200.0), "retrieval:onnx-int8": (5.0, 600.0),
                  "retrieval:torch": (15.0, 1100.0)}, "lookup_imports": "none",
         "page": [{"backend": "onnx-int8", "served_s": 5.0, "rss_at_start_mb": 300.0, "rss_mb": 800.0,
                   "peak_mb": 850.0, "questions": 20},
                  {"backend": "torch", "served_s": 5.0, "rss_at_start_mb": 300.0, "rss_mb": 1300.0,
                   "peak_mb": 1400.0, "questions": 20}],
         "ingest": {"docs": 1000, "chunks": 4000, "mean_chars": 280.0,
                    "rate": {"model-free": 400.0, "onnx-int8": 20.0, "torch": 10.0}},
         "index": {"docs": 10000, "chunks": 46000, "seconds": {"cold": 60.0, "warm": 4.0}},
         "latency": {"backend": "onnx-int8", "questions": 194, "xiezuo-qa": {"p50": 0.1, "p95": 12.0},
                     "naive RAG": {"p50": 10.0, "p95": 11.0}},
         "accuracy": {"dev": _acc(193, 193, 194)}}
    text = render(r)
    assert "**3.0×**" in text and "**2.00× torch**" in text and "✗ missed" in text  # ingest 2.0 < 2.5
    assert "0.62× torch" in text and "**1.09×** (p95)" in text and "int8 qualifies" in text
