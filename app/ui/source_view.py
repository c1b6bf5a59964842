"""The document viewer: a side panel with a whole document, the cited clause highlighted and scrolled to."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import gradio as gr

from ingest.loaders import LoadError, load_document

from ..service import Service
from .export import DownloadFolder
from .render import cite_key, esc

log = logging.getLogger(__name__)

CLOSED = gr.update(visible=False)


class SourceViewer:
    """Opens a document at a clause: requests come from '查看全文' links (page script) and the 文档 tab."""

    def __init__(self, service: Service, export_dir: Path | None = None):
        self.service = service
        self._downloads = DownloadFolder("xzqa-docs-", export_dir)
        self.components: dict[str, gr.components.Component] = {}

    @property
    def export_dir(self) -> Path:
        return self._downloads.path

    def _chunks(self, doc_id: str) -> list[tuple[str, dict]]:
        snap = self.service.index.snapshot
        rows = [(text, meta) for text, meta in zip(snap.documents, snap.metadatas, strict=False)
                if meta.get("doc") == doc_id]
        return sorted(rows, key=lambda r: int(r[1].get("start") or 0))

    def _target(self, chunks: list[tuple[str, dict]], key: str, item: int) -> tuple[str, dict] | None:
        by_key = next((c for c in chunks if key and cite_key(c[0]) == key), None)
        return by_key or next((c for c in chunks if item and c[1].get("item") == item), None)

    def document_html(self, doc_id: str, key: str = "", item: int = 0) -> str:
        """The whole document as indexed from its file, the clause in <mark id="xz-hit">; chunks if unreadable."""
        chunks = self._chunks(doc_id)
        if not chunks:
            return f'<div class="xz-warn">索引中没有文档“{esc(doc_id)}”（可能已被删除），请刷新页面。</div>'
        title = chunks[0][1].get("title") or doc_id
        target = self._target(chunks, key, item)
        text = self._file_text(doc_id)
        if text and target and text[int(target[1].get("start", 0)):int(target[1].get("end", 0))] == target[0]:
            start, end = int(target[1]["start"]), int(target[1]["end"])
            body = (_para(text[:start]) + '<mark id="xz-hit">' + _para(text[start:end]) + "</mark>"
                    + _para(text[end:]))
        else:  # the file changed since indexing (or cannot be read): show the indexed clauses in order
            body = "<br><br>".join(
                ('<mark id="xz-hit">' + _para(t) + "</mark>") if target and t == target[0] else _para(t)
                for t, _ in chunks)
        where = f"第{item}项" if item else ""
        head = f'<div class="xz-doc-title">《{esc(title)}》<span class="xz-where">{esc(where)}</span></div>'
        return f'{head}<div class="xz-doc-body" data-doc="{esc(doc_id)}">{body}</div>'

    def _file_text(self, doc_id: str) -> str:
        path = self.service.document_file(doc_id)
        if path is None:
            return ""
        try:
            return load_document(path, limits=self.service.settings.load_limits()).text
        except (LoadError, OSError) as exc:
            log.warning("cannot read %s for the viewer: %s", path, exc)
            return ""

    def download_copy(self, doc_id: str | None) -> str | None:
        """A copy of the document's file in the page's temp folder (Gradio serves only such paths)."""
        path = self.service.document_file(doc_id or "")
        if path is None:
            return None
        dst = self.export_dir / doc_id / path.name
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dst)
        return str(dst)

    # --- handlers -------------------------------------------------------------------------------
    def open(self, request: str | None):
        """Outputs: panel visibility, body. `request` is JSON {doc, key, item} from the page script."""
        try:
            req = json.loads(request or "{}")
            doc, key, item = str(req.get("doc") or ""), str(req.get("key") or ""), int(req.get("item") or 0)
        except (ValueError, TypeError, AttributeError):
            return gr.update(visible=True), '<div class="xz-warn">无法打开这条来源，请刷新页面后再试。</div>'
        return gr.update(visible=True), self.document_html(doc, key, item)

    # --- layout ---------------------------------------------------------------------------------
    def build(self) -> None:
        # rendered but hidden: the page script writes the request here and clicks the button
        request = gr.Textbox(visible="hidden", elem_id="xz-open-req")
        go = gr.Button("打开", visible="hidden", elem_id="xz-open-go")
        with gr.Column(visible=False, elem_id="xz-docview") as panel:
            with gr.Row(elem_classes="xz-docview-bar"):
                gr.HTML('<b>文档全文</b>')
                close = gr.Button("关闭 ✕", size="sm", scale=0, min_width=80, elem_id="xz-docview-close")
            body = gr.HTML("", elem_id="xz-docview-body")
        self.components = {"request": request, "go": go, "panel": panel, "body": body, "close": close}

    def register_events(self) -> None:
        c = self.components
        c["go"].click(self.open, inputs=c["request"], outputs=[c["panel"], c["body"]], api_visibility="private",
                      show_progress="hidden", js="() => [window.xzOpenRequest || '']").then(
            None, js="() => window.xzScrollToHit && window.xzScrollToHit()")
        c["close"].click(lambda: CLOSED, outputs=c["panel"], api_visibility="private")


def _para(text: str) -> str:
    return esc(text).replace("\r\n", "\n").replace("\n", "<br>")
