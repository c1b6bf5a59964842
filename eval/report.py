"""Render evaluation results as a markdown table."""

from __future__ import annotations


def render(results: dict[str, dict], meta: dict) -> str:
    names = list(results)
    kinds = sorted({k for r in results.values() for k in r["per_kind"]})
    lines = [f"# Evaluation ({meta['date']})", "",
             f"{meta['questions']} dev questions (`{meta['dev']}`), embedding model `{meta['model']}`.", "",
             "| metric | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]

    def row(label: str, key: str, fmt: str = "{:.1%}") -> None:
        lines.append(f"| {label} | " + " | ".join(fmt.format(results[n][key]) for n in names) + " |")

    row("**overall accuracy**", "accuracy")
    row("lookups (unit/alias/count/together/alone)", "lookup_accuracy")
    row("refusal accuracy", "refusal_accuracy")
    row("R@3", "recall_at_3")
    row("MRR", "mrr", "{:.3f}")
    row("false refusals (answerable, not found)", "false_refusals", "{}")
    row("p50 ms", "p50_ms", "{:.1f}")
    row("p95 ms", "p95_ms", "{:.1f}")
    for kind in kinds:
        lines.append(f"| kind: {kind} | " + " | ".join(
            f"{results[n]['per_kind'].get(kind, 0):.0%}" for n in names) + " |")
    lines += ["", "Accuracy: the answer cites exactly/at least the gold tasks (per question `how`) and contains every "
              "`must` group; baselines never refuse, so their refusal accuracy is 0. Times exclude model loading."]
    return "\n".join(lines) + "\n"
