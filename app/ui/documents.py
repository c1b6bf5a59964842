"""The 文档 tab: indexed documents, and a password-protected admin area to upload, delete and re-index."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import gradio as gr

from ..service import Service, UploadRejected
from .feedback_admin import FeedbackAdmin
from .render import esc
from .source_view import SourceViewer
from .upload_guard import UploadCache

log = logging.getLogger(__name__)

HEADERS = ["文档 ID", "标题", "类型", "分块数", "索引时间"]
DISABLED = "未设置管理员密码（XZQA_ADMIN_PASSWORD），上传已停用"
WRONG = "管理员密码错误，未作任何改动。"
LOCKED = "密码错误次数过多，请 {minutes} 分钟后再试。"
SUFFIXES = [".txt", ".md", ".docx", ".pdf"]

ProgressFn = Callable[..., object]


def _status(text: str, kind: str = "info") -> str:
    return f'<div class="xz-status xz-{kind}">{esc(text).replace(chr(10), "<br>")}</div>'


def client_address(request: gr.Request | None) -> str:
    """The client's IP address as the server sees it (behind a proxy: the proxy's, so limit there too)."""
    client = getattr(request, "client", None)
    return getattr(client, "host", None) or "unknown"


def _adapter(progress: ProgressFn | None, desc: str) -> Callable[[int, int], None] | None:
    """Service progress callbacks (done, total) → a Gradio progress bar."""
    if progress is None:
        return None

    def report(done: int, total: int) -> None:
        progress((done, total), desc=desc, unit="块")
    return report


class DocumentsPanel:
    """Document table and admin handlers (plain methods) and their Gradio wiring."""

    def __init__(self, service: Service, uploads: UploadCache | None = None, viewer: SourceViewer | None = None,
                 feedback: FeedbackAdmin | None = None):
        self.service = service
        self.uploads = uploads
        self.viewer = viewer or SourceViewer(service)
        self.feedback = feedback or FeedbackAdmin(None)
        self.components: dict[str, gr.components.Component] = {}
        self.change_events: list = []

    # --- data -----------------------------------------------------------------------------------
    def table(self) -> list[list]:
        return [[d["doc"], d["title"], d["kind"], d["chunks"], d["indexed_at"]] for d in self.service.documents()]

    def doc_choices(self) -> list[tuple[str, str]]:
        return [(f"{d['title'][:40]}（{d['doc']}）", d["doc"]) for d in self.service.documents()]

    def refresh(self):
        """Outputs: document table, delete dropdown, view dropdown."""
        choices = self.doc_choices()
        return self.table(), gr.update(choices=choices, value=None), gr.update(choices=choices)

    def view(self, doc_id: str | None):
        """Outputs: viewer panel, viewer body."""
        if not doc_id:
            return gr.update(), gr.update()
        return gr.update(visible=True), self.viewer.document_html(doc_id)

    # --- admin handlers -------------------------------------------------------------------------
    def unlock(self, password: str | None, client: str = "local"):
        """Outputs: status, admin controls group visibility, then the feedback view (filled only when unlocked)."""
        refused = self._refused(password, client)
        if refused:
            return refused, gr.update(visible=False), *self.feedback.cleared()
        return (_status("已验证管理员身份：可以查看反馈、上传或删除文档、重建索引。", "ok"), gr.update(visible=True),
                *self.feedback.refresh())

    def feedback_refresh(self, password: str | None, client: str = "local"):
        """Outputs: status, the feedback view."""
        refused = self._refused(password, client)
        if refused:
            return refused, *self.feedback.cleared()
        return "", *self.feedback.refresh()

    def _refused(self, password: str | None, client: str = "local") -> str | None:
        """A status message when the admin action is not allowed; failures count against the client address."""
        if not self.service.admin_enabled():
            return _status(DISABLED, "warn")
        wait = self.service.admin_locked_for(client)
        if wait:
            log.warning("admin action from %s refused: locked out for %.0f s more", client, wait)
            return _status(LOCKED.format(minutes=max(1, round(wait / 60))), "error")
        if not self.service.check_admin(password, client):
            log.warning("admin action from %s refused (wrong password)", client)
            return _status(WRONG, "error")
        return None

    def upload(self, files: list[str] | str | None, password: str | None, progress: ProgressFn | None = None,
               client: str = "local"):
        """Index uploaded files one by one; outputs: status, document table, delete dropdown, cleared file box."""
        paths = [files] if isinstance(files, str) else list(files or [])
        try:
            return self._upload(paths, password, progress, client)
        finally:
            for path in paths:  # read or refused: either way it leaves the upload cache now
                if self.uploads is not None:
                    self.uploads.discard(str(path))

    def _upload(self, paths: list[str], password: str | None, progress: ProgressFn | None, client: str):
        refused = self._refused(password, client)
        if refused:
            return refused, *self.refresh(), gr.update()
        if not paths:
            return _status("请先选择要上传的文件（.txt .md .docx .pdf）。", "warn"), *self.refresh(), gr.update()
        messages, kind = [], "ok"
        for path in paths:
            name = Path(path).name
            try:
                data = Path(path).read_bytes()
                messages.append(self.service.add_file(name, data, _adapter(progress, f"正在索引 {name}")))
                log.info("uploaded %s (%d bytes)", name, len(data))
            except UploadRejected as exc:
                messages.append(str(exc))
                kind = "error"
            except OSError as exc:
                log.exception("cannot read upload %s", name)
                messages.append(f"{name}：无法读取上传的文件（{exc.strerror or exc}）")
                kind = "error"
        return _status("\n".join(messages), kind), *self.refresh(), None

    def delete(self, doc_id: str | None, confirm: bool, password: str | None, progress: ProgressFn | None = None,
               client: str = "local"):
        """Outputs: status, document table, delete dropdown, confirm checkbox."""
        refused = self._refused(password, client)
        if refused:
            return refused, *self.refresh(), False
        if not doc_id:
            return _status("请先选择要删除的文档。", "warn"), *self.refresh(), False
        if not confirm:
            return _status("请勾选“确认删除”后再删除。", "warn"), *self.refresh(), False
        try:
            message, kind = self.service.delete_document(doc_id, _adapter(progress, "正在更新索引")), "ok"
            log.info("deleted %s", doc_id)
        except UploadRejected as exc:
            message, kind = str(exc), "error"
        return _status(message, kind), *self.refresh(), False

    def reindex(self, password: str | None, progress: ProgressFn | None = None, client: str = "local"):
        """Outputs: status, document table, delete dropdown."""
        refused = self._refused(password, client)
        if refused:
            return refused, *self.refresh()
        report = self.service.reindex(_adapter(progress, "正在重建索引"))
        lines = [f"索引已更新：{report.summary_zh()}", *report.errors]
        return _status("\n".join(lines), "ok" if report.ok else "error"), *self.refresh()

    # --- layout ---------------------------------------------------------------------------------
    def build(self) -> None:
        enabled = self.service.admin_enabled()
        docs = gr.Dataframe(self.table(), headers=HEADERS, interactive=False, wrap=True, show_label=False, max_height=640,
                            column_widths=["24%", "46%", "9%", "7%", "14%"], elem_id="xz-docs")
        with gr.Row(elem_classes="xz-filters"):
            pick = gr.Dropdown(self.doc_choices(), label="查看或下载文档", scale=4, elem_id="xz-doc-pick")
            show = gr.Button("查看全文", scale=1, min_width=90, elem_classes="xz-reset", elem_id="xz-doc-view")
            download = gr.DownloadButton("下载原文件", scale=1, min_width=110, elem_classes="xz-reset",
                                         elem_id="xz-doc-download")
        with gr.Accordion("管理员", open=True, elem_classes="xz-admin"):
            if not enabled:
                gr.HTML(_status(DISABLED, "warn"), elem_id="xz-admin-disabled")
            with gr.Row(equal_height=True):
                password = gr.Textbox(label="管理员密码", show_label=False, type="password", scale=4,
                                      interactive=enabled, container=False, elem_id="xz-password",
                                      placeholder="管理员密码（输入后点“验证”）" if enabled else "上传已停用")
                unlock = gr.Button("验证", scale=1, min_width=80, interactive=enabled, elem_id="xz-unlock")
            status = gr.HTML("", elem_id="xz-admin-status")
            limit = self.service.settings.max_upload_mb
            with gr.Column(visible=False, elem_id="xz-admin-controls") as controls:
                self.feedback.build()
                # no file_types: Gradio would refuse other types in English; the page script and the handler
                # refuse them in Chinese instead
                files = gr.File(label=f"上传文档（{' '.join(SUFFIXES)}，单个不超过 {limit} MB；同名文件视为新版本）",
                                file_count="multiple", type="filepath", elem_id="xz-upload", height=150)
                gr.HTML("", elem_id="xz-upload-check")
                upload = gr.Button("上传并索引", variant="primary")
                with gr.Row(elem_classes="xz-filters"):
                    doc = gr.Dropdown(self.doc_choices(), label="删除文档", scale=4)
                    confirm = gr.Checkbox(label="确认删除", value=False, scale=1, min_width=100)
                    delete = gr.Button("删除", variant="stop", scale=1, min_width=80, elem_classes="xz-reset")
                reindex = gr.Button("重建索引（重新读取语料文件夹）", variant="secondary")
        self.components = {"docs": docs, "password": password, "unlock": unlock, "status": status,
                           "controls": controls, "files": files, "upload": upload, "doc": doc, "confirm": confirm,
                           "delete": delete, "reindex": reindex, "pick": pick, "show": show, "download": download}

    def register_events(self, demo: gr.Blocks) -> None:
        c = self.components
        private = {"api_visibility": "private"}
        # Gradio injects gr.Request and gr.Progress into these wrappers
        def unlock(password, request: gr.Request):
            return self.unlock(password, client_address(request))

        unlocked = [c["status"], c["controls"], *self.feedback.outputs]
        c["unlock"].click(unlock, inputs=c["password"], outputs=unlocked, **private)
        c["password"].submit(unlock, inputs=c["password"], outputs=unlocked, **private)

        def feedback_refresh(password, request: gr.Request):
            return self.feedback_refresh(password, client_address(request))

        self.feedback.components["refresh"].click(feedback_refresh, inputs=c["password"],
                                                  outputs=[c["status"], *self.feedback.outputs], **private)
        if self.feedback.curated is not None:
            self.feedback.curated.register_events(c["password"], self._refused, client_address)
        viewer = self.viewer.components
        c["pick"].change(self.viewer.download_copy, inputs=c["pick"], outputs=c["download"], **private)
        c["show"].click(self.view, inputs=c["pick"], outputs=[viewer["panel"], viewer["body"]], **private)

        def upload(files, password, request: gr.Request, progress=gr.Progress()):  # noqa: B008
            return self.upload(files, password, progress, client_address(request))

        def delete(doc_id, confirm, password, request: gr.Request, progress=gr.Progress()):  # noqa: B008
            return self.delete(doc_id, confirm, password, progress, client_address(request))

        def reindex(password, request: gr.Request, progress=gr.Progress()):  # noqa: B008
            return self.reindex(password, progress, client_address(request))

        self.change_events = [
            c["upload"].click(upload, inputs=[c["files"], c["password"]],
                              outputs=[c["status"], c["docs"], c["doc"], c["pick"], c["files"]], **private),
            c["delete"].click(delete, inputs=[c["doc"], c["confirm"], c["password"]],
                              outputs=[c["status"], c["docs"], c["doc"], c["pick"], c["confirm"]], **private),
            c["reindex"].click(reindex, inputs=c["password"], outputs=[c["status"], c["docs"], c["doc"], c["pick"]],
                               **private),
        ]
        demo.load(self.refresh, outputs=[c["docs"], c["doc"], c["pick"]], **private)
