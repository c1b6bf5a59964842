"""Question understanding: unit mentions (aliases, stems, typos), intents and set wording; references in references.py."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict

from ingest.units import AliasTable

from .lexicon import clause_around
from .loose import bare_stems
from .names import NameMatch, NameMatcher
from .parsed import ParsedQuestion
from .references import ReferenceReader
from .wording import CountFilter, Wording

_ORG = re.compile(r"((?:区|县|市|通州|南通)?[\u4e00-\u9fa5]{1,10}?(?:局|委员会|委|办公室|办|厅|部|会|中心|联|社|院|所|队|组|集团|公司))")


def _asks_in_clause(text: str, at: int) -> bool:
    """Whether the clause (between commas or end marks) around position `at` asks something."""
    return bool(re.search(r"哪|什么|啥|谁|几|多少|吗|呢|[？?]", clause_around(text, at, at, keep_end=True)))


class QuestionParser:
    """Finds unit, task and section mentions; built from the alias table and the plan's records."""

    def __init__(self, aliases: AliasTable, plan_units: list[str], section_names: dict[int, str],
                 task_titles: dict[int, str] | None = None, wording: Wording | None = None,
                 places: tuple[str, ...] = ()):
        self.aliases = aliases.extended(plan_units)
        self.wording = wording or Wording.load()
        self.names: dict[str, str] = dict(self.aliases.aliases)
        self.section_names = section_names  # number -> short name, e.g. 6 -> 社会帮扶深化行动
        # partner places and their short names (尖扎县, 尖扎): "尖扎联络组" is no name of 区对口帮扶镇巴联络组
        self.places = tuple(sorted({x for p in places for x in (p, p.removesuffix("县"))}, key=len, reverse=True))
        self._by_length = sorted(set(self.names) | set(self.aliases.ambiguous), key=len, reverse=True)
        self.matcher = NameMatcher(self.names, self.wording, self.aliases.rules.prefixes if self.aliases.rules
                                   else ("区",))
        self._stem_list = bare_stems(self.names, self.aliases.rules)
        self.references = ReferenceReader(self.wording, self.matcher, section_names, task_titles or {})
        # a multi-part question reads each part up to three times (split, reference carry-over, answer)
        self._parsed: OrderedDict[str, ParsedQuestion] = OrderedDict()
        self._parsed_lock = threading.Lock()

    def spans(self, text: str) -> tuple[list[tuple[int, int, str]], str]:
        """(start, end, name) of every known name (longest match first, no overlaps) and the masked text."""
        found: list[tuple[int, int, str]] = []
        masked = text
        for name in self._by_length:
            start = masked.find(name)
            while start >= 0:
                # "国家发改委", "省商务厅": a body of another level that shares the district unit's short name
                # "发改委2025年新春行动": a body dating a document of its own, not the district unit's duties
                other = not name.startswith(("区", "通州")) and self._other_body(text, start, start + len(name))
                if not other:
                    found.append((start, start + len(name), name))
                    masked = masked[:start] + "\u0000" * len(name) + masked[start + len(name):]
                else:  # nor may a shorter alias inside it ("发改" of 发改委) be read as the district unit
                    masked = masked[:start] + "\u0001" * len(name) + masked[start + len(name):]
                start = masked.find(name, start + len(name))
        return sorted(found), masked

    def find_units(self, text: str) -> tuple[list[str], str]:
        """Canonical units mentioned (longest match first, no overlaps) and the text with them masked."""
        spans, masked = self.spans(text)
        units = [self.names[n] for _, _, n in spans if n in self.names]
        return list(dict.fromkeys(units)), masked

    def suggest(self, name: str, n: int = 3) -> list[str]:
        """Known units whose names look or sound like `name` (for misspellings and unknown units)."""
        return self.matcher.suggest(name, n)

    def _other_body(self, text: str, start: int, end: int) -> bool:
        """"国家发改委", "发改委2025年新春行动": a unit's short name for a body of another level, or one dating a
        document of its own, is not the district unit."""
        return bool(self.wording.other_level.search(text[:start]) or re.match(r"\s*(?:19|20)?\d{2}年", text[end:]))

    def _self_intro(self, text: str) -> re.Match | None:
        """The asker's introduction ("我原来在妇联，…"), unless the question points back to it (我们单位)."""
        intro = self.wording.self_intro.search(text)
        return None if not intro or self.wording.self_back.search(text[intro.end():]) else intro

    def _place_before(self, text: str, start: int, unit: str) -> str | None:
        """The partner place written right before a district unit's name ("镇巴县人社局"): that county's own body."""
        return next((p for p in self.places if text[:start].endswith(p) and p not in unit), None)

    def without_self_intro(self, text: str) -> str:
        """The question without the asker's introduction ("我原来在妇联，不太懂，…"), unless it points back to it."""
        intro = self._self_intro(text)
        if not intro:
            return text
        rest = (text[:intro.start()] + text[intro.end():]).strip(" ，,。")
        return rest or text

    def parse(self, text: str) -> ParsedQuestion:
        """The reading of `text`; a fresh copy each call, since routing adds notes and follow-up references."""
        with self._parsed_lock:
            hit = self._parsed.get(text)
            if hit is not None:
                self._parsed.move_to_end(text)
        if hit is None:
            hit = self._parse(text)
            with self._parsed_lock:
                self._parsed[text] = hit
                while len(self._parsed) > 512:
                    self._parsed.popitem(last=False)
        return hit.copy()

    def _parse(self, text: str) -> ParsedQuestion:
        w = self.wording
        q = ParsedQuestion(text=text)
        for pattern in w.exclude_spans:
            for m in pattern.finditer(text):
                q.excluded += [u for u in self.find_units(m.group(1))[0] if u not in q.excluded]
        spans, masked = self.spans(text)
        intro = self._self_intro(text)
        remarks: dict[str, list[int]] = {}  # where each unit is named as not being somewhere
        for start, end, name in spans:
            if intro and intro.start() <= start < intro.end():
                continue  # "我原来在妇联，不太懂，…分哪几块工作": the asker's unit, not the subject
            if name in self.aliases.ambiguous:
                q.ambiguous[name] = list(self.aliases.ambiguous[name])
                continue
            unit = self.names[name]
            other = self._place_before(text, start, unit)
            if other:  # "尖扎联络组", "镇巴县人社局": a body of a partner county, which the plan does not have
                q.unknown_units.append(other + name)
                continue
            negated = w.negate_before.search(text[max(0, start - 6):start]) or w.negate_after.match(text[end:end + 6])
            if unit in q.excluded:
                continue
            bucket = q.negated if negated else q.units
            if unit not in bucket:
                bucket.append(unit)
            if negated:
                remarks.setdefault(unit, []).append(start)
        masked = self._stems(q, text, masked)
        for unit, starts in remarks.items():  # "好多条都没写联络组，那个联络组负责哪几条": a remark, then the question
            if unit in q.units and not any(_asks_in_clause(text, at) for at in starts):
                q.negated.remove(unit)
        q.units = [u for u in q.units if u not in q.negated]
        masked = self.references.read(q, masked)
        q.intents = {k for k, p in w.intents.items() if p.search(text)}
        if w.both_roles.search(text):  # "包括牵头和配合的": every task of the unit, not only those it leads
            q.intents.discard("lead")
        masked = self._typos(q, masked)
        plain = masked.replace("\u0000", "")
        # set words are read outside the unit names (区对口支援协作合作工作专班 has 合作 in it), and the word that
        # joins two names is read between them: 参与 has 与 in it, 都有 is not 都 + 和
        runs = [m.span() for m in re.finditer("\u0000+", masked)]
        joint = masked[runs[0][1]:runs[-1][0]].replace("\u0000", " ") if len(runs) >= 2 else ""
        if len(q.units) >= 2 and w.union_join.search(joint):  # A或B: tasks of either, whatever follows
            q.union = True
            q.intents.discard("together")
        elif len(q.units) >= 2 and w.together_join.search(joint) and "分别" not in text \
                and w.together_words.search(plain):
            q.intents.add("together")
        elif len(q.units) >= 2 and w.union_words.search(plain):  # A和B一共: tasks of either
            q.union = True
        q.target = w.target(plain)
        q.count = CountFilter("==", 0, "tasks") if w.zero_phrase.search(plain) else w.count_filter(plain)
        q.extreme = w.extreme(plain)
        q.single_unit = bool(w.single_unit.search(plain))
        q.asks_what = bool(w.section_what.search(plain))
        q.residue = plain
        return q

    def _stems(self, q: ParsedQuestion, text: str, masked: str) -> str:
        """A bare stem is a unit only when joined to a named unit (民政或者妇联, 妇联和民政): 教育和医疗 is no unit."""
        w = self.wording
        join = f"(?:{w.union_join.pattern}|{w.together_join.pattern})"
        before_pass = None
        while before_pass != masked:  # "发改、财政、商务": 商务 is joined to a name only once 财政 has been read
            before_pass = masked
            masked = self._stem_pass(q, text, masked, join)
        return masked

    def _stem_pass(self, q: ParsedQuestion, text: str, masked: str, join: str) -> str:
        w = self.wording
        for stem, unit in self._stem_list:
            if stem not in masked:  # most stems are not in the question: skip the pattern work
                continue
            for m in list(re.finditer(re.escape(stem), masked)):
                start, end = m.span()
                before, after = masked[:start], masked[end:]
                edge_before = not before or re.search(rf"(?:[^\w]|{join})$", before)
                # "发改、财政、商务三家同时…": a count of the bodies just listed also ends a name
                edge_after = not after or re.match(rf"[^\w]|{join}|{w.name_duty.pattern}|{w.together_words.pattern}"
                                                   rf"|[两二三四五六七八九\d]+(?:家|个单位|个部门)", after)
                linked = (re.match(rf"\s*{join}\s*\u0000", after) and edge_before) or \
                    (re.search(rf"\u0000\s*{join}\s*$", before) and edge_after) or \
                    (w.district_prefix.search(before) and (edge_after or w.stem_side.match(after)))  # 区商务那块
                if not linked or unit in q.units + q.excluded:
                    continue
                negated = w.negate_before.search(text[max(0, start - 6):start]) or w.negate_after.match(
                    text[end:end + 6])
                (q.negated if negated else q.units).append(unit)
                masked = masked[:start] + "\u0000" * len(stem) + masked[end:]
        return masked

    def _typos(self, q: ParsedQuestion, masked: str) -> str:
        """Unit-like names that are not known: read a clear typo as its unit, ask between close ones, else suggest.

        Returns the text with the names that were read (or asked about) masked like known names.
        """
        plain = masked.replace("\u0000", " ")
        # look-alike characters are mapped before the shape test so 区总工汇 is still seen as a name
        looks = "".join(self.wording.confusables.get(ch, ch) for ch in plain)
        looks = self._suffix_sounds(looks)
        for m_start, m_end in self._org_spans(looks):
            raw = plain[m_start:m_end]
            lead = re.match(r"^(请问|那么|那|问一下|我想知道|想问|有|却|但|和|与|及|的)+", raw)
            name = raw[lead.end():] if lead else raw
            match = self._best_reading(name) if len(name) >= 3 else self.matcher.match(name)
            place = next((p for p in self.places if name.startswith(p) and len(name) > len(p) + 1), None)
            if place and not all(place in u for u in match.units or [""]):
                match = NameMatch(written=name, kind="none")  # "尖扎县农牧局": the county's own body, not a typo
            name = match.written
            if self.wording.not_a_name.match(name) or self.wording.not_in_name.search(name):
                continue  # "区农副产品要进入哪些场所" asks something; a name asks nothing
            end = m_end
            start = end - len(name)  # every reading is a tail of the span
            after = plain[end:end + 12].lstrip()  # 工伤联 哪些任务: a space does not part a name from its verb
            bare = re.fullmatch(rf"\s*{re.escape(name)}\s*[呢吗？?]*\s*", plain.replace(" ", ""))
            # a name next to a set word (有X却没有Y, X和Y) or a duty verb is what the question is about
            before = plain[max(0, start - 2):start]
            duty = self.wording.name_duty.match(after)
            strict = name.startswith(("区", "县", "市", "通州", "南通")) or bare or (len(name) <= 6 and duty)
            # next to a set word only a name close to a known unit counts: 展会和交易会 is not a unit
            loose = len(name) <= 6 and (self.wording.name_neighbours.match(after)
                                        or re.search(r"(?:有|和|或|与|及|跟|同|、)$", before))
            # a clear misspelling of a known unit, standing as a word of its own (卫建委一共涉及几条, 财正局要配合…)
            alone = start == 0 or not "\u4e00" <= plain[start - 1] <= "\u9fa5" or plain[start - 1] in "咱我们的那这是"
            subject = strict or (loose and match.kind != "none") or (match.kind == "clear" and len(name) >= 3 and alone)
            if (len(name) < 3 and not (duty or loose)) or not subject or "东西部" in name:
                continue
            if self._other_body(plain, start, end):
                continue  # "发改委2025年新春行动": another body's document, as with the names themselves
            if match.kind == "none" and looks[end - 1] != plain[end - 1]:
                continue  # "镇巴主要帮哪些": only a sound-alike of a name ending, and like no unit, is no name
            if match.kind in ("clear", "ambiguous"):
                masked = masked[:start] + "\u0000" * len(name) + masked[end:]
            if match.kind == "clear" and match.units[0] not in q.units + q.negated:
                negated = self.wording.negate_before.search(plain[max(0, start - 6):start]) \
                    or self.wording.negate_after.match(plain[end:end + 6])
                (q.negated if negated else q.units).append(match.units[0])
                q.readings.append((name, match.units[0]))
            elif match.kind == "ambiguous":
                q.ambiguous[name] = match.units
            elif match.kind == "none" and not q.units:
                q.unknown_units.append(name)
                q.suggestions[name] = match.units
        return masked

    def _suffix_sounds(self, text: str) -> str:
        """供销总设 有哪些活: a homophone of a name ending (设/社) where a name would end, before a space or a verb."""
        if not hasattr(self, "_suffix_keys"):
            self._suffix_keys = {self.matcher.sound_key(ch): ch for ch in "局委办厅部会联社院所队组"}
        out = list(text)
        for i, ch in enumerate(text):
            if i < 2 or not "\u4e00" <= ch <= "\u9fa5":
                continue
            after = text[i + 1:].lstrip()
            if after and not self.wording.name_duty.match(after) and after[:1] == text[i + 1:i + 2]:
                continue  # inside a run of words: 数据局 keeps its 据
            out[i] = self._suffix_keys.get(self.matcher.sound_key(ch), ch)
        return "".join(out)

    def _org_spans(self, looks: str) -> list[tuple[int, int]]:
        """Spans shaped like unit names; two that touch are one name when together they read as a unit
        ("镇巴联" + "络组": 联 ends names like 工商联, but here the name goes on)."""
        spans = [m.span() for m in _ORG.finditer(looks)]
        out: list[tuple[int, int]] = []
        for span in spans:
            if out and out[-1][1] == span[0] and self.matcher.match(looks[out[-1][0]:span[1]]).kind == "clear":
                out[-1] = (out[-1][0], span[1])
            else:
                out.append(span)
        return out

    def _best_reading(self, name: str) -> NameMatch:
        """The name shape starts wherever its regex did (我想问农业农材局): try each tail and keep the best reading."""
        whole = self.matcher.match(name)
        best = whole
        for i in range(1, len(name) - 2):
            tail = self.matcher.match(name[i:])
            top = max(tail.scores.values(), default=0.0)
            if tail.kind != "none" and top > max(best.scores.values(), default=0.0):
                best = tail
        return best if best.kind != "none" else whole
