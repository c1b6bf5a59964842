"""The admin's feedback view in the 文档 tab: thumbs-down answers and unanswered questions grouped by wording."""

from __future__ import annotations

import json
import logging
import re

import gradio as gr

from ..feedback import FeedbackStore
from .curated_admin import CuratedAdmin
from .render import esc

log = logging.getLogger(__name__)

DOWN_HEADERS = ["时间", "问题", "回答（节选）", "意见", "来源", "索引版本"]
UNANSWERED_HEADERS = ["次数", "问题", "其他问法", "最近一次"]


class FeedbackAdmin:
    """Tables filled only after the admin password was checked (the caller decides)."""

    def __init__(self, store: FeedbackStore | None, curated: CuratedAdmin | None = None):
        self.store = store
        self.curated = curated
        self.components: dict[str, gr.components.Component] = {}

    def down_rows(self) -> list[list]:
        rows = []
        for r in self.store.thumbs_down() if self.store else []:
            cites = json.loads(r["citations"] or "[]")
            sources = "；".join(f"《{c.get('title', '')}》" + (f"第{c['item']}项" if c.get("item") else "")
                               for c in cites)
            text = re.sub(r"\*\*|__|`", "", r["answer"] or "")
            answer = text if len(text) <= 120 else text[:120] + "…"
            rows.append([r["rated_at"][:16].replace("T", " "), r["question"], answer, r["comment"], sources,
                         r["generation"]])
        return rows

    def unanswered_rows(self) -> list[list]:
        groups = self.store.unanswered() if self.store else []
        return [[g.count, g.question, "；".join(g.variants[1:6]), g.last_asked[:16].replace("T", " ")]
                for g in groups]

    def summary(self) -> str:
        if self.store is None:
            return '<div class="xz-hint">反馈数据库未启用。</div>'
        n = self.store.counts()
        return (f'<div class="xz-hint">共记录回答 {n["answers"]} 条，其中未能回答 {n["refusals"]} 条；'
                f'赞 {n["up"]}，踩 {n["down"]}。导出：<code>python -m app feedback --export feedback.csv</code>'
                f'（数据库：{esc(self.store.path.name)}）</div>')

    def refresh(self):
        """Outputs: summary, thumbs-down table, unanswered table (then the curated answers' view)."""
        try:
            return self.summary(), self.down_rows(), self.unanswered_rows(), *self._curated_view()
        except Exception:  # a damaged or locked database must not break the admin area
            log.exception("feedback database unreadable")
            return ('<div class="xz-status xz-error">反馈数据库暂时无法读取，请查看服务日志。</div>', [], [],
                    *self._curated_cleared())

    def _curated_view(self) -> tuple:
        return self.curated.view() if self.curated else ()

    def _curated_cleared(self) -> tuple:
        return self.curated.cleared() if self.curated else ()

    def cleared(self):
        return "", [], [], *self._curated_cleared()

    def build(self) -> None:
        with gr.Accordion("用户反馈与未答问题", open=True, elem_id="xz-feedback-admin"):
            summary = gr.HTML("", elem_id="xz-feedback-summary")
            gr.Markdown("**差评回答**（被点“踩”的回答，最新在前）")
            down = gr.Dataframe([], headers=DOWN_HEADERS, interactive=False, wrap=True, show_label=False,
                                max_height=420, elem_id="xz-thumbs-down",
                                column_widths=["12%", "20%", "30%", "16%", "14%", "8%"])
            gr.Markdown("**未答问题**（每次拒答都计入，相似问法归为一组；据此补充文档）")
            unanswered = gr.Dataframe([], headers=UNANSWERED_HEADERS, interactive=False, wrap=True,
                                      show_label=False, max_height=420, elem_id="xz-unanswered",
                                      column_widths=["8%", "40%", "36%", "16%"])
            refresh = gr.Button("刷新反馈", size="sm", elem_id="xz-feedback-refresh")
        if self.curated is not None:
            self.curated.build()
        self.components = {"summary": summary, "down": down, "unanswered": unanswered, "refresh": refresh}

    @property
    def outputs(self) -> list[gr.components.Component]:
        c = self.components
        return [c["summary"], c["down"], c["unanswered"], *(self.curated.outputs if self.curated else [])]
