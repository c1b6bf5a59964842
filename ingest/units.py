"""Responsible-unit names: the alias table (kept as data), rule-made short forms and canonicalisation."""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

# Prefixes that variants add or drop: 区发改委 / 发改委, 通州生态环境局 / 生态环境局.
PREFIXES = ("南通市通州区", "南通市通州", "通州区", "通州", "区委", "区")


def strip_prefix(name: str, prefixes: tuple[str, ...] = PREFIXES) -> str:
    for prefix in prefixes:
        if name.startswith(prefix) and len(name) > len(prefix) + 1:
            return name[len(prefix):]
    return name


@dataclass(frozen=True)
class AbbreviationRules:
    """How people shorten a unit name: drop the place prefix, take the first character of each component."""

    prefixes: tuple[str, ...] = PREFIXES
    suffixes: dict[str, list[str]] = field(default_factory=dict)  # 委员会 -> 委员会 / 委 / 局
    connectors: tuple[str, ...] = ("和",)
    word_chars: int = 2
    max_words: int = 4
    generic_endings: tuple[str, ...] = ()  # 部门: only after a distinctive stem (发改部门), not 发展部门

    @classmethod
    def from_mapping(cls, raw: dict) -> AbbreviationRules:
        return cls(prefixes=tuple(raw.get("prefixes", PREFIXES)), suffixes=dict(raw.get("suffixes", {})),
                   connectors=tuple(raw.get("connectors", ("和",))), word_chars=int(raw.get("word_chars", 2)),
                   max_words=int(raw.get("max_words", 4)), generic_endings=tuple(raw.get("generic_endings", ())))

    def _components(self, body: str) -> list[list[str]] | None:
        """发展和改革 -> [[发展], [改革]]; 自然资源和规划 -> [[自然, 资源], [规划]]; None if not word-shaped."""
        parts = [p for p in re.split("|".join(map(re.escape, self.connectors)), body) if p] if self.connectors \
            else [body]
        n = self.word_chars
        if any(len(p) % n for p in parts):
            return None
        words = [[p[i:i + n] for i in range(0, len(p), n)] for p in parts]
        total = sum(len(w) for w in words)
        return words if 2 <= total <= self.max_words else None

    def short_forms(self, name: str) -> list[str]:
        """Usual short forms of a canonical name (the name itself excluded), most regular first."""
        bare = strip_prefix(name, self.prefixes)
        forms: list[str] = [bare] if bare != name else []
        suffix = max((s for s in self.suffixes if bare.endswith(s) and len(bare) > len(s)), key=len, default="")
        if not suffix:
            return forms
        body, endings = bare[: -len(suffix)], self.suffixes[suffix]
        words = self._components(body)
        stems: list[str] = [re.sub("|".join(map(re.escape, self.connectors)), "", body)] if self.connectors else []
        stems.append(body)
        if words:
            # one initial per component (发改, 自规), or per word inside a two-word component (资规, 文广旅)
            per_part = [[w[0][0]] if len(w) == 1 else [w[0][0], w[1][0], w[0][0] + w[1][0]] for w in words]
            if len(words) == 1:
                per_part = [[w[0]] for w in words[0]]  # 卫生健康 -> 卫 + 健
            stems += ["".join(combo) for combo in itertools.product(*per_part)]
            # a two-word component on its own: 社会保障 -> 社保局, 文化广电 -> 文广局
            stems += [w[0][0] + w[1][0] for w in words if len(w) == 2 and len(words) > 1]
            flat = [w for part in words for w in part]
            parts = ["".join(words[0]), "".join(words[-1])] if len(words) > 1 else [flat[0], flat[-1]]
            if len(words) > 1 and len(words[0]) == 2:
                parts.append(words[0][0])  # 文化广电和旅游局 -> 文化局
        else:
            parts = []
        for stem in stems:
            forms += [stem + ending for ending in endings]
        for stem in parts:  # one component (教育局, 生态局) is only distinctive with the unit's own suffix
            forms += [stem + ending for ending in endings if ending not in self.generic_endings]
        return [f for f in dict.fromkeys(forms) if f != name and len(f) >= 2]


@dataclass
class AliasTable:
    """Maps every known alias (and each canonical name) to its canonical unit name.

    Explicit table entries win over rule-made forms; a rule-made form that fits two units goes to `ambiguous`.
    """

    canonical: list[str] = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)
    ambiguous: dict[str, list[str]] = field(default_factory=dict)
    rules: AbbreviationRules | None = None
    _explicit: set[str] = field(default_factory=set, repr=False)

    @classmethod
    def load(cls, path: Path | None = None) -> AliasTable:
        if path is None:
            raw = resources.files("ingest").joinpath("data/units.json").read_text(encoding="utf-8")
        else:
            raw = Path(path).read_text(encoding="utf-8")
        data = json.loads(raw)
        rules = AbbreviationRules.from_mapping(data["rules"]) if "rules" in data else None
        return cls.from_mapping(data["units"], rules)

    @classmethod
    def from_mapping(cls, units: dict[str, list[str]], rules: AbbreviationRules | None = None) -> AliasTable:
        table = cls(rules=rules)
        for name, alias_list in units.items():
            table.add(name, alias_list)
        for name in list(table.canonical):
            table.add_rule_forms(name)
        return table

    def add(self, name: str, alias_list: list[str] = ()) -> None:
        if name not in self.canonical:
            self.canonical.append(name)
        for alias in (name, *alias_list):
            self.aliases.setdefault(alias, name)
            self._explicit.add(alias)
            self.ambiguous.pop(alias, None)

    def add_rule_forms(self, name: str) -> None:
        """Merge the rule-made short forms of `name`; clashes between units become ambiguous, not guesses."""
        if self.rules is None:
            return
        if name not in self.canonical:
            self.canonical.append(name)
        self.aliases.setdefault(name, name)
        for form in self.rules.short_forms(name):
            if form in self._explicit:
                continue
            if form in self.ambiguous:
                if name not in self.ambiguous[form]:
                    self.ambiguous[form].append(name)
            elif form in self.aliases and self.aliases[form] != name:
                self.ambiguous[form] = [self.aliases.pop(form), name]
            else:
                self.aliases[form] = name

    def extended(self, names: list[str]) -> AliasTable:
        """A copy that also knows `names` (units of an indexed plan missing from the table) and their short forms."""
        copy = AliasTable(list(self.canonical), dict(self.aliases), {k: list(v) for k, v in self.ambiguous.items()},
                          self.rules, set(self._explicit))
        for name in names:
            if name not in copy.aliases:
                copy.add(name)
                copy.add_rule_forms(name)
        return copy

    def canonicalize(self, raw: str) -> str:
        """Canonical name for a raw unit name; unknown names are kept (minus spacing) as they are."""
        name = re.sub(r"\s+", "", raw)
        if name in self.aliases:
            return self.aliases[name]
        bare = strip_prefix(name)
        if bare in self.aliases:
            return self.aliases[bare]
        for alias, canon in self.aliases.items():
            if strip_prefix(alias) == bare:
                return canon
        return name

    def names_for(self, canonical: str) -> list[str]:
        """The canonical name and all its aliases, longest first."""
        names = [a for a, c in self.aliases.items() if c == canonical]
        return sorted(set(names), key=len, reverse=True)
