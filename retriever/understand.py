"""Question understanding: unit mentions (aliases, longest match), task and section references, intents."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from ingest.numerals import CN_NUMERAL_CHARS, cn_to_int
from ingest.units import AliasTable

_NUM = rf"(\d{{1,3}}|[{CN_NUMERAL_CHARS}]{{1,4}})"
_ITEM_PATTERNS = [
    re.compile(rf"第\s*{_NUM}\s*(?:项|条|个任务|号任务|点任务|小项)"),
    re.compile(rf"(?:任务|事项)\s*(?:第\s*)?{_NUM}(?![\d部分大])"),
    re.compile(r"(?<![\d第])(\d{1,2})\s*(?:项|号|条)(?!目)"),
]
_SECTION_PATTERN = re.compile(rf"第\s*{_NUM}\s*(?:部分|大行动|个行动|大部分|板块|方面|章|大项)")
_ORG = re.compile(r"((?:区|县|市|通州|南通)?[\u4e00-\u9fa5]{1,10}?(?:局|委员会|委|办公室|办|厅|部|会|中心|联|社|院|所|队|组|集团|公司))")

INTENT_PATTERNS: dict[str, re.Pattern] = {
    "count": re.compile(r"几项|几个|几条|多少项|多少个|多少条|数量|总共|一共|共有几|共几"),
    "together": re.compile(r"共同|一起|都负责|都参与|都有|同时|共有的|重合|交集|都承担|都涉及|联合负责"),
    "alone": re.compile(r"只由|仅由|单独|独自|独立负责|独家|唯一|只有.{0,12}(?:负责|一个|一家)|独立承担|一家负责"),
    "lead": re.compile(r"牵头|主责|带头|第一责任|排第一|打头"),
    "who": re.compile(r"谁|哪个部门|哪些部门|哪个单位|哪些单位|哪家|责任单位|什么单位|什么部门|负责单位|由哪|谁管|管这"),
    "tasks": re.compile(r"负责|承担|参与|涉及|分管|分工|职责|任务|工作|的活|干什么|做什么|干啥|管什么|管哪|有哪些|清单"),
    "section_of": re.compile(r"(?:属于|在|是)(?:哪个|哪一|第几)(?:部分|行动|板块|方面|大项)|哪个部分|哪一部分|第几部分"),
    "list": re.compile(r"哪些|包括|包含|有什么|都有|列出|列一下|几项|多少项|内容"),
}


@dataclass
class ParsedQuestion:
    """What the router needs to know about one question."""

    text: str
    units: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)  # 除X外: units named only to be left out
    unknown_units: list[str] = field(default_factory=list)
    suggestions: dict[str, list[str]] = field(default_factory=dict)
    items: list[int] = field(default_factory=list)
    sections: list[int] = field(default_factory=list)
    intents: set[str] = field(default_factory=set)
    residue: str = ""  # the question with unit and reference mentions removed

    @property
    def is_bare_reference(self) -> bool:
        """'妇联？', '第7项', '数据局呢': nothing left but a mention and filler words."""
        return not re.sub(r"[？?！!。，,、\s呢吗啊呀吧的]|请问|那么?|还有|怎么样|情况|看看", "", self.residue)


class QuestionParser:
    """Finds unit, task and section mentions; built from the alias table and the plan's records."""

    def __init__(self, aliases: AliasTable, plan_units: list[str], section_names: dict[int, str],
                 task_titles: dict[int, str] | None = None):
        self.aliases = aliases
        self.names: dict[str, str] = {}
        for alias, canon in aliases.aliases.items():
            self.names[alias] = canon
        for unit in plan_units:
            self.names.setdefault(unit, unit)
            for prefix in ("区委", "区", "通州", "县"):
                if unit.startswith(prefix) and len(unit) - len(prefix) >= 3:
                    self.names.setdefault(unit[len(prefix):], unit)
        self.section_names = section_names  # number -> short name, e.g. 6 -> 社会帮扶深化行动
        self.task_titles = sorted((task_titles or {}).items(), key=lambda kv: -len(kv[1]))
        self._by_length = sorted(self.names, key=len, reverse=True)

    def find_units(self, text: str) -> tuple[list[str], str]:
        """Canonical units mentioned (longest match first, no overlaps) and the text with them masked."""
        found: list[tuple[int, str]] = []
        masked = text
        for name in self._by_length:
            start = masked.find(name)
            while start >= 0:
                found.append((start, self.names[name]))
                masked = masked[:start] + "\u0000" * len(name) + masked[start + len(name):]
                start = masked.find(name, start + len(name))
        units: list[str] = []
        for _, canon in sorted(found):
            if canon not in units:
                units.append(canon)
        return units, masked

    def suggest(self, name: str, n: int = 3) -> list[str]:
        """Known units whose names look like `name` (for misspellings and unknown units)."""
        scored: dict[str, float] = {}
        for alias, canon in self.names.items():
            ratio = difflib.SequenceMatcher(None, name, alias).ratio()
            if ratio > scored.get(canon, 0):
                scored[canon] = ratio
        ranked = sorted(scored.items(), key=lambda kv: -kv[1])
        return [c for c, r in ranked[:n] if r >= 0.4]

    def parse(self, text: str) -> ParsedQuestion:
        q = ParsedQuestion(text=text)
        m = re.search(r"除(?:了)?(.{2,30}?)(?:以外|之外|外)", text)
        if m:
            q.excluded, _ = self.find_units(m.group(1))
        q.units, masked = self.find_units(text)
        q.units = [u for u in q.units if u not in q.excluded]
        for item, title in self.task_titles:  # a task named by its title counts as a reference to it
            if len(title) >= 4 and title in masked:
                q.items.append(item)
                masked = masked.replace(title, "\u0000" * len(title))
        for pattern in _ITEM_PATTERNS:
            for m in pattern.finditer(masked):
                n = cn_to_int(m.group(1))
                if n is not None and n not in q.items and n > 0:
                    q.items.append(n)
                masked = masked.replace(m.group(0), "\u0000" * len(m.group(0)), 1)
        for m in _SECTION_PATTERN.finditer(masked):
            n = cn_to_int(m.group(1))
            if n is not None and n not in q.sections:
                q.sections.append(n)
            masked = masked.replace(m.group(0), "\u0000" * len(m.group(0)), 1)
        for number, name in self.section_names.items():
            core = name.removesuffix("行动")
            if (name in masked or (len(core) >= 4 and core in masked)) and number not in q.sections:
                if name in masked or re.search(r"部分|行动|板块|方面", masked):
                    q.sections.append(number)
                    masked = masked.replace(name if name in masked else core, "\u0000")
        q.intents = {k for k, p in INTENT_PATTERNS.items() if p.search(text)}
        if len(q.units) >= 2 and re.search(r"和|与|及|跟|同|、", text) and "分别" not in text \
                and re.search(r"共同|一起|都|同时|共有|重合|交集|合作", text):
            q.intents.add("together")
        if not q.units and not q.items:
            for m in _ORG.finditer(masked.replace("\u0000", " ")):
                name = re.sub(r"^(请问|那么|那|问一下|我想知道|想问)", "", m.group(1))
                after = masked[m.end():m.end() + 4]
                bare = re.fullmatch(rf"\s*{re.escape(name)}\s*[呢吗？?]*\s*", masked.replace("\u0000", ""))
                subject = name.startswith(("区", "县", "市", "通州", "南通")) or bare or (
                    len(name) <= 6 and re.match(r"负责|承担|参与|牵头|有哪|的任务|的工作", after))
                if len(name) >= 3 and subject and "东西部" not in name and not name.startswith(("和", "与", "及", "的")):
                    q.unknown_units.append(name)
                    q.suggestions[name] = self.suggest(name)
        q.residue = masked.replace("\u0000", "")
        return q
