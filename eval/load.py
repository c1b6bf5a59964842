"""Load test of the running chat page's /answer API: N concurrent users, each with its own gradio_client.Client.

    python -m eval.load --url http://127.0.0.1:7860 --users 50 --questions 10 [--pid SERVER_PID]

Each user asks `--questions` dev-set questions (eval/dev.jsonl) through the named endpoint "/answer" and every answer
is scored with eval.scoring.score, as `python -m eval` does. Reported: latency p50/p95 (client side and the server's
own `ms`), throughput, errors, answers that differ between users for the same question, and the server's memory
(VmRSS/VmHWM from /proc/<pid>/status, sampled during the run). Bounded: users × questions requests, a per-request
timeout and an overall deadline; it stops by itself. Exit status 1 on errors or inconsistent answers.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .scoring import Output, pct, score

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent


@dataclass
class Result:
    user: int
    q: dict
    ok: bool = False
    correct: bool = False
    latency_ms: float = 0.0
    server_ms: float = 0.0
    error: str = ""
    end: float = 0.0  # perf_counter when the answer arrived
    signature: str = ""  # answer text and citations, to compare users asking the same question


@dataclass
class Run:
    results: list[Result] = field(default_factory=list)
    connect_ms: list[float] = field(default_factory=list)
    seconds: float = 0.0
    memory: dict = field(default_factory=dict)


def proc_memory(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM (peak) of a process in MB; empty if it cannot be read."""
    out: dict[str, float] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key = line.split(":", 1)[0]
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(line.split()[1]) / 1024
    except OSError:
        pass
    return out


def pick_questions(rows: list[dict], users: int, per_user: int) -> list[list[dict]]:
    """Deterministic: user u asks rows u*per_user … (wrapping), so users overlap once the set is exhausted."""
    return [[rows[(u * per_user + j) % len(rows)] for j in range(per_user)] for u in range(users)]


def _signature(data: dict) -> str:
    cites = [(c.get("doc"), c.get("item")) for c in data.get("citations", [])]
    return json.dumps([data.get("answer"), data.get("found"), cites], ensure_ascii=False)


def user_session(user: int, url: str, questions: list[dict], plan_doc: str, run: Run, start: threading.Barrier,
                 deadline: float, timeout: float, lock: threading.Lock) -> None:
    from gradio_client import Client

    t0 = time.perf_counter()
    try:
        client = Client(url, verbose=False)
    except Exception as exc:  # server down, bad URL
        with lock:
            run.results += [Result(user, q, error=f"connect: {exc}") for q in questions]
        start.abort()
        return
    with lock:
        run.connect_ms.append((time.perf_counter() - t0) * 1000)
    try:
        start.wait(timeout=timeout)
    except threading.BrokenBarrierError:
        pass
    for q in questions:
        res = Result(user, q)
        if time.monotonic() > deadline:
            res.error = "deadline reached before asking"
        else:
            t1 = time.perf_counter()
            try:
                data = client.submit(q["q"], api_name="/answer").result(timeout=timeout)
                res.latency_ms = (time.perf_counter() - t1) * 1000
                out = Output(found=bool(data["found"]), answer=data["answer"],
                             cited=[(c["doc"], c["item"]) for c in data["citations"]])
                res.ok, res.correct = True, score(q, out, plan_doc).correct
                res.server_ms, res.signature = float(data.get("ms", 0.0)), _signature(data)
            except Exception as exc:  # timeout, HTTP error, malformed answer
                res.latency_ms = (time.perf_counter() - t1) * 1000
                res.error = f"{type(exc).__name__}: {exc}"[:200]
        res.end = time.perf_counter()
        with lock:
            run.results.append(res)


def run_load(url: str, users: int, per_user: int, rows: list[dict], plan_doc: str, pid: int | None = None,
             timeout: float = 60.0, max_seconds: float = 600.0) -> Run:
    """Start `users` threads at once (after all have connected); sample the server's memory meanwhile."""
    run, lock = Run(), threading.Lock()
    if pid:
        run.memory["before"] = proc_memory(pid)
    start = threading.Barrier(users + 1)
    deadline = time.monotonic() + max_seconds
    threads = [threading.Thread(target=user_session, daemon=True, name=f"user-{u}",
                                args=(u, url, qs, plan_doc, run, start, deadline, timeout, lock))
               for u, qs in enumerate(pick_questions(rows, users, per_user))]
    for t in threads:
        t.start()
    try:
        start.wait(timeout=timeout * 2)
    except threading.BrokenBarrierError:
        log.warning("not every user connected; the others go ahead")
    t0 = time.perf_counter()
    peak = 0.0
    while any(t.is_alive() for t in threads) and time.monotonic() < deadline + timeout:
        if pid:
            peak = max(peak, proc_memory(pid).get("VmRSS", 0.0))
        time.sleep(0.2)
    run.seconds = max((r.end for r in run.results if r.end), default=time.perf_counter()) - t0
    if pid:
        run.memory["after"] = proc_memory(pid)
        run.memory["max_sampled_rss"] = peak
    return run


def summarize(run: Run, users: int, per_user: int) -> dict:
    done = [r for r in run.results if r.ok]
    by_q: dict[str, set[str]] = {}
    for r in done:
        by_q.setdefault(r.q["q"], set()).add(r.signature)
    lat = [r.latency_ms for r in done]
    return {
        "users": users, "questions_per_user": per_user, "requests": users * per_user, "answered": len(done),
        "errors": len([r for r in run.results if r.error]), "correct": sum(r.correct for r in done),
        "inconsistent_questions": sorted(q for q, sigs in by_q.items() if len(sigs) > 1),
        "incorrect_questions": sorted({r.q["q"] for r in done if not r.correct}),
        "error_samples": sorted({r.error for r in run.results if r.error})[:5],
        "p50_ms": pct(lat, 0.5), "p95_ms": pct(lat, 0.95), "max_ms": max(lat, default=0.0),
        "server_p50_ms": pct([r.server_ms for r in done], 0.5), "server_p95_ms": pct([r.server_ms for r in done], 0.95),
        "connect_p95_ms": pct(run.connect_ms, 0.95), "seconds": run.seconds,
        "throughput_rps": len(done) / run.seconds if run.seconds else 0.0, "memory": run.memory,
    }


def render(s: dict, url: str) -> str:
    mem = s["memory"]
    who = f"{s['users']} user{'s' if s['users'] != 1 else ''}"
    lines = [f"## Load test: {who} × {s['questions_per_user']} questions against {url}", "",
             "| requests | answered | errors | correct | inconsistent | p50 ms | p95 ms | max ms | server p50/p95 ms "
             "| throughput req/s | wall s |", "|" + "---|" * 11,
             f"| {s['requests']} | {s['answered']} | {s['errors']} | {s['correct']}/{s['answered']} | "
             f"{len(s['inconsistent_questions'])} | {s['p50_ms']:.0f} | {s['p95_ms']:.0f} | {s['max_ms']:.0f} | "
             f"{s['server_p50_ms']:.0f} / {s['server_p95_ms']:.0f} | {s['throughput_rps']:.1f} | {s['seconds']:.1f} |"]
    if mem:
        b, a = mem.get("before", {}), mem.get("after", {})
        lines += ["", f"Server memory: VmRSS {b.get('VmRSS', 0):.0f} → {a.get('VmRSS', 0):.0f} MB (max sampled "
                  f"{mem.get('max_sampled_rss', 0):.0f} MB), peak VmHWM {a.get('VmHWM', 0):.0f} MB."]
    if s["incorrect_questions"]:
        lines += ["", "Scored incorrect (same scoring as `python -m eval`): "
                  + "；".join(s["incorrect_questions"])]
    for key in ("inconsistent_questions", "error_samples"):
        if s[key]:
            lines += ["", f"{key.replace('_', ' ').capitalize()}: " + "；".join(s[key])]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.load", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default="http://127.0.0.1:7860")
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--questions", type=int, default=10, help="questions per user")
    ap.add_argument("--pid", type=int, help="server process id, for its memory before/after")
    ap.add_argument("--dev", type=Path, default=HERE / "dev.jsonl")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds per request")
    ap.add_argument("--max-seconds", type=float, default=600.0, help="overall deadline")
    ap.add_argument("--out", type=Path, help="append the markdown summary to this file")
    ap.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from ingest.settings import Settings

    rows = [json.loads(x) for x in args.dev.read_text(encoding="utf-8").splitlines() if x.strip()]
    run = run_load(args.url, args.users, args.questions, rows, Settings().plan_doc, args.pid, args.timeout,
                   args.max_seconds)
    summary = summarize(run, args.users, args.questions)
    text = render(summary, args.url)
    print(json.dumps(summary, ensure_ascii=False, indent=1) if args.json else text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        with args.out.open("a", encoding="utf-8") as fh:
            fh.write("\n" + text)
    return 1 if summary["errors"] or summary["inconsistent_questions"] else 0


if __name__ == "__main__":
    sys.exit(main())
