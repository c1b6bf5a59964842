"""Typo-tolerant unit names: pinyin (homophones), look-alike characters and edit distance."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from pypinyin import lazy_pinyin
from rapidfuzz import process
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
        self._confusables = tuple(sorted(wording.confusables.items()))
        self._folds = tuple(wording.pinyin_fold)
        self._syllables: dict[str, str] = {}  # syllable -> one private-use character, so keys compare as strings
        self._aliases = list(names)
        self._matched: dict[str, NameMatch] = {}
        self._bare = [strip_prefix(a, prefixes) for a in self._aliases]
        self._keys = [self.sound_key(b) for b in self._bare]

    def sound_key(self, text: str, look_alikes: bool = True) -> str:
        """One character per written character: look-alikes mapped, then toneless, folded pinyin as a code."""
        table = self._confusables if look_alikes else ()
        return "".join(self._syllables.setdefault(s, chr(0xE000 + len(self._syllables)))
                       for s in _sound_key(text, table, self._folds))

    def similarity(self, written: str, alias: str) -> float:
        return self.scores(written, [alias]).get(self.names.get(alias, alias), 0.0)

    def scores(self, written: str, aliases: list[str] | None = None) -> dict[str, float]:
        """Best similarity per unit: by characters, or by sound (slightly less certain than the same characters)."""
        a = strip_prefix(written, self.prefixes)
        if aliases is None:
            pool, bare, keys = self._aliases, self._bare, self._keys
        else:
            pool = aliases
            bare = [strip_prefix(x, self.prefixes) for x in aliases]
            keys = [self.sound_key(b) for b in bare]
        by_char = process.cdist([a], bare, scorer=Levenshtein.normalized_similarity)[0]
        # a character is either a look-alike or a homophone typo (区材政局 is 财 by sound, not 村 by shape): try both
        written_keys = list(dict.fromkeys([self.sound_key(a), self.sound_key(a, look_alikes=False)]))
        by_sound = process.cdist(written_keys, keys, scorer=Levenshtein.normalized_similarity).max(axis=0)
        best: dict[str, float] = {}
        for alias, c, snd in zip(pool, by_char, by_sound):
            canon = self.names.get(alias, alias)
            score = max(float(c), float(snd) * 0.99)
            if score > best.get(canon, 0.0):
                best[canon] = score
        return dict(sorted(best.items(), key=lambda kv: -kv[1]))

    def match(self, written: str) -> NameMatch:
        """The reading of a written name; remembered, since a question's parts and readings repeat its names."""
        cached = self._matched.get(written)
        if cached is None:
            if len(self._matched) >= 4096:
                self._matched.clear()
            cached = self._matched[written] = self._match(written)
        return cached

    def _match(self, written: str) -> NameMatch:
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
