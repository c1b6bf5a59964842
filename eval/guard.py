"""`python -m eval.guard`: fail when xiezuo-qa answers fewer questions than eval/guard.json allows, per set."""

from __future__ import annotations

import argparse
import json
import logging
import sys
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.guard", description=__doc__)
    parser.add_argument("--write", action="store_true",
                        help="set each floor to today's correct count minus one question")
    parser.add_argument("--failures", action="store_true", help="print the questions answered wrongly")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    guard = json.loads(GUARD.read_text(encoding="utf-8"))

    from app.service import Service

    settings = Settings(curated_answers=False)  # the floors judge the documents' own answers
    service = Service.create(settings)
    service.ensure_index()
    service.warm_up()
    correct: dict[str, int] = {}
    for name in guard["sets"]:
        questions = load_questions(HERE / f"{name}.jsonl")
        ok = 0
        for q in questions:
            ans = service.ask(q["q"])
            out = Output(found=ans.found, answer=ans.answer, cited=[(c.doc, c.item) for c in ans.citations])
            good = score(q, out, settings.plan_doc).correct
            ok += good
            if args.failures and not good:
                print(f"FAIL {name} [{q['kind']}] {q['q']}", file=sys.stderr)
        correct[name] = ok
        floor = guard["sets"][name]["min_correct"]
        print(f"{name}: {ok}/{len(questions)} correct (floor {floor})")
        if args.write:
            guard["sets"][name] = {"n": len(questions), "min_correct": max(0, ok - 1)}
    if args.write:
        GUARD.write_text(json.dumps(guard, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return 0
    failed = check(correct, {n: s["min_correct"] for n, s in guard["sets"].items()})
    if failed:
        print(f"accuracy guard FAILED on: {', '.join(failed)}", file=sys.stderr)
        return 1
    print("accuracy guard: every set at or above its floor")
    return 0


if __name__ == "__main__":
    sys.exit(main())
