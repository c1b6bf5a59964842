"""Conversation history in the browser's storage: restore on reload, reopen, delete, export as Markdown; ?q= asks."""

from __future__ import annotations

import logging
import re
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import gradio as gr

from .chat import ChatPanel, new_meta
from .export import DownloadFolder
from .render import plain_of_message

log = logging.getLogger(__name__)

MAX_CONVERSATIONS = 30
MAX_STORED_CHARS = 1_500_000  # localStorage holds ~5 MB per site; the stored value is encrypted and base64-encoded
EMPTY = {"items": []}


def browser_secret(data_dir: Path) -> str:
    """The key the browser storage is encrypted with: made once per data folder, so a restart keeps histories."""
    path = Path(data_dir) / "browser_state.key"
    try:
        return path.read_text("utf-8").strip()
    except OSError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(24)
        path.write_text(key, "utf-8")
        path.chmod(0o600)
        return key


def _items(stored: dict | None) -> list[dict]:
    items = (stored or {}).get("items") if isinstance(stored, dict) else None
    return [c for c in items or [] if isinstance(c, dict) and c.get("id") and isinstance(c.get("messages"), list)]


def _title(messages: list[dict]) -> str:
    first = next((m.get("content") for m in messages if m.get("role") == "user"), "") or "对话"
    text = plain_of_message(first)
    return text[:28] + ("…" if len(text) > 28 else "")


def choices(stored: dict | None) -> list[tuple[str, str]]:
    return [(f"{c.get('title', '对话')}（{time.strftime('%m-%d %H:%M', time.localtime(c.get('updated', 0)))}）",
             c["id"]) for c in _items(stored)]


def to_markdown(messages: list[dict]) -> str:
    """A conversation as Markdown: each question as a heading, each answer and its sources as plain text."""
    lines = ["# 协作问答 对话记录", ""]
    for m in messages:
        text = plain_of_message(m.get("content"))
        if m.get("role") == "user":
            lines += [f"## 问：{text}", ""]
        else:
            lines += [text, ""]
    return "\n".join(lines)


class HistoryPanel:
    """Saved conversations (newest first) and the handlers that move them between the chat and the browser."""

    def __init__(self, chat: ChatPanel, secret: str, export_dir: Path | None = None):
        self.chat = chat
        self.secret = secret
        self._downloads = DownloadFolder("xzqa-history-", export_dir)
        self.components: dict[str, gr.components.Component] = {}

    @property
    def export_dir(self) -> Path:
        return self._downloads.path

    # --- handlers -------------------------------------------------------------------------------
    def save(self, stored: dict | None, current: str | None, history: list[dict] | None, meta: dict | None):
        """Outputs: stored, current id, conversation list. Keeps the newest conversations within the size bound."""
        items = _items(stored)
        if not history:
            return stored or EMPTY, current, gr.update(choices=choices(stored), value=current)
        current = current or secrets.token_hex(6)
        entry = {"id": current, "title": _title(history), "updated": time.time(),
                 "messages": [{"role": m.get("role"), "content": m.get("content")} for m in history],
                 "ids": dict((meta or {}).get("ids") or {})}
        items = [entry, *(c for c in items if c["id"] != current)][:MAX_CONVERSATIONS]
        while len(items) > 1 and len(repr(items)) > MAX_STORED_CHARS:
            items.pop()
        stored = {"items": items}
        return stored, current, gr.update(choices=choices(stored), value=current)

    def open(self, stored: dict | None, conv_id: str | None):
        """Outputs: chatbot, context, meta, current id."""
        conv = next((c for c in _items(stored) if c["id"] == conv_id), None)
        if conv is None:
            return gr.update(), gr.update(), gr.update(), gr.update()
        return conv["messages"], None, {"ids": dict(conv.get("ids") or {}), "ctx": {}}, conv["id"]

    def new(self):
        """Outputs: chatbot, context, meta, current id, list selection."""
        return [], None, new_meta(), None, gr.update(value=None)

    def delete(self, stored: dict | None, current: str | None):
        """Outputs: stored, conversation list, chatbot, context, meta, current id."""
        stored = {"items": [c for c in _items(stored) if c["id"] != current]}
        return stored, gr.update(choices=choices(stored), value=None), [], None, new_meta(), None

    def delete_all(self):
        return EMPTY, gr.update(choices=[], value=None), [], None, new_meta(), None

    def export(self, history: list[dict] | None) -> str | None:
        """A Markdown file of the shown conversation (for the download button)."""
        if not history:
            return None
        self._prune()
        name = re.sub(r"[^\w\u4e00-\u9fff-]+", "_", _title(history))[:24] or "对话"
        path = self.export_dir / secrets.token_hex(4) / f"对话_{name}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(to_markdown(history), "utf-8")
        return str(path)

    def _prune(self, max_age_s: float = 3600) -> None:
        """Exports are remade after every answer: drop the ones older than an hour."""
        for path in self.export_dir.glob("*/*.md"):
            try:
                if time.time() - path.stat().st_mtime > max_age_s:
                    path.unlink()
                    path.parent.rmdir()
            except OSError:
                pass

    def on_load(self, stored: dict | None, request: gr.Request) -> Iterator[tuple]:
        """Ask ?q= in a new conversation, or reopen the latest one. Outputs: chat outputs, current, list."""
        question = (request.query_params.get("q") if request else None) or ""
        items = _items(stored)
        listing = gr.update(choices=choices(stored), value=None)
        if question.strip():
            for outputs in self.chat.respond(question, [], None, new_meta()):
                yield (*outputs, None, listing)
            return
        if not items:
            yield "", [], None, new_meta(), None, listing
            return
        latest = items[0]
        yield ("", latest["messages"], None, {"ids": dict(latest.get("ids") or {}), "ctx": {}}, latest["id"],
               gr.update(choices=choices(stored), value=latest["id"]))

    # --- layout ---------------------------------------------------------------------------------
    def build(self) -> None:
        stored = gr.BrowserState(EMPTY, storage_key="xzqa-history", secret=self.secret)
        current = gr.State(None)
        with gr.Accordion("历史对话", open=False, elem_id="xz-history"):
            with gr.Row(elem_classes="xz-filters"):
                conv = gr.Dropdown([], label="保存在本浏览器中的对话（点选即打开）", scale=4, elem_id="xz-history-list")
                new = gr.Button("新对话", scale=1, min_width=80, elem_classes="xz-reset", elem_id="xz-new")
            with gr.Row():
                export = gr.DownloadButton("导出本对话（Markdown）", size="sm", elem_id="xz-export-md", scale=0,
                                           min_width=160)
                delete = gr.Button("删除本对话", size="sm", variant="secondary", scale=0, min_width=100,
                                   elem_id="xz-delete-conv")
                delete_all = gr.Button("删除全部对话", size="sm", variant="stop", scale=0, min_width=110,
                                       elem_id="xz-delete-all")
        self.components = {"stored": stored, "current": current, "conv": conv, "new": new, "export": export,
                           "delete": delete, "delete_all": delete_all}

    def register_events(self, demo: gr.Blocks) -> None:
        c, chat = self.components, self.chat.components
        private = {"api_visibility": "private", "show_progress": "hidden"}
        save_io = {"inputs": [c["stored"], c["current"], chat["chatbot"], chat["meta"]],
                   "outputs": [c["stored"], c["current"], c["conv"]]}
        export_io = {"inputs": chat["chatbot"], "outputs": c["export"]}
        for event in self.chat.answer_events:
            event.then(self.save, **save_io, **private).then(self.export, **export_io, **private)
        chat_state = [chat["chatbot"], chat["context"], chat["meta"], c["current"]]
        c["conv"].input(self.open, inputs=[c["stored"], c["conv"]], outputs=chat_state, **private).then(
            self.export, **export_io, **private)
        for trigger in (c["new"].click, chat["clear"].click):
            trigger(self.new, outputs=[*chat_state, c["conv"]], **private)
        stored_chat = [c["stored"], c["conv"], *chat_state]
        c["delete"].click(self.delete, inputs=[c["stored"], c["current"]], outputs=stored_chat, **private)
        c["delete_all"].click(self.delete_all, outputs=stored_chat, **private)
        demo.load(self.on_load, inputs=c["stored"], outputs=[*self.chat.outputs, c["current"], c["conv"]],
                  **private).then(self.save, **save_io, **private).then(self.export, **export_io, **private)
