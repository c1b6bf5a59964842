"""BM25 over jieba tokens, with jieba's dictionary extended by the plan's unit names and key terms."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable

log = logging.getLogger(__name__)

_TOKEN_OK = re.compile(r"[\w\u4e00-\u9fff]")


class JiebaTokenizer:
    """A private jieba Tokenizer (no global state) that knows the domain's multi-character terms."""

    def __init__(self, user_words: Iterable[str] = (), stopwords: Iterable[str] | None = None):
        import jieba

        jieba.setLogLevel(logging.WARNING)
        self._tk = jieba.Tokenizer()
        self._pos = None
        if stopwords is None:
            from .lexicon import Lexicon

            stopwords = Lexicon.load().stopwords
        self.stopwords = frozenset(stopwords)
        for word in user_words:
            if len(word) >= 2:
                self._tk.add_word(word, freq=20000)

    def tokens(self, text: str, search: bool = True) -> list[str]:
        """Tokens (search mode adds sub-words), lower-cased, without stopwords or punctuation."""
        out = []
        cut = self._tk.cut_for_search(text.lower()) if search else self._tk.cut(text.lower())
        for tok in cut:
            tok = tok.strip()
            if tok and tok not in self.stopwords and _TOKEN_OK.search(tok):
                out.append(tok)
        return out

    def tagged(self, text: str) -> list[tuple[str, str]]:
        """(word, part-of-speech) pairs, lower-cased: names (ns, nr, nt …) matter to the answer gate."""
        if self._pos is None:
            import jieba.posseg

            self._pos = jieba.posseg.POSTokenizer(self._tk)
        return [(w.word.strip(), w.flag) for w in self._pos.cut(text.lower()) if w.word.strip()]

    def subwords(self, word: str) -> list[str]:
        return [t for t in self._tk.cut_for_search(word) if t.strip()]

    def frequency(self, word: str) -> int:
        """The word's count in jieba's general dictionary (0 when unknown): how everyday a word is."""
        self._tk.check_initialized()
        return int(self._tk.FREQ.get(word, 0))


class BM25Index:
    """Okapi BM25 (k1=1.5, b=0.75, rank_bm25's idf floor) as a term x chunk sparse matrix: one product per query."""

    def __init__(self, ids: list[str], texts: list[str], tokenizer: JiebaTokenizer,
                 k1: float = 1.5, b: float = 0.75, epsilon: float = 0.25):
        import numpy as np
        from scipy.sparse import csr_matrix

        self.ids = ids
        self.tokenizer = tokenizer
        self.vocab: dict[str, int] = {}
        rows, cols, counts = [], [], []
        doc_len = np.zeros(len(texts))
        for d, text in enumerate(texts):
            toks = tokenizer.tokens(text)
            doc_len[d] = len(toks)
            tf: dict[int, int] = {}
            for tok in toks:
                t = self.vocab.setdefault(sys.intern(tok), len(self.vocab))
                tf[t] = tf.get(t, 0) + 1
            rows += tf.keys()
            cols += [d] * len(tf)
            counts += tf.values()
        n = len(texts)
        avgdl = float(doc_len.mean()) if n and doc_len.sum() else 1.0
        f = np.asarray(counts, dtype=float)
        norm = k1 * (1 - b + b * doc_len / avgdl)
        weights = f * (k1 + 1) / (f + norm[np.asarray(cols, dtype=int)]) if counts else f
        self._m = csr_matrix((weights, (rows, cols)), shape=(len(self.vocab), n))
        df = np.bincount(np.asarray(rows, dtype=int), minlength=len(self.vocab)).astype(float)
        idf = np.log(n - df + 0.5) - np.log(df + 0.5)
        # very common terms get a small positive idf instead of a negative one (as rank_bm25 does)
        floor = epsilon * (idf.mean() if len(idf) else 0.0)
        self._idf = np.where(idf < 0, floor, idf)

    def search(self, query: str, k: int = 20, rows: list[int] | None = None) -> list[tuple[str, float]]:
        """The k best chunks; `rows` limits the search to those chunk positions (e.g. one document's)."""
        import numpy as np

        terms = [self.vocab[t] for t in self.tokenizer.tokens(query) if t in self.vocab]
        if not terms or not self.ids:
            return []
        scores = np.asarray(self._m[terms].T @ self._idf[terms]).ravel()
        if rows is not None:
            mask = np.zeros(len(scores), dtype=bool)
            mask[np.asarray(rows, dtype=int)] = True
            scores = np.where(mask, scores, 0.0)
        if len(scores) > k:  # only the k best need sorting (ties keep chunk order)
            cut = np.partition(scores, len(scores) - k)[len(scores) - k]
            cand = np.nonzero(scores >= cut)[0]
        else:
            cand = np.arange(len(scores))
        top = cand[np.argsort(-scores[cand], kind="stable")][:k]
        return [(self.ids[i], float(scores[i])) for i in top if scores[i] > 0]

    def has(self, token: str) -> bool:
        return token in self.vocab

    def idf(self, token: str) -> float:
        i = self.vocab.get(token)
        return float(self._idf[i]) if i is not None else 0.0
