"""Parse a Chinese work plan (工作要点/实施方案) into title, preamble, sections and tasks with units."""

from __future__ import annotations

import re

from .models import Plan, PlanSection, PlanTask
from .numerals import CN_NUMERAL_CHARS, cn_to_int, int_to_cn
from .units import AliasTable

_CN = f"[{CN_NUMERAL_CHARS}]+"
# Line markers, most specific first. Each gives (kind, number text, rest of line).
_MARKERS = [
    ("chapter", re.compile(rf"^第({_CN}|\d+)(?:部分|章|大行动|方面)[\s、，：:]*(.*)$")),
    ("article", re.compile(rf"^第({_CN}|\d+)条[\s、，：:]*(.*)$")),
    ("cn", re.compile(rf"^({_CN})[、，.．]\s*(.*)$")),
    ("paren", re.compile(rf"^[（(]({_CN}|\d+)[）)]\s*(.*)$")),
    ("arabic_dot", re.compile(r"^(\d{1,3})[.．](?!\d)\s*(.*)$")),
    ("arabic_comma", re.compile(r"^(\d{1,3})、\s*(.*)$")),
]
_UNIT_KEY = re.compile(r"(责任单位|牵头单位|配合单位|参与单位)\s*[：:]")
_OPEN, _CLOSE = "（(〔[【", "）)〕]】"
_INHERIT = re.compile(r"以下(.+?)(?:均|都|皆)(?:为|是|作为)责任单位")
_LEAD_MARK = "\u0000LEAD"
_DUTY_SUFFIX = re.compile(r"(?:等)?(?:按职责分工|按照职责分工|按各自职责|根据职责)?(?:负责|落实|参与)?$")


def _heading_like(rest: str) -> bool:
    """Headings are short and carry no sentence-internal full stop and no unit list."""
    body = rest.rstrip("。")
    return len(body) <= 40 and "。" not in body and not _UNIT_KEY.search(rest)


def classify_line(line: str) -> tuple[str, int | None, str] | None:
    """Return ('section'|'subsection'|'task', number, rest) for a marked line, else None."""
    for kind, pattern in _MARKERS:
        m = pattern.match(line)
        if not m:
            continue
        number, rest = cn_to_int(m.group(1)), m.group(2).strip()
        if kind in ("chapter", "cn"):
            return ("section", number, rest)
        if kind == "article" or kind == "arabic_dot":
            return ("task", number, rest)
        if kind == "arabic_comma":
            # `6、 社会帮扶深化行动` is a section head written with an Arabic digit
            return ("section" if _heading_like(rest) else "task", number, rest)
        return ("subsection" if _heading_like(rest) else "task", number, rest)
    return None


def _balanced_groups(text: str) -> list[tuple[int, int]]:
    """Spans of top-level bracket groups, handling nesting such as 〔…（…）〕."""
    spans, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in _OPEN:
            if depth == 0:
                start = i
            depth += 1
        elif ch in _CLOSE and depth:
            depth -= 1
            if depth == 0:
                spans.append((start, i + 1))
    return spans


def find_unit_clause(text: str) -> tuple[str, int, int] | None:
    """The unit list of a task: inside a bracket group naming 责任单位, or a bare trailing clause."""
    for start, end in _balanced_groups(text):
        inner = text[start + 1:end - 1]
        if _UNIT_KEY.match(inner.strip()):
            return inner.strip(), start, end
    m = _UNIT_KEY.search(text)
    if m and (m.start() == 0 or text[m.start() - 1] in "。；;\n "):
        return text[m.start():].strip().rstrip("。"), m.start(), len(text)
    return None


def split_units(clause: str, aliases: AliasTable) -> tuple[list[str], list[str], str | None]:
    """Split a unit clause into (listed units, units inherited by later tasks, explicit lead)."""
    inherited: list[str] = []
    lead: str | None = None
    # notes in brackets inside the list, e.g. （以下区对口帮扶X县联络组均为责任单位，不再列出）
    for start, end in reversed(_balanced_groups(clause)):
        note = clause[start + 1:end - 1]
        m = _INHERIT.search(note)
        if m:
            inherited.insert(0, aliases.canonicalize(m.group(1)))
        # 县农业局（牵头） marks the lead unit in place
        marker = _LEAD_MARK if note.strip() in ("牵头", "牵头单位") else ""
        clause = clause[:start] + marker + clause[end:]
    listed: list[str] = []
    for part in re.split(r"[；;]", clause):
        m = _UNIT_KEY.search(part)
        key = m.group(1) if m else "责任单位"
        body = part[m.end():] if m else part
        for raw in re.split(r"[、，,\s]+", body):
            marked = _LEAD_MARK in raw
            name = _DUTY_SUFFIX.sub("", raw.replace(_LEAD_MARK, "").strip().rstrip("。")).strip()
            if len(name) < 2:
                continue
            canon = aliases.canonicalize(name)
            if canon not in listed:
                listed.append(canon)
            if (key == "牵头单位" or marked) and lead is None:
                lead = canon
    return listed, inherited, lead


def section_display(number: int, name: str) -> str:
    return f"{int_to_cn(number)}、{name}" if name else f"{int_to_cn(number)}、"


def parse_plan(text: str, doc_id: str, aliases: AliasTable) -> Plan:
    """Parse cleaned plan text. Offsets in the result index into `text`."""
    lines: list[tuple[int, str]] = []
    pos = 0
    for raw in text.split("\n"):
        lines.append((pos, raw.strip()))
        pos += len(raw) + 1

    nonempty = [(p, ln) for p, ln in lines if ln]
    title_lines = nonempty[:1]
    if len(nonempty) > 1 and re.fullmatch(r"[（(][^）)]{1,12}[）)]", nonempty[1][1]):
        title_lines = nonempty[:2]
    title = "".join(ln for _, ln in title_lines)
    body_from = title_lines[-1][0] + len(title_lines[-1][1]) if title_lines else 0

    sections: list[PlanSection] = []
    tasks: list[PlanTask] = []
    preamble: list[str] = []
    pre_span = [None, None]
    carry: list[str] = []
    subsection = ""
    current: PlanTask | None = None

    def finish_task() -> None:
        nonlocal current
        if current is None:
            return
        found = find_unit_clause(current.text)
        if found:
            clause, _, _ = found
            listed, inherited, lead = split_units(clause, aliases)
            current.unit_text = clause
            current.listed_units = listed
            carry.extend(u for u in inherited if u not in carry)
            current.units = listed + [u for u in carry if u not in listed]
            current.lead_unit = lead or (listed[0] if listed else "")
        else:
            current.units = list(carry)
            current.lead_unit = ""
        if found:
            body = current.text[:found[1]] + current.text[found[2]:]
        else:
            body = current.text
        body = body[len(current.title):].lstrip("。").strip()
        current.body = body
        tasks.append(current)
        if sections:
            sections[-1].items.append(current.item)
            sections[-1].end = current.end
        current = None

    for start, line in lines:
        if not line or start < body_from:
            continue
        kind = classify_line(line)
        if current is not None and kind is None:
            # continuation paragraph or a trailing 责任单位 line of the current task
            current.text += "\n" + line
            current.end = start + len(line)
            continue
        if kind and kind[0] == "section":
            finish_task()
            number = len(sections) + 1
            name = kind[2].rstrip("。")
            sections.append(PlanSection(number=number, name=name, heading=line,
                                        start=start, end=start + len(line)))
            subsection = ""
            continue
        if kind and kind[0] == "subsection":
            finish_task()
            subsection = kind[2].rstrip("。")
            continue
        if kind and kind[0] == "task":
            finish_task()
            item = len(tasks) + 1 if kind[1] is None or kind[1] <= (tasks[-1].item if tasks else 0) else kind[1]
            rest = kind[2]
            title_part = rest.split("。", 1)[0]
            sec = sections[-1] if sections else None
            section_name = section_display(sec.number, sec.name) if sec else ""
            if subsection:
                section_name = f"{section_name} {subsection}".strip()
            current = PlanTask(item=item, title=title_part.strip(), body="", text=rest,
                               section_no=sec.number if sec else 0, section=section_name,
                               start=start, end=start + len(line))
            continue
        # unmarked line outside a task: section intro or preamble
        if sections:
            sec = sections[-1]
            sec.intro = (sec.intro + "\n" + line).strip()
            sec.end = start + len(line)
        else:
            preamble.append(line)
            pre_span[0] = start if pre_span[0] is None else pre_span[0]
            pre_span[1] = start + len(line)
    finish_task()
    return Plan(doc_id=doc_id, title=title, preamble="\n".join(preamble), sections=sections,
                tasks=tasks, preamble_span=(pre_span[0] or 0, pre_span[1] or 0))


def looks_like_plan(text: str) -> bool:
    """A document is parsed as a plan when it has numbered tasks carrying unit lists."""
    return len(_UNIT_KEY.findall(text)) >= 2
