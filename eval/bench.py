"""`python -m eval.bench`: start-up, memory, ingest and latency rows as ratios in one run -> eval/results/bench.md."""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from ingest.settings import Settings

from .bench_report import render

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
LOOKUP_Q = "区总工会负责哪些任务"
RETRIEVAL_Q = "劳模疗休养怎么安排"  # no unit, task or section named: hybrid retrieval, needs the model
FLOOR_CODE = f"import jieba; jieba.lcut({LOOKUP_Q!r})"
HEAVY = ("torch", "sentence_transformers", "transformers", "onnxruntime")


_DATA_DIRS: dict[str, Path] = {}  # backend -> its own data folder, so no run re-embeds another backend's index


def _env(backend: str) -> dict[str, str]:
    env = dict(os.environ, XZQA_BACKEND=backend, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
               ANONYMIZED_TELEMETRY="False")
    if backend in _DATA_DIRS:
        env["XZQA_DATA_DIR"] = str(_DATA_DIRS[backend])
    return env


def prepare_data_dirs(backends: list[str], workdir: Path) -> None:
    """One data folder per backend sharing the model caches; each gets its index built (untimed)."""
    settings = Settings()
    for b in backends:
        data = workdir / f"data-{b}"
        data.mkdir(parents=True, exist_ok=True)
        for link, target in (("models", settings.model_cache_dir), ("onnx", settings.onnx_cache_dir)):
            target.mkdir(parents=True, exist_ok=True)
            (data / link).symlink_to(target.resolve(), target_is_directory=True)
        _DATA_DIRS[b] = data
        subprocess.run([sys.executable, "-m", "ingest"], cwd=ROOT, env=_env(b), check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def run_child(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(wall seconds, peak RSS MB, stdout) of one whole child process."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage, not all children's
    elapsed = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    proc.stdout.close()
    if proc.returncode:
        raise RuntimeError(f"{' '.join(args)} exited with {proc.returncode}")
    return elapsed, usage.ru_maxrss / 1024, out


def cold_rows(backends: list[str], repeats: int) -> dict:
    """Cold `ask` processes (lookup and retrieval) and the jieba floor, interleaved so load noise hits all alike."""
    py = sys.executable
    runs: dict[str, list[tuple[float, float]]] = {"floor": []}
    check = (f"import sys\nfrom app.cli import main\nmain(['ask', {LOOKUP_Q!r}])\n"
             f"print('HEAVY=' + ','.join(m for m in {HEAVY!r} if m in sys.modules))")
    heavy = run_child([py, "-c", check], _env(backends[0]))[2].rsplit("HEAVY=", 1)[-1].strip()
    for b in backends:  # untimed: page cache, jieba's dictionary cache, the token cache
        run_child([py, "-m", "app", "ask", RETRIEVAL_Q], _env(b))
    for _ in range(repeats):
        runs["floor"].append(run_child([py, "-c", FLOOR_CODE], _env(backends[0]))[:2])
        runs.setdefault("lookup", []).append(run_child([py, "-m", "app", "ask", LOOKUP_Q], _env(backends[0]))[:2])
        for b in backends:
            runs.setdefault(f"retrieval:{b}", []).append(run_child([py, "-m", "app", "ask", RETRIEVAL_Q],
                                                                   _env(b))[:2])
    med = {k: (statistics.median(s for s, _ in v), statistics.median(m for _, m in v)) for k, v in runs.items()}
    return {"cold": med, "lookup_imports": heavy or "none", "repeats": repeats}


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _status_mb(pid: int) -> dict[str, float]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            fields[line.split(":")[0]] = int(line.split()[1]) / 1024
    return fields


def page_rss(backend: str, questions: list[str], timeout: float = 300) -> dict:
    """Serve the page, wait for the background model load, ask questions through the API, read its memory."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "app", "serve", "--port", str(port)], cwd=ROOT,
                            env=_env(backend), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    ready = threading.Event()

    def watch() -> None:
        for line in proc.stderr:
            if "embedding model ready" in line:
                ready.set()

    threading.Thread(target=watch, daemon=True).start()
    try:
        url, deadline = f"http://127.0.0.1:{port}/", time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(url, timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError(f"the page on port {port} did not start") from None
                time.sleep(0.5)
        served_s = timeout - (deadline - time.monotonic())
        at_start = _status_mb(proc.pid)["VmRSS"]
        if not ready.wait(max(1.0, deadline - time.monotonic())):
            raise RuntimeError("the model did not finish loading behind the page")
        from gradio_client import Client

        client = Client(url, verbose=False)
        for q in questions:
            client.predict(q, api_name="/answer")
        mem = _status_mb(proc.pid)
        return {"backend": backend, "served_s": served_s, "rss_at_start_mb": at_start,
                "rss_mb": mem["VmRSS"], "peak_mb": mem["VmHWM"], "questions": len(questions)}
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class _RandomEmbedder:
    """Model-free stand-in (seeded unit vectors) that measures everything in ingest except the encoder."""

    identity = "bench/random-384"

    def embed_passages(self, texts):
        import numpy as np

        rng = np.random.default_rng(len(texts))
        v = rng.standard_normal((len(texts), 384)).astype(np.float32)
        return (v / np.linalg.norm(v, axis=1, keepdims=True)).tolist()

    def embed_query(self, text):
        return self.embed_passages([text])[0]


def ingest_rows(backends: list[str], n_docs: int, max_chunks: int, workdir: Path) -> dict:
    """chunks/s of the ingest pipeline on the same synthetic chunks for each backend and without a model."""
    from ingest.factory import make_embedder
    from ingest.pipeline import index_chunks, load_corpus
    from ingest.store import IndexStore, open_client
    from ingest.units import AliasTable

    from .synth import generate_corpus

    settings = Settings()
    generate_corpus(workdir / "corpus_ingest", n_docs)
    chunks = load_corpus(workdir / "corpus_ingest", AliasTable.load(), settings.plan_doc).chunks
    chunks = chunks[:max_chunks] if max_chunks else chunks
    chars = statistics.mean(len(c.embed_text) for c in chunks)
    out: dict = {"docs": n_docs, "chunks": len(chunks), "mean_chars": chars, "rate": {}}
    for name in ["model-free", *backends]:
        emb = _RandomEmbedder() if name == "model-free" else make_embedder(settings.model_copy(update={"backend": name}))
        store = IndexStore(open_client(Settings(data_dir=workdir / f"ingest_{name}")), "bench")
        started = time.perf_counter()
        index_chunks(chunks, store, emb, batch=128)
        out["rate"][name] = len(chunks) / (time.perf_counter() - started)
        log.info("ingest %s: %.1f chunks/s", name, out["rate"][name])
        del emb, store
    return out


def index_build_rows(n_docs: int, workdir: Path) -> dict:
    """Seconds to build the in-memory index (records, jieba/BM25) for n_docs, without and with the token cache."""
    from ingest.pipeline import load_corpus
    from ingest.store import Snapshot
    from ingest.units import AliasTable
    from retriever.index import KnowledgeIndex
    from retriever.lexical import TokenCache

    from .synth import generate_corpus

    settings, aliases = Settings(), AliasTable.load()
    generate_corpus(workdir / "corpus_index", n_docs)
    chunks = load_corpus(workdir / "corpus_index", aliases, settings.plan_doc).chunks
    snap = Snapshot(collection="", model="", ids=[c.id for c in chunks], documents=[c.text for c in chunks],
                    metadatas=[c.metadata for c in chunks])
    times = {}
    for label in ("no token cache (first start)", "warm token cache (restart)"):
        started = time.perf_counter()
        KnowledgeIndex(snap, None, None, aliases, settings.plan_doc, TokenCache(workdir / "tokens"))
        times[label] = time.perf_counter() - started
    return {"docs": n_docs, "chunks": len(chunks), "seconds": times}


def latency_rows(questions: list[dict]) -> dict:
    """Warm per-answer p50/p95 of xiezuo-qa and the naive pipeline, same encoder, same process."""
    from app.service import Service

    from .scoring import pct
    from .systems import NaiveSystem, XiezuoSystem

    settings = Settings()
    service = Service.create(settings)
    service.ensure_index()
    service.warm_up()
    naive = NaiveSystem(settings.corpus_dir, service.embedder, service.aliases, settings.plan_doc)
    out: dict = {"backend": settings.backend, "questions": len(questions)}
    for name, system in (("xiezuo-qa", XiezuoSystem(service.answerer)), ("naive RAG", naive)):
        service.embedder.clear_cache()  # each system pays for its own query embeddings
        ms = [system.run(q["q"]).ms for q in questions]
        out[name] = {"p50": pct(ms, 0.5), "p95": pct(ms, 0.95)}
    return out


def accuracy_rows(folder: Path, backends: list[str]) -> dict:
    """R@3, MRR and accuracy per backend and question set from `python -m eval --out folder/<backend>` runs."""
    rows: dict = {}
    for b in backends:
        for path in sorted((folder / b).glob("*.json")):
            r = json.loads(path.read_text(encoding="utf-8"))["results"]["xiezuo-qa"]
            rows.setdefault(path.stem, {})[b] = {"n": r["n"], "correct": round(r["accuracy"] * r["n"]),
                                                 "accuracy": r["accuracy"], "r3": r["recall_at_3"], "mrr": r["mrr"]}
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench", description=__doc__)
    parser.add_argument("--compare", default="torch", help="backend to compare the configured one with")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--ingest-docs", type=int, default=1000)
    parser.add_argument("--ingest-chunks", type=int, default=0, help="cap on chunks embedded per backend (0: all)")
    parser.add_argument("--index-docs", type=int, default=10000)
    parser.add_argument("--accuracy", type=Path, help="folder of `python -m eval --out DIR/<backend>` results")
    parser.add_argument("--skip", nargs="*", default=[], choices=["cold", "page", "ingest", "index", "latency"])
    parser.add_argument("--out", type=Path, default=HERE / "results" / "bench.md")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per API call otherwise
    settings = Settings()
    backends = list(dict.fromkeys([settings.backend, args.compare]))
    questions = [json.loads(x) for x in (HERE / "dev.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    r: dict = {"backend": settings.backend, "compare": args.compare, "date": time.strftime("%Y-%m-%d %H:%M"),
               "cpus": os.cpu_count()}
    subprocess.run([sys.executable, "-m", "ingest"], cwd=ROOT, env=_env(settings.backend), check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # the index the latency rows read
    with tempfile.TemporaryDirectory(prefix="xzqa-bench-") as tmp:
        prepare_data_dirs(backends, Path(tmp))
        steps = {"cold": lambda: cold_rows(backends, args.repeats),
                 "page": lambda: {"page": [page_rss(b, [q["q"] for q in questions[::10]]) for b in backends]},
                 "ingest": lambda: {"ingest": ingest_rows(backends, args.ingest_docs, args.ingest_chunks, Path(tmp))},
                 "index": lambda: {"index": index_build_rows(args.index_docs, Path(tmp))},
                 "latency": lambda: {"latency": latency_rows(questions)}}
        for name, step in steps.items():
            if name not in args.skip:
                log.info("bench: %s", name)
                r |= step()
    if args.accuracy:
        r["accuracy"] = accuracy_rows(args.accuracy, ["torch", "onnx", "onnx-int8"])
    text = render(r)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    args.out.with_suffix(".json").write_text(json.dumps(r, ensure_ascii=False, indent=1), encoding="utf-8")
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
