"""Responsible-unit names: the alias table (kept as data) and canonicalisation of raw names."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

# Prefixes that variants add or drop: 区发改委 / 发改委, 通州生态环境局 / 生态环境局.
_PREFIXES = ("南通市通州区", "南通市通州", "通州区", "通州", "区委", "区")


def _strip_prefix(name: str) -> str:
    for prefix in _PREFIXES:
        if name.startswith(prefix) and len(name) > len(prefix) + 1:
            return name[len(prefix):]
    return name


@dataclass
class AliasTable:
    """Maps every known alias (and each canonical name) to its canonical unit name."""

    canonical: list[str] = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None = None) -> AliasTable:
        if path is None:
            raw = resources.files("ingest").joinpath("data/units.json").read_text(encoding="utf-8")
        else:
            raw = Path(path).read_text(encoding="utf-8")
        return cls.from_mapping(json.loads(raw)["units"])

    @classmethod
    def from_mapping(cls, units: dict[str, list[str]]) -> AliasTable:
        table = cls()
        for name, alias_list in units.items():
            table.add(name, alias_list)
        return table

    def add(self, name: str, alias_list: list[str] = ()) -> None:
        if name not in self.canonical:
            self.canonical.append(name)
        self.aliases.setdefault(name, name)
        for alias in alias_list:
            self.aliases.setdefault(alias, name)

    def canonicalize(self, raw: str) -> str:
        """Canonical name for a raw unit name; unknown names are kept (minus spacing) as they are."""
        name = re.sub(r"\s+", "", raw)
        if name in self.aliases:
            return self.aliases[name]
        bare = _strip_prefix(name)
        if bare in self.aliases:
            return self.aliases[bare]
        for alias, canon in self.aliases.items():
            if _strip_prefix(alias) == bare:
                return canon
        return name

    def names_for(self, canonical: str) -> list[str]:
        """The canonical name and all its aliases, longest first."""
        names = [a for a, c in self.aliases.items() if c == canonical]
        return sorted(set(names), key=len, reverse=True)
