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


@pytest.mark.parametrize("question, name", [
    ("镇巴县发改委承担哪几条任务", "镇巴县发改委"),  # a district unit's name after a partner county's
    ("尖扎县文旅局分了哪些活", "尖扎县文旅局"),  # a name only close to a district unit's, after the county
    ("区侨联在协作要点里负责啥", "区侨联"),  # a short name the plan never uses, before 在…要点里负责
])
def test_a_body_the_plan_does_not_have_is_said_to_be_no_unit(plan_answerer, question, name):
    ans = plan_answerer.answer(question)
    assert not ans.found and not ans.citations and f"「{name}」" in ans.answer


def test_a_remark_about_people_is_no_unit_name(plan_answerer):
    q = plan_answerer.index.parser.parse("挂职的援陕干部有哪些要求")
    assert q.unknown_units == [] and q.units == []


def test_asking_for_both_roles_lists_every_task(plan_answerer):
    ans = plan_answerer.answer("农业农村局的任务，牵头的和参与的都算上，有哪些")
    assert ans.mode == "lookup" and items(ans) == [1, 2, 3, 4, 6, 7, 9, 20]


def test_overlapping_tasks_of_two_units_are_the_shared_ones(plan_answerer):
    assert items(plan_answerer.answer("商务局跟供销总社的任务有交叉的吗")) == [1, 7]


def test_which_task_a_unit_is_responsible_for(plan_answerer):
    ans = plan_answerer.answer("数据局是哪几项的责任单位")
    assert ans.mode == "lookup" and items(ans) == [16]


def test_a_scope_clause_is_read_with_the_question_after_it(plan_answerer):
    ans = plan_answerer.answer("人社局的几项任务当中，哪几项是它牵头的")
    assert ans.mode == "lookup" and items(ans) == [8, 10]


def test_no_task_in_a_part_is_answered_with_who_is_on_that_part(plan_answerer):
    ans = plan_answerer.answer("财政局在劳务协作提质行动里有任务吗")
    assert ans.found and items(ans) == [8, 9, 10]
    assert "区财政局**在「四、劳务协作提质行动」中没有任务" in ans.answer and "要点没有给" not in ans.answer


def test_our_bureau_after_the_askers_introduction_is_their_unit(plan_answerer):
    ans = plan_answerer.answer("我是妇联的，想知道本单位有哪几条")
    assert ans.mode == "lookup" and items(ans) == [14, 15]
