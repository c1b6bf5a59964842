"""How people name a responsible unit: former names, the district's name before a bare stem, work counted in
everyday words."""

from __future__ import annotations

import pytest

from .test_question_classes import items


@pytest.mark.parametrize("question, unit", [
    ("区科委有哪些任务", "区科学技术局"),  # a former name, kept in the alias data
    ("国土规划局要做什么", "通州自然资源和规划局"),
])
def test_former_names_are_the_unit_they_became(plan_answerer, question, unit):
    assert plan_answerer.index.parser.parse(question).units == [unit]


@pytest.mark.parametrize("question, unit", [
    ("区商务那块要干哪些事", "区商务局"),
    ("通州数据这边有任务吗", "区数据局"),
])
def test_a_bare_stem_after_the_districts_name_is_the_unit(plan_answerer, question, unit):
    assert plan_answerer.index.parser.parse(question).units == [unit]


@pytest.mark.parametrize("question", [
    "区里商务这块有什么新打算",  # 区里: the district at large, 商务 a topic
    "这个区商务往来多不多",
])
def test_a_stem_after_other_words_is_no_unit(plan_answerer, question):
    assert plan_answerer.index.parser.parse(question).units == []


@pytest.mark.parametrize("question, expected", [
    ("财政局一共有多少活", [6, 7, 20]),
    ("妇联在要点里就一条吗", [14, 15]),
    ("总工会摊了哪几摊", [6, 7]),
])
def test_work_counted_in_everyday_words_is_a_record_question(plan_answerer, question, expected):
    ans = plan_answerer.answer(question)
    assert ans.mode == "lookup" and items(ans) == expected


@pytest.mark.parametrize("question, item, head", [
    ("心佑工程那一条是民政局牵头的吗", 15, "不是"),  # on the task, but not listed first
    ("劳务品牌那条是人社局牵头吧", 8, "是"),
    ("生态环境保护那条，教体局有没有份", 17, "不是"),
    ("第9条牵头的是人社局吧", 9, "不是"),  # the task by number
])
def test_whether_a_unit_leads_or_is_on_a_task_is_answered_yes_or_no(plan_answerer, question, item, head):
    ans = plan_answerer.answer(question)
    assert ans.mode == "lookup" and items(ans) == [item]
    assert ans.answer.startswith(f"**{head}**")


def test_suan_bu_suan_asks_and_excludes_nothing(plan_answerer):
    q = plan_answerer.index.parser.parse("直供基地那条，供销社算不算责任单位")
    assert q.excluded == [] and q.units == ["区供销总社"]


def test_an_exclusion_ending_in_dehua_keeps_the_unit_after_it(plan_answerer):
    q = plan_answerer.index.parser.parse("联络组不算的话财政局牵头几条")
    assert q.excluded == ["区对口帮扶镇巴联络组"] and q.units == ["区财政局"]


@pytest.mark.parametrize("question", [
    "妇联有几条？跟民政局重合的是哪条",  # the shared part names one unit: the other is the first part's
    "卫健委管几条？它跟老干部局一起负责哪条",
])
def test_a_shared_tasks_part_with_one_unit_shares_with_the_unit_just_asked(plan_answerer, question):
    ans = plan_answerer.answer(question)
    assert ans.mode == "multi"
    last = ans.answer.split("**（2）")[1]
    assert "共同负责" in last and "第15项" in last


def test_a_unit_named_with_another_partner_place_is_no_unit_of_the_plan(plan_answerer):
    q = plan_answerer.index.parser.parse("尖扎县联络组管哪些任务")  # the plan's only 联络组 is 镇巴's
    assert q.units == [] and q.unknown_units == ["尖扎县联络组"]
    assert plan_answerer.index.parser.parse("镇巴联络组管哪些任务").units == ["区对口帮扶镇巴联络组"]


@pytest.mark.parametrize("question", ["妇联除了社会组织那块还管了别的没", "工商联另外还有啥任务"])
def test_a_units_other_work_is_its_list_of_tasks_not_a_yes_or_no(plan_answerer, question):
    ans = plan_answerer.answer(question)
    assert ans.mode == "lookup" and not ans.answer.startswith(("**是**", "**不是**")) and len(items(ans)) >= 2
