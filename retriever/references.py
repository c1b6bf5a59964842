"""Task and section references in a question: 第7项, 第18、19条, a task's title (or its core), a part's name or paraphrase."""

from __future__ import annotations

import re

from rapidfuzz.distance import Levenshtein

from ingest.numerals import CN_NUMERAL_CHARS, cn_to_int

from .loose import section_by_paraphrase
from .names import NameMatcher
from .parsed import ParsedQuestion
from .wording import Wording

_NUM = rf"(\d{{1,3}}|[{CN_NUMERAL_CHARS}]{{1,4}})"


def _title_cores(titles: dict[int, str]) -> list[tuple[int, str]]:
    """Titles without the verb many titles share (深化, 强化): "深化教育帮扶" is asked about as "教育帮扶".

    A core names its task only when it is four characters or more and no other title contains it."""
    starts: dict[str, int] = {}
    for title in titles.values():
        starts[title[:2]] = starts.get(title[:2], 0) + 1
    cores = [(item, t[2:]) for item, t in titles.items() if starts[t[:2]] >= 2 and len(t) >= 6]
    return sorted(((item, core) for item, core in cores
                   if not any(core in other for n, other in titles.items() if n != item)), key=lambda c: -len(c[1]))


class ReferenceReader:
    """Reads and masks the plan's task and section references; built once per parser from the plan's titles."""

    def __init__(self, wording: Wording, matcher: NameMatcher, section_names: dict[int, str],
                 task_titles: dict[int, str]):
        w = self.wording = wording
        self.matcher = matcher
        self.section_names = section_names  # number -> short name, e.g. 6 -> 社会帮扶深化行动
        self.task_titles = sorted(task_titles.items(), key=lambda kv: -len(kv[1]))
        self.title_cores = _title_cores(task_titles)
        # "第18、19条", "第9和10项": one marker and one unit around a list of numbers
        self._item_list = re.compile(rf"{w.item_marker}\s*{_NUM}((?:\s*[、,，和与及跟]\s*{w.item_marker}?\s*{_NUM})+)"
                                     rf"\s*(?:{w.item_units})")
        # "一到十七条里", "第1至17项中": a range of tasks to look within, not tasks asked about
        self._item_range = re.compile(rf"{w.item_marker}?\s*{_NUM}\s*(?:到|至|~|～|-|—)\s*{w.item_marker}?\s*{_NUM}\s*"
                                      rf"(?:{w.item_units})(?:里面|里|中|之间|当中|以内)?")
        self._item_patterns = [
            re.compile(rf"{w.item_marker}\s*{_NUM}\s*(?:{w.item_units})"),
            re.compile(rf"(?:任务|事项)\s*(?:第\s*)?{_NUM}(?![\d部分大共起些下般样直定切致同并律体块])"),  # 任务一共 ≠ 任务1
            # "每月5号前报" is a day of the month, not task 5
            re.compile(r"(?<![\d第月])(\d{1,2})\s*(?:项|号(?![前后之以])|条)(?!目)"),
        ]
        self._section_pattern = re.compile(rf"{w.item_marker}\s*{_NUM}\s*(?:部分|大行动|个行动|大部分|板块|方面|章|大项)")
        self._titles_by_sound: list[tuple[str, int, str, str]] | None = None

    def _paraphrased_section(self, q: ParsedQuestion, masked: str) -> str:
        """医疗和教育帮扶那一部分 = 医教帮扶提效行动: the words before 那块 / 那部分 share most characters with one name."""
        cue = self.wording.section_cue.search(masked)
        if not cue or q.items or q.sections:
            return masked
        phrase = re.split(r"[^\w]|\u0000", masked[:cue.start()])[-1][-12:]
        if re.search(r"\d", phrase):  # "25年消费帮扶新春…": a dated event, not one of the plan's parts
            return masked
        number = section_by_paraphrase(self.section_names, phrase)
        if number is None:
            return masked
        q.sections.append(number)
        q.notes.append(f"按「{self.section_names[number]}」理解，问题中写的是「{phrase}」")
        start = cue.start() - len(phrase)
        return masked[:start] + "\u0000" * len(phrase) + masked[cue.start():]

    def read(self, q: ParsedQuestion, masked: str) -> str:
        """Task and section references (第7项, 地7项, a task's title, 第三部分, a section's name), masked out."""
        for item, title in self.task_titles:  # a task named by its title counts as a reference to it
            if len(title) >= 4 and title in masked:
                q.items.append(item)
                masked = masked.replace(title, "\u0000" * len(title))
        for item, core in self.title_cores:  # "教育帮扶" = 深化教育帮扶, unless it names a part ("教育帮扶那块")
            at = masked.find(core)
            # "教育和医疗帮扶" shares 帮扶 between two words: no one task's title
            before = masked[:max(at - 1, 0)]
            shared = masked[at - 1:at] in ("和", "与", "及", "、", "跟") and not (
                before.endswith("\u0000") or any(before.endswith(c) for _, c in self.title_cores))
            if at >= 0 and item not in q.items and not self.wording.section_cue.match(masked[at + len(core):]) \
                    and not shared:
                q.items.append(item)
                masked = masked.replace(core, "\u0000" * len(core))
        # 超过5项 / 3项以上 count things, they do not name task 5 or 3
        for m in self.wording.count_mask.finditer(masked):
            masked = masked[:m.start()] + "\u0001" * (m.end() - m.start()) + masked[m.end():]
        for m in self._item_range.finditer(masked):
            low, high = cn_to_int(m.group(1)), cn_to_int(m.group(2))
            if low and high and 0 < low < high:
                q.within = list(range(low, high + 1))
                q.notes.append(f"只在第{low}–{high}项中找。")
                masked = masked.replace(m.group(0), "\u0000" * len(m.group(0)), 1)
        for m in self._item_list.finditer(masked):
            for n in map(cn_to_int, [m.group(1), *re.findall(_NUM, m.group(2))]):
                if n is not None and n not in q.items and n > 0:
                    q.items.append(n)
            masked = masked.replace(m.group(0), "\u0000" * len(m.group(0)), 1)
        for pattern in self._item_patterns:
            for m in pattern.finditer(masked):
                n = cn_to_int(m.group(1))
                if n is not None and n not in q.items and n > 0:
                    q.items.append(n)
                masked = masked.replace(m.group(0), "\u0000" * len(m.group(0)), 1)
        for m in re.finditer("\u0001+", masked):  # give the count phrases back for the count reading
            masked = masked[:m.start()] + q.text[m.start():m.end()] + masked[m.end():]
        for m in self._section_pattern.finditer(masked):
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
        masked = self._paraphrased_section(q, masked)
        return masked if q.items or q.sections else self._near_titles(q, masked)

    def _near_titles(self, q: ParsedQuestion, masked: str) -> str:
        """A task title or section name written with a homophone, a look-alike or one wrong character."""
        keys = self.matcher.sound_key(masked)
        if len(keys) != len(masked):
            return masked
        best: tuple[int, int, int, str, int, str] | None = None  # distance, start, end, kind, number, phrase
        present = set(keys)
        for kind, number, phrase, target in self._title_sounds():
            size = len(phrase)
            allowed = 1 if size >= 6 else 0
            if sum(k not in present for k in target) > allowed:  # cheap: most phrases share too few sounds
                continue
            for length in {size - allowed, size, size + allowed}:
                for start in range(0, len(masked) - length + 1):
                    if "\u0000" in masked[start:start + length]:
                        continue
                    d = Levenshtein.distance(target, keys[start:start + length], score_cutoff=allowed)
                    if d <= allowed and (best is None or d < best[0]):
                        best = (d, start, start + length, kind, number, phrase)
        if best is None:
            return masked
        _, start, end, kind, number, phrase = best
        (q.items if kind == "item" else q.sections).append(number)
        shown = f"第{number}项 {phrase}" if kind == "item" else phrase
        q.notes.append(f"按「{shown}」理解，问题中写的是「{masked[start:end]}」")
        return masked[:start] + "\u0000" * (end - start) + masked[end:]

    def _title_sounds(self) -> list[tuple[str, int, str, str]]:
        """(kind, number, phrase, sound key) of every task title and 行动 section name, worked out once."""
        if self._titles_by_sound is None:
            phrases = [("item", n, t) for n, t in self.task_titles if len(t) >= 4]
            phrases += [("section", n, name) for n, name in self.section_names.items() if name.endswith("行动")]
            self._titles_by_sound = [(k, n, p, self.matcher.sound_key(p)) for k, n, p in phrases]
        return self._titles_by_sound
