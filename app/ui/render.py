"""HTML/Markdown rendering of answers and sources; every user or document string is HTML-escaped here."""

from __future__ import annotations

import html
import re

from ..lookup import LEAD_ROLE
from ..models import Answer, Citation

MODE_LABELS = {
    "lookup": "按任务记录精确查询",
    "item": "按任务编号查询",
    "section": "按部分查询",
    "multi": "分部分回答",
    "retrieval": "检索原文摘录",
    "refusal": "文档中未找到",
    "overview": "要点概览",
    "glossary": "术语与说明",
}


def esc(text: object) -> str:
    """HTML-escape any value (quotes included) for use in text or attributes."""
    return html.escape("" if text is None else str(text), quote=True)


def escape_markdown(text: str) -> str:
    """Escape HTML in Markdown text while keeping the Markdown itself (lists, bold, block quotes) working."""
    escaped = html.escape(text or "", quote=False).replace("[", "&#91;").replace("]", "&#93;")  # no links/images
    # a leading '>' is a Markdown block quote, not HTML: restore it
    return re.sub(r"^(\s*)((?:&gt;\s?)+)", lambda m: m.group(1) + m.group(2).replace("&gt;", ">"), escaped,
                  flags=re.MULTILINE)


def mark_highlights(text: str, highlights: list[str]) -> str:
    """Escape `text` and wrap each highlight sentence (first occurrence) in <mark>."""
    text = text or ""
    spans: list[tuple[int, int]] = []
    for sentence in sorted({h.strip() for h in highlights if h and h.strip()}, key=len, reverse=True):
        pos = text.find(sentence)
        if pos >= 0 and not any(pos < end and start < pos + len(sentence) for start, end in spans):
            spans.append((pos, pos + len(sentence)))
    out, cursor = [], 0
    for start, end in sorted(spans):
        out += [esc(text[cursor:start]), "<mark>", esc(text[start:end]), "</mark>"]
        cursor = end
    out.append(esc(text[cursor:]))
    return "".join(out).replace("\r\n", "\n").replace("\n", "<br>")


def citation_where(c: Citation) -> str:
    """'三、消费帮扶增收行动 · 第6项' — section and task number, whichever exist."""
    parts = [c.section, f"第{c.item}项" if c.item else "", c.date]
    return " · ".join(p for p in parts if p)


def citation_html(n: int, c: Citation) -> str:
    """One source: title, where, units and the clause with its answering sentences marked."""
    units = f'<div class="xz-units">责任单位：{esc("、".join(c.units))}</div>' if c.units else ""
    where = citation_where(c)
    return (f'<li class="xz-cite"><div class="xz-cite-head"><span class="xz-num">[{n}]</span> '
            f"《{esc(c.title)}》" + (f' <span class="xz-where">{esc(where)}</span>' if where else "") + "</div>"
            f'{units}<div class="xz-clause">{mark_highlights(c.text, c.highlights)}</div></li>')


def sources_html(citations: list[Citation], open_: bool = False) -> str:
    """A collapsible <details> list of sources, on one line so Markdown treats it as a single HTML block."""
    if not citations:
        return ""
    items = "".join(citation_html(i, c) for i, c in enumerate(citations, 1))
    return (f'<details class="xz-sources"{" open" if open_ else ""}><summary>来源（{len(citations)} 条）'
            f'</summary><ol class="xz-cites">{items}</ol></details>')


def notice_markdown(ans: Answer) -> str:
    """The answer's notice and, for a rewritten follow-up, how the question was understood."""
    lines = []
    if ans.notice and ans.notice not in ("empty question",):
        lines.append(f"> ⚠️ {escape_markdown(ans.notice)}")
    resolved = ans.resolved_question or ""
    if resolved and resolved.strip() != (ans.question or "").strip():
        lines.append(f"> 按“{escape_markdown(resolved)}”理解")
    return "\n".join(lines)


def footer_html(ans: Answer) -> str:
    label = MODE_LABELS.get(ans.mode, ans.mode)
    return f'<div class="xz-meta">{esc(label)} · {ans.ms:.0f} ms</div>'


def answer_body(ans: Answer) -> str:
    """The streamed part of an assistant message: notice lines, then the escaped Markdown answer."""
    head = notice_markdown(ans)
    body = escape_markdown(ans.answer)
    return f"{head}\n\n{body}" if head else body


def answer_message(ans: Answer) -> str:
    """The complete assistant message: body, sources (collapsed) and a small mode/timing line."""
    parts = [answer_body(ans)]
    if ans.citations:
        parts.append(sources_html(ans.citations))
    parts.append(footer_html(ans))
    return "\n\n".join(parts)


def stream_pieces(text: str) -> list[str]:
    """Split text after line ends and Chinese punctuation, so a streamed prefix stays readable."""
    pieces = re.findall(r"[^\n。；，！？]*[\n。；，！？]?", text)
    return [p for p in pieces if p]


def task_html(title: str, section: str, item: int, units: list[str], lead: str, text: str,
              doc_title: str = "", focus_unit: str = "") -> str:
    """A task card for the matrix tab: number, title, section, units with roles, full clause."""
    roles = []
    for u in units:
        role = LEAD_ROLE if u == lead else "参与"  # the plan marks no lead: same wording as the answers
        cls = "xz-unit focus" if u == focus_unit else "xz-unit"
        roles.append(f'<span class="{cls}">{esc(u)}<small>{role}</small></span>')
    source = f'<div class="xz-where">《{esc(doc_title)}》</div>' if doc_title else ""
    return (f'<div class="xz-task"><div class="xz-task-head"><b>第{item}项 {esc(title)}</b>'
            f' <span class="xz-where">{esc(section)}</span></div>{source}'
            f'<div class="xz-units">{"".join(roles)}</div><div class="xz-clause">{esc(text)}</div></div>')
