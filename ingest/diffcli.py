"""`python -m ingest diff OLD NEW`: load two plans (files or document ids in the corpus) and print their diff."""

from __future__ import annotations

import json
from pathlib import Path

from .loaders import LoadError, load_document, scan_corpus
from .models import Plan
from .plan_parser import parse_plan
from .plandiff import PlanDiff, diff_plans
from .settings import Settings
from .units import AliasTable


class PlanNotFound(Exception):
    """The argument is neither a readable file nor the id of a plan in the corpus."""


def resolve_plan(ref: str, corpus_dir: Path, aliases: AliasTable, settings: Settings) -> Plan:
    """A file path, or a document id (file stem) in the corpus folder, parsed as a plan."""
    path = Path(ref)
    if not path.is_file():
        paths, _ = scan_corpus(corpus_dir) if corpus_dir.is_dir() else ([], [])
        path = next((p for p in paths if p.stem == ref), None)
        if path is None:
            raise PlanNotFound(f"找不到文件或文档 id：{ref}（not a file and no document with that id in {corpus_dir}）")
    doc = load_document(path, limits=settings.load_limits())
    plan = parse_plan(doc.text, doc.doc_id, aliases)
    if not plan.tasks:
        raise PlanNotFound(f"{path}：没有编号任务，不是工作要点（no numbered tasks）")
    return plan


def render(diff: PlanDiff, old: Plan, new: Plan) -> str:
    """The diff as readable lines."""
    lines = [f"旧：{old.title}（{old.doc_id}，{len(old.tasks)} 项）", f"新：{new.title}（{new.doc_id}，{len(new.tasks)} 项）",
             f"内容未变 {diff.unchanged} 项（其中仅编号变化 {diff.renumbered} 项）；有变化 {len(diff.tasks)} 项。"]
    names = {"added": "新增", "removed": "删除", "changed": "修改", "moved": "移动"}
    for t in diff.tasks:
        if t.old_item and t.new_item:
            where = f"第{t.old_item}项→第{t.new_item}项" if t.old_item != t.new_item else f"第{t.new_item}项"
        else:
            where = f"第{t.new_item}项" if t.new_item else f"原第{t.old_item}项"
        bits = [f"{names[t.change]} {where} {t.title}"]
        if t.change in ("changed", "moved") and t.text_changed:
            bits.append("文字有改动")
        if t.change in ("changed", "moved") and t.old_section != t.new_section:
            bits.append(f"{t.old_section}→{t.new_section}")
        if t.units_added and t.change != "added":
            bits.append(f"增加单位：{'、'.join(t.units_added)}")
        if t.units_removed and t.change != "removed":
            bits.append(f"减少单位：{'、'.join(t.units_removed)}")
        lines.append("- " + "；".join(bits))
    for s in diff.sections:
        lines.append(f"- 部分{ {'added': '新增', 'removed': '删除', 'renamed': '改名', 'changed': '说明改动'}[s.change]}："
                     f"{s.old_name or ''}{'→' if s.old_name and s.new_name and s.old_name != s.new_name else ''}"
                     f"{s.new_name if s.new_name != s.old_name else ''}")
    return "\n".join(lines)


def run(old_ref: str, new_ref: str, settings: Settings, as_json: bool, aliases: AliasTable | None = None) -> tuple[int, str]:
    """Exit status and output of the diff command."""
    aliases = aliases or AliasTable.load()
    try:
        old = resolve_plan(old_ref, settings.corpus_dir, aliases, settings)
        new = resolve_plan(new_ref, settings.corpus_dir, aliases, settings)
    except (PlanNotFound, LoadError) as exc:
        return 2, f"error: {exc}"
    diff = diff_plans(old, new)
    if as_json:
        return 0, json.dumps(diff.to_dict(), ensure_ascii=False, indent=1)
    return 0, render(diff, old, new)
