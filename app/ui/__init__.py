"""The Gradio chat page: `build_demo(service)` assembles the 问答 / 入门 / 责任分工 / 版本对比 / 文档 / 关于 tabs and the /answer API."""

from __future__ import annotations

import logging
from pathlib import Path

import gradio as gr

from ..feedback import FeedbackStore
from ..openai_api import make_openai_router
from ..service import Service
from .about import AboutPanel
from .api import make_api_answer
from .chat import ChatPanel
from .curated_admin import CuratedAdmin
from .documents import DocumentsPanel
from .feedback_admin import FeedbackAdmin
from .history import HistoryPanel, browser_secret
from .locale import ChineseLocaleMiddleware
from .matrix import MatrixPanel
from .onboarding import FollowUpChips, OnboardingPanel
from .render import esc
from .source_view import SourceViewer
from .style import CSS, theme
from .upload_guard import UploadCache, UploadGuardMiddleware
from .versions import VersionsPanel

log = logging.getLogger(__name__)

__all__ = ["build_demo", "Page", "make_api_answer"]

SCRIPT = (Path(__file__).parent / "page.js").read_text("utf-8")


class Page(gr.Blocks):
    """gr.Blocks that brings its own theme and CSS to `launch()` (Gradio 6 takes them there, not in Blocks)."""

    max_upload_mb: int | None = None
    upload_cache: UploadCache | None = None
    extra_routes: list | None = None

    def launch(self, *args, **kwargs):
        kwargs.setdefault("theme", theme())
        kwargs.setdefault("css", CSS)
        kwargs.setdefault("js", SCRIPT)
        kwargs.setdefault("footer_links", ["api"])
        if self.max_upload_mb:  # the upload route is open to anyone: cap it before the admin check
            kwargs.setdefault("max_file_size", f"{self.max_upload_mb}mb")
        from starlette.middleware import Middleware

        app_kwargs = dict(kwargs.get("app_kwargs") or {})
        if self.extra_routes:  # app.openai_api's /v1 routes, on this server and ahead of gradio's own
            app_kwargs["routes"] = [*app_kwargs.get("routes", []), *self.extra_routes]
        middleware = [*app_kwargs.get("middleware", []), Middleware(ChineseLocaleMiddleware)]
        if self.upload_cache is not None:  # refuse uploads while admin is off; bound and prune the upload cache
            middleware.append(Middleware(UploadGuardMiddleware, cache=self.upload_cache))
        app_kwargs["middleware"] = middleware
        kwargs["app_kwargs"] = app_kwargs
        return super().launch(*args, **kwargs)


def _header(service: Service) -> str:
    title = service.index.records.doc_title or "工作要点"
    limit = service.settings.max_upload_mb  # read by the page script's upload check
    info = service.index.plans.info(service.index.plan_doc)
    badge = f'<span class="xz-draft">{esc(info.version)}</span>' if info else ""  # the version the title states
    return (f'<div id="xz-header"><h1>协作问答</h1><p data-max-upload-mb="{limit}">就《{esc(title)}》及相关文件提问，'
            f'回答附出处（文档、部分、任务序号）。{badge}</p></div>')


def build_demo(service: Service, stream_delay: float = 0.02, feedback: FeedbackStore | None = None) -> gr.Blocks:
    """Build the page for one Service; per-user state lives in gr.State and the browser (nothing global)."""
    s = service.settings
    feedback = feedback or FeedbackStore(s.feedback_path)
    chat = ChatPanel(service, stream_delay=stream_delay, feedback=feedback)
    history = HistoryPanel(chat, browser_secret(s.data_dir))
    matrix = MatrixPanel(service)
    uploads = UploadCache(service.admin_enabled(), s.upload_cache_max_mb * 1024 * 1024, s.upload_cache_max_files,
                          s.upload_cache_ttl_s)
    viewer = SourceViewer(service)
    documents = DocumentsPanel(service, uploads, viewer, FeedbackAdmin(feedback, CuratedAdmin(service, feedback)))
    about = AboutPanel(service)
    onboarding = OnboardingPanel(service, chat)
    chips = FollowUpChips(chat)
    versions = VersionsPanel(service)
    # delete_cache: uploaded files and downloads in Gradio's cache are removed after 6 h (checked hourly)
    with Page(title="协作问答", analytics_enabled=False, fill_width=True, delete_cache=(3600, 6 * 3600)) as demo:
        gr.HTML(_header(service))
        with gr.Tabs(elem_id="xz-tabs") as tabs:
            with gr.Tab("问答", id="chat", elem_id="xz-tab-chat"):
                chat.build(below_input=chips.build)
                history.build()
            with gr.Tab("入门", id="start", elem_id="xz-tab-start"):
                onboarding.build()
            with gr.Tab("责任分工", id="matrix", elem_id="xz-tab-matrix"):
                matrix.build()
            with gr.Tab("版本对比", id="versions", elem_id="xz-tab-versions"):
                versions.build()
            with gr.Tab("文档", id="docs", elem_id="xz-tab-docs"):
                documents.build()
            with gr.Tab("关于", id="about", elem_id="xz-tab-about"):
                about.build()
        viewer.build()  # a side panel over any tab
        chips.register_events(chat.register_events())
        onboarding.register_events(demo, tabs, chips)
        history.register_events(demo)  # after every panel that answers in the chat has added its events
        viewer.register_events()
        matrix.register_events(demo)
        versions.register_events(demo)
        documents.register_events(demo)
        about.register_events(demo)
        for event in documents.change_events:  # an upload/delete/re-index changes the matrix and corpus facts
            event.then(matrix.refresh, inputs=matrix.refresh_inputs, outputs=matrix.refresh_outputs,
                       api_visibility="private").then(about.refresh, outputs=about.components["corpus"],
                                                      api_visibility="private").then(
                versions.refresh, outputs=[versions.components["old"], versions.components["new"],
                                           versions.components["view"]], api_visibility="private").then(
                onboarding.refresh, inputs=onboarding.components["query"], outputs=onboarding.refresh_outputs,
                api_visibility="private")
        gr.api(make_api_answer(service), api_name="answer")
    demo.max_upload_mb = service.settings.max_upload_mb
    demo.upload_cache = uploads
    demo.extra_routes = make_openai_router(service).routes
    demo.panels = {"chat": chat, "history": history, "matrix": matrix, "documents": documents, "about": about,
                   "viewer": viewer, "feedback": feedback, "onboarding": onboarding, "chips": chips, "versions": versions}
    log.info("chat page built: %d tasks, %d documents", len(service.index.records.tasks), len(service.documents()))
    return demo
