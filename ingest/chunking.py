"""Turn documents into chunks: one per plan task/section/preamble; prose split at sentence ends."""

from __future__ import annotations

import hashlib
import re

from .models import Chunk, Document, Plan
from .plan_parser import section_display
from .planinfo import plan_info

_SENT_END = re.compile(r"[^。！？；!?;\n]*(?:[。！？；!?;]+[”’」』）)]*|\n|$)")


def content_hash(*parts: str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()[:24]


def split_sentences(text: str, offset: int = 0) -> list[tuple[str, int, int]]:
    """Sentences with their spans; ends at 。！？； (closing quotes stay with the sentence) or a newline."""
    out = []
    for m in _SENT_END.finditer(text):
        raw = m.group(0)
        if not raw.strip():
            continue
        lead = len(raw) - len(raw.lstrip())
        s = raw.strip()
        start = offset + m.start() + lead
        out.append((s, start, start + len(s)))
    return out


def _base_meta(doc: Document, kind: str) -> dict:
    return {"doc": doc.doc_id, "title": doc.title, "date": doc.date, "kind": kind,
            "section": "", "item": 0, "units": "", "lead_unit": ""}


def _chunk(doc: Document, text: str, embed_text: str, meta: dict, start: int, end: int) -> Chunk:
    h = content_hash(doc.doc_id, embed_text)
    meta = dict(meta, start=start, end=end, hash=h)
    return Chunk(id=h, doc=doc.doc_id, text=text, embed_text=embed_text, metadata=meta)


def plan_chunks(doc: Document, plan: Plan) -> list[Chunk]:
    """Preamble, one chunk per section intro, one per task (section and title in the embedded text)."""
    chunks: list[Chunk] = []
    info = plan_info(doc.doc_id, plan.title)
    ident = {"plan_title": plan.title, "plan_year": info.year or 0, "plan_version": info.version}
    if plan.preamble:
        meta = _base_meta(doc, "preamble") | ident
        chunks.append(_chunk(doc, plan.preamble, f"{plan.title}\n{plan.preamble}", meta, *plan.preamble_span))
    for sec in plan.sections:
        display = f"{sec.heading}\n{sec.intro}".strip()
        items = "、".join(f"{t.item}.{t.title}" for t in plan.tasks if t.item in sec.items)
        embed = f"{plan.title} {sec.heading}\n{sec.intro}\n本部分任务：{items}".strip()
        meta = _base_meta(doc, "section") | ident | {"section": section_display(sec.number, sec.name)}
        chunks.append(_chunk(doc, display, embed, meta, sec.start, sec.start + len(display)))
    for task in plan.tasks:
        units = "、".join(task.units)
        embed = f"{task.section} 第{task.item}项 {task.title}。{task.body}\n责任单位：{units}"
        meta = _base_meta(doc, "task") | ident | {
            "section": task.section, "item": task.item, "units": units, "lead_unit": task.lead_unit,
            "task_title": task.title, "listed_units": "、".join(task.listed_units), "unit_text": task.unit_text,
        }
        chunks.append(_chunk(doc, f"{task.item}. {task.text}", embed, meta, task.start, task.end))
    return chunks


def prose_chunks(doc: Document, min_chars: int = 300, max_chars: int = 500, overlap: int = 1) -> list[Chunk]:
    """Sentence-packed chunks of min..max chars with `overlap` sentences repeated; never cut a sentence."""
    # the header (标题/来源/发布) stays in: it carries the issuer and date people ask about
    sents = split_sentences(doc.text)
    chunks: list[Chunk] = []
    i = 0
    while i < len(sents):
        j, size = i, 0
        while j < len(sents) and (size < min_chars or size + len(sents[j][0]) <= max_chars):
            if size and size + len(sents[j][0]) > max_chars:
                break
            size += len(sents[j][0])
            j += 1
        piece = sents[i:j]
        start, end = piece[0][1], piece[-1][2]
        text = doc.text[start:end]
        meta = _base_meta(doc, "prose")
        chunks.append(_chunk(doc, text, f"{doc.title}\n{text}", meta, start, end))
        if j >= len(sents):
            break
        i = max(j - overlap, i + 1)
    return chunks
