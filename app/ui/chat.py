"""The 问答 tab: streamed answers with collapsible sources, example questions and follow-up context."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator

import gradio as gr

from ..followups import suggest
from ..inputs import sanitize_question
from ..models import DialogueContext
from ..service import Service
from .render import answer_body, answer_message, escape_markdown, stream_pieces

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

ChatOutputs = tuple[str, list[dict], DialogueContext | None]


class ChatPanel:
    """Chat handlers (plain methods, testable without a browser) and their Gradio wiring."""

    def __init__(self, service: Service, stream_delay: float = 0.02):
        self.service = service
        self.stream_delay = stream_delay
        self.components: dict[str, gr.components.Component] = {}

    def placeholder(self) -> str:
        """The empty chat's greeting, naming the plan that answers by default."""
        return PLACEHOLDER.format(title=escape_markdown(self.service.index.records.doc_title or "工作要点"))

    # --- handlers -------------------------------------------------------------------------------
    def respond(self, message: str, history: list[dict] | None,
                context: DialogueContext | None) -> Iterator[ChatOutputs]:
        """Answer one question: yield the user turn, then the answer growing piece by piece, then sources."""
        history = list(history or [])
        # the question is echoed into the chat: no lone surrogates (the page's JSON encoder refuses them)
        question = (sanitize_question(message)[0] or "").strip()
        if not question:
            yield "", list(history), context
            return
        history.append({"role": "user", "content": escape_markdown(question)})
        history.append({"role": "assistant", "content": "…"})
        yield "", list(history), context
        try:
            ans = self.service.ask(question, context)
        except Exception:  # keep the chat usable; the log has the traceback
            log.exception("answering failed: %r", question)
            history[-1] = {"role": "assistant", "content": "出错了：这个问题暂时无法回答，请换个问法或稍后再试。"}
            yield "", list(history), context
            return
        log.info("answered %r mode=%s found=%s in %.0f ms", question[:60], ans.mode, ans.found, ans.ms)
        if ans.context is not None:
            ans.context.suggestions = suggest(self.service.answerer, ans)
        shown = ""
        for piece in stream_pieces(answer_body(ans)):
            shown += piece
            history[-1] = {"role": "assistant", "content": shown}
            yield "", list(history), context
            if self.stream_delay:
                time.sleep(self.stream_delay)
        history[-1] = {"role": "assistant", "content": answer_message(ans)}
        yield "", list(history), ans.context

    def clear(self) -> ChatOutputs:
        """Empty chat and no follow-up context."""
        return "", [], None

    # --- layout ---------------------------------------------------------------------------------
    def build(self, below_input: Callable[[], None] | None = None) -> None:
        """Lay out the chat; `below_input` adds components right under the question box (follow-up chips)."""
        with gr.Column(elem_classes="xz-chat"):
            chatbot = gr.Chatbot(
                label="问答", show_label=False, height="62vh", min_height=420, placeholder=self.placeholder(), elem_id="xz-chatbot",
                sanitize_html=True, allow_tags=False, latex_delimiters=[], feedback_options=None,
                buttons=["copy"], layout="bubble",
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
        context = gr.State(None)
        self.components = {"chatbot": chatbot, "box": box, "ask": ask, "clear": clear, "context": context}
        self.examples = examples

    @property
    def outputs(self) -> list[gr.components.Component]:
        return [self.components["box"], self.components["chatbot"], self.components["context"]]

    def register_events(self) -> list:
        """Wire the chat; returns the events that change the dialogue (others chain follow-up chips on them)."""
        c = self.components
        outputs = self.outputs
        inputs = [c["box"], c["chatbot"], c["context"]]
        events = []
        for trigger in (c["box"].submit, c["ask"].click):
            events.append(trigger(self.respond, inputs=inputs, outputs=outputs, api_visibility="private",
                                  show_progress="hidden"))
        for button, question in zip(self.examples, EXAMPLES, strict=True):
            events.append(button.click(self._example(question), inputs=[c["chatbot"], c["context"]], outputs=outputs,
                                       api_visibility="private", show_progress="hidden"))
        events.append(c["clear"].click(self.clear, outputs=outputs, api_visibility="private"))
        events.append(c["chatbot"].clear(self.clear, outputs=outputs, api_visibility="private"))
        return events

    def _example(self, question: str):
        def ask_example(history: list[dict] | None, context: DialogueContext | None) -> Iterator[ChatOutputs]:
            yield from self.respond(question, history, context)
        return ask_example
