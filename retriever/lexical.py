"""BM25 over jieba tokens, with jieba's dictionary extended by the plan's unit names and key terms."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

log = logging.getLogger(__name__)

# Function words and question filler that carry no topic.
STOPWORDS = set(
    "的 了 和 与 及 是 在 有 哪 哪些 哪个 哪项 哪一项 哪条 哪一条 什么 怎么 怎样 如何 吗 呢 吧 啊 呀 请问 请 问 "
    "一下 那 那个 这 这个 这些 那些 要 会 能 可以 被 把 对 从 为 为了 让 给 去 来 过 着 也 都 还 又 就 而 "
    "一 个 项 条 第 中 里 上 下 之 其 等 或 及其 以及 并 并且 通过 关于 多少 几 谁 吗 么 做 做成 搞 "
    "是否 有没有 是不是 那块 那边 这边 这块 当地 讲 说 写 提 提到 规定 要求".split()
)
_TOKEN_OK = re.compile(r"[\w\u4e00-\u9fff]")


class JiebaTokenizer:
    """A private jieba Tokenizer (no global state) that knows the domain's multi-character terms."""

    def __init__(self, user_words: Iterable[str] = ()):
        import jieba

        jieba.setLogLevel(logging.WARNING)
        self._tk = jieba.Tokenizer()
        for word in user_words:
            if len(word) >= 2:
                self._tk.add_word(word, freq=20000)

    def tokens(self, text: str, search: bool = True) -> list[str]:
        """Tokens (search mode adds sub-words), lower-cased, without stopwords or punctuation."""
        out = []
        cut = self._tk.cut_for_search(text.lower()) if search else self._tk.cut(text.lower())
        for tok in cut:
            tok = tok.strip()
            if tok and tok not in STOPWORDS and _TOKEN_OK.search(tok):
                out.append(tok)
        return out


class BM25Index:
    """Okapi BM25 over chunk texts; returns (chunk id, raw score) pairs, best first."""

    def __init__(self, ids: list[str], texts: list[str], tokenizer: JiebaTokenizer):
        from rank_bm25 import BM25Okapi

        self.ids = ids
        self.tokenizer = tokenizer
        corpus = [tokenizer.tokens(t) or ["\u0000"] for t in texts]
        self._bm25 = BM25Okapi(corpus) if corpus else None
        self.doc_tokens = [set(toks) for toks in corpus]

    def search(self, query: str, k: int = 20) -> list[tuple[str, float]]:
        toks = self.tokenizer.tokens(query)
        if not toks or self._bm25 is None:
            return []
        scores = self._bm25.get_scores(toks)
        order = sorted(range(len(scores)), key=lambda i: -scores[i])[:k]
        return [(self.ids[i], float(scores[i])) for i in order if scores[i] > 0]

    def has(self, token: str) -> bool:
        return self._bm25 is not None and token in self._bm25.idf

    def idf(self, token: str) -> float:
        if self._bm25 is None:
            return 0.0
        return float(self._bm25.idf.get(token, 0.0))
