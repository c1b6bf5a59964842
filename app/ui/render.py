"""HTML/Markdown rendering of answers and sources; every user or document string is HTML-escaped here."""

from __future__ import annotations

import hashlib
import html
import re
from urllib.parse import quote, urlencode

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


def cite_key(text: str) -> str:
    """A short stable key of a clause's text: how a citation finds its place in the whole document."""
    return hashlib.sha1((text or "").encode("utf-8")).hexdigest()[:16]


def open_link(c: Citation) -> str:
    """'查看全文' link; the page script turns its fragment into a request for the document viewer."""
    query = urlencode({"doc": c.doc, "key": cite_key(c.text), "item": c.item or 0})
    return f' <a class="xz-open" href="#xzopen?{esc(query)}">查看全文</a>'


def citation_html(n: int, c: Citation) -> str:
    """One source: title, where, units and the clause with its answering sentences marked."""
    units = f'<div class="xz-units">责任单位：{esc("、".join(c.units))}</div>' if c.units else ""
    where = citation_where(c)
    return (f'<li class="xz-cite"><div class="xz-cite-head"><span class="xz-num">[{n}]</span> '
            f"《{esc(c.title)}》" + (f' <span class="xz-where">{esc(where)}</span>' if where else "")
            + open_link(c) + "</div>"
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
    link = f' · <a class="xz-link" href="?q={esc(quote(ans.question))}">本问题的链接</a>' if ans.question else ""
    return f'<div class="xz-meta">{esc(label)} · {ans.ms:.0f} ms{link}</div>'


def answer_body(ans: Answer) -> str:
    """The streamed part of an assistant message: notice lines, then the escaped Markdown answer."""
    head = notice_markdown(ans)
    body = escape_markdown(ans.answer)
    return f"{head}\n\n{body}" if head else body


def plain_text(ans: Answer) -> str:
    """The answer and its numbered sources as plain text (what the copy button copies; no HTML, no Markdown)."""
    lines = [f"提示：{ans.notice}"] if ans.notice and ans.notice != "empty question" else []
    lines.append(re.sub(r"\*\*|__|`", "", ans.answer or "").strip())
    if ans.citations:
        lines += ["", "来源："]
        for i, c in enumerate(ans.citations, 1):
            where = citation_where(c)
            lines.append(f"[{i}] 《{c.title}》" + (f" {where}" if where else ""))
            if c.units:
                lines.append(f"责任单位：{'、'.join(c.units)}")
            lines.append((c.text or "").strip())
    return "\n".join(lines)


PLAIN_RE = re.compile(r'<div class="xz-plain" hidden>(.*?)</div>', re.DOTALL)


def message_text(content: object) -> str:
    """A chat message's text: Gradio 6 hands messages back as a list of parts ({"type": "text", "text": …})."""
    if isinstance(content, dict):
        return str(content.get("text") or "")
    if isinstance(content, (list, tuple)):
        return "".join(message_text(part) for part in content)
    return "" if content is None else str(content)


def plain_of_message(content: object) -> str:
    """The plain text carried inside a stored assistant message (falls back to the message without tags)."""
    content = message_text(content)
    m = PLAIN_RE.search(content or "")
    if m:
        return html.unescape(m.group(1))
    return html.unescape(re.sub(r"<[^>]+>", "", content or "")).strip()


def answer_message(ans: Answer) -> str:
    """The complete assistant message: body, sources (collapsed), a mode/timing line and the hidden plain text."""
    parts = [answer_body(ans)]
    if ans.citations:
        parts.append(sources_html(ans.citations))
    parts.append(footer_html(ans))
    # on one line: Markdown leaves a one-line HTML block alone; newlines are kept as &#10;
    parts.append(f'<div class="xz-plain" hidden>{esc(plain_text(ans)).replace(chr(10), "&#10;")}</div>')
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
