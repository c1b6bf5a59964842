"""BM25 over jieba tokens: the sparse-matrix scorer gives rank_bm25's exact scores on the real corpus."""

from __future__ import annotations

import pytest

from ingest.pipeline import load_corpus
from retriever.index import lexical_text
from retriever.lexical import BM25Index, JiebaTokenizer

from .conftest import CORPUS

QUESTIONS = ["区总工会负责哪些任务", "劳模疗休养", "远程医疗协作", "订单农业、订单培养", "国办发〔2018〕129号", "GDP"]


@pytest.fixture(scope="module")
def built(aliases):
    corpus = load_corpus(CORPUS, aliases, "2026_tongzhou_dongxibu_xiezuo_gongzuo_yaodian")
    ids = [c.id for c in corpus.chunks]
    texts = [lexical_text(c.text, c.metadata) for c in corpus.chunks]
    tok = JiebaTokenizer(list(aliases.aliases))
    return ids, texts, tok, BM25Index(ids, texts, tok)


@pytest.mark.parametrize("q", QUESTIONS)
def test_scores_equal_rank_bm25(built, q):
    rank_bm25 = pytest.importorskip("rank_bm25")
    ids, texts, tok, index = built
    okapi = rank_bm25.BM25Okapi([tok.tokens(t) for t in texts])
    expected = okapi.get_scores(tok.tokens(q)) if tok.tokens(q) else []
    got = dict(index.search(q, k=len(ids)))
    for cid, score in zip(ids, expected):
        if score > 0:
            assert got[cid] == pytest.approx(score, rel=1e-9)
        else:
            assert cid not in got


def test_unknown_terms_and_idf(built):
    ids, texts, tok, index = built
    assert index.search("完全无关的外星词汇xyzzy") == []
    assert index.has("劳模") and not index.has("xyzzy") and index.idf("xyzzy") == 0.0
    assert index.idf("劳模") > index.idf("责任") > 0  # 责任单位 is in every task: common, yet floored above 0


def test_tokenizer_knows_domain_words(built):
    _, _, tok, _ = built
    assert "区总工会" in tok.tokens("区总工会负责哪些任务", search=False)
    assert "的" not in tok.tokens("区总工会的任务")


def _scores(index, queries=QUESTIONS):
    return [index.search(q, k=50) for q in queries]


def test_token_cache_gives_the_same_index_and_skips_jieba(built, tmp_path, monkeypatch):
    from retriever.lexical import TokenCache

    ids, texts, tok, plain = built
    first = BM25Index(ids, texts, tok, cache=TokenCache(tmp_path))
    assert _scores(first) == _scores(plain) and first.vocab.keys() == plain.vocab.keys()
    assert len(list(tmp_path.glob("tokens-*.npz"))) == 1

    cache = TokenCache(tmp_path)  # a restart: every text is found by its hash, jieba is not run on any
    monkeypatch.setattr(tok, "tokens", lambda text, search=True: pytest.fail("re-tokenized a cached text"))
    again = BM25Index(ids, texts, tok, cache=cache)
    monkeypatch.undo()
    assert (cache.hits, cache.misses) == (len(texts), 0)
    assert _scores(again) == _scores(plain)


def test_token_cache_tokenizes_only_new_texts(built, tmp_path):
    from retriever.lexical import TokenCache

    ids, texts, tok, _ = built
    BM25Index(ids[:-3], texts[:-3], tok, cache=TokenCache(tmp_path))
    cache = TokenCache(tmp_path)
    index = BM25Index(ids, texts, tok, cache=cache)
    assert cache.misses == 3
    assert _scores(index) == _scores(BM25Index(ids, texts, tok))


def test_token_cache_is_keyed_by_tokenizer_and_survives_damage(built, tmp_path, aliases):
    from retriever.lexical import TokenCache

    ids, texts, tok, plain = built
    BM25Index(ids, texts, tok, cache=TokenCache(tmp_path))
    other = JiebaTokenizer(list(aliases.aliases) + ["疗休养服务"])  # new user words may cut differently
    assert other.signature != tok.signature
    cache = TokenCache(tmp_path)
    BM25Index(ids, texts, other, cache=cache)
    assert cache.hits == 0 and len(list(tmp_path.glob("tokens-*.npz"))) == 2
    for path in tmp_path.glob("tokens-*.npz"):
        path.write_bytes(b"not a zip")
    cache = TokenCache(tmp_path)
    assert _scores(BM25Index(ids, texts, tok, cache=cache)) == _scores(plain) and cache.hits == 0


def test_empty_and_tokenless_texts(tmp_path, aliases):
    from retriever.lexical import TokenCache

    tok = JiebaTokenizer(list(aliases.aliases))
    empty = BM25Index([], [], tok, cache=TokenCache(tmp_path))
    assert empty.search("劳模") == []
    odd = BM25Index(["a", "b", "c"], ["，。！", "劳模疗休养", "远程医疗"], tok, cache=TokenCache(tmp_path))
    assert [cid for cid, _ in odd.search("劳模")] == ["b"]


def test_token_cache_keeps_digests_ending_in_zero_bytes(tmp_path, aliases):
    import hashlib

    from retriever.lexical import TokenCache

    text = next(t for t in (f"劳模疗休养{i}" for i in range(10000))
                if hashlib.sha1(t.encode("utf-8")).digest().endswith(b"\0"))
    tok = JiebaTokenizer(list(aliases.aliases))
    TokenCache(tmp_path).encode([text, "远程医疗"], tok)
    cache = TokenCache(tmp_path)
    cache.encode([text, "远程医疗"], tok)
    assert (cache.hits, cache.misses) == (2, 0)
