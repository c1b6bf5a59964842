"""The plan diff: tasks matched by content, renumbering alone is no change; the `ingest diff` command."""

from __future__ import annotations

import json

from ingest.diffcli import run
from ingest.plan_parser import parse_plan
from ingest.plandiff import DiffSection, DiffTask, diff_plans, diff_tasks, marked_segments
from ingest.planinfo import plan_info

from .planversions import EDITS, INSERT_AFTER, REMOVED, draft_text, final_version, new_number


def _plans(aliases):
    return parse_plan(draft_text(), "draft", aliases), parse_plan(final_version(), "final", aliases)


def test_final_version_diff_reports_exactly_the_edits(aliases):
    old, new = _plans(aliases)
    diff = diff_plans(old, new)
    got = {(t.change, t.old_item, t.new_item) for t in diff.tasks}
    expected = {("changed", n, new_number(n)) for n, _, _ in EDITS}
    expected |= {("added", None, INSERT_AFTER + 1), ("removed", REMOVED, None)}
    assert got == expected
    # every other task kept its content; tasks 6-16 were renumbered and are not reported
    assert diff.unchanged == len(old.tasks) - len(EDITS) - 1
    assert diff.renumbered == sum(1 for n in range(1, 21) if n not in (3, 7, 10, REMOVED) and new_number(n) != n)
    assert diff.sections == []


def test_changed_tasks_say_what_changed(aliases):
    diff = diff_plans(*_plans(aliases))
    by_old = {t.old_item: t for t in diff.tasks if t.old_item}
    assert by_old[3].text_changed and not by_old[3].units_added and not by_old[3].units_removed
    assert by_old[10].text_changed and by_old[10].new_item == 11
    unit_edit = by_old[7]
    assert (unit_edit.text_changed, unit_edit.units_added, unit_edit.units_removed) == (False, ["区民政局"], ["区总工会"])
    assert unit_edit.title == "拓展深化产销对接" and unit_edit.new_item == 8
    added = next(t for t in diff.tasks if t.change == "added")
    assert added.title == "共建飞地经济园区" and "区发展和改革委员会" in added.units_added
    # the inherited liaison group is applied within the new plan too
    assert "区对口帮扶镇巴联络组" in added.units_added
    assert next(t for t in diff.tasks if t.change == "removed").title == "共推生态环境保护"
    assert [t.title for t in diff.for_unit("区总工会")] == ["拓展深化产销对接"]


def test_json_shape_and_command(settings, tmp_path):
    final = tmp_path / "final.txt"
    final.write_text(final_version(), encoding="utf-8")
    status, out = run("2026_tongzhou_dongxibu_xiezuo_gongzuo_yaodian", str(final), settings, as_json=True)
    assert status == 0
    data = json.loads(out)
    assert set(data) >= {"tasks", "sections"}
    keys = {"change", "old_item", "new_item", "title", "text_changed", "units_added", "units_removed"}
    assert all(keys <= set(t) for t in data["tasks"]) and len(data["tasks"]) == 5
    status, text = run(str(final), str(final), settings, as_json=False)
    assert status == 0 and "有变化 0 项" in text
    status, text = run("no_such_plan", str(final), settings, as_json=True)
    assert status == 2 and "no_such_plan" in text


def _t(item, title, section, units=("甲局",), body="正文内容保持不变的较长一段说明文字。"):
    return DiffTask(item=item, title=title, text=f"{title}。{body}", section=section, units=tuple(units))


def test_moved_task_and_renamed_section():
    secs_old = [DiffSection(1, "产业行动"), DiffSection(2, "人才行动")]
    secs_new = [DiffSection(1, "产业协作行动"), DiffSection(2, "人才行动")]
    old = [_t(1, "甲任务", "产业行动"), _t(2, "乙任务", "产业行动", body="另一段完全不同的内容，讲培训。"),
           _t(3, "丙任务", "人才行动", body="第三段内容，讲医疗和教育。")]
    new = [_t(1, "甲任务", "产业协作行动"), _t(2, "丙任务", "产业协作行动", body="第三段内容，讲医疗和教育。"),
           _t(3, "乙任务", "人才行动", body="另一段完全不同的内容，讲培训。")]
    diff = diff_tasks(old, new, secs_old, secs_new)
    assert {(t.change, t.old_item, t.new_item) for t in diff.tasks} == {("moved", 2, 3), ("moved", 3, 2)}
    assert [(s.change, s.old_name, s.new_name) for s in diff.sections] == [("renamed", "产业行动", "产业协作行动")]


def test_reworded_title_with_similar_text_is_the_same_task():
    old = [_t(1, "深化园区合作", "产业", body="推广共建园区经验做法，通过主导产业共谋、园区建设共推、人才共育。")]
    new = [_t(1, "深化园区合作共建", "产业", body="推广共建园区经验做法，通过主导产业共谋、园区建设共推、人才共育共享。")]
    diff = diff_tasks(old, new, [DiffSection(1, "产业")], [DiffSection(1, "产业")])
    assert [(t.change, t.text_changed) for t in diff.tasks] == [("changed", True)]


def test_marked_segments_mark_only_the_changed_words():
    left, right = marked_segments("提升劳务输出组织化程度", "提高劳务输出组织化程度")
    assert "".join(p for p, _ in left) == "提升劳务输出组织化程度"
    assert [p for p, changed in right if changed] == ["高"]


def test_plan_info_from_titles():
    draft = plan_info("a", "2026年南通市通州区东西部协作工作要点（征求意见稿）")
    final = plan_info("b", "2026年南通市通州区东西部协作工作要点")
    older = plan_info("c", "2025年南通市通州区东西部协作工作要点（送审稿）")
    assert (draft.year, draft.version, final.version, older.version) == (2026, "征求意见稿", "正式稿", "送审稿")
    assert draft.series == final.series == older.series
    assert sorted([draft, final, older], key=lambda p: p.order_key())[-1] is final
