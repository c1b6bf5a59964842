"""Typo-tolerant unit names: pinyin (homophones), look-alike characters and edit distance."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from pypinyin import lazy_pinyin
from rapidfuzz.distance import Levenshtein

from ingest.units import PREFIXES, strip_prefix

from .wording import Wording


@dataclass
class NameMatch:
    """How a written name was read: 'clear' (one unit), 'ambiguous' (ask which) or 'none' (suggestions only)."""

    written: str
    kind: str
    units: list[str] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)


class NameMatcher:
    """Scores a written name against every known name (alias -> canonical); the best alias counts per unit."""

    def __init__(self, names: dict[str, str], wording: Wording, prefixes: tuple[str, ...] = PREFIXES):
        self.names = names
        self.wording = wording
        self.prefixes = prefixes
        self.accept = float(wording.fuzzy.get("accept", 0.8))
        self.margin = float(wording.fuzzy.get("margin", 0.1))
        self.floor = float(wording.fuzzy.get("suggest", 0.4))
        self._bare = {alias: strip_prefix(alias, prefixes) for alias in names}
        self._keys = {alias: self.sound_key(bare) for alias, bare in self._bare.items()}

    def sound_key(self, text: str) -> tuple[str, ...]:
        """One token per character: look-alikes mapped to the usual character, then toneless, folded pinyin."""
        return _sound_key(text, tuple(sorted(self.wording.confusables.items())), tuple(self.wording.pinyin_fold))

    def similarity(self, written: str, alias: str) -> float:
        a, b = strip_prefix(written, self.prefixes), self._bare.get(alias) or strip_prefix(alias, self.prefixes)
        by_char = Levenshtein.normalized_similarity(a, b)
        key_b = self._keys.get(alias) or self.sound_key(b)
        by_sound = Levenshtein.normalized_similarity(self.sound_key(a), key_b)
        # a sound match is slightly less certain than the same characters
        return max(by_char, by_sound * 0.99)

    def scores(self, written: str) -> dict[str, float]:
        best: dict[str, float] = {}
        for alias, canon in self.names.items():
            s = self.similarity(written, alias)
            if s > best.get(canon, 0.0):
                best[canon] = s
        return dict(sorted(best.items(), key=lambda kv: -kv[1]))

    def match(self, written: str) -> NameMatch:
        scores = self.scores(written)
        ranked = list(scores.items())
        if not ranked or ranked[0][1] < self.accept:
            close = [c for c, s in ranked[:3] if s >= self.floor]
            return NameMatch(written, "none", close, scores)
        top = ranked[0][1]
        near = [c for c, s in ranked if s >= self.accept and top - s < self.margin]
        return NameMatch(written, "clear" if len(near) == 1 else "ambiguous", near, scores)

    def suggest(self, written: str, n: int = 3) -> list[str]:
        return [c for c, s in list(self.scores(written).items())[:n] if s >= self.floor]


@lru_cache(maxsize=4096)
def _sound_key(text: str, confusables: tuple[tuple[str, str], ...], folds: tuple[tuple[str, str], ...]) -> tuple:
    mapped = "".join(dict(confusables).get(ch, ch) for ch in text)
    syllables = lazy_pinyin(mapped)
    if len(syllables) != len(mapped):  # non-Chinese runs come back joined: fall back to one token per character
        syllables = [lazy_pinyin(ch)[0] if ch.strip() else ch for ch in mapped]
    out = []
    for s in syllables:
        for a, b in folds:
            s = s.replace(a, b)
        out.append(s)
    return tuple(out)
