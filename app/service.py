"""The running service: store, embedder, current index and answerer, document management."""

from __future__ import annotations

import hmac
import logging
import threading
import time
from pathlib import Path

from ingest.embedding import Embedder, LazyEmbedder
from ingest.loaders import LoadError, load_document
from ingest.pipeline import IngestReport, Progress, parse_document, run_ingest
from ingest.settings import Settings
from ingest.store import IndexStore, StoreUnavailable, open_client
from ingest.units import AliasTable
from retriever.index import KnowledgeIndex
from retriever.lexical import TokenCache

from .admin_guard import LoginThrottle
from .answerer import Answerer
from .curated import CuratedStore
from .inputs import sanitize_question
from .models import Answer, DialogueContext
from .quoting import sentences_of
from .uploads import CorpusEdit, UploadRejected, check_upload_name

log = logging.getLogger(__name__)

__all__ = ["Service", "UploadRejected"]


class Service:
    """Everything a front end needs; built once per process by the entry point."""

    def __init__(self, settings: Settings, store: IndexStore, embedder: Embedder, aliases: AliasTable | None = None,
                 phraser=None, throttle: LoginThrottle | None = None, curated: CuratedStore | None = None):
        self.settings = settings
        self.curated = curated or CuratedStore(settings.feedback_path)
        self.store = store
        self.embedder = embedder
        self.aliases = aliases or AliasTable.load()
        self.phraser = phraser
        self.throttle = throttle or LoginThrottle(settings.admin_max_failures, settings.admin_failure_window_s,
                                                  settings.admin_lockout_s)
        self._write_lock = threading.Lock()
        self._reload_lock = threading.Lock()
        self._check_running = threading.Lock()
        self._checked_at = time.monotonic()
        self.answerer: Answerer = self._build_answerer()

    @classmethod
    def create(cls, settings: Settings, wait_for_model: bool = True) -> Service:
        """Open the configured store; the model loads on the first question that needs it (or `load_model`).

        With wait_for_model=False (the page) a question asked while the model loads is answered from keywords.
        """
        from ingest.factory import make_lazy_embedder

        from .llm import make_phraser

        store = IndexStore(open_client(settings), settings.collection, retry_after_s=settings.store_retry_s)
        return cls(settings, store, make_lazy_embedder(settings, wait=wait_for_model),
                   phraser=make_phraser(settings))

    def load_model(self, background: bool = False) -> None:
        """Load the embedding model now, or start loading it in a background thread."""
        if isinstance(self.embedder, LazyEmbedder):
            if background:
                loading = self.embedder.load_in_background()
                threading.Thread(target=lambda: (loading.join(), self.warm_sentences()), daemon=True,
                                 name="xzqa-sentence-vectors").start()
            else:
                self.embedder.get()

    def warm_sentences(self) -> int:
        """Sentence vectors of the loaded index, so no question pays for encoding its clauses' sentences."""
        index = self.answerer.index  # the very sentences answers choose from (joined and filtered as they are)
        return index.sentence_vectors.warm(s for cid in index.chunks for s in sentences_of(index.hit(cid, 0.0)))

    def warm_up(self, with_model: bool = True) -> None:
        """Pay one-off costs (tokenizer caches and, with_model, the model and its first call) up front."""
        self.answerer.answer("区总工会负责哪些任务")  # a record lookup: jieba and the parser, no model
        if with_model:
            self.load_model()
            self.answerer.answer("预热：协作工作怎么开展")
            self.embedder.embed_query("预热")
            self.warm_sentences()

    def _build_answerer(self) -> Answerer:
        index = KnowledgeIndex.load(self.store, self.embedder, self.aliases, self.settings.plan_doc,
                                    TokenCache(self.settings.token_cache_dir))
        return Answerer(index, max_chars=self.settings.max_question_chars, top_k=self.settings.top_k,
                        phraser=self.phraser)

    def reload(self) -> None:
        # readers keep the old answerer until this single assignment; one reload at a time, so a slow
        # background reload can never replace a newer index with an older one
        with self._reload_lock:
            self.answerer = self._build_answerer()
        self.review_curated()
        if getattr(self.embedder, "loaded", False):  # a new index: its sentences, off the request path
            threading.Thread(target=self.warm_sentences, name="xzqa-sentence-vectors", daemon=True).start()

    def review_curated(self) -> None:
        """Flag curated answers whose cited clauses the loaded index no longer has (待复核)."""
        try:
            self.curated.review(self.index)
        except Exception:  # the index is loaded either way; the next question reviews again
            log.exception("could not review curated answers")

    @property
    def index(self) -> KnowledgeIndex:
        return self.answerer.index

    def ask(self, question: object, context: DialogueContext | None = None) -> Answer:
        """Answer any payload: non-text gets a refusal, invalid characters are dropped with a notice."""
        text, notice = sanitize_question(question)
        if text is None:
            return Answer(question="", answer=notice, found=False, mode="refusal", notice="not text")
        self._poll_generation()
        answerer = self.answerer
        ans = answerer.answer(text, context)
        if self.settings.curated_answers:
            try:  # a maintainer's answer goes above; a broken database must not cost the user the documents' answer
                ans = self.curated.apply(text, ans, answerer.index)
            except Exception:
                log.exception("curated answers unavailable")
        if notice:
            ans.notice = " ".join(x for x in (notice, ans.notice) if x)
        return ans

    # --- other processes' re-indexes ---------------------------------------------------------------
    def _poll_generation(self) -> None:
        """At most every generation_poll_s, check in the background whether another process switched the index
        generation; questions never wait for the store here (a hung server must not hold up record lookups)."""
        if time.monotonic() - self._checked_at < self.settings.generation_poll_s:
            return
        if not self._check_running.acquire(blocking=False):
            return
        self._checked_at = time.monotonic()
        threading.Thread(target=self._check_in_background, name="xzqa-generation-check", daemon=True).start()

    def _check_in_background(self) -> None:
        try:
            self.refresh_if_stale()
        except StoreUnavailable as exc:
            log.warning("index generation check skipped: %s", exc)
        except Exception:  # a background thread must not die silently: log and keep serving the loaded index
            log.exception("index generation check failed")
        finally:
            self._checked_at = time.monotonic()
            self._check_running.release()

    def refresh_if_stale(self) -> bool:
        """Reload when the store's active generation is not the one loaded; True when it reloaded."""
        with self._reload_lock:
            active, loaded = self.store.active_name(), self.index.snapshot.collection
            if (active or "") == loaded:
                return False
            log.info("index generation changed (%s -> %s): reloading", loaded or "none", active or "none")
            self.answerer = self._build_answerer()
        self.review_curated()
        return True

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
                            self.settings.plan_doc, progress=progress, show_bar=show_bar,
                            limits=self.settings.load_limits())
        try:
            self.reload()
        except StoreUnavailable as exc:  # the new generation is active; the next generation check loads it
            log.warning("re-indexed, but reloading failed: %s", exc)
        return report

    def _apply(self, edit: CorpusEdit, name: str, progress: Progress | None) -> IngestReport:
        """Re-index after `edit`; any failure restores the corpus folder, so disk and index never disagree."""
        try:
            return self._reindex_locked(progress)
        except StoreUnavailable as exc:
            edit.rollback()
            raise UploadRejected(f"{name}：向量库暂不可用，未作任何改动，请稍后再试（{exc}）") from exc
        except BaseException:
            edit.rollback()
            raise

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

    def document_file(self, doc_id: str) -> Path | None:
        """The corpus file a document was indexed from (None when it is gone)."""
        files = self._existing(doc_id) if doc_id and "/" not in doc_id and not doc_id.startswith(".") else []
        return files[0] if files else None

    # --- administration -------------------------------------------------------------------------
    def admin_enabled(self) -> bool:
        return bool(self.settings.admin_password)

    def check_admin(self, password: str | None, client: str = "local") -> bool:
        """Constant-time password check; failures count against `client` (see admin_locked_for)."""
        expected = self.settings.admin_password
        ok = bool(expected) and isinstance(password, (str, type(None))) and hmac.compare_digest(
            (password or "").encode("utf-8", "replace"), expected.encode("utf-8", "replace"))
        if ok:
            self.throttle.success(client)
        else:
            log.warning("wrong admin password from %s", client)
            self.throttle.failure(client)
        return ok

    def admin_locked_for(self, client: str = "local") -> float:
        """Seconds until `client` may try the admin password again (0: now)."""
        return self.throttle.locked_for(client)

    def _existing(self, stem: str) -> list[Path]:
        corpus = self.settings.corpus_dir
        return [p for p in corpus.rglob("*") if p.is_file() and p.stem == stem] if corpus.is_dir() else []

    def add_file(self, filename: str, data: bytes, progress: Progress | None = None) -> str:
        """Validate, store and index one uploaded file, all or nothing; content already indexed changes nothing."""
        name = check_upload_name(filename)
        if not data:
            raise UploadRejected(f"{name}：文件为空（0 字节）")
        limit = self.settings.max_upload_mb * 1024 * 1024
        if len(data) > limit:
            raise UploadRejected(f"{name}：文件过大（{len(data) / 1048576:.1f} MB，上限 {self.settings.max_upload_mb} MB）")
        path = self.settings.corpus_dir / name
        limits = self.settings.load_limits()
        try:  # read and parse before anything is written
            doc = load_document(path, data, limits)
            _, chunks = parse_document(doc, self.aliases, self.settings.plan_doc, limits)
        except LoadError as exc:
            raise UploadRejected(f"{name}：{exc.reason}") from exc
        with self._write_lock:
            existing = self._existing(path.stem)
            try:
                indexed = self.store.chunk_ids(doc.doc_id)
            except StoreUnavailable as exc:
                raise UploadRejected(f"{name}：向量库暂不可用，未作任何改动，请稍后再试（{exc}）") from exc
            # "unchanged" only when the same bytes are on disk and exactly their chunks are what is indexed
            if existing == [path] and path.read_bytes() == data and indexed == {c.id for c in chunks}:
                return f"{name}：内容与已有文件相同，未作改动。"
            edit = CorpusEdit()
            try:
                edit.write(path, data)
                for old in existing:  # a new version in another format replaces the old file
                    if old != path:
                        edit.remove(old)
            except OSError as exc:
                edit.rollback()
                raise UploadRejected(f"{name}：无法写入语料文件夹（{exc.strerror or exc}），未作任何改动") from exc
            report = self._apply(edit, name, progress)
        return f"{name}：已导入。{report.summary_zh()}"

    def delete_document(self, doc_id: str, progress: Progress | None = None) -> str:
        with self._write_lock:
            files = self._existing(doc_id)
            if not files:
                raise UploadRejected(f"没有文档 {doc_id}")
            edit = CorpusEdit()
            for p in files:
                edit.remove(p)
            report = self._apply(edit, doc_id, progress)
        return f"已删除 {doc_id}。{report.summary_zh()}"
