"""BM25 over jieba tokens (dictionary extended by the plan's unit names and key terms), tokens cached on disk."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)

_TOKEN_OK = re.compile(r"[\w\u4e00-\u9fff]")
_TOKENS_VERSION = 1  # bump when tokens() changes, so cached tokens are not reused


class JiebaTokenizer:
    """A private jieba Tokenizer (no global state) that knows the domain's multi-character terms."""

    def __init__(self, user_words: Iterable[str] = (), stopwords: Iterable[str] | None = None):
        import jieba

        jieba.setLogLevel(logging.WARNING)
        self._tk = jieba.Tokenizer()
        self._pos = None
        self._tagged: dict[str, list[tuple[str, str]]] = {}
        if stopwords is None:
            from .lexicon import Lexicon

            stopwords = Lexicon.load().stopwords
        self.stopwords = frozenset(stopwords)
        # order and repeats kept as given: each add_word raises jieba's total frequency, which shapes the cut
        words = [w for w in user_words if len(w) >= 2]
        for word in words:
            self._tk.add_word(word, freq=20000)
        # everything that decides the tokens: a cached token list is valid only under the same signature
        parts = [str(_TOKENS_VERSION), getattr(jieba, "__version__", "?"), " ".join(sorted(self.stopwords)), *words]
        self.signature = hashlib.sha1("\n".join(parts).encode("utf-8")).hexdigest()

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
        cached = self._tagged.get(text)
        if cached is not None:  # one question is read several times (gate, parts, who-by-description)
            return cached
        if self._pos is None:
            import jieba.posseg

            self._pos = jieba.posseg.POSTokenizer(self._tk)
        out = [(w.word.strip(), w.flag) for w in self._pos.cut(text.lower()) if w.word.strip()]
        if len(self._tagged) >= 4096:
            self._tagged.clear()
        self._tagged[text] = out
        return out

    def spans(self, text: str) -> list[tuple[str, int, int]]:
        """(word, start, end) of the default cut, unknown words guessed by jieba's HMM as a reader would."""
        return [(w, a, b) for w, a, b in self._tk.tokenize(text.lower()) if w.strip()]

    def subwords(self, word: str) -> list[str]:
        return [t for t in self._tk.cut_for_search(word) if t.strip()]

    def dictionary_cut(self, word: str) -> list[str]:
        """The word cut into dictionary words only (no guessing of new words): "山里娃" → 山里 / 娃."""
        return [t for t in self._tk.cut(word, HMM=False) if t.strip()]

    def frequency(self, word: str) -> int:
        """The word's count in jieba's general dictionary (0 when unknown): how everyday a word is."""
        self._tk.check_initialized()
        return int(self._tk.FREQ.get(word, 0))


class TokenCache:
    """Each text's tokens keyed by its content hash, one .npz per tokenizer signature, kept beside the index.

    A restart (or a re-index that changed a few documents) tokenizes only texts it has not seen.
    """

    keep_files = 4  # signatures kept per folder; older ones are deleted when a new one is written

    def __init__(self, directory: Path | None):
        self.directory = Path(directory) if directory is not None else None
        self.hits = 0
        self.misses = 0

    def _path(self, signature: str) -> Path:
        return self.directory / f"tokens-{signature[:20]}.npz"

    def _load(self, signature: str) -> tuple[list[str], dict[bytes, np.ndarray]]:
        import numpy as np

        try:
            with np.load(self._path(signature), allow_pickle=False) as data:
                vocab, keys, offsets, flat = (data[k] for k in ("vocab", "keys", "offsets", "ids"))
        except (OSError, ValueError, KeyError) as exc:
            if not isinstance(exc, FileNotFoundError):
                log.warning("token cache %s unreadable (%s); tokenizing again", self._path(signature), exc)
            return [], {}
        parts = np.split(flat, offsets[1:-1]) if len(keys) else []
        raw = keys.tobytes()  # raw digests: an "S20" array would drop trailing zero bytes
        return vocab.tolist(), dict(zip((raw[i:i + 20] for i in range(0, len(raw), 20)), parts, strict=True))

    def encode(self, texts: list[str], tokenizer: JiebaTokenizer) -> tuple[list[str], list[np.ndarray]]:
        """(vocabulary, token ids per text), tokenizing only texts missing from the cache."""
        import numpy as np

        vocab, known = self._load(tokenizer.signature) if self.directory else ([], {})
        index = {t: i for i, t in enumerate(vocab)}
        keys = [hashlib.sha1(t.encode("utf-8")).digest() for t in texts]
        out: list[np.ndarray] = []
        missed = 0
        for key, text in zip(keys, texts, strict=True):
            ids = known.get(key)
            if ids is None:
                missed += 1
                ids = np.fromiter((index.setdefault(t, len(index)) for t in tokenizer.tokens(text)), np.int32)
                known[key] = ids
            out.append(ids)
        self.hits += len(texts) - missed
        self.misses += missed
        vocab = list(index)  # dicts keep insertion order: new tokens were appended
        if missed and self.directory:
            self._save(tokenizer.signature, vocab, keys, out)
        return vocab, out

    def _save(self, signature: str, vocab: list[str], keys: list[bytes], ids: list[np.ndarray]) -> None:
        import numpy as np

        uniq = dict(zip(keys, ids, strict=True))  # only the current texts: the file does not grow forever
        lengths = np.fromiter((len(a) for a in uniq.values()), np.int64, len(uniq))
        self.directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tokens-", suffix=".npz")
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, vocab=np.array(vocab, dtype=str), keys=np.frombuffer(b"".join(uniq), np.uint8).reshape(-1, 20),
                         offsets=np.concatenate([[0], np.cumsum(lengths)]),
                         ids=np.concatenate([*uniq.values(), np.zeros(0, np.int32)]))
            os.chmod(tmp, 0o644)  # mkstemp makes it owner-only
            os.replace(tmp, self._path(signature))  # readers see the old file or the new one, never half
        except OSError as exc:
            log.warning("could not write the token cache in %s: %s", self.directory, exc)
            Path(tmp).unlink(missing_ok=True)
            return
        old = sorted(self.directory.glob("tokens-*.npz"), key=lambda p: p.stat().st_mtime, reverse=True)
        for path in old[self.keep_files:]:
            path.unlink(missing_ok=True)


class BM25Index:
    """Okapi BM25 (k1=1.5, b=0.75, rank_bm25's idf floor) as a term x chunk sparse matrix: one product per query."""

    def __init__(self, ids: list[str], texts: list[str], tokenizer: JiebaTokenizer,
                 k1: float = 1.5, b: float = 0.75, epsilon: float = 0.25, cache: TokenCache | None = None):
        import numpy as np
        from scipy.sparse import csr_matrix

        self.ids = ids
        self.tokenizer = tokenizer
        vocab, per_doc = (cache or TokenCache(None)).encode(texts, tokenizer)
        n = len(texts)
        doc_len = np.fromiter((len(a) for a in per_doc), float, n)
        flat = np.concatenate([*per_doc, np.zeros(0, np.int32)]).astype(np.int64)
        # keep only terms that occur (a cache vocabulary may hold more); linear, no sort
        present = np.bincount(flat, minlength=len(vocab)) > 0
        remap = np.cumsum(present) - 1
        self.vocab: dict[str, int] = {vocab[t]: i for i, t in enumerate(np.flatnonzero(present).tolist())}
        docs = np.repeat(np.arange(n, dtype=np.int64), doc_len.astype(np.int64))
        # COO -> CSR sums repeated (term, chunk) pairs: the term frequencies
        tf = csr_matrix((np.ones(len(flat)), (remap[flat], docs)), shape=(len(self.vocab), n))
        tf.sum_duplicates()
        f, cols = tf.data, tf.indices
        avgdl = float(doc_len.mean()) if n and doc_len.sum() else 1.0
        norm = k1 * (1 - b + b * doc_len / avgdl)
        tf.data = f * (k1 + 1) / (f + norm[cols]) if len(f) else f
        self._m = tf
        df = np.diff(tf.indptr).astype(float)
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
