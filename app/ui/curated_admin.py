"""The admin's curated answers: write one for a thumbs-down or unanswered question, cite clauses, confirm 待复核 ones."""

from __future__ import annotations

import logging
from collections.abc import Callable

import gradio as gr

from ..curated import CitedClause, CurationError, search_clauses
from ..feedback import FeedbackStore
from ..service import Service
from .render import esc

log = logging.getLogger(__name__)

HEADERS = ["编号", "问题", "补充答复（节选）", "作者", "日期", "依据", "状态"]
# (password, client) -> a refusal message, or None when the admin action is allowed
Guard = Callable[[str | None, str], str | None]


def _status(text: str, kind: str = "info") -> str:
    return f'<div class="xz-status xz-{kind}">{esc(text)}</div>'


def _clause_label(c: CitedClause) -> str:
    where = "，".join(x for x in (c.section, f"第{c.item}项" if c.item else "") if x)
    text = c.text.replace("\n", " ")
    return f"《{c.title[:20]}》{where}：{text[:70]}{'…' if len(text) > 70 else ''}"


class CuratedAdmin:
    """Handlers are plain methods (tested without a browser); `build` and `register_events` wire them."""

    def __init__(self, service: Service, feedback: FeedbackStore | None):
        self.service = service
        self.feedback = feedback
        self.components: dict[str, gr.components.Component] = {}

    @property
    def store(self):
        return self.service.curated

    # --- data -----------------------------------------------------------------------------------
    def sources(self) -> list[tuple[str, str]]:
        """Thumbs-down answers and unanswered questions to start from: (label, "a:<answer id>" or "q:<question>")."""
        if self.feedback is None:
            return []
        down = [(f"差评：{r['question'][:40]}", f"a:{r['id']}") for r in self.feedback.thumbs_down(limit=200)]
        open_ = [(f"未答（{g.count} 次）：{g.question[:40]}", f"q:{g.question}") for g in self.feedback.unanswered()]
        return down + open_

    def rows(self) -> list[list]:
        self.store.review(self.service.index)  # a re-index by another process is noticed here too
        out = []
        for c in reversed(self.store.all()):
            sources = "；".join(f"《{cl.title[:16]}》" + (f"第{cl.item}项" if cl.item else "") for cl in c.clauses)
            answer = c.answer if len(c.answer) <= 80 else c.answer[:80] + "…"
            out.append([c.id, c.question, answer, c.author, c.written_at[:10], sources,
                        "待复核（所引条款已变，用户看不到）" if c.needs_review else "有效"])
        return out

    def view(self):
        """Outputs: sources dropdown, curated table, the id dropdown for confirm/delete."""
        rows = self.rows()
        ids = [(f"#{r[0]} {r[1][:30]}（{r[6][:3]}）", r[0]) for r in rows]
        return gr.update(choices=self.sources(), value=None), rows, gr.update(choices=ids, value=None)

    @staticmethod
    def cleared():
        return gr.update(choices=[], value=None), [], gr.update(choices=[], value=None)

    # --- handlers -------------------------------------------------------------------------------
    def pick(self, source: str | None, password: str | None = None, guard: Guard | None = None,
             client: str = "local"):
        """Outputs: question box, search box, clause choices (searched with the question); the feedback's wording is
        only read for an admin."""
        question = ""
        if not source or (guard is not None and guard(password, client)):
            return question, question, self.search("")
        if source.startswith("q:"):
            question = source[2:]
        elif source.startswith("a:") and self.feedback is not None:
            question = next((r["question"] for r in self.feedback.thumbs_down(limit=200)
                             if f"a:{r['id']}" == source), "")
        return question, question, self.search(question)

    def search(self, query: str | None):
        """Outputs: clause choices (chunk ids as values)."""
        try:
            found = search_clauses(self.service.index, query or "")
        except Exception:  # a store or model hiccup: the maintainer can search again
            log.exception("clause search failed")
            found = []
        return gr.update(choices=[(_clause_label(c), c.id) for c in found], value=[])

    def save(self, password, source, question, answer, author, clause_ids, guard: Guard, client: str = "local"):
        """Outputs: status, then the view (sources, table, ids)."""
        refused = guard(password, client)
        if refused:
            return refused, *self.cleared()
        index = self.service.index
        clauses = [CitedClause.from_chunk(cid, *index.chunks[cid]) for cid in clause_ids or [] if cid in index.chunks]
        origin = ("差评#" + source[2:] if (source or "").startswith("a:")
                  else "未答问题" if (source or "").startswith("q:") else "手动")
        try:
            cid = self.store.add(question, answer, author, clauses, index.snapshot.collection or "", origin=origin)
        except CurationError as exc:
            return _status(str(exc), "warn"), *self.view()
        return _status(f"已保存补充答复 #{cid}：与此问题相近的提问将先看到这条答复。", "ok"), *self.view()

    def confirm(self, password, curated_id, guard: Guard, client: str = "local"):
        refused = guard(password, client)
        if refused:
            return refused, *self.cleared()
        if curated_id in (None, ""):
            return _status("请先选择一条补充答复。", "warn"), *self.view()
        try:
            self.store.confirm(int(curated_id), self.service.index)
        except CurationError as exc:
            return _status(str(exc), "error"), *self.view()
        return _status(f"已确认补充答复 #{curated_id}，依据已更新为当前条款，用户可再次看到。", "ok"), *self.view()

    def delete(self, password, curated_id, guard: Guard, client: str = "local"):
        refused = guard(password, client)
        if refused:
            return refused, *self.cleared()
        if curated_id in (None, "") or not self.store.delete(int(curated_id)):
            return _status("请先选择一条补充答复。", "warn"), *self.view()
        return _status(f"已删除补充答复 #{curated_id}。", "ok"), *self.view()

    # --- layout ---------------------------------------------------------------------------------
    def build(self) -> None:
        with gr.Accordion("维护人员补充答复", open=True, elem_id="xz-curated"):
            gr.Markdown("为差评回答或未答问题撰写补充答复，并选择文档条款作为依据。相近的提问会在文档答复之上先看到它"
                        "（标明“维护人员补充答复”、作者和日期）；所引条款在重建索引后有变化时自动转为“待复核”，确认前不再显示。")
            source = gr.Dropdown([], label="从反馈开始（可选）", elem_id="xz-cur-source")
            question = gr.Textbox(label="问题", elem_id="xz-cur-question")
            answer = gr.Textbox(label="补充答复", lines=3, elem_id="xz-cur-answer")
            author = gr.Textbox(label="作者", elem_id="xz-cur-author")
            with gr.Row(equal_height=True):
                query = gr.Textbox(label="在文档中查找依据条款", scale=4, elem_id="xz-cur-query")
                find = gr.Button("查找", scale=1, min_width=80, elem_id="xz-cur-find")
            clauses = gr.CheckboxGroup([], label="依据条款（可多选）", elem_id="xz-cur-clauses")
            save = gr.Button("保存补充答复", variant="primary", elem_id="xz-cur-save")
            status = gr.HTML("", elem_id="xz-cur-status")
            table = gr.Dataframe([], headers=HEADERS, interactive=False, wrap=True, show_label=False,
                                 max_height=360, elem_id="xz-cur-table")
            with gr.Row(elem_classes="xz-filters"):
                pick = gr.Dropdown([], label="选择补充答复", scale=4, elem_id="xz-cur-pick")
                confirm = gr.Button("确认（按当前条款）", scale=1, min_width=120, elem_id="xz-cur-confirm")
                delete = gr.Button("删除", variant="stop", scale=1, min_width=80, elem_id="xz-cur-delete")
        self.components = {"source": source, "question": question, "answer": answer, "author": author,
                           "query": query, "find": find, "clauses": clauses, "save": save, "status": status,
                           "table": table, "pick": pick, "confirm": confirm, "delete": delete}

    @property
    def outputs(self) -> list[gr.components.Component]:
        """What `view` and `cleared` fill."""
        c = self.components
        return [c["source"], c["table"], c["pick"]]

    def register_events(self, password: gr.components.Component, guard: Guard,
                        client_of: Callable[[gr.Request | None], str]) -> None:
        c = self.components
        private = {"api_visibility": "private"}
        def pick(source, pw, request: gr.Request):
            return self.pick(source, pw, guard, client_of(request))

        c["source"].change(pick, inputs=[c["source"], password], outputs=[c["question"], c["query"], c["clauses"]],
                           **private)
        c["find"].click(self.search, inputs=c["query"], outputs=c["clauses"], **private)
        c["query"].submit(self.search, inputs=c["query"], outputs=c["clauses"], **private)

        def save(pw, source, question, answer, author, ids, request: gr.Request):
            return self.save(pw, source, question, answer, author, ids, guard, client_of(request))

        def confirm(pw, curated_id, request: gr.Request):
            return self.confirm(pw, curated_id, guard, client_of(request))

        def delete(pw, curated_id, request: gr.Request):
            return self.delete(pw, curated_id, guard, client_of(request))

        out = [c["status"], *self.outputs]
        c["save"].click(save, inputs=[password, c["source"], c["question"], c["answer"], c["author"],
                                      c["clauses"]], outputs=out, **private)
        c["confirm"].click(confirm, inputs=[password, c["pick"]], outputs=out, **private)
        c["delete"].click(delete, inputs=[password, c["pick"]], outputs=out, **private)
