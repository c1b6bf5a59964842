"""`python -m ingest` indexes the corpus; `records` / `glossary` / `diff OLD NEW` (`--json`) print records, glossary, a plan diff."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from .pipeline import load_corpus, run_ingest
from .settings import Settings
from .units import AliasTable


def _records(settings: Settings, as_json: bool) -> int:
    corpus = load_corpus(settings.corpus_dir, AliasTable.load(), settings.plan_doc, settings.load_limits())
    from .planinfo import plan_info

    records = []
    for plan in corpus.plans:  # each record says which plan, year and version it belongs to
        info = plan_info(plan.doc_id, plan.title)
        ident = {"plan_title": plan.title, "plan_year": info.year, "plan_version": info.version}
        records += [r | ident for r in plan.records()]
    if as_json:
        print(json.dumps(records, ensure_ascii=False, indent=1))
    else:
        for r in records:
            print(f"{r['item']:>3}. {r['title']}  [{r['section']}]\n     牵头：{r['lead_unit']}  责任单位：{'、'.join(r['units'])}")
    for err in corpus.errors:
        print(f"error: {err}", file=sys.stderr)
    return 1 if corpus.errors else 0


def _glossary(settings: Settings, as_json: bool) -> int:
    """The glossary as the answerer sees it: recomputed from the chunks of the active index generation."""
    from .glossary import Glossary
    from .phrasebook import load
    from .store import IndexStore, open_client

    snapshot, _ = IndexStore(open_client(settings), settings.collection).snapshot()
    glossary = Glossary.build(zip(snapshot.ids, snapshot.documents, snapshot.metadatas), settings.plan_doc,
                              load().glossary)
    if as_json:
        print(json.dumps([t.to_dict() for t in glossary.terms], ensure_ascii=False, indent=1))
    else:
        for t in glossary.terms:
            where = "、".join(f"第{i}项" for i in t.items) or "前言/部分说明"
            print(f"{t.name}  [{t.category or t.rule}]  {where}  {'有说明' if t.explained else '语料未解释'}")
    return 0 if snapshot.ids else 1


def _index(settings: Settings) -> int:
    from .factory import ModelUnavailable, make_lazy_embedder
    from .store import IndexStore, StoreUnavailable, open_client

    try:
        store = IndexStore(open_client(settings), settings.collection)
        embedder = make_lazy_embedder(settings)  # an unchanged corpus re-indexes without loading the model
        report = run_ingest(settings.corpus_dir, store, embedder, AliasTable.load(), settings.plan_doc,
                            show_bar=True, limits=settings.load_limits())
    except (ModelUnavailable, StoreUnavailable) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(report.summary())
    for err in report.errors:
        print(f"error: {err}", file=sys.stderr)
    return 1 if report.errors else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingest", description=__doc__)
    parser.add_argument("command", nargs="?", default="index", choices=["index", "records", "glossary", "diff"])
    parser.add_argument("plans", nargs="*", help="diff: OLD NEW (files or plan document ids in the corpus)")
    parser.add_argument("--json", action="store_true", help="records/glossary/diff: print JSON")
    parser.add_argument("--corpus", type=Path, help="corpus folder (default: XZQA_CORPUS_DIR or ./corpus)")
    parser.add_argument("--data", type=Path, help="data folder (default: XZQA_DATA_DIR or ./data)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    overrides = {k: v for k, v in (("corpus_dir", args.corpus), ("data_dir", args.data)) if v}
    settings = Settings(**overrides)
    if args.command == "records":
        return _records(settings, args.json)
    if args.command == "diff":
        if len(args.plans) != 2:
            parser.error("diff needs two plans: OLD NEW")
        from .diffcli import run

        status, out = run(args.plans[0], args.plans[1], settings, args.json)
        print(out, file=sys.stderr if status else sys.stdout)
        return status
    if args.command == "glossary":
        return _glossary(settings, args.json)
    return _index(settings)


if __name__ == "__main__":
    sys.exit(main())
