"""The 版本对比 tab: two indexed plans side by side, task by task with changed words marked, and per unit."""

from __future__ import annotations

import gradio as gr

from ingest.plandiff import PlanDiff, TaskChange, marked_segments

from ..service import Service
from .render import esc

_KIND = {"added": "新增", "removed": "删除", "changed": "修改", "moved": "调整部分"}


def _marked(segments: list[tuple[str, bool]], tag: str) -> str:
    return "".join(f"<{tag}>{esc(text)}</{tag}>" if changed else esc(text) for text, changed in segments)


def _task_row(t: TaskChange) -> str:
    left, right = marked_segments(t.old_text, t.new_text)
    old_no = f"第{t.old_item}项" if t.old_item else "—"
    new_no = f"第{t.new_item}项" if t.new_item else "—"
    units = []
    if t.units_added and t.change != "added":
        units.append(f'<span class="xz-gain">＋{esc("、".join(t.units_added))}</span>')
    if t.units_removed and t.change != "removed":
        units.append(f'<span class="xz-loss">－{esc("、".join(t.units_removed))}</span>')
    if t.change in ("changed", "moved") and t.old_section != t.new_section:
        units.append(esc(f"{t.old_section} → {t.new_section}"))
    return (f'<tr class="xz-diff-{t.change}" data-change="{t.change}"><td>{_KIND[t.change]}</td>'
            f"<td>{old_no}</td><td>{_marked(left, 'del')}</td><td>{new_no}</td><td>{_marked(right, 'ins')}</td>"
            f"<td>{'<br>'.join(units)}</td></tr>")


def units_gained_lost(diff: PlanDiff) -> dict[str, tuple[list[TaskChange], list[TaskChange]]]:
    """unit -> (tasks it gained, tasks it lost), in the order the diff lists them."""
    out: dict[str, tuple[list[TaskChange], list[TaskChange]]] = {}
    for t in diff.tasks:
        for u in t.units_added:
            out.setdefault(u, ([], []))[0].append(t)
        for u in t.units_removed:
            out.setdefault(u, ([], []))[1].append(t)
    return out


def diff_html(service: Service, old: str | None, new: str | None) -> str:
    """The comparison of two plans as HTML (escaped)."""
    shelf = service.index.plans
    if len(shelf) < 2:
        return '<div class="xz-hint">索引中只有一份工作要点；放入另一个版本或年份的要点后可以在这里对比。</div>'
    if not old or not new or old not in shelf.infos or new not in shelf.infos or old == new:
        return '<div class="xz-hint">请选择两份不同的要点。</div>'
    diff = shelf.diff(old, new)
    o, n = shelf.infos[old], shelf.infos[new]
    parts = [f'<div id="xz-diff-summary">《{esc(n.label)}》与《{esc(o.label)}》相比：内容未变 {diff.unchanged} 项'
             f"（其中 {diff.renumbered} 项只是编号变了），有变化 {len(diff.tasks)} 项。</div>"]
    if diff.tasks:
        parts.append('<table class="xz-diff"><thead><tr><th>变化</th><th>旧</th><th>旧版条款</th><th>新</th>'
                     "<th>新版条款</th><th>责任单位 / 部分</th></tr></thead><tbody>")
        parts += [_task_row(t) for t in diff.tasks]
        parts.append("</tbody></table>")
    for s in diff.sections:
        parts.append(f'<div class="xz-diff-section">部分{ {"added": "新增", "removed": "删除", "renamed": "改名", "changed": "说明有修改"}[s.change]}：'
                     f"{esc(' → '.join(x for x in (s.old_name, s.new_name) if x))}</div>")
    per_unit = units_gained_lost(diff)
    if per_unit:
        parts.append('<h4>按单位</h4><table class="xz-diff-units"><thead><tr><th>单位</th><th>增加的任务</th>'
                     "<th>不再负责的任务</th></tr></thead><tbody>")
        for unit, (gained, lost) in per_unit.items():
            g = "、".join(f"第{t.new_item}项 {t.title}" for t in gained) or "—"
            loss = "、".join(f"原第{t.old_item}项 {t.title}" for t in lost) or "—"
            parts.append(f'<tr data-unit="{esc(unit)}"><td>{esc(unit)}</td><td>{esc(g)}</td><td>{esc(loss)}</td></tr>')
        parts.append("</tbody></table>")
    return "\n".join(parts)


class VersionsPanel:
    """Two plan selectors and the comparison; choices follow re-indexing."""

    def __init__(self, service: Service):
        self.service = service
        self.components: dict[str, gr.components.Component] = {}

    def choices(self) -> list[tuple[str, str]]:
        return [(i.label, i.doc) for i in self.service.index.plans.ordered()]

    def defaults(self) -> tuple[str | None, str | None]:
        """The newest plan against the version before it (else the next plan listed)."""
        shelf = self.service.index.plans
        new = shelf.default_doc if shelf.default_doc in shelf.infos else None
        old = shelf.previous(new) if new else None
        if old is None:
            old = next((d for _, d in self.choices() if d != new), None)
        return old, new

    def refresh(self) -> tuple:
        old, new = self.defaults()
        choices = self.choices()
        return (gr.update(choices=choices, value=old), gr.update(choices=choices, value=new),
                diff_html(self.service, old, new))

    def build(self) -> None:
        old, new = self.defaults()
        with gr.Column(elem_classes="xz-versions"):
            with gr.Row():
                old_box = gr.Dropdown(self.choices(), value=old, label="旧版本", elem_id="xz-diff-old")
                new_box = gr.Dropdown(self.choices(), value=new, label="新版本", elem_id="xz-diff-new")
            view = gr.HTML(diff_html(self.service, old, new), elem_id="xz-diff-view")
        self.components = {"old": old_box, "new": new_box, "view": view}

    def register_events(self, demo: gr.Blocks) -> None:
        c = self.components
        for box in (c["old"], c["new"]):
            box.change(lambda o, n: diff_html(self.service, o, n), inputs=[c["old"], c["new"]], outputs=c["view"],
                       api_visibility="private")
        demo.load(self.refresh, outputs=[c["old"], c["new"], c["view"]], api_visibility="private")
