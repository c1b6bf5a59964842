"""The plan parser: golden records for the real plan, encodings, and a synthetic plan of another shape."""

from __future__ import annotations

import json
from pathlib import Path

from ingest.loaders import load_document
from ingest.plan_parser import classify_line, find_unit_clause, parse_plan, split_units

from .conftest import PLAN_PATH

GOLDEN = json.loads((Path(__file__).parent / "golden" / "plan_records.json").read_text(encoding="utf-8"))
LIAISON = "区对口帮扶镇巴联络组"


def _plan(aliases, path: Path = PLAN_PATH):
    doc = load_document(path)
    return parse_plan(doc.text, doc.doc_id, aliases)


def test_real_plan_matches_golden_records(aliases):
    plan = _plan(aliases)
    assert plan.title == "2026年南通市通州区东西部协作工作要点（征求意见稿）"
    assert plan.records() == GOLDEN
    assert [t.item for t in plan.tasks] == list(range(1, 21))
    assert len(plan.sections) == 8


def test_liaison_group_inherited_by_every_task_after_the_note(aliases):
    plan = _plan(aliases)
    assert all(LIAISON in t.units for t in plan.tasks)
    # inherited units come after the listed ones and are not in the listed list of later tasks
    assert plan.task(8).listed_units == ["区人力资源和社会保障局"]
    assert plan.task(8).units == ["区人力资源和社会保障局", LIAISON]


def test_arabic_comma_section_heads_are_sections_not_tasks(aliases):
    plan = _plan(aliases)
    names = [s.name for s in plan.sections]
    assert names[5] == "社会帮扶深化行动" and names[6] == "优势互补共赢行动"
    assert plan.task(13).section == "六、社会帮扶深化行动"
    assert plan.task(17).section == "七、优势互补共赢行动"
    assert plan.sections[7].intro == ""


def test_aliases_in_plan_text_become_canonical(aliases):
    plan = _plan(aliases)
    assert "区科学技术局" in plan.task(16).units and "区科技局" not in plan.task(16).units
    assert plan.task(20).lead_unit == "区委组织部"
    assert plan.task(18).units[0] == "区对口支援协作合作工作专班成员单位"


def test_task_title_and_body_exclude_units_and_debris(aliases):
    task = _plan(aliases).task(16)
    assert task.title == "共同服务构建全国统一大市场"
    assert "bookmark" not in task.text and "责任单位" not in task.body
    assert task.body.startswith("采取")


def test_gbk_and_utf16_copies_parse_identically(aliases, tmp_path):
    text = PLAN_PATH.read_text(encoding="utf-8")
    for enc in ("gbk", "gb18030", "utf-16", "utf-8-sig"):
        path = tmp_path / enc / PLAN_PATH.name
        path.parent.mkdir()
        path.write_bytes(text.replace("\n", "\r\n").encode(enc))
        assert _plan(aliases, path).records() == GOLDEN, enc


SYNTHETIC = """某县2027年乡村振兴工作实施方案

为推动工作，制定本方案。
第一部分 产业发展
（一）种植业
第一条 扩大茶叶种植。新建茶园一千亩。
责任单位：县林业局、县农业局（牵头）
第二条 推广良种。推广新品种。（牵头单位：县科技局；配合单位：县财政局、县人社局）
（二）养殖业
第三条 发展生态养殖。建设示范场。
〔责任单位：县农业农村局、县市场监管局等按职责分工负责（以下县乡村振兴局均为责任单位，不再列出）〕
第二部分 保障措施
加强保障。
第四条 强化资金保障。统筹资金。
（责任单位：县财政局）
"""


def test_synthetic_plan_of_another_shape(aliases):
    plan = parse_plan(SYNTHETIC, "synthetic", aliases)
    assert plan.title == "某县2027年乡村振兴工作实施方案"
    assert plan.preamble == "为推动工作，制定本方案。"
    assert [s.name for s in plan.sections] == ["产业发展", "保障措施"]
    assert plan.sections[1].intro == "加强保障。"
    assert [t.item for t in plan.tasks] == [1, 2, 3, 4]
    t1, t2, t3, t4 = plan.tasks
    assert t1.title == "扩大茶叶种植" and t1.units == ["县林业局", "县农业局"]
    assert t1.lead_unit == "县农业局"  # marked （牵头）, although listed second
    assert t1.section == "一、产业发展 种植业"
    assert t2.lead_unit == "县科技局"  # units of other counties are kept as written
    assert t2.units == ["县科技局", "县财政局", "县人社局"]
    assert t3.units == ["县农业农村局", "县市场监管局", "县乡村振兴局"]
    assert t3.section == "一、产业发展 养殖业"
    assert t4.units == ["县财政局", "县乡村振兴局"] and t4.section == "二、保障措施"


def test_classify_line_shapes():
    assert classify_line("6、 社会帮扶深化行动")[0] == "section"
    assert classify_line("一、特色产业提升行动")[:2] == ("section", 1)
    assert classify_line("12. 深化医疗帮扶。围绕专科建设")[:2] == ("task", 12)
    assert classify_line("第二十条 加强督查。")[:2] == ("task", 20)
    assert classify_line("（三）医疗帮扶")[0] == "subsection"
    assert classify_line("2026年是关键之年。") is None


def test_unit_clause_with_nested_note(aliases):
    text = "做事。〔责任单位：区财政局、区商务局等按职责分工负责（以下区妇联均为责任单位，不再列出）〕"
    clause, start, end = find_unit_clause(text)
    assert text[start] == "〔" and end == len(text)
    listed, inherited, lead = split_units(clause, aliases)
    assert listed == ["区财政局", "区商务局"] and inherited == ["区妇联"] and lead is None
