"""`python -m eval.summary`: the evaluation sets side by side (from eval/results/*.json) as one markdown table."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SETS = ("dev", "heldout", "heldout2", "probe", "probe2", "probe3", "probe4", "probe5", "probe6", "probe7", "probe8",
        "probe9", "probe10", "probe11", "probe12", "probe13", "probe14", "probe15", "probe16", "probe17", "probe18",
        "probe19", "probe20", "probe21", "probe22", "probe23", "probe24", "probe25", "probe26", "probe27", "probe28")
ROWS = [("overall accuracy", "accuracy", "{:.1%}"), ("lookups", "lookup_accuracy", "{:.1%}"),
        ("refusal accuracy", "refusal_accuracy", "{:.1%}"), ("false refusals", "false_refusals", "{}"),
        ("R@3", "recall_at_3", "{:.1%}"), ("MRR", "mrr", "{:.3f}"), ("p95 ms (warm)", "p95_ms", "{:.1f}")]


def table(results: dict[str, dict], systems: list[str]) -> str:
    """Rows: metric per set; columns: xiezuo-qa and each baseline (a pure function over the results JSON)."""
    names = [s for s in SETS if s in results]
    head = "| set | metric | " + " | ".join(systems) + " |"
    lines = [head, "|---|---|" + "---|" * len(systems)]
    for name in names:
        res = results[name]["results"]
        n = results[name]["meta"]["questions"]
        kinds = ["colloquial"] if "colloquial" in res[systems[0]]["per_kind"] else []
        lookup_kinds = {"lookup", "alias", "count", "together", "alone"} & set(res[systems[0]]["per_kind"])
        for label, key, fmt in ROWS:
            if key == "lookup_accuracy" and not lookup_kinds:
                continue  # a set without lookup questions has no lookup accuracy
            cells = [fmt.format(res[s][key]) if s in res else "–" for s in systems]
            lines.append(f"| {name} ({n}) | {label} | " + " | ".join(cells) + " |")
        for kind in kinds:
            cells = [f"{res[s]['per_kind'].get(kind, 0):.0%}" if s in res else "–" for s in systems]
            lines.append(f"| {name} ({n}) | kind: {kind} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.summary", description=__doc__)
    parser.add_argument("--results", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    results = {s: json.loads((args.results / f"{s}.json").read_text(encoding="utf-8"))
               for s in SETS if (args.results / f"{s}.json").exists()}
    if not results:
        print("没有找到评测结果：请先运行 python -m eval --dev eval/<set>.jsonl", file=sys.stderr)
        return 1
    systems = list(next(iter(results.values()))["results"])
    sys.stdout.write(table(results, systems))
    return 0


if __name__ == "__main__":
    sys.exit(main())
