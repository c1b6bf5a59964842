"""`python -m retriever fuse RUN...` fuses TREC-format runs by RRF; `python -m retriever search Q` shows hits."""

from __future__ import annotations

import argparse
import logging
import sys
from collections import defaultdict
from pathlib import Path

from .fusion import reciprocal_rank_fusion


def read_run(path: Path) -> dict[str, list[str]]:
    """TREC run lines `qid Q0 docid rank score tag` -> {qid: [docid by rank]} (query ids may be Chinese)."""
    rows: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 6:
            rows[parts[0]].append((int(parts[3]), parts[2]))
    return {qid: [d for _, d in sorted(pairs)] for qid, pairs in rows.items()}


def fuse_runs(paths: list[Path], k: int = 60, tag: str = "rrf") -> list[str]:
    runs = [read_run(p) for p in paths]
    out = []
    for qid in sorted({q for r in runs for q in r}):
        fused = reciprocal_rank_fusion([r.get(qid, []) for r in runs], k=k)
        out += [f"{qid} Q0 {doc} {rank} {score:.6f} {tag}" for rank, (doc, score) in enumerate(fused, 1)]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m retriever", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    fuse = sub.add_parser("fuse", help="reciprocal rank fusion of TREC runs")
    fuse.add_argument("runs", nargs="+", type=Path)
    fuse.add_argument("--k", type=int, default=60)
    search = sub.add_parser("search", help="hybrid search over the index")
    search.add_argument("query")
    search.add_argument("-k", type=int, default=5)
    args = parser.parse_args(argv)
    if args.command == "fuse":
        print("\n".join(fuse_runs(args.runs, args.k)))
        return 0
    logging.basicConfig(level=logging.WARNING)
    from ingest.factory import make_embedder
    from ingest.settings import Settings
    from ingest.store import IndexStore, open_client
    from ingest.units import AliasTable

    from .index import KnowledgeIndex

    settings = Settings()
    index = KnowledgeIndex.load(IndexStore(open_client(settings), settings.collection), make_embedder(settings),
                                AliasTable.load(), settings.plan_doc)
    hits, _ = index.search(args.query, k=args.k)
    for rank, h in enumerate(hits, 1):
        where = f"第{h.item}项" if h.item else h.metadata.get("kind", "")
        print(f"{rank}. [{h.score:.4f}] {h.doc} {where}: {h.content[:80]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
