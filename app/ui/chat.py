"""The 问答 tab: streamed answers with sources, examples, follow-up context, 👍/👎, regenerate and edit."""

from __future__ import annotations

import html
import logging
import re
import time
from collections.abc import Callable, Iterator

import gradio as gr

from ..feedback import FeedbackStore
from ..followups import suggest
from ..inputs import sanitize_question
from ..models import DialogueContext
from ..service import Service
from .render import answer_body, answer_message, escape_markdown, message_text, stream_pieces

log = logging.getLogger(__name__)

EXAMPLES = (
    "区总工会负责哪些任务",
    "第7项由谁牵头",
    "消费帮扶增收行动包括哪些任务",
    "劳模疗休养是哪项工作",
    "发改委和商务局共同负责哪些任务",
)

PLACEHOLDER = (
    "**有关《{title}》的问题，都可以在这里问。**\n\n"
    "可以问：某单位负责哪些任务、第N项由谁牵头、某部分包括哪些任务、某项工作的具体内容。"
    "回答之后可以接着追问，例如“那区妇联呢”“它的责任单位是谁”。"
)

THANKS = '<div class="xz-hint">已记录，谢谢！维护人员会据此补充文档或修正回答。</div>'

# Per conversation: "ids" maps an assistant message's position (as a string: it is stored as JSON in the browser)
# to its row in the feedback database; "ctx" maps a question's position to the follow-up context it was asked in.
Meta = dict
ChatOutputs = tuple[str, list[dict], DialogueContext | None, Meta]


def new_meta() -> Meta:
    return {"ids": {}, "ctx": {}}


class ChatPanel:
    """Chat handlers (plain methods, testable without a browser) and their Gradio wiring."""

    def __init__(self, service: Service, stream_delay: float = 0.02, feedback: FeedbackStore | None = None):
        self.service = service
        self.stream_delay = stream_delay
        self.feedback = feedback
        self.components: dict[str, gr.components.Component] = {}
        self.answer_events: list = []  # every event that ends with a new answer (history saving hooks onto them)

    def placeholder(self) -> str:
        """The empty chat's greeting, naming the plan that answers by default."""
        return PLACEHOLDER.format(title=escape_markdown(self.service.index.records.doc_title or "工作要点"))

    # --- handlers -------------------------------------------------------------------------------
    def respond(self, message: str, history: list[dict] | None, context: DialogueContext | None,
                meta: Meta | None = None) -> Iterator[ChatOutputs]:
        """Answer one question: yield the user turn, then the answer growing piece by piece, then sources."""
        history = list(history or [])
        meta = _copy_meta(meta)
        # the question is echoed into the chat: no lone surrogates (the page's JSON encoder refuses them)
        question = (sanitize_question(message)[0] or "").strip()
        if not question:
            yield "", list(history), context, meta
            return
        meta["ctx"][str(len(history))] = context
        limit = self.service.settings.max_question_chars
        shown_q = question if len(question) <= limit else (  # a pasted page is not echoed whole
            f"{question[:limit]}……（共 {len(question)} 字，只按前 {limit} 字回答）")
        history.append({"role": "user", "content": escape_markdown(shown_q)})
        history.append({"role": "assistant", "content": "…"})
        yield "", list(history), context, meta
        try:
            ans = self.service.ask(question, context)
        except Exception:  # keep the chat usable; the log has the traceback
            log.exception("answering failed: %r", question)
            history[-1] = {"role": "assistant", "content": "出错了：这个问题暂时无法回答，请换个问法或稍后再试。"}
            yield "", list(history), context, meta
            return
        log.info("answered %r mode=%s found=%s in %.0f ms", question[:60], ans.mode, ans.found, ans.ms)
        if ans.context is not None:
            ans.context.suggestions = suggest(self.service.answerer, ans)
        shown = ""
        for piece in stream_pieces(answer_body(ans)):
            shown += piece
            history[-1] = {"role": "assistant", "content": shown}
            yield "", list(history), context, meta
            if self.stream_delay:
                time.sleep(self.stream_delay)
        history[-1] = {"role": "assistant", "content": answer_message(ans)}
        answer_id = self._record(ans)
        if answer_id is not None:
            meta["ids"][str(len(history) - 1)] = answer_id
        yield "", list(history), ans.context, meta

    def _record(self, ans) -> int | None:
        if self.feedback is None:
            return None
        try:
            return self.feedback.record(ans, self.service.index.snapshot.collection or "")
        except Exception:  # a full disk or locked file must not cost the user the answer
            log.exception("could not store the answer in the feedback database")
            return None

    def clear(self) -> ChatOutputs:
        """Empty chat and no follow-up context."""
        return "", [], None, new_meta()

    def resend(self, index: int, question: str | None, history: list[dict] | None,
               meta: Meta | None) -> Iterator[ChatOutputs]:
        """Ask again from the question at `index` (regenerate) or with its edited text; later turns are dropped."""
        history = list(history or [])
        while index > 0 and (index >= len(history) or history[index].get("role") != "user"):
            index -= 1  # a retry names the answer; the question is the user message before it
        if not history or history[index].get("role") != "user":
            yield "", history, None, _copy_meta(meta)
            return
        meta = _copy_meta(meta)
        context = meta["ctx"].get(str(index))
        text = question if question is not None else _unescape(history[index].get("content"))
        meta["ids"] = {k: v for k, v in meta["ids"].items() if int(k) < index}
        meta["ctx"] = {k: v for k, v in meta["ctx"].items() if int(k) < index}
        yield from self.respond(text, history[:index], context, meta)

    def retry(self, history: list[dict] | None, meta: Meta | None, evt: gr.RetryData) -> Iterator[ChatOutputs]:
        yield from self.resend(_index(evt.index), None, history, meta)

    def edit(self, history: list[dict] | None, meta: Meta | None, evt: gr.EditData) -> Iterator[ChatOutputs]:
        yield from self.resend(_index(evt.index), message_text(evt.value), history, meta)

    def rate(self, meta: Meta | None, evt: gr.LikeData):
        """👍/👎 on an answer; outputs: comment row visibility, the rated answer's id, status."""
        answer_id = (meta or {}).get("ids", {}).get(str(_index(evt.index)))
        if self.feedback is None or answer_id is None:
            return gr.update(visible=False), None, '<div class="xz-hint">这条回答无法评价（页面重启前的回答）。</div>'
        liked = evt.liked is True or evt.liked == "Like"
        thumbs = None if evt.liked in ("", None) else (1 if liked else -1)
        self.feedback.rate(answer_id, thumbs)
        if thumbs == -1:
            return gr.update(visible=True), answer_id, ""
        return gr.update(visible=False), None, THANKS if thumbs else ""

    def comment(self, answer_id: int | None, text: str | None):
        """Outputs: comment box (cleared), comment row visibility, status."""
        if self.feedback is not None and answer_id is not None and (text or "").strip():
            self.feedback.rate(answer_id, None, (sanitize_question(text)[0] or "").strip())
        return "", gr.update(visible=False), THANKS

    # --- layout ---------------------------------------------------------------------------------
    def build(self, below_input: Callable[[], None] | None = None) -> None:
        """Lay out the chat; `below_input` adds components right under the question box (follow-up chips)."""
        with gr.Column(elem_classes="xz-chat"):
            chatbot = gr.Chatbot(
                label="问答", show_label=False, height="62vh", min_height=420, placeholder=self.placeholder(), elem_id="xz-chatbot",
                sanitize_html=True, allow_tags=False, latex_delimiters=[], feedback_options=("Like", "Dislike"),
                buttons=["copy"], layout="bubble", editable="user",
            )
            with gr.Row(equal_height=True):
                box = gr.Textbox(placeholder="输入问题，回车提问，例如：区总工会负责哪些任务", show_label=False,
                                 lines=1, max_lines=4, scale=8, autofocus=True, elem_id="xz-question",
                                 container=False)
                ask = gr.Button("提问", variant="primary", scale=1, min_width=80, elem_id="xz-ask")
                clear = gr.Button("清空对话", variant="secondary", scale=1, min_width=96, elem_id="xz-clear")
            if below_input is not None:
                below_input()
            gr.Markdown("**示例问题**（点击即问）", elem_classes="xz-examples-label")
            with gr.Row(elem_classes="xz-examples"):
                examples = [gr.Button(q, size="sm", variant="secondary", min_width=60) for q in EXAMPLES]
            with gr.Row(visible=False, elem_id="xz-comment-row") as comment_row:
                comment = gr.Textbox(placeholder="哪里不对？（可选）例如：漏了某个单位、应引用哪份文件", show_label=False,
                                     lines=1, max_lines=4, scale=8, container=False, elem_id="xz-comment",
                                     max_length=2000)
                send = gr.Button("提交意见", scale=1, min_width=96, elem_id="xz-comment-send")
            rated = gr.HTML("", elem_id="xz-rated")
        context = gr.State(None)
        meta = gr.State(new_meta())
        rated_id = gr.State(None)
        self.components = {"chatbot": chatbot, "box": box, "ask": ask, "clear": clear, "context": context,
                           "meta": meta, "comment_row": comment_row, "comment": comment, "send": send,
                           "rated": rated, "rated_id": rated_id}
        self.examples = examples

    @property
    def outputs(self) -> list[gr.components.Component]:
        c = self.components
        return [c["box"], c["chatbot"], c["context"], c["meta"]]

    def register_events(self) -> list:
        """Wire the chat; returns the events that change the dialogue (follow-up chips chain on them)."""
        c = self.components
        outputs = self.outputs
        inputs = [c["box"], c["chatbot"], c["context"], c["meta"]]
        quiet = {"api_visibility": "private", "show_progress": "hidden"}
        events = [trigger(self.respond, inputs=inputs, outputs=outputs, **quiet)
                  for trigger in (c["box"].submit, c["ask"].click)]
        events += [button.click(self._example(question), inputs=inputs[1:], outputs=outputs, **quiet)
                   for button, question in zip(self.examples, EXAMPLES, strict=True)]
        events.append(c["chatbot"].retry(self.retry, inputs=[c["chatbot"], c["meta"]], outputs=outputs, **quiet))
        events.append(c["chatbot"].edit(self.edit, inputs=[c["chatbot"], c["meta"]], outputs=outputs, **quiet))
        self.answer_events = list(events)
        events.append(c["clear"].click(self.clear, outputs=outputs, api_visibility="private"))
        events.append(c["chatbot"].clear(self.clear, outputs=outputs, api_visibility="private"))
        c["chatbot"].like(self.rate, inputs=c["meta"], outputs=[c["comment_row"], c["rated_id"], c["rated"]],
                          **quiet)
        for trigger in (c["send"].click, c["comment"].submit):
            trigger(self.comment, inputs=[c["rated_id"], c["comment"]],
                    outputs=[c["comment"], c["comment_row"], c["rated"]], **quiet)
        return events

    def _example(self, question: str):
        def ask_example(history: list[dict] | None, context: DialogueContext | None,
                        meta: Meta | None) -> Iterator[ChatOutputs]:
            yield from self.respond(question, history, context, meta)
        return ask_example


def _copy_meta(meta: Meta | None) -> Meta:
    meta = meta or {}
    return {"ids": dict(meta.get("ids") or {}), "ctx": dict(meta.get("ctx") or {})}


def _index(index: int | tuple | list) -> int:
    return int(index[0] if isinstance(index, (list, tuple)) else index)


def _unescape(content: object) -> str:
    """The question as typed, from its escaped echo in the chat (without the note on a long question)."""
    return re.sub(r"……（共 \d+ 字，只按前 \d+ 字回答）$", "", html.unescape(message_text(content)))
