"""`python -m eval.guard`: fail when xiezuo-qa answers fewer questions than eval/guard.json allows, per set."""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from ingest.settings import Settings

from .scoring import Output, score

HERE = Path(__file__).resolve().parent
GUARD = HERE / "guard.json"
log = logging.getLogger(__name__)


def load_questions(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def check(correct: dict[str, int], floors: dict[str, int]) -> list[str]:
    """The sets whose correct count fell below their floor (a pure function, tested on its own)."""
    return [name for name, floor in floors.items() if correct.get(name, 0) < floor]


def balance(sizes: dict[str, int], jobs: int) -> list[list[str]]:
    """Split the sets into at most `jobs` groups of similar question counts, largest set first (greedy)."""
    groups: list[list[str]] = [[] for _ in range(max(1, min(jobs, len(sizes))))]
    loads = [0] * len(groups)
    for name in sorted(sizes, key=lambda n: (-sizes[n], n)):
        i = loads.index(min(loads))
        groups[i].append(name)
        loads[i] += sizes[name]
    return [g for g in groups if g]


def run_sets(names: list[str]) -> dict[str, tuple[int, int, list[str]]]:
    """Answer every question of the named sets in this process: (correct, total, failed questions) per set."""
    from app.service import Service

    settings = Settings(curated_answers=False)  # the floors judge the documents' own answers
    service = Service.create(settings)
    service.warm_up()
    out: dict[str, tuple[int, int, list[str]]] = {}
    for name in names:
        questions = load_questions(HERE / f"{name}.jsonl")
        ok, failed = 0, []
        for q in questions:
            ans = service.ask(q["q"])
            got = Output(found=ans.found, answer=ans.answer, cited=[(c.doc, c.item) for c in ans.citations])
            if score(q, got, settings.plan_doc).correct:
                ok += 1
            else:
                failed.append(f"[{q['kind']}] {q['q']}")
        out[name] = (ok, len(questions), failed)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.guard", description=__doc__)
    parser.add_argument("--write", action="store_true",
                        help="set each floor to today's correct count minus one question")
    parser.add_argument("--failures", action="store_true", help="print the questions answered wrongly")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                        help="worker processes, each with its own model (default: 2, or 1 on one CPU)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    guard = json.loads(GUARD.read_text(encoding="utf-8"))

    from app.service import Service

    # build the index once here, so that the workers only read it
    Service.create(Settings(curated_answers=False)).ensure_index()
    groups = balance({n: len(load_questions(HERE / f"{n}.jsonl")) for n in guard["sets"]}, args.jobs)
    results: dict[str, tuple[int, int, list[str]]] = {}
    if len(groups) == 1:
        results = run_sets(groups[0])
    else:
        # spawn: a fresh interpreter per worker, no forked model or Chroma client state
        with ProcessPoolExecutor(len(groups), mp_context=multiprocessing.get_context("spawn")) as pool:
            for part in pool.map(run_sets, groups):
                results.update(part)
    correct: dict[str, int] = {}
    for name in guard["sets"]:
        ok, total, failed = results[name]
        correct[name] = ok
        if args.failures:
            for line in failed:
                print(f"FAIL {name} {line}", file=sys.stderr)
        print(f"{name}: {ok}/{total} correct (floor {guard['sets'][name]['min_correct']})")
        if args.write:
            guard["sets"][name] = {"n": total, "min_correct": max(0, ok - 1)}
    if args.write:
        GUARD.write_text(json.dumps(guard, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return 0
    failed_sets = check(correct, {n: s["min_correct"] for n, s in guard["sets"].items()})
    if failed_sets:
        print(f"accuracy guard FAILED on: {', '.join(failed_sets)}", file=sys.stderr)
        return 1
    print("accuracy guard: every set at or above its floor")
    return 0


if __name__ == "__main__":
    sys.exit(main())
