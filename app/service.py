"""The running service: store, embedder, current index and answerer, document management."""

from __future__ import annotations

import hmac
import logging
import os
import re
import tempfile
import threading
from pathlib import Path

from ingest.embedding import Embedder, LazyEmbedder
from ingest.loaders import SUPPORTED_SUFFIXES, LoadError, load_document
from ingest.pipeline import IngestReport, Progress, parse_document, run_ingest
from ingest.settings import Settings
from ingest.store import IndexStore, open_client
from ingest.units import AliasTable
from retriever.index import KnowledgeIndex
from retriever.lexical import TokenCache

from .answerer import Answerer
from .models import Answer, DialogueContext

log = logging.getLogger(__name__)


class UploadRejected(ValueError):
    """An uploaded file was refused; the message says why. Nothing was changed."""


class Service:
    """Everything a front end needs; built once per process by the entry point."""

    def __init__(self, settings: Settings, store: IndexStore, embedder: Embedder, aliases: AliasTable | None = None,
                 phraser=None):
        self.settings = settings
        self.store = store
        self.embedder = embedder
        self.aliases = aliases or AliasTable.load()
        self.phraser = phraser
        self._write_lock = threading.Lock()
        self.answerer: Answerer = self._build_answerer()

    @classmethod
    def create(cls, settings: Settings, wait_for_model: bool = True) -> Service:
        """Open the configured store; the model loads on the first question that needs it (or `load_model`).

        With wait_for_model=False (the page) a question asked while the model loads is answered from keywords.
        """
        from ingest.factory import make_lazy_embedder

        from .llm import make_phraser

        store = IndexStore(open_client(settings), settings.collection)
        return cls(settings, store, make_lazy_embedder(settings, wait=wait_for_model),
                   phraser=make_phraser(settings))

    def load_model(self, background: bool = False) -> None:
        """Load the embedding model now, or start loading it in a background thread."""
        if isinstance(self.embedder, LazyEmbedder):
            if background:
                self.embedder.load_in_background()
            else:
                self.embedder.get()

    def warm_up(self, with_model: bool = True) -> None:
        """Pay one-off costs (tokenizer caches and, with_model, the model and its first call) up front."""
        self.answerer.answer("区总工会负责哪些任务")  # a record lookup: jieba and the parser, no model
        if with_model:
            self.load_model()
            self.answerer.answer("预热：协作工作怎么开展")
            self.embedder.embed_query("预热")

    def _build_answerer(self) -> Answerer:
        index = KnowledgeIndex.load(self.store, self.embedder, self.aliases, self.settings.plan_doc,
                                    TokenCache(self.settings.token_cache_dir))
        return Answerer(index, max_chars=self.settings.max_question_chars, top_k=self.settings.top_k,
                        phraser=self.phraser)

    def reload(self) -> None:
        # readers keep the old answerer until this single assignment
        self.answerer = self._build_answerer()

    @property
    def index(self) -> KnowledgeIndex:
        return self.answerer.index

    def ask(self, question: str, context: DialogueContext | None = None) -> Answer:
        return self.answerer.answer(question, context)

    # --- indexing -------------------------------------------------------------------------------
    def ensure_index(self, progress: Progress | None = None, show_bar: bool = False) -> IngestReport | None:
        """Build the index when it is empty (first start) or made by another model or backend; else leave it alone."""
        built_by = self.index.snapshot.model
        if len(self.index) and built_by in ("", self.embedder.identity):
            return None
        if len(self.index):
            # e.g. torch vectors under an int8 encoder: re-embed once rather than mix the two
            log.warning("index was built by %s, the encoder is %s: re-embedding", built_by, self.embedder.identity)
        return self.reindex(progress, show_bar=show_bar)

    def reindex(self, progress: Progress | None = None, show_bar: bool = False) -> IngestReport:
        with self._write_lock:
            return self._reindex_locked(progress, show_bar)

    def _reindex_locked(self, progress: Progress | None = None, show_bar: bool = False) -> IngestReport:
        """Index the corpus folder and switch readers to it; the caller holds the write lock."""
        report = run_ingest(self.settings.corpus_dir, self.store, self.embedder, self.aliases,
                            self.settings.plan_doc, progress=progress, show_bar=show_bar)
        self.reload()
        return report

    def documents(self) -> list[dict]:
        """One row per indexed document: id, title, kind, chunk count, last indexing time."""
        rows: dict[str, dict] = {}
        for meta in self.index.snapshot.metadatas:
            row = rows.setdefault(meta["doc"], {"doc": meta["doc"], "title": meta.get("title", ""),
                                                "kind": "工作要点" if meta.get("kind") != "prose" else "相关文件",
                                                "chunks": 0, "indexed_at": ""})
            row["chunks"] += 1
            row["indexed_at"] = max(row["indexed_at"], meta.get("indexed_at", ""))
        return sorted(rows.values(), key=lambda r: (r["kind"] != "工作要点", r["doc"]))

    # --- administration -------------------------------------------------------------------------
    def admin_enabled(self) -> bool:
        return bool(self.settings.admin_password)

    def check_admin(self, password: str | None) -> bool:
        expected = self.settings.admin_password
        return bool(expected) and hmac.compare_digest((password or "").encode(), expected.encode())

    def _safe_name(self, filename: str) -> str:
        name = str(filename)
        # a path in the name ("../../x.txt") is refused, not silently stripped
        if not name or "/" in name or "\\" in name or name.startswith(".") or re.search(r"[\x00-\x1f]", name):
            raise UploadRejected(f"不合法的文件名：{filename!r}（不能包含路径或以“.”开头）")
        if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
            raise UploadRejected(f"不支持的文件类型：{Path(name).suffix or '无扩展名'}（支持 {'、'.join(SUPPORTED_SUFFIXES)}）")
        return name

    def _existing(self, stem: str) -> list[Path]:
        corpus = self.settings.corpus_dir
        return [p for p in corpus.rglob("*") if p.is_file() and p.stem == stem] if corpus.is_dir() else []

    def add_file(self, filename: str, data: bytes, progress: Progress | None = None) -> str:
        """Validate, store and index one uploaded file; identical content changes nothing."""
        name = self._safe_name(filename)
        if not data:
            raise UploadRejected(f"{name}：文件为空（0 字节）")
        limit = self.settings.max_upload_mb * 1024 * 1024
        if len(data) > limit:
            raise UploadRejected(f"{name}：文件过大（{len(data) / 1048576:.1f} MB，上限 {self.settings.max_upload_mb} MB）")
        path = self.settings.corpus_dir / name
        try:  # read and parse before anything is written
            doc = load_document(path, data)
            parse_document(doc, self.aliases, self.settings.plan_doc)
        except LoadError as exc:
            raise UploadRejected(f"{name}：{exc.reason}") from exc
        with self._write_lock:
            existing = self._existing(path.stem)
            if any(p.read_bytes() == data for p in existing):
                return f"{name}：内容与已有文件相同，未作改动。"
            others = [p for p in existing if p != path]
            self.settings.corpus_dir.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.settings.corpus_dir, prefix=".upload-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
            for old in others:  # a new version in another format replaces the old file
                old.unlink()
            report = self._reindex_locked(progress)
        return f"{name}：已导入。{report.summary()}"

    def delete_document(self, doc_id: str, progress: Progress | None = None) -> str:
        with self._write_lock:
            files = self._existing(doc_id)
            if not files:
                raise UploadRejected(f"没有文档 {doc_id}")
            for p in files:
                p.unlink()
            report = self._reindex_locked(progress)
        return f"已删除 {doc_id}。{report.summary()}"
