"""A parsed question: the units, tasks, sections, intents and set wording the router reads."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field, fields

from .wording import CountFilter

_FILLER = re.compile(r"[？?！!。，,、\s呢吗啊呀吧的]|请问|那么?|还有|怎么样|情况|看看")


@dataclass
class ParsedQuestion:
    """What the router needs to know about one question."""

    text: str
    units: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)  # 除X外 / 不算X: units named only to be left out of counts
    negated: list[str] = field(default_factory=list)  # 有A却没有B: tasks must not have these units
    unknown_units: list[str] = field(default_factory=list)
    suggestions: dict[str, list[str]] = field(default_factory=dict)
    ambiguous: dict[str, list[str]] = field(default_factory=dict)  # written name -> units it may mean
    readings: list[tuple[str, str]] = field(default_factory=list)  # (written, understood) for typos read as units
    notes: list[str] = field(default_factory=list)  # how a follow-up was read, shown with the answer
    items: list[int] = field(default_factory=list)
    sections: list[int] = field(default_factory=list)
    intents: set[str] = field(default_factory=set)
    union: bool = False  # A或B
    target: str | None = None  # the question asks for 'units' or 'tasks'
    count: CountFilter | None = None
    extreme: str | None = None  # 'max' / 'min'
    single_unit: bool = False  # 单独由一个部门负责
    asks_what: bool = False  # 是什么 / 讲什么
    within: list[int] = field(default_factory=list)  # "其中哪些…": only among these tasks (a list just shown)
    residue: str = ""  # the question with unit and reference mentions removed

    def copy(self) -> ParsedQuestion:
        """A copy whose lists, sets and dicts can be changed without touching the original (cheaper than deepcopy:
        every field is a container of strings, numbers or pairs)."""
        fresh = copy.copy(self)
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, dict):
                setattr(fresh, f.name, {k: list(v) if isinstance(v, list) else v for k, v in value.items()})
            elif isinstance(value, (list, set)):
                setattr(fresh, f.name, type(value)(value))
        return fresh

    @property
    def is_bare_reference(self) -> bool:
        """'妇联？', '第7项', '数据局呢': nothing left but a mention and filler words."""
        return not _FILLER.sub("", self.residue)
