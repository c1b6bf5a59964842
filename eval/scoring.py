"""Pure scoring of one system output against one dev-set question."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field


@dataclass
class Output:
    """What a system returned: found flag, answer text, cited (doc, item) pairs best first, time."""

    found: bool
    answer: str
    cited: list[tuple[str, int | None]] = field(default_factory=list)
    ms: float = 0.0


@dataclass
class Score:
    correct: bool
    how_ok: bool
    must_ok: bool
    recall3: float | None  # None: question has no gold to find
    rr: float | None


def _gold_ranks(q: dict, cited: list[tuple[str, int | None]], plan_doc: str) -> list[int]:
    """1-based ranks of citations that hit the gold (gold tasks of the plan, or the gold related doc)."""
    ranks = []
    for rank, (doc, item) in enumerate(cited, 1):
        if q.get("doc"):
            if doc == q["doc"]:
                ranks.append(rank)
        elif doc == plan_doc and item in q["gold"]:
            ranks.append(rank)
    return ranks


def score(q: dict, out: Output, plan_doc: str) -> Score:
    items = [item for doc, item in out.cited if doc == plan_doc and item is not None]
    docs = [doc for doc, _ in out.cited]
    how = q["how"]
    if how == "none":
        how_ok = not out.found and not out.cited
    elif how == "exact":
        how_ok = out.found and set(items) == set(q["gold"])
    elif how == "top3":
        how_ok = out.found and (q["doc"] in docs[:3] if q.get("doc") else bool(set(items[:3]) & set(q["gold"])))
    elif how == "found":  # answered at all (not refused); the `must` strings carry the rest
        how_ok = out.found
    elif how == "all5":
        how_ok = out.found and set(q["gold"]) <= set(items[:5])
    elif how == "found":  # an answer that is not one task (overview, definitions): answered, with the must strings
        how_ok = out.found
    else:
        raise ValueError(f"unknown how: {how}")
    shown = out.answer.replace("**", "")  # what the reader sees: bold marks are not part of the words
    must_ok = all(any(s in shown for s in group) for group in q.get("must", []))
    has_gold = bool(q["gold"]) or bool(q.get("doc"))
    ranks = _gold_ranks(q, out.cited, plan_doc) if has_gold else []
    recall3 = (1.0 if any(r <= 3 for r in ranks) else 0.0) if has_gold else None
    rr = (1.0 / ranks[0] if ranks else 0.0) if has_gold else None
    return Score(correct=how_ok and must_ok, how_ok=how_ok, must_ok=must_ok, recall3=recall3, rr=rr)


def summarize(questions: list[dict], outputs: list[Output], plan_doc: str) -> dict:
    """Per-kind accuracy, overall accuracy, R@3, MRR, refusal accuracy and latency percentiles."""
    scores = [score(q, o, plan_doc) for q, o in zip(questions, outputs)]
    kinds: dict[str, list[bool]] = {}
    for q, s in zip(questions, scores):
        kinds.setdefault(q["kind"], []).append(s.correct)
    r3 = [s.recall3 for s in scores if s.recall3 is not None]
    rr = [s.rr for s in scores if s.rr is not None]
    refusals = [s.correct for q, s in zip(questions, scores) if not q["answerable"]]
    answerable = [o for q, o in zip(questions, outputs) if q["answerable"]]
    ms = sorted(o.ms for o in outputs)

    return {
        "n": len(questions),
        "accuracy": sum(s.correct for s in scores) / len(scores) if scores else 0.0,
        "per_kind": {k: sum(v) / len(v) for k, v in sorted(kinds.items())},
        "lookup_accuracy": _mean([s.correct for q, s in zip(questions, scores)
                                  if q["kind"] in ("lookup", "alias", "count", "together", "alone")]),
        "recall_at_3": _mean(r3),
        "mrr": _mean(rr),
        "refusal_accuracy": _mean(refusals),
        "false_refusals": sum(1 for o in answerable if not o.found),
        "p50_ms": pct(ms, 0.5),
        "p95_ms": pct(ms, 0.95),
        "mean_ms": statistics.fmean(ms) if ms else 0.0,
    }


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..1); 0.0 for no values. Shared by every benchmark report."""
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p * (len(s) - 1))))] if s else 0.0


def _mean(values: list) -> float:
    return sum(values) / len(values) if values else 0.0
