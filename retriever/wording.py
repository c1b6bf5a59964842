"""Question wording as data (retriever/data/questions.json): intents, set words, counts, ordinals, confusables."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from ingest.numerals import cn_to_int


@dataclass(frozen=True)
class CountFilter:
    """'只管一项任务' -> ('==', 1, 'tasks'); '超过3个单位' -> ('>', 3, 'units'); what is counted may be unknown."""

    op: str
    n: int
    counted: str | None = None

    def test(self, value: int) -> bool:
        return {"==": value == self.n, ">": value > self.n, ">=": value >= self.n, "<": value < self.n,
                "<=": value <= self.n}[self.op]

    def describe(self) -> str:
        words = {"==": "恰好", ">": "超过", ">=": "至少", "<": "少于", "<=": "不超过"}
        return f"{words[self.op]} {self.n} "


@dataclass
class Wording:
    """Compiled question wording; built once per parser from the data file."""

    intents: dict[str, re.Pattern]
    together_join: re.Pattern
    together_words: re.Pattern
    union_words: re.Pattern
    items_together: re.Pattern
    exclude_spans: list[re.Pattern]
    negate_before: re.Pattern
    negate_after: re.Pattern
    target_ask: re.Pattern
    target_head: re.Pattern
    target_tail: re.Pattern
    target_each: re.Pattern
    name_neighbours: re.Pattern
    target_kinds: dict[str, str]
    count_phrase: re.Pattern
    comparators: dict[str, str]
    extremes: dict[str, str]
    single_unit: re.Pattern
    collective_suffixes: tuple[str, ...]
    ordinal_pattern: re.Pattern
    ordinal_tail: re.Pattern
    plural_pronoun: re.Pattern
    section_what: re.Pattern
    set_glue: re.Pattern
    count_mask: re.Pattern
    zero_phrase: re.Pattern
    item_marker: str
    item_units: str
    confusables: dict[str, str] = field(default_factory=dict)
    pinyin_fold: list[tuple[str, str]] = field(default_factory=list)
    fuzzy: dict[str, float] = field(default_factory=dict)
    union_join: re.Pattern = re.compile("或")  # A或B between two names: either, even beside 都有 / 参与
    name_duty: re.Pattern = re.compile("负责")
    not_a_name: re.Pattern = re.compile("^哪")  # "哪个单位", "这个部门": a question or pointer, not a name  # words after a name that make it the question's subject
    section_cue: re.Pattern = re.compile("部分")  # 那块 / 这部分: a section is being named in other words
    other_level: re.Pattern = re.compile("(?:国家|中央)$")  # 国家发改委 is not the district's 发改委
    self_intro: re.Pattern = re.compile("(?!)")  # "我原来在妇联，…": where the asker works, not what is asked
    self_back: re.Pattern = re.compile("我们")  # "…我们单位负责啥": the asker's own unit is what is asked
    membership_ask: re.Pattern = re.compile("(?!)")  # "白内障那个卫健委也有份吗": one unit on one described task
    within: re.Pattern = re.compile("^其中")  # "其中哪些是发改委牵头的": among the tasks just listed
    others_ask: re.Pattern = re.compile("(?!)")  # "除了医疗帮扶还管了别的没": the unit's other tasks, not one
    not_in_name: re.Pattern = re.compile("哪|什么|啥|谁")  # "通州那边说帮我们医院": speech, not a unit's name
    district_prefix: re.Pattern = re.compile("(?!)")  # "区商务那块": the district's name before a bare stem
    stem_side: re.Pattern = re.compile("(?!)")  # what follows such a stem when it stands for its unit (那块, 那边)
    both_roles: re.Pattern = re.compile("(?!)")  # "包括牵头和配合的": every task, not only those it leads

    @classmethod
    def load(cls, path: Path | None = None) -> Wording:
        if path is None:
            raw = resources.files("retriever").joinpath("data/questions.json").read_text(encoding="utf-8")
        else:
            raw = Path(path).read_text(encoding="utf-8")
        return cls.from_mapping(json.loads(raw))

    @classmethod
    def from_mapping(cls, d: dict) -> Wording:
        c = re.compile
        return cls(
            intents={k: c(v) for k, v in d["intents"].items()}, together_join=c(d["together_join"]),
            together_words=c(d["together_words"]), union_words=c(d["union_words"]), items_together=c(d["items_together"]),
            exclude_spans=[c(p) for p in d["exclude_spans"]], negate_before=c(d["negate_before"]),
            negate_after=c(d["negate_after"]), target_ask=c(d["target_ask"]), target_head=c(d["target_head"]), target_tail=c(d["target_tail"]), target_each=c(d["target_each"]),
            name_neighbours=c(d["name_neighbours"]),
            target_kinds=dict(d["target_kinds"]), count_phrase=c(d["count_phrase"]),
            comparators=dict(d["comparators"]), extremes=dict(d["extremes"]), single_unit=c(d["single_unit"]),
            collective_suffixes=tuple(d["collective_suffixes"]), ordinal_pattern=c(d["ordinal"]),
            ordinal_tail=c(d["ordinal_tail"]), plural_pronoun=c(d["plural_pronoun"]),
            section_what=c(d["section_what"]), set_glue=c(d["set_glue"]), count_mask=c(d["count_mask"]), zero_phrase=c(d["zero_phrase"]), item_marker=d["item_marker"], item_units=d["item_units"],
            confusables=dict(d["confusables"]), pinyin_fold=[tuple(p) for p in d["pinyin_fold"]],
            fuzzy=dict(d["fuzzy"]), union_join=c(d.get("union_join", "或")), name_duty=c(d.get("name_duty", "负责")),
            not_a_name=c(d.get("not_a_name", "^哪")),
            section_cue=c(d.get("section_cue", "部分")), other_level=c(d.get("other_level", "(?:国家|中央)$")),
            within=c(d.get("within", "^其中")), self_intro=c(d.get("self_intro", "(?!)")),
            self_back=c(d.get("self_back", "我们")), membership_ask=c(d.get("membership_ask", "(?!)")),
            not_in_name=c(d.get("not_in_name", "哪|什么|啥|谁")), others_ask=c(d.get("others_ask", "(?!)")),
            district_prefix=c(d.get("district_prefix", "(?!)")), stem_side=c(d.get("stem_side", "(?!)")),
            both_roles=c(d.get("both_roles", "(?!)")))

    # --- readings ---------------------------------------------------------------------------------
    def target(self, text: str) -> str | None:
        """What the question asks for: 'units' or 'tasks' (哪个单位… / …的任务), None if it does not say."""
        m = self.target_each.search(text)  # 各单位分别负责几项任务: the units, not the tasks counted
        if m:
            return self.target_kinds.get(m.group(1))
        m = self.target_ask.search(text)
        if m:
            return "tasks" if m.group(1) else self.target_kinds.get(m.group(2))
        m = self.target_tail.search(text)  # 牵头单位有哪些
        if m:
            return self.target_kinds.get(m.group(1))
        heads = list(self.target_head.finditer(text))
        return self.target_kinds.get(heads[-1].group(1)) if heads else None

    def count_filter(self, text: str) -> CountFilter | None:
        """A count condition such as 只管一项任务 / 超过3个单位 / 5项以上 (task references must be masked first)."""
        for m in self.count_phrase.finditer(text):
            n = cn_to_int(m.group("n"))
            pre, post, noun = m.group("pre") or "", m.group("post") or "", m.group("noun")
            # a bare 一项 names nothing to count, but 出现过一次 counts occurrences on its own
            if n is None or not (pre or post or noun or m.group("measure") == "次"):
                continue
            op = self.comparators.get(post) or self.comparators.get(pre) or "=="
            counted = self.target_kinds.get(noun) if noun else ("units" if m.group("measure") == "家" else None)
            return CountFilter(op, n, counted)
        return None

    def extreme(self, text: str) -> str | None:
        return next((v for k, v in self.extremes.items() if k in text), None)

    def ordinal(self, text: str) -> int | None:
        """'第二项呢' -> 2, '最后一个呢' -> -1 (only when nothing but the ordinal is asked)."""
        m = self.ordinal_pattern.search(text.strip())
        if not m or not self.ordinal_tail.match(text.strip()[m.end():]):
            return None
        return -1 if m.group("last") else cn_to_int(m.group("n"))

    def is_collective(self, unit: str) -> bool:
        """Names that stand for several units at once (…成员单位)."""
        return unit.endswith(self.collective_suffixes)
