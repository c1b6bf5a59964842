"""The 入门 tab (summary, outline section → task → units, glossary search, starter questions) and follow-up chips."""

from __future__ import annotations

import logging

import gradio as gr

from ..followups import starters
from ..models import DialogueContext
from ..overview import Guide
from ..service import Service
from .chat import ChatPanel
from .render import esc, escape_markdown, mark_highlights

log = logging.getLogger(__name__)

MAX_STARTERS = 8
MAX_CHIPS = 3


def outline_html(guide: Guide) -> str:
    """Collapsible outline: each part lists its tasks; a task opens to its units (with roles) and its clause."""
    f = guide.facts
    if not f.tasks:
        return '<div class="xz-hint">索引中还没有工作要点。</div>'
    parts = []
    for s in f.sections:
        tasks = []
        for t in (t for t in f.tasks if t.item in s.items):
            units = "".join(f'<span class="xz-unit">{esc(u)}<small>{esc(t.role(u))}</small></span>' for u in t.units)
            tasks.append(f'<details class="xz-node xz-task-node" data-item="{t.item}"><summary>第{t.item}项 '
                         f'{esc(t.title)} <small>牵头：{esc(t.lead_unit)}</small></summary>'
                         f'<div class="xz-units">{units}</div><div class="xz-clause">{esc(t.text)}</div></details>')
        intro = s.text.split("\n", 1)[-1] if "\n" in s.text else ""
        parts.append(f'<details class="xz-node xz-sec-node" open><summary><b>{esc(s.name)}</b> '
                     f'<small>{len(tasks)} 项</small></summary><div class="xz-hint">{esc(intro)}</div>'
                     f'{"".join(tasks)}</details>')
    return f'<div class="xz-outline">{"".join(parts)}</div>'


def glossary_html(guide: Guide, query: str = "") -> str:
    """Glossary entries matching `query`: name, where it appears, and whether the corpus explains it."""
    terms = guide.glossary.search(query)
    if not terms and not query:
        return '<div class="xz-hint">索引中还没有术语。</div>'
    if not terms:
        return f'<div class="xz-hint">术语表中没有“{esc(query)}”。可以直接在问答页问“{esc(query)}是什么”。</div>'
    rows = []
    for term in terms:
        where = "、".join(f"第{i}项" for i in term.items) or "部分说明/前言"
        status = ('<span class="xz-ok-tag">有说明</span>' if term.explained
                  else '<span class="xz-warn-tag">语料未解释</span>')
        first = term.mentions[0].text if term.mentions else ""
        defs = "".join(f'<div class="xz-def">{esc(d.title)}{f"（{esc(d.date)}）" if d.date else ""}：'
                       f'{mark_highlights(d.text, [term.name])}</div>' for d in term.definitions[:2])
        category = f' <span class="xz-where">{esc(term.category)}</span>' if term.category else ""
        rows.append(f'<div class="xz-term" data-term="{esc(term.name)}"><div><b>{esc(term.name)}</b>{category} '
                    f'<span class="xz-where">{esc(where)}</span> {status}</div>'
                    f'<div class="xz-clause">{mark_highlights(first, [term.name])}</div>{defs}</div>')
    return f'<div class="xz-hint">{len(terms)} 个术语</div>' + "".join(rows)


class OnboardingPanel:
    """Handlers (plain methods, testable without a browser) and the Gradio wiring of the 入门 tab."""

    def __init__(self, service: Service, chat: ChatPanel):
        self.service = service
        self.chat = chat
        self.components: dict[str, gr.components.Component] = {}
        self.starter_buttons: list[gr.Button] = []

    @property
    def guide(self) -> Guide:
        return self.service.answerer.guide  # follows re-indexing: a new answerer brings a new guide

    def guide_of(self, plan: str | None) -> Guide:
        """The guide of the plan chosen in the selector (the default plan's when none or unknown)."""
        known = plan in self.service.index.plans.infos
        return self.service.answerer.guide_for(plan if known else None)

    def plan_choices(self) -> list[tuple[str, str]]:
        return [(i.label, i.doc) for i in self.service.index.plans.ordered()]

    def summary(self, plan: str | None = None) -> str:
        return escape_markdown(self.guide_of(plan).summary_markdown())

    def show_plan(self, plan: str | None, query: str | None):
        """Outputs for the chosen plan: summary, outline, glossary."""
        guide = self.guide_of(plan)
        return (escape_markdown(guide.summary_markdown()), outline_html(guide),
                glossary_html(guide, (query or "").strip()))

    def starters(self) -> list[str]:
        return starters(self.service.answerer, limit=MAX_STARTERS)

    def search(self, query: str | None, plan: str | None = None) -> str:
        return glossary_html(self.guide_of(plan), (query or "").strip())

    def refresh(self, query: str | None = None):
        """Outputs: summary, outline, glossary, one update per starter button, then the plan selector (reset)."""
        questions = self.starters()
        buttons = [gr.update(value=q, visible=True) for q in questions]
        buttons += [gr.update(visible=False)] * (MAX_STARTERS - len(buttons))
        choices = self.plan_choices()
        selector = gr.update(choices=choices, value=self.service.index.plan_doc, visible=len(choices) > 1)
        return (self.summary(), outline_html(self.guide), self.search(query), *buttons, selector)

    # --- layout ---------------------------------------------------------------------------------
    def build(self) -> None:
        with gr.Column(elem_classes="xz-onboarding"):
            choices = self.plan_choices()
            plan = gr.Dropdown(choices, value=self.service.index.plan_doc, label="要点（版本 / 年份）",
                               visible=len(choices) > 1, elem_id="xz-onb-plan")
            summary = gr.Markdown(self.summary(), elem_id="xz-onb-summary")
            gr.Markdown("**从这里开始**（点击即在问答页提问）", elem_classes="xz-examples-label")
            questions = self.starters()
            with gr.Row(elem_classes="xz-examples", elem_id="xz-starters"):
                for i in range(MAX_STARTERS):
                    label = questions[i] if i < len(questions) else ""
                    self.starter_buttons.append(gr.Button(label, size="sm", variant="secondary", min_width=60,
                                                          visible=bool(label), elem_classes="xz-starter"))
            with gr.Row(equal_height=False):
                with gr.Column(scale=3):
                    gr.Markdown("### 要点结构\n点击任务查看责任单位和条款原文。")
                    outline = gr.HTML(outline_html(self.guide), elem_id="xz-outline")
                with gr.Column(scale=2):
                    gr.Markdown("### 术语表\n由要点原文中的引号名称、“…行动/工程”、简称等规则找出；相关文件有说明的附上说明。")
                    query = gr.Textbox(placeholder="搜索术语，如：心佑工程", show_label=False, container=False,
                                       elem_id="xz-glossary-q")
                    glossary = gr.HTML(self.search(""), elem_id="xz-glossary")
        self.components = {"summary": summary, "outline": outline, "query": query, "glossary": glossary,
                           "plan": plan}

    @property
    def refresh_outputs(self) -> list[gr.components.Component]:
        c = self.components
        return [c["summary"], c["outline"], c["glossary"], *self.starter_buttons, c["plan"]]

    def register_events(self, demo: gr.Blocks, tabs: gr.Tabs, chips: FollowUpChips) -> None:
        c, chat = self.components, self.chat.components
        c["query"].change(self.search, inputs=[c["query"], c["plan"]], outputs=c["glossary"], api_visibility="private",
                          show_progress="hidden")
        c["plan"].change(self.show_plan, inputs=[c["plan"], c["query"]],
                         outputs=[c["summary"], c["outline"], c["glossary"]], api_visibility="private")
        for button in self.starter_buttons:
            asked = button.click(lambda: gr.Tabs(selected="chat"), outputs=tabs, api_visibility="private").then(
                self.chat.respond, inputs=[button, chat["chatbot"], chat["context"], chat["meta"]],
                outputs=self.chat.outputs, api_visibility="private", show_progress="hidden")
            asked.then(chips.show, inputs=chat["context"], outputs=chips.outputs, api_visibility="private")
            self.chat.answer_events.append(asked)  # saved to the browser's history like any other answer
        demo.load(self.refresh, inputs=c["query"], outputs=self.refresh_outputs, api_visibility="private")


class FollowUpChips:
    """Up to three follow-up questions under the chat; clicking one asks it."""

    def __init__(self, chat: ChatPanel):
        self.chat = chat
        self.buttons: list[gr.Button] = []
        self.label: gr.Markdown | None = None

    @staticmethod
    def show(context: DialogueContext | None) -> list:
        """Updates for the label and the chips: the latest answer's suggestions, hidden when there are none."""
        questions = list(context.suggestions if context else [])[:MAX_CHIPS]
        return [gr.update(visible=bool(questions))] + [gr.update(value=q, visible=True) for q in questions] + \
               [gr.update(value="", visible=False)] * (MAX_CHIPS - len(questions))

    @property
    def outputs(self) -> list[gr.components.Component]:
        return [self.label, *self.buttons]

    def build(self) -> None:
        with gr.Row(elem_classes="xz-chips xz-examples", elem_id="xz-chips"):
            self.label = gr.Markdown("**接着问**", visible=False, elem_classes="xz-examples-label")
            self.buttons = [gr.Button("", size="sm", variant="secondary", visible=False, min_width=60,
                                      elem_id=f"xz-chip-{i}", elem_classes="xz-chip") for i in range(MAX_CHIPS)]

    def register_events(self, answer_events: list) -> None:
        chat = self.chat.components
        for event in answer_events:
            event.then(self.show, inputs=chat["context"], outputs=self.outputs, api_visibility="private")
        for button in self.buttons:
            asked = button.click(self.chat.respond, inputs=[button, chat["chatbot"], chat["context"], chat["meta"]],
                                 outputs=self.chat.outputs, api_visibility="private", show_progress="hidden")
            asked.then(self.show, inputs=chat["context"], outputs=self.outputs, api_visibility="private")
            self.chat.answer_events.append(asked)
