"""Markdown for `python -m eval.bench`: each row as a ratio against its floor or anchor measured in the same run."""

from __future__ import annotations

BACKENDS = ("torch", "onnx", "onnx-int8")


def _mark(ok: bool) -> str:
    return "✓" if ok else "✗ missed"


def _perf_rows(r: dict) -> list[str]:
    rows = []
    b, cmp_ = r["backend"], r["compare"]
    if "cold" in r:
        c, (fs, fmb) = r["cold"], r["cold"]["floor"]
        ls, lmb = c["lookup"]
        rows.append(f"| cold `python -m app ask \"区总工会负责哪些任务\"` (record lookup) | {ls:.2f} s, {lmb:.0f} MB peak "
                    f"| jieba import + cut: {fs:.2f} s, {fmb:.0f} MB | **{ls / fs:.1f}×** | ≤ 5× | {_mark(ls / fs <= 5)} |")
        heavy = r["lookup_imports"]
        rows.append(f"| model code imported by that lookup | {heavy} | — | — | none | {_mark(heavy == 'none')} |")
        for name in dict.fromkeys([b, cmp_]):
            s, mb = c[f"retrieval:{name}"]
            rows.append(f"| cold `ask \"劳模疗休养怎么安排\"` (retrieval, loads the model), {name} | {s:.2f} s, "
                        f"{mb:.0f} MB peak | floor {fs:.2f} s | {s / fs:.1f}× | — | |")
    if "page" in r:
        page = {p["backend"]: p for p in r["page"]}
        p = page[b]
        anchor = page.get(cmp_)
        ratio = f"{p['rss_mb'] / anchor['rss_mb']:.2f}× {cmp_}" if anchor and cmp_ != b else "—"
        anchor_txt = f"{cmp_}: {anchor['rss_mb']:.0f} MB (peak {anchor['peak_mb']:.0f})" if anchor and cmp_ != b else "—"
        rows.append(f"| page process RSS, serving, model loaded, after {p['questions']} questions ({b}) | "
                    f"{p['rss_mb']:.0f} MB (peak {p['peak_mb']:.0f}; {p['rss_at_start_mb']:.0f} MB when the page "
                    f"first answered, {p['served_s']:.1f} s after start) | {anchor_txt} | {ratio} | ≤ 900 MB | "
                    f"{_mark(p['peak_mb'] <= 900)} |")
    if "ingest" in r:
        g = r["ingest"]
        rate = g["rate"]
        if cmp_ in rate and cmp_ != b:
            x = rate[b] / rate[cmp_]
            rows.append(f"| ingest, {g['docs']} synthetic docs ({g['chunks']} chunks, ~{g['mean_chars']:.0f} chars) "
                        f"| {b}: {rate[b]:.1f} chunks/s | {cmp_}: {rate[cmp_]:.1f} chunks/s; model-free pipeline "
                        f"{rate['model-free']:.0f} chunks/s | **{x:.2f}× {cmp_}** | ≥ 2.5× | {_mark(x >= 2.5)} |")
    if "index" in r:
        ix = r["index"]
        (cold_label, cold), (warm_label, warm) = ix["seconds"].items()
        rows.append(f"| in-memory index build, {ix['docs']} docs ({ix['chunks']} chunks), {warm_label} | {warm:.1f} s "
                    f"| {cold_label}: {cold:.1f} s | {warm / cold:.2f}× | ≤ 10 s | {_mark(warm <= 10)} |")
    if "latency" in r:
        lt = r["latency"]
        x, n = lt["xiezuo-qa"], lt["naive RAG"]
        ratio = x["p95"] / n["p95"] if n["p95"] else float("inf")
        rows.append(f"| warm answer p50 / p95, {lt['questions']} dev questions ({lt['backend']}) | "
                    f"{x['p50']:.1f} / {x['p95']:.1f} ms | naive RAG {n['p50']:.1f} / {n['p95']:.1f} ms | "
                    f"**{ratio:.2f}×** (p95) | ≤ 1.2× | {_mark(ratio <= 1.2)} |")
    return rows


def int8_verdict(acc: dict) -> str:
    """The adoption rule: int8 only if, on every set, it loses at most one question against torch."""
    drops = {s: rows["torch"]["correct"] - rows["onnx-int8"]["correct"] for s, rows in acc.items()
             if "torch" in rows and "onnx-int8" in rows}
    if not drops:
        return "no int8 and torch results to compare"
    ok = all(d <= 1 for d in drops.values())
    detail = ", ".join(f"{s}: {d:+d}" for s, d in drops.items())
    return f"questions lost by int8 vs torch — {detail} → int8 {'qualifies' if ok else 'does not qualify'} as default"


def _accuracy_rows(acc: dict) -> list[str]:
    rows = ["| question set | backend | correct | accuracy | R@3 | MRR |", "|---|---|---|---|---|---|"]
    for name, per in acc.items():
        for b in BACKENDS:
            if b in per:
                a = per[b]
                rows.append(f"| {name} | {b} | {a['correct']}/{a['n']} | {a['accuracy']:.1%} | {a['r3']:.1%} | "
                            f"{a['mrr']:.3f} |")
    return rows


def render(r: dict) -> str:
    lines = [
        "# Start-up, memory, ingest and latency benchmark", "",
        f"`python -m eval.bench`, {r['date']}, configured backend **{r['backend']}** compared with "
        f"**{r['compare']}**, {r['cpus']} CPUs shared with other work: absolute times are noisy, so every row is "
        "also a ratio against a floor or anchor measured in the same run (cold rows: medians of "
        f"{r.get('repeats', '?')} whole processes, interleaved).", "",
        "| what | measured | floor / anchor (same run) | ratio | target | |", "|---|---|---|---|---|---|",
        *_perf_rows(r),
    ]
    if r.get("accuracy"):
        lines += ["", "## Answer accuracy by backend", "",
                  "Each backend built its own index of the default corpus and answered every set with "
                  "`python -m eval --no-baselines`; same branch, same code.", "",
                  *_accuracy_rows(r["accuracy"]), "", int8_verdict(r["accuracy"])]
    return "\n".join(lines) + "\n"
