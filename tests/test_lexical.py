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
