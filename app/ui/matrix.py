"""The 责任分工 tab: units × tasks matrix with unit/section filters, clause view and CSV/XLSX export."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import gradio as gr
import pandas as pd

from ..lookup import LEAD_LABEL
from ..service import Service
from .export import DownloadFolder, export_table
from .render import esc, task_html

log = logging.getLogger(__name__)

ALL_UNITS = "全部单位"
ALL_SECTIONS = "全部部分"
HINT = '<div class="xz-hint">点击表格中的单元格查看该项任务的条款原文；点击单位名称查看该单位的全部任务。</div>'
CELL_STYLE = {"牵头": "background-color:#c0392b;color:#fff;font-weight:600;text-align:center",
              "参与": "background-color:#fbe3e0;color:#7b241c;text-align:center"}


@dataclass
class MatrixView:
    """A filtered matrix: on-screen headers, rows, and which unit/task each row/column stands for."""

    headers: list[str]
    rows: list[list]
    units: list[str]
    items: list[int]
    message: str = ""
    titles: dict[int, str] = field(default_factory=dict)

    def export_headers(self) -> list[str]:
        return ["单位", *(f"第{i}项 {self.titles.get(i, '')}".strip() for i in self.items), "任务数"]


class MatrixPanel:
    """Matrix handlers (plain methods) and their Gradio wiring."""

    def __init__(self, service: Service, export_dir: Path | None = None):
        self.service = service
        self._downloads = DownloadFolder("xzqa-matrix-", export_dir)
        self.components: dict[str, gr.components.Component] = {}

    @property
    def export_dir(self) -> Path:
        return self._downloads.path

    # --- data -----------------------------------------------------------------------------------
    def unit_choices(self) -> list[str]:
        return [ALL_UNITS, *self.service.index.records.units]

    def section_choices(self) -> list[str]:
        return [ALL_SECTIONS, *(s.name for s in self.service.index.records.sections)]

    def resolve_units(self, query: str | None) -> tuple[list[str] | None, str]:
        """None means every unit; aliases (发改委), typos (区总公会) and several names in one query are understood."""
        query = (query or "").strip()
        book = self.service.index.records
        if not query or query == ALL_UNITS:
            return None, ""
        if query in book.units:
            return [query], ""
        parser = self.service.index.parser
        q = parser.parse(query)  # the chat's reading of names: aliases, rule-made short forms, typos
        in_plan = [u for u in q.units if u in book.units]
        read = "".join(f"按「{esc(unit)}」理解（输入的是「{esc(written)}」）。" for written, unit in q.readings)
        if in_plan:
            return in_plan, read
        if q.ambiguous:
            written, units = next(iter(q.ambiguous.items()))
            return [], f"“{esc(written)}”可能指：{esc('、'.join(units))}，请选择其中一个。"
        partial = [u for u in book.units if query in u]  # typing narrows the list before the name is complete
        if partial:
            return partial, ""
        if q.units:
            return [], f"“{esc(query)}”即 {esc('、'.join(q.units))}，要点中没有分配给它的任务。"
        hints = parser.suggest(query)
        tail = f"，是否是：{esc('、'.join(hints))}？" if hints else "。"
        return [], f"要点中没有找到单位“{esc(query)}”{tail}"

    def view(self, unit_query: str | None = None, section: str | None = None) -> MatrixView:
        book = self.service.index.records
        titles = {t.item: t.title for t in book.tasks}
        units, message = self.resolve_units(unit_query)
        items = [t.item for t in book.tasks]
        if section and section != ALL_SECTIONS:
            sec = next((s for s in book.sections if s.name == section), None)
            items = list(sec.items) if sec else []
        rows: list[list] = []
        shown: list[str] = []
        for row in book.matrix():
            unit = row["单位"]
            if units is not None and unit not in units:
                continue
            cells = [row.get(str(i), "") for i in items]
            if section and section != ALL_SECTIONS and not any(cells) and units is None:
                continue  # a section view lists only the units that work on it
            rows.append([unit, *cells, sum(1 for c in cells if c)])
            shown.append(unit)
        if not book:
            message = "索引中还没有工作要点，无法生成责任分工表。"
        return MatrixView(["单位", *(str(i) for i in items), "任务数"], rows, shown, items, message, titles)

    def styled(self, view: MatrixView):
        frame = pd.DataFrame(view.rows, columns=view.headers)
        if frame.empty:
            return frame
        return frame.style.map(lambda v: CELL_STYLE.get(v, ""))

    def export(self, view: MatrixView) -> tuple[str, str]:
        notes = [f"来源：《{self.service.index.records.doc_title}》",
                 f"“牵头”指{LEAD_LABEL}，要点本身未标明牵头单位；“参与”为其余责任单位。"]
        notes += [f"第{i}项 {view.titles.get(i, '')}" for i in view.items]
        csv_path, xlsx_path = export_table(self.export_dir, "责任分工", view.export_headers(), view.rows, notes)
        return str(csv_path), str(xlsx_path)

    def summary(self, view: MatrixView) -> str:
        # the page script reads the task titles from here and puts them on the column headers as tooltips
        titles = esc(json.dumps({str(i): t for i, t in view.titles.items()}, ensure_ascii=False))
        return f'<div id="xz-task-titles" data-titles="{titles}" hidden></div>' + self._summary_text(view)

    def _summary_text(self, view: MatrixView) -> str:
        if view.message and not view.units:
            return f'<div class="xz-warn">{view.message}</div>'
        note = f'<div class="xz-hint">{view.message}</div>' if view.message else ""
        return (f'{note}<div class="xz-hint">共 {len(view.units)} 个单位 × {len(view.items)} 项任务。'
                f'<span class="xz-lead">牵头</span>指{LEAD_LABEL}（要点本身未标明牵头单位），'
                f'<span class="xz-part">参与</span>为其余责任单位。</div>')

    @staticmethod
    def column_widths(view: MatrixView) -> list[str]:
        return ["176px", *(["44px"] * len(view.items)), "60px"]

    def refresh(self, unit_query: str | None = None, section: str | None = None):
        """Outputs: table, summary, CSV path, XLSX path, unit choices, section choices, clause panel."""
        view = self.view(unit_query, section)
        csv_path, xlsx_path = self.export(view)
        table = gr.update(value=self.styled(view), column_widths=self.column_widths(view))
        return (table, self.summary(view), csv_path, xlsx_path,
                gr.update(choices=self.unit_choices()), gr.update(choices=self.section_choices()), HINT)

    def clause_for(self, unit_query: str | None, section: str | None, row: int, col: int) -> str:
        """The clause(s) behind a clicked cell: one task for a task column, all the unit's tasks otherwise."""
        view = self.view(unit_query, section)
        book = self.service.index.records
        if not (0 <= row < len(view.units)):
            return HINT
        unit = view.units[row]
        if 1 <= col <= len(view.items):
            task = book.task(view.items[col - 1])
            if task is not None and unit not in task.units:
                return (f'<div class="xz-warn">{esc(unit)} 不是第{task.item}项的责任单位。下面是这项任务的条款和'
                        f'责任单位：</div>' + task_html(task.title, task.section, task.item, task.units,
                                                  task.lead_unit, task.text, task.doc_title))
            tasks = [task]
        else:
            tasks = [t for t in book.tasks_of(unit) if t.item in view.items]
        cards = [task_html(t.title, t.section, t.item, t.units, t.lead_unit, t.text, t.doc_title, unit)
                 for t in tasks if t is not None]
        if not cards:
            return f'<div class="xz-hint">{esc(unit)} 不负责这一项任务。</div>'
        return "".join(cards)

    def on_select(self, unit_query: str | None, section: str | None, evt: gr.SelectData) -> str:
        row, col = (evt.index if isinstance(evt.index, (list, tuple)) else (evt.index, 0))
        return self.clause_for(unit_query, section, int(row), int(col))

    # --- layout ---------------------------------------------------------------------------------
    def build(self) -> None:
        view = self.view()
        with gr.Row(elem_classes="xz-filters"):
            unit = gr.Dropdown(self.unit_choices(), value=ALL_UNITS, label="按单位筛选（可输入简称，如“发改委”）",
                               allow_custom_value=True, filterable=True, scale=3, elem_id="xz-unit")
            section = gr.Dropdown(self.section_choices(), value=ALL_SECTIONS, label="按部分筛选", scale=3,
                                  elem_id="xz-section")
            reset = gr.Button("重置筛选", scale=1, min_width=90, elem_classes="xz-reset")
        summary = gr.HTML(self.summary(view))
        table = gr.Dataframe(self.styled(view), interactive=False, wrap=False, pinned_columns=1, max_height=820,
                             elem_id="xz-matrix", show_label=False, buttons=["fullscreen"],
                             column_widths=self.column_widths(view))
        with gr.Row(elem_classes="xz-downloads"):
            csv_btn = gr.DownloadButton("下载 CSV", variant="secondary", size="sm", elem_id="xz-csv", scale=0,
                                        min_width=120)
            xlsx_btn = gr.DownloadButton("下载 Excel (XLSX)", variant="secondary", size="sm", elem_id="xz-xlsx",
                                         scale=0, min_width=160)
        clause = gr.HTML(HINT, elem_id="xz-clause-view", label="条款原文")
        query = gr.State(ALL_UNITS)
        self.components = {"query": query, "unit": unit, "section": section, "reset": reset, "summary": summary, "table": table,
                           "csv": csv_btn, "xlsx": xlsx_btn, "clause": clause}

    @property
    def refresh_outputs(self) -> list[gr.components.Component]:
        c = self.components
        return [c["table"], c["summary"], c["csv"], c["xlsx"], c["unit"], c["section"], c["clause"]]

    @property
    def refresh_inputs(self) -> list[gr.components.Component]:
        return [self.components["unit"], self.components["section"]]

    def register_events(self, demo: gr.Blocks) -> None:
        c = self.components
        for trigger in (c["unit"].change, c["section"].change):
            trigger(self.refresh, inputs=self.refresh_inputs, outputs=self.refresh_outputs,
                    api_visibility="private", show_progress="hidden")
        c["reset"].click(lambda: (ALL_UNITS, ALL_SECTIONS), outputs=self.refresh_inputs, api_visibility="private")
        # what is typed in the unit box (before Enter) decides the rows, so a click reads the same rows
        c["unit"].change(lambda unit: unit, inputs=c["unit"], outputs=c["query"], api_visibility="private")
        c["table"].select(self.on_select, inputs=[c["query"], c["section"]], outputs=c["clause"],
                          api_visibility="private").then(None, js="() => window.xzScrollToClause && "
                                                                  "window.xzScrollToClause()")

        def typed(section: str | None, evt: gr.KeyUpData):  # narrow the table while the unit is being typed
            return (*self.refresh(evt.input_value, section)[:4], evt.input_value)

        c["unit"].key_up(typed, inputs=c["section"], outputs=[*self.refresh_outputs[:4], c["query"]],
                         api_visibility="private", show_progress="hidden", trigger_mode="always_last")
        # every page load writes fresh download files and reflects the current index
        demo.load(self.refresh, inputs=self.refresh_inputs, outputs=self.refresh_outputs, api_visibility="private")
