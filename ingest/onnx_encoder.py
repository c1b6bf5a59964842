"""ONNX Runtime encoder for a sentence-transformers folder: export once with torch, run without torch."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

from .embedding import CachingEmbedder

log = logging.getLogger(__name__)

EXPORT_VERSION = 1  # part of the stamp: bump it when the exported graph changes so caches rebuild
OPSET = 17
STAMP_FILE = "onnx_source.json"
VARIANTS = ("fp32", "int8")


def cpu_int8_flavour() -> str:
    """'vnni' where the CPU has AVX512-VNNI (full int8 range is safe), else 'avx2' (reduced range)."""
    try:
        flags = Path("/proc/cpuinfo").read_text(errors="ignore")
    except OSError:
        return "avx2"
    return "vnni" if "avx512_vnni" in flags or "avx_vnni" in flags else "avx2"


def onnx_filename(variant: str) -> str:
    if variant not in VARIANTS:
        raise ValueError(f"unknown ONNX variant {variant!r}; expected one of {VARIANTS}")
    return "model.onnx" if variant == "fp32" else f"model-int8-{cpu_int8_flavour()}.onnx"


def _source_stamp(model_dir: Path) -> dict:
    """What the export depends on: the weights file (size, mtime, head hash) and the exporter version."""
    weights = model_dir / "model.safetensors"
    if not weights.is_file():
        raise RuntimeError(f"{model_dir} has no model.safetensors to export")
    st = weights.stat()
    with open(weights, "rb") as fh:
        head = hashlib.sha256(fh.read(1 << 20)).hexdigest()  # full hash of 470 MB would cost a second per start
    return {"model_dir": model_dir.name, "size": st.st_size, "mtime_ns": st.st_mtime_ns, "head_sha256": head,
            "export_version": EXPORT_VERSION, "opset": OPSET}


def _export_fp32(model_dir: Path, out: Path) -> None:
    """torch.onnx.export of the transformer body (dynamic batch and sequence axes); pooling stays in numpy."""
    import torch
    from sentence_transformers import SentenceTransformer

    st = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
    body = st[0].auto_model.eval()

    class _Body(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    ids = torch.tensor([[0, 100, 200, 2], [0, 300, 2, 1]], dtype=torch.long)
    mask = torch.tensor([[1, 1, 1, 1], [1, 1, 1, 0]], dtype=torch.long)
    with torch.inference_mode(), warnings.catch_warnings():
        # tracer warnings about shape-dependent branches: the tests check other batch sizes and lengths
        warnings.simplefilter("ignore")
        # the TorchScript exporter: the dynamo one needs onnxscript, which nothing else here uses
        torch.onnx.export(_Body(body), (ids, mask), str(out), dynamo=False, opset_version=OPSET,
                          input_names=["input_ids", "attention_mask"], output_names=["last_hidden_state"],
                          dynamic_axes={"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"},
                                        "last_hidden_state": {0: "batch", 1: "seq"}})


def _quantize_int8(src: Path, out: Path) -> None:
    """Dynamic int8, per channel; reduced range without VNNI, where u8*s8 products can saturate."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(src), str(out), per_channel=True, weight_type=QuantType.QInt8,
                     reduce_range=cpu_int8_flavour() != "vnni")


def ensure_onnx(model_dir: Path, cache_dir: Path, variant: str = "fp32") -> Path:
    """cache_dir/<model>/<file>.onnx for the variant, exported (and quantised) only when missing or stale."""
    model_dir = Path(model_dir)
    name = onnx_filename(variant)
    out_dir = Path(cache_dir) / model_dir.name
    stamp = _source_stamp(model_dir)
    try:
        recorded = json.loads((out_dir / STAMP_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        recorded = None
    if recorded != stamp and out_dir.exists():
        log.info("ONNX cache %s is stale; rebuilding", out_dir)
        shutil.rmtree(out_dir)
    if (out_dir / name).is_file():
        return out_dir / name
    started = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    fp32 = out_dir / onnx_filename("fp32")
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".build-") as tmp:
        if not fp32.is_file():
            log.info("exporting %s to ONNX (once)", model_dir)
            _export_fp32(model_dir, Path(tmp) / fp32.name)
            os.replace(Path(tmp) / fp32.name, fp32)  # a killed build leaves no half-written file in place
        if variant == "int8":
            log.info("quantising %s to int8 (%s)", fp32, cpu_int8_flavour())
            _quantize_int8(fp32, Path(tmp) / name)
            os.replace(Path(tmp) / name, out_dir / name)
    (out_dir / STAMP_FILE).write_text(json.dumps(stamp, indent=1) + "\n", encoding="utf-8")
    log.info("built %s in %.1fs", out_dir / name, time.perf_counter() - started)
    return out_dir / name


def _read_json(path: Path, default: object) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return default


class OnnxEmbedder(CachingEmbedder):
    """Tokenizer from the folder's tokenizer.json, transformer in onnxruntime, pooling and norm as in s-t."""

    def __init__(self, session, tokenizer, identity: str, query_prefix: str = "", passage_prefix: str = "",
                 batch_size: int = 32, pooling: str = "mean", normalize: bool = True, pad_id: int = 0):
        super().__init__(identity, query_prefix, passage_prefix, batch_size)
        self.session = session
        self.tokenizer = tokenizer
        self.pad_id = pad_id
        self.pooling = pooling
        self.normalize = normalize

    @classmethod
    def from_folder(cls, model_dir: Path, onnx_path: Path, identity: str, query_prefix: str = "",
                    passage_prefix: str = "", batch_size: int = 32, threads: int = 0) -> OnnxEmbedder:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model_dir = Path(model_dir)
        max_len = int(_read_json(model_dir / "sentence_bert_config.json", {}).get("max_seq_length", 512))
        pool_cfg = _read_json(model_dir / "1_Pooling" / "config.json", {"pooling_mode_mean_tokens": True})
        pooling = "cls" if pool_cfg.get("pooling_mode_cls_token") else "mean"
        if not (pool_cfg.get("pooling_mode_mean_tokens") or pooling == "cls"):
            raise RuntimeError(f"{model_dir}: only mean or CLS pooling is supported by the ONNX backend")
        modules = _read_json(model_dir / "modules.json", [])
        normalize = any(str(m.get("type", "")).endswith("Normalize") for m in modules)
        tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        tokenizer.enable_truncation(max_length=max_len)  # as sentence-transformers' max_seq_length
        tokenizer.no_padding()
        opts = ort.SessionOptions()
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        if threads:
            opts.intra_op_num_threads = threads
        session = ort.InferenceSession(str(onnx_path), opts, providers=["CPUExecutionProvider"])
        pad = _read_json(model_dir / "special_tokens_map.json", {}).get("pad_token", "<pad>")
        pad_id = tokenizer.token_to_id(pad if isinstance(pad, str) else pad.get("content", "<pad>")) or 0
        return cls(session, tokenizer, identity, query_prefix, passage_prefix, batch_size, pooling, normalize,
                   pad_id)

    def token_ids(self, texts: list[str]) -> list[list[int]]:
        return [enc.ids for enc in self.tokenizer.encode_batch(texts)]

    def encode(self, texts: list[str]) -> np.ndarray:
        # a question or the few parts of one: encoding them one by one skips the tokenizer's thread pool, whose
        # wake-up after an idle moment costs more (about 2 ms) than the work itself (tens of microseconds)
        encs = [self.tokenizer.encode(t) for t in texts] if len(texts) <= 8 else self.tokenizer.encode_batch(texts)
        out = np.zeros((len(texts), 0), np.float32)
        # longest first, as sentence-transformers does, so each batch pads to similar lengths
        order = sorted(range(len(encs)), key=lambda i: -len(encs[i].ids))
        for start in range(0, len(order), self.batch_size):
            part = order[start:start + self.batch_size]
            width = max(len(encs[i].ids) for i in part)
            ids = np.full((len(part), width), self.pad_id, np.int64)
            mask = np.zeros((len(part), width), np.int64)
            for row, i in enumerate(part):
                n = len(encs[i].ids)
                ids[row, :n], mask[row, :n] = encs[i].ids, 1
            hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
            vecs = self._pool(hidden, mask)
            if out.shape[1] == 0:
                out = np.zeros((len(texts), vecs.shape[1]), np.float32)
            out[part] = vecs
        return out

    def _pool(self, hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
        if self.pooling == "cls":
            vecs = hidden[:, 0].astype(np.float32)
        else:
            m = mask[:, :, None].astype(np.float32)
            vecs = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
        if self.normalize:
            vecs = vecs / np.clip(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12, None)
        return vecs.astype(np.float32)
