"""`python -m eval`: score xiezuo-qa and the baselines on the dev set; write a markdown report."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

from ingest.settings import Settings

from .report import render
from .scoring import Output, summarize

HERE = Path(__file__).resolve().parent


def load_questions(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval", description=__doc__)
    parser.add_argument("--dev", type=Path, default=HERE / "dev.jsonl")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument("--no-baselines", action="store_true")
    parser.add_argument("--failures", action="store_true", help="print the questions xiezuo-qa gets wrong")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    settings = Settings()

    from app.service import Service

    from .scoring import score
    from .systems import BM25System, DenseSystem, NaiveSystem, XiezuoSystem

    questions = load_questions(args.dev)
    service = Service.create(settings)
    service.ensure_index()
    systems = [XiezuoSystem(service.answerer)]
    if not args.no_baselines:
        idx = service.index
        systems += [BM25System(idx), DenseSystem(idx),
                    NaiveSystem(settings.corpus_dir, service.embedder, service.aliases, settings.plan_doc)]
    service.warm_up()  # first calls pay one-off costs
    results = {}
    for system in systems:
        if hasattr(service.embedder, "clear_cache"):  # each system embeds its questions itself
            service.embedder.clear_cache()
        outputs: list[Output] = [system.run(q["q"]) for q in questions]
        results[system.name] = summarize(questions, outputs, settings.plan_doc)
        if args.failures and isinstance(system, XiezuoSystem):
            for q, o in zip(questions, outputs):
                if not score(q, o, settings.plan_doc).correct:
                    print(f"FAIL [{q['kind']}] {q['q']} gold={q['gold']} {q.get('doc', '')} -> found={o.found} "
                          f"cited={[i for _, i in o.cited][:5]}", file=sys.stderr)
    meta = {"model": service.embedder.identity, "questions": len(questions), "dev": str(args.dev),
            "date": time.strftime("%Y-%m-%d %H:%M")}
    text = render(results, meta)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{args.dev.stem}.md").write_text(text, encoding="utf-8")
    (args.out / f"{args.dev.stem}.json").write_text(json.dumps({"meta": meta, "results": results}, ensure_ascii=False,
                                                     indent=1), encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
