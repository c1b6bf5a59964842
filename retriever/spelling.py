"""Misspelt words by sound (pinyin IME errors: 医僧 → 医生, 污然 → 污染): corrected against the corpus's own words."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

_HAN_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")


class Speller:
    """Replaces a run of characters that is no known word by the one known word of the same length that sounds
    alike and shares a character with it; two candidates that fit equally well mean no correction."""

    def __init__(self, words: Iterable[str], is_known: Callable[[str], bool],
                 confusions: Iterable[tuple[str, str]] = (), max_len: int = 4,
                 word_spans: Callable[[str], list[tuple[int, int, bool]]] | None = None,
                 function_chars: re.Pattern | None = None, in_corpus: Callable[[str], bool] | None = None):
        from pypinyin import lazy_pinyin

        self._pinyin = lazy_pinyin
        self._confusions = [tuple(p) for p in confusions]
        self._is_known = is_known
        self.max_len = max_len
        # the segmenter's words of two or more characters, and whether each is known: a typo makes an unknown one
        # ("医僧"; "是个" is two known words), and a correction never cuts a known one ("有个项目" is no 各项)
        self._word_spans = word_spans
        self._function_chars = function_chars  # 咱/这/哪…: a run with a pronoun is speech, not a misspelt term
        # "区中原" for 区中园: a dictionary word the corpus never uses (中原) may be part of a longer misspelt term
        self._in_corpus = in_corpus
        self._by_key: dict[str, set[str]] = {}
        for word in words:
            if 2 <= len(word) <= max_len and _HAN_RUN.fullmatch(word):
                self._by_key.setdefault(self.key(word), set()).add(word)

    def key(self, word: str) -> str:
        """The word's sound with the usual confusions folded (zh = z, ang = an …), syllables joined by '|'."""
        out = []
        for syllable in self._pinyin(word):
            for a, b in self._confusions:
                syllable = syllable.replace(a, b)
            out.append(syllable)
        return "|".join(out)

    def correct(self, text: str) -> tuple[str, list[tuple[str, str]]]:
        """(corrected text, [(written, read as)]); known words are never touched."""
        fixes: list[tuple[str, str]] = []
        words = self._word_spans(text) if self._word_spans else None
        spans = None if words is None else [(a, b) for a, b, known in words if not known]
        cut = [] if words is None else [(a, b) for a, b, known in words if known]
        soft = [(a, b) for a, b in cut if self._in_corpus is not None and not self._in_corpus(text[a:b])]
        if spans == [] and not soft:
            return text, []
        for m in _HAN_RUN.finditer(text):
            run, base = m.group(0), m.start()
            i = 0
            while i < len(run) - 1:
                fixed = False
                for n in range(min(self.max_len, len(run) - i), 1, -1):
                    window = run[i:i + n]
                    start = base + i
                    loose = soft if n >= 3 else []  # three characters or more: a longer term, not a real word
                    if spans is not None and not any(a < start + n and start < b for a, b in spans + loose):
                        continue
                    if any(a < start < b or a < start + n < b for a, b in cut if (a, b) not in loose):
                        continue
                    target = self._match(window)
                    if target:
                        fixes.append((window, target))
                        i += n
                        fixed = True
                        break
                if not fixed:
                    i += 1
        for written, read in fixes:
            text = text.replace(written, read, 1)
        return text, fixes

    def _match(self, window: str) -> str | None:
        if self._is_known(window) or (self._function_chars is not None and self._function_chars.search(window)):
            return None
        candidates = {w for w in self._by_key.get(self.key(window), ()) if w != window
                      and sum(a == b for a, b in zip(w, window)) >= max(1, len(w) - 1)}
        return next(iter(candidates)) if len(candidates) == 1 else None
