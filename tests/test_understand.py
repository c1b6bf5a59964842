"""Question understanding: units by alias (longest match), task/section references, intents."""

from __future__ import annotations

import pytest

from retriever.understand import QuestionParser

from .conftest import PLAN_PATH


@pytest.fixture(scope="module")
def parser(aliases):
    from ingest.loaders import load_document
    from ingest.plan_parser import parse_plan

    doc = load_document(PLAN_PATH)
    plan = parse_plan(doc.text, doc.doc_id, aliases)
    units = [u for t in plan.tasks for u in t.units]
    return QuestionParser(aliases, list(dict.fromkeys(units)), {s.number: s.name for s in plan.sections},
                          task_titles={t.item: t.title for t in plan.tasks})


@pytest.mark.parametrize("text,unit", [
    ("发改委负责哪些任务", "区发展和改革委员会"), ("人社局的任务", "区人力资源和社会保障局"),
    ("卫健委", "区卫生健康委员会"), ("区科技局干什么", "区科学技术局"), ("教体局", "区教育体育局"),
    ("文旅局", "区文化广电和旅游局"), ("供销社？", "区供销总社"), ("总工会", "区总工会"),
    ("工商联", "区工商联"), ("组织部", "区委组织部"), ("老干部局", "区委老干部局"),
    ("生态环境局", "通州生态环境局"), ("自然资源和规划局", "通州自然资源和规划局"),
    ("镇巴联络组", "区对口帮扶镇巴联络组"), ("工作专班", "区对口支援协作合作工作专班成员单位"),
])
def test_aliases(parser, text, unit):
    assert parser.parse(text).units == [unit]


def test_longest_match_and_order(parser):
    q = parser.parse("区总工会和区财政局共同负责哪些任务")
    assert q.units == ["区总工会", "区财政局"]  # 总工会 not also matched as 工会
    assert "together" in q.intents


@pytest.mark.parametrize("text,items", [
    ("第7项由谁负责", [7]), ("第七条是什么", [7]), ("第二十项任务的牵头单位", [20]), ("任务7", [7]),
    ("18项谁管", [18]), ("深化医疗帮扶由谁负责", [12]),
])
def test_item_references(parser, text, items):
    assert parser.parse(text).items == items


def test_no_false_item_from_event_ordinals(parser):
    assert parser.parse("第十届丝博会在哪里举办").items == []


@pytest.mark.parametrize("text,sections", [
    ("第三部分包括哪些任务", [3]), ("第六大行动有哪些任务", [6]), ("消费帮扶增收行动包括哪些任务", [3]),
])
def test_section_references(parser, text, sections):
    assert parser.parse(text).sections == sections


@pytest.mark.parametrize("text,intent", [
    ("区妇联负责几项任务", "count"), ("谁负责第3项", "who"), ("第3项谁牵头", "lead"),
    ("只由区民政局负责的任务", "alone"), ("第12项属于哪个部分", "section_of"),
])
def test_intents(parser, text, intent):
    assert intent in parser.parse(text).intents


def test_unknown_unit_is_suggested_and_a_clear_typo_is_read_with_a_note(parser):
    q = parser.parse("区公安局负责哪些任务")
    assert q.units == [] and q.unknown_units == ["区公安局"]
    q = parser.parse("区总公会负责哪些任务")
    assert q.units == ["区总工会"] and q.readings == [("区总公会", "区总工会")]


def test_exclusion(parser):
    q = parser.parse("除镇巴联络组外，只有区民政局一个责任单位的任务是哪项")
    assert q.units == ["区民政局"] and q.excluded == ["区对口帮扶镇巴联络组"]


def test_repeated_parse_gives_independent_copies(parser):
    """A multi-part question reads each part several times; routing must not change the remembered reading."""
    first = parser.parse("区总工会负责哪些任务")
    first.units.append("区妇联")
    first.notes.append("changed")
    again = parser.parse("区总工会负责哪些任务")
    assert again.units == ["区总工会"] and again.notes == []


def test_yigong_after_renwu_is_no_task_number(parser):
    assert parser.parse("任务一共多少条").items == []
    assert parser.parse("任务一是谁负责").items == [1]
