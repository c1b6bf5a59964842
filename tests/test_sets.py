"""Responsibility questions in every form (issue 9): each table row, list follow-ups, typos, set properties."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.answerer import Answerer

from .conftest import FakeEmbedder
from .test_answers import RECORDS, UNITS, tasks_of

LIAISON = "区对口帮扶镇巴联络组"
LEAD = "列第一位的单位（通常视为牵头）"


@pytest.fixture(scope="module")
def answerer(plan_answerer) -> Answerer:
    return plan_answerer


def items(ans) -> list[int]:
    return [c.item for c in ans.citations]


def unit_counts() -> dict[str, int]:
    return {u: len(tasks_of(u)) for u in UNITS}


# --- the table, row by row -----------------------------------------------------------------
def test_units_with_exactly_one_task_each_with_its_task(answerer):
    ans = answerer.answer("只管一项任务的单位有哪些")
    single = [u for u, n in unit_counts().items() if n == 1]
    assert ans.found and ans.mode == "lookup" and len(single) == 6
    assert f"**{len(single)}** 个" in ans.answer
    for u in single:
        assert f"**{u}**（1 项）：第{tasks_of(u)[0]}项" in ans.answer
    assert items(ans) == sorted({tasks_of(u)[0] for u in single})


@pytest.mark.parametrize("q", ["哪些任务有农业农村局却没有发改委", "农业农村局有而发改委没有的任务",
                               "区农业农村局参与但发改委不参与的任务有哪些"])
def test_a_but_not_b(answerer, q):
    ans = answerer.answer(q)
    assert items(ans) == [2, 3] and "没有**区发展和改革委员会**" in ans.answer


def test_task_with_most_units_and_unit_with_most_tasks(answerer):
    task = answerer.answer("哪项任务涉及的单位最多")
    assert items(task) == [20] and "共 8 个" in task.answer
    unit = answerer.answer("哪个单位任务最多")
    assert "**区发展和改革委员会**（9 项）" in unit.answer
    assert items(unit) == tasks_of("区发展和改革委员会")
    assert LIAISON in unit.answer and "未参与比较" in unit.answer  # on all 20 by the blanket rule: said, not ranked
    least = answerer.answer("任务最少的单位是哪个")  # ties are all listed
    assert least.answer.count("（1 项）") == 6


def test_single_unit_tasks_without_the_liaison_group(answerer):
    ans = answerer.answer("不算联络组，单独由一个部门负责的任务")
    assert items(ans) == [8, 10, 11, 12, 13]
    assert "不计每项任务都有的区对口帮扶镇巴联络组" in ans.answer
    assert "第18项、第19项" in ans.answer  # the work team's member units are several units, said so
    implicit = answerer.answer("只由一个单位负责的任务有哪些")  # the liaison group is left out and the answer says so
    assert items(implicit) == [8, 10, 11, 12, 13] and "算上它" in implicit.answer


@pytest.mark.parametrize("q,unit,written", [("区总公会负责啥", "区总工会", "区总公会"),
                                            ("区农业农材局负责什么", "区农业农村局", "区农业农材局")])
def test_typo_answered_with_a_visible_note(answerer, q, unit, written):
    ans = answerer.answer(q)
    assert ans.found and items(ans) == tasks_of(unit)
    assert f"按「{unit}」理解" in ans.answer and written in ans.answer


def test_rule_made_short_form(answerer):
    ans = answerer.answer("生态局负责哪些任务")
    assert ans.found and items(ans) == [17] and "通州生态环境局" in ans.answer


def test_second_item_of_the_list_just_shown(answerer):
    first = answerer.answer("消费帮扶增收行动包括哪些任务")
    assert items(first) == [6, 7]
    second = answerer.answer("第二项呢", first.context)
    assert items(second) == [7] and "按上一条回答列表中的第2个" in second.answer
    last = answerer.answer("最后一个呢", answerer.answer("区妇联负责哪些任务").context)
    assert items(last) == [15] and "最后一个" in last.answer
    leads = answerer.answer("它们的牵头单位", first.context)
    assert items(leads) == [6, 7] and leads.answer.count(LEAD) == 2


def test_ordinal_without_a_list_is_still_the_plans_task(answerer):
    item = answerer.answer("第7项由谁负责")
    assert items(answerer.answer("第二项呢", item.context)) == [2]


def test_lead_is_worded_as_first_listed_everywhere(answerer):
    ans = answerer.answer("第7项谁牵头")
    assert f"{LEAD}：**区发展和改革委员会**" in ans.answer and "牵头单位：" not in ans.answer
    assert LEAD in answerer.answer("区农业农村局负责哪些任务").answer
    assert LEAD in answerer.answer("第三部分包括哪些任务").answer
    assert "列第一位（通常视为牵头）" in answerer.answer("哪些单位牵头").answer


def test_section_question_gives_name_intro_and_tasks(answerer):
    ans = answerer.answer("第三部分是什么")
    assert ans.mode == "section" and items(ans) == [6, 7]
    assert "三、消费帮扶增收行动" in ans.answer and "坚持政府引导、市场主导" in ans.answer


# --- more forms ----------------------------------------------------------------------------------
def test_union_intersection_and_complement(answerer):
    union = answerer.answer("发改委或妇联负责的任务有哪些")
    assert items(union) == sorted(set(tasks_of("区发展和改革委员会")) | set(tasks_of("区妇联")))
    none = answerer.answer("哪些任务没有发改委参与")
    assert items(none) == sorted(set(range(1, 21)) - set(tasks_of("区发展和改革委员会")))


def test_count_filters_are_counts_not_task_numbers(answerer):
    ans = answerer.answer("负责超过5项任务的单位")
    expected = [u for u, n in unit_counts().items() if n > 5]
    assert f"**{len(expected)}** 个" in ans.answer and all(f"**{u}**" in ans.answer for u in expected)
    two = answerer.answer("只有两个责任单位的任务有哪些")
    assert items(two) == [3, 5, 17]  # 18/19: the member units' number is not stated, so not "exactly two"


def test_lead_list_and_scope(answerer):
    leads = answerer.answer("哪些单位牵头")
    lead_units = list(dict.fromkeys(r["lead_unit"] for r in RECORDS))
    assert f"**{len(lead_units)}** 个" in leads.answer
    scoped = answerer.answer("第三部分中哪项任务涉及的单位最多")
    assert items(scoped) == [6, 7]


def test_homophone_and_look_alike_in_task_references(answerer):
    assert items(answerer.answer("地7项由谁负责")) == [7]
    assert items(answerer.answer("第7像谁负责")) == [7]


def test_units_not_in_the_plan_are_still_refused(answerer):
    for q in ["区公安局负责哪些任务", "区住建局负责哪些任务", "区市场监管局负责哪些任务"]:
        ans = answerer.answer(q)
        assert not ans.found and ans.citations == [] and "按「" not in ans.answer


def test_a_name_that_fits_two_units_is_asked_about(answerer):
    from ingest.units import AbbreviationRules, AliasTable
    from retriever.understand import QuestionParser

    rules = AliasTable.load().rules
    assert isinstance(rules, AbbreviationRules)
    table = AliasTable.from_mapping({"区科学技术局": [], "区科学普及委员会": []}, rules)
    q = QuestionParser(table, [], {}).parse("科学局负责哪些任务")
    assert q.units == [] and q.ambiguous == {"科学局": ["区科学技术局", "区科学普及委员会"]}
    from app.lookup import ask_which

    ans = ask_which(answerer.index.records, q)
    assert not ans.found and "区科学技术局" in ans.answer and "区科学普及委员会" in ans.answer


# --- properties over the records -----------------------------------------------------------------
pairs = st.tuples(st.sampled_from(UNITS), st.sampled_from(UNITS)).filter(lambda p: p[0] != p[1])


@settings(max_examples=40, deadline=None)
@given(pairs, st.sampled_from(["哪些任务有{a}却没有{b}", "哪些任务有{a}但没有{b}", "{a}有而{b}没有的任务",
                               "{a}参与但{b}不参与的任务有哪些"]))
def test_a_but_not_b_is_the_set_difference(answerer, pair, template):
    a, b = pair
    ans = answerer.answer(template.format(a=a, b=b))
    assert items(ans) == sorted(set(tasks_of(a)) - set(tasks_of(b)))


@settings(max_examples=40, deadline=None)
@given(pairs)
def test_a_or_b_is_the_union_and_both_is_the_intersection(answerer, pair):
    a, b = pair
    assert items(answerer.answer(f"{a}或{b}负责的任务有哪些")) == sorted(set(tasks_of(a)) | set(tasks_of(b)))
    assert items(answerer.answer(f"{a}和{b}共同负责哪些任务")) == sorted(set(tasks_of(a)) & set(tasks_of(b)))


@settings(max_examples=20, deadline=None)
@given(st.integers(min_value=1, max_value=10))
def test_more_than_n_lists_exactly_the_units_over_n(answerer, n):
    ans = answerer.answer(f"负责超过{n}项任务的单位有哪些")
    expected = {u for u, k in unit_counts().items() if k > n}
    assert {u for u in UNITS if f"**{u}**（" in ans.answer} == expected
    assert set(items(ans)) == {i for u in expected for i in tasks_of(u)}


# --- through the command line --------------------------------------------------------------------
def test_rows_through_ask_json(tmp_path, monkeypatch, corpus_dir, capsys):
    import ingest.factory
    from app.cli import main

    monkeypatch.setenv("XZQA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XZQA_CORPUS_DIR", str(corpus_dir))
    monkeypatch.setattr(ingest.factory, "make_embedder", lambda s: FakeEmbedder())
    rows = {"只管一项任务的单位有哪些": [2, 15, 16, 17, 20], "哪些任务有农业农村局却没有发改委": [2, 3],
            "哪项任务涉及的单位最多": [20], "哪个单位任务最多": tasks_of("区发展和改革委员会"),
            "不算联络组，单独由一个部门负责的任务": [8, 10, 11, 12, 13], "区总公会负责啥": [6, 7],
            "区农业农材局负责什么": tasks_of("区农业农村局"), "生态局负责哪些任务": [17], "第7项谁牵头": [7],
            "第三部分是什么": [6, 7]}
    batch = tmp_path / "rows.jsonl"
    batch.write_text("".join(json.dumps({"q": q}, ensure_ascii=False) + "\n" for q in rows), "utf-8")
    assert main(["ask", "--batch", str(batch)]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {o["question"]: [c["item"] for c in o["citations"]] for o in out} == rows


# --- every unit by full name, rule-made short forms and without 区/通州 ------------------------------
def _forms(unit: str) -> list[str]:
    from ingest.units import AliasTable, strip_prefix

    table = AliasTable.load()
    made = [f for f in table.rules.short_forms(unit) if table.aliases.get(f) == unit]
    return list(dict.fromkeys([unit, strip_prefix(unit), *made]))


@pytest.mark.parametrize("unit", UNITS)
def test_every_unit_by_every_usual_name(answerer, unit):
    forms = _forms(unit)
    assert len(forms) >= 2
    for form in forms:
        ans = answerer.answer(f"{form}负责哪些任务")
        assert items(ans) == tasks_of(unit), form
        assert "按「" not in ans.answer  # a known name is not a typo


@pytest.mark.parametrize("short,unit", [
    ("人社局", "区人力资源和社会保障局"), ("自规局", "通州自然资源和规划局"), ("资规局", "通州自然资源和规划局"),
    ("生态局", "通州生态环境局"), ("文旅局", "区文化广电和旅游局"), ("文广旅局", "区文化广电和旅游局"),
    ("卫健委", "区卫生健康委员会"), ("卫健局", "区卫生健康委员会"), ("教体局", "区教育体育局"),
    ("教育局", "区教育体育局"), ("发改委", "区发展和改革委员会"), ("科技局", "区科学技术局"),
    ("社保局", "区人力资源和社会保障局"), ("文广局", "区文化广电和旅游局"), ("发改部门", "区发展和改革委员会"),
    ("卫计委", "区卫生健康委员会"), ("国土局", "通州自然资源和规划局"), ("文化局", "区文化广电和旅游局"),
])
def test_rules_make_the_usual_short_forms(short, unit):
    from ingest.units import AliasTable

    table = AliasTable.load()
    assert short in table.rules.short_forms(unit) or table.aliases[short] == unit
    assert table.aliases[short] == unit


def test_generic_endings_only_after_a_distinctive_stem():
    from ingest.units import AliasTable

    forms = AliasTable.load().rules.short_forms("区发展和改革委员会")
    assert "发改部门" in forms and "发展部门" not in forms and "改革部门" not in forms


def test_rule_forms_never_override_the_table_and_clashes_are_ambiguous():
    from ingest.units import AliasTable

    rules = AliasTable.load().rules
    table = AliasTable.from_mapping({"区科学技术局": [], "区科学普及委员会": ["科学局"]}, rules)
    assert table.aliases["科学局"] == "区科学普及委员会" and "科学局" not in table.ambiguous
    table = AliasTable.from_mapping({"区科学技术局": [], "区科学普及委员会": []}, rules)
    assert "科学局" not in table.aliases and set(table.ambiguous["科学局"]) == {"区科学技术局", "区科学普及委员会"}


def test_wording_data_loads_and_reads_counts_and_ordinals():
    from retriever.wording import Wording

    w = Wording.load()
    assert w.count_filter("只管一项任务的单位").op == "=="
    assert (w.count_filter("负责5项以上任务").op, w.count_filter("负责5项以上任务").n) == (">=", 5)
    assert w.ordinal("第二项呢") == 2 and w.ordinal("最后一个呢") == -1 and w.ordinal("第二项的内容是什么呀嗯") is None
    assert w.target("哪项任务涉及的单位最多") == "tasks" and w.target("只管一项任务的单位有哪些") == "units"


def test_two_equally_close_names_are_ambiguous_and_one_clear_name_is_read():
    from retriever.names import NameMatcher
    from retriever.wording import Wording

    matcher = NameMatcher({"区甲工会": "甲工会", "区甲公会": "甲公会", "区乙联社": "乙联社"}, Wording.load())
    assert matcher.match("区甲攻会").kind == "ambiguous"  # gōng: sounds like both
    clear = matcher.match("区乙连社")
    assert clear.kind == "clear" and clear.units == ["乙联社"]
    assert matcher.match("区丙丁局").kind == "none"


def test_units_on_both_tasks_co_units_and_units_never_first(answerer):
    assert answerer.answer("第6项和第7项都由谁负责").mode == "item"  # 都 here asks for each task's units
    both = answerer.answer("第6项和第7项共同的责任单位有哪些")
    shared = set(RECORDS[5]["units"]) & set(RECORDS[6]["units"])
    assert f"**{len(shared)}** 个" in both.answer and all(f"**{u}**" in both.answer for u in shared)
    co = answerer.answer("哪些单位和发改委一起负责任务")
    partners = {u for r in RECORDS if "区发展和改革委员会" in r["units"] for u in r["units"]} - {"区发展和改革委员会"}
    assert f"**{len(partners)}** 个" in co.answer
    never = answerer.answer("哪些单位没有牵头任务")
    leads = {r["lead_unit"] for r in RECORDS}
    assert f"**{len(set(UNITS) - leads)}** 个" in never.answer and all(f"**{u}**" not in never.answer for u in leads)


def test_either_count_and_sections(answerer):
    either = answerer.answer("区妇联和区总工会一共负责多少项任务")
    assert items(either) == sorted(set(tasks_of("区妇联")) | set(tasks_of("区总工会")))
    parts = answerer.answer("要点分为哪几个部分")
    assert "**8** 个部分" in parts.answer and items(parts) == list(range(1, 21))
    most = answerer.answer("哪个部分的任务最多")
    assert "**4** 个" in most.answer  # four sections tie at three tasks
    assert items(answerer.answer("第12项属于哪个部分")) == [12]


def test_typo_inside_a_longer_phrase(answerer):
    ans = answerer.answer("我想问农业农材局负责哪些任务")
    assert items(ans) == tasks_of("区农业农村局") and "按「区农业农村局」理解" in ans.answer


def test_typo_inside_a_set_question_and_whole_set_lists(answerer):
    diff = answerer.answer("哪些任务有农业农材局却没有发改委")
    assert items(diff) == [2, 3] and "按「区农业农村局」理解" in diff.answer
    per_unit = answerer.answer("各单位分别负责几项任务")
    assert f"**{len(UNITS)}** 个" in per_unit.answer and items(per_unit) == list(range(1, 21))
    assert "**11** 个" in answerer.answer("牵头单位有哪些").answer
    assert items(answerer.answer("要点里的任务有哪些")) == list(range(1, 21))
    assert items(answerer.answer("有几项任务是由单一部门负责的")) == [8, 10, 11, 12, 13]
    # name-shaped words next to set words are not taken for units
    assert answerer.answer("今年要参加哪些展会和交易会？").mode == "retrieval"


@pytest.mark.parametrize("q,expected,written", [("助力农文旅融和发展由谁负责", [2], "融和"),
                                                ("消费帮扶曾收行动包括哪些任务", [6, 7], "曾收"),
                                                ("深化医疗帮服的责任单位", [12], "帮服")])
def test_titles_and_section_names_with_a_typo_are_read_with_a_note(answerer, q, expected, written):
    ans = answerer.answer(q)
    assert items(ans) == expected and "理解" in ans.answer and written in ans.answer
