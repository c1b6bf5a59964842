"""Index a corpus folder: load, parse, chunk, embed only what changed, and switch generations atomically."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .chunking import plan_chunks, prose_chunks
from .embedding import Embedder
from .loaders import LoadError, load_document, scan_corpus
from .models import Chunk, Document, Plan
from .plan_parser import looks_like_plan, parse_plan
from .settings import LoadLimits
from .store import IndexStore, StoreUnavailable
from .units import AliasTable

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


@dataclass
class IngestReport:
    """What one indexing run did."""

    documents: int = 0
    chunks: int = 0
    added: int = 0
    unchanged: int = 0
    removed: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    superseded: bool = False  # another run activated a newer generation first; that one is in use

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        return (f"{self.documents} documents, {self.chunks} chunks: {self.added} added, "
                f"{self.unchanged} unchanged, {self.removed} removed in {self.seconds:.1f} s"
                + (f"; {len(self.errors)} file(s) failed" if self.errors else ""))

    def summary_zh(self) -> str:
        """The summary for the page (Chinese)."""
        return (f"共 {self.documents} 份文档、{self.chunks} 个片段：新增 {self.added}，未变 {self.unchanged}，"
                f"删除 {self.removed}，用时 {self.seconds:.1f} 秒"
                + (f"；{len(self.errors)} 个文件失败" if self.errors else ""))


@dataclass
class Corpus:
    """Loaded documents, parsed plans and their chunks."""

    documents: list[Document] = field(default_factory=list)
    plans: list[Plan] = field(default_factory=list)
    chunks: list[Chunk] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    failed_docs: set[str] = field(default_factory=set)


def parse_document(doc: Document, aliases: AliasTable, plan_doc: str,
                   limits: LoadLimits | None = None) -> tuple[Plan | None, list[Chunk]]:
    """Plans (numbered tasks with unit lists) become records; everything else is prose."""
    plan = None
    if looks_like_plan(doc.text):
        parsed = parse_plan(doc.text, doc.doc_id, aliases)
        if parsed.tasks and any(t.units for t in parsed.tasks):
            plan = parsed
    if plan is None and doc.doc_id == plan_doc:
        raise LoadError(doc.path, "与工作要点同名，但没有带责任单位的编号任务，已拒绝")
    chunks = plan_chunks(doc, plan) if plan else prose_chunks(doc)
    limit = (limits or LoadLimits()).max_doc_chunks
    if len(chunks) > limit:
        raise LoadError(doc.path, f"分块过多，已拒绝（{len(chunks):,} 块，上限 {limit:,}）")
    return plan, chunks


def load_corpus(corpus_dir: Path, aliases: AliasTable, plan_doc: str, limits: LoadLimits | None = None) -> Corpus:
    """Load every file; a failing file is reported by name and reason while the rest still load."""
    corpus = Corpus()
    seen: dict[str, str] = {}
    if not corpus_dir.is_dir():
        corpus.errors.append(f"{corpus_dir}: corpus folder not found")
        return corpus
    paths, skipped = scan_corpus(corpus_dir)
    for exc in skipped:  # links not followed: reported, and nothing of theirs is kept in the index
        log.error("skipped %s", exc)
        corpus.errors.append(str(exc))
    for path in paths:
        try:
            if path.stem in seen:
                raise LoadError(path, f"文档 ID“{path.stem}”重复（另见 {seen[path.stem]}）")
            doc = load_document(path, limits=limits)
            plan, chunks = parse_document(doc, aliases, plan_doc, limits)
        except Exception as exc:  # one bad file must never stop the others (LoadError, or a loader bug)
            err = exc if isinstance(exc, LoadError) else LoadError(path, f"无法读取（{type(exc).__name__}: {exc}）")
            if not isinstance(exc, LoadError):
                log.exception("unexpected error reading %s", path)
            log.error("skipped %s", err)
            corpus.errors.append(str(err))
            corpus.failed_docs.add(path.stem)
            continue
        seen[path.stem] = path.name
        corpus.documents.append(doc)
        corpus.chunks.extend(chunks)
        if plan:
            corpus.plans.append(plan)
    return corpus


def _unique(chunks: list[Chunk]) -> list[Chunk]:
    out: dict[str, Chunk] = {}
    for c in chunks:
        out.setdefault(c.id, c)  # identical text within one document is stored once
    return list(out.values())


def _write_generation(coll, chunks: list[Chunk], old_vec: dict, old_meta: dict, todo: list[Chunk],
                      embedder: Embedder, progress: Progress | None, batch: int, show_bar: bool) -> None:
    """Fill a new generation: reused vectors first, then the chunks that need embedding (in batches)."""
    kept = [c for c in chunks if c.id in old_vec]
    for i in range(0, len(kept), 500):
        part = kept[i:i + 500]
        coll.add(ids=[c.id for c in part], embeddings=[old_vec[c.id] for c in part],
                 documents=[c.text for c in part],
                 metadatas=[dict(c.metadata, indexed_at=old_meta[c.id].get("indexed_at", "")) for c in part])
    bar = None
    if show_bar:
        from tqdm import tqdm

        bar = tqdm(total=len(todo), unit="chunk", desc="embedding")
    now = time.strftime("%Y-%m-%d %H:%M:%S")
    done = 0
    for i in range(0, len(todo), batch):
        part = todo[i:i + batch]
        vecs = embedder.embed_passages([c.embed_text for c in part])
        coll.add(ids=[c.id for c in part], embeddings=vecs, documents=[c.text for c in part],
                 metadatas=[dict(c.metadata, indexed_at=now) for c in part])
        done += len(part)
        if bar:
            bar.update(len(part))
        if progress:
            progress(done, len(todo))
    if bar:
        bar.close()


def _superseded(store: IndexStore, gen: int) -> bool:
    try:
        return store.superseded(gen)
    except StoreUnavailable:
        return False


def index_chunks(chunks: list[Chunk], store: IndexStore, embedder: Embedder, progress: Progress | None = None,
                 batch: int = 128, show_bar: bool = False, keep_docs: set[str] = frozenset()) -> IngestReport:
    """Write the given chunks as the new active generation, reusing vectors of unchanged chunks.

    Old chunks of documents in `keep_docs` (files that failed to load this time) are kept as they were.
    """
    started = time.perf_counter()
    old, vectors = store.snapshot(with_embeddings=True)
    same_model = old.model == embedder.identity
    old_vec = dict(zip(old.ids, vectors, strict=False)) if same_model else {}
    old_meta = dict(zip(old.ids, old.metadatas, strict=False)) if same_model else {}
    fresh_docs = {c.doc for c in chunks}
    for cid, text, meta in zip(old.ids, old.documents, old.metadatas, strict=False):
        if same_model and meta.get("doc") in keep_docs and meta.get("doc") not in fresh_docs:
            chunks = chunks + [Chunk(id=cid, doc=meta["doc"], text=text, embed_text="", metadata=meta)]
    chunks = _unique(chunks)
    report = IngestReport(chunks=len(chunks))
    new_ids = {c.id for c in chunks}
    report.removed = len(set(old.ids) - new_ids) if same_model else len(old.ids)
    todo = [c for c in chunks if c.id not in old_vec]
    report.added = len(todo)
    report.unchanged = len(chunks) - len(todo)
    if not todo and not report.removed and old.collection:
        report.seconds = time.perf_counter() - started
        return report

    coll, gen = store.new_generation(embedder.identity)
    try:
        _write_generation(coll, chunks, old_vec, old_meta, todo, embedder, progress, batch, show_bar)
    except Exception:
        # a concurrent run that finished first drops older generations, this one included: not a failure
        if not _superseded(store, gen):
            raise
        log.info("a newer index generation was activated meanwhile; this run's result is not needed")
        report.superseded = True
    else:
        report.superseded = not store.activate(coll, gen, embedder.identity)
    report.seconds = time.perf_counter() - started
    return report


def run_ingest(corpus_dir: Path, store: IndexStore, embedder: Embedder, aliases: AliasTable, plan_doc: str,
               progress: Progress | None = None, show_bar: bool = False, batch: int = 128,
               limits: LoadLimits | None = None) -> IngestReport:
    """Index the corpus folder; unreadable files are reported and left out, the rest is indexed."""
    started = time.perf_counter()
    corpus = load_corpus(corpus_dir, aliases, plan_doc, limits)
    report = index_chunks(corpus.chunks, store, embedder, progress=progress, show_bar=show_bar,
                          keep_docs=corpus.failed_docs, batch=batch)
    report.documents = len(corpus.documents)
    report.errors = corpus.errors
    report.seconds = time.perf_counter() - started
    log.info("ingest: %s", report.summary())
    return report
