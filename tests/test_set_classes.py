"""Responsibility question classes in wordings of their own: typos of any name shape, unions, stems, sections."""

from __future__ import annotations

import pytest

from app.answerer import Answerer

from .test_answers import RECORDS, UNITS, tasks_of

LIAISON = "区对口帮扶镇巴联络组"


@pytest.fixture(scope="module")
def answerer(plan_answerer) -> Answerer:
    return plan_answerer


def items(ans) -> list[int]:
    return [c.item for c in ans.citations]


def union(*units: str) -> list[int]:
    return sorted({i for u in units for i in tasks_of(u)})


def minus(a: str, b: str) -> list[int]:
    return sorted(set(tasks_of(a)) - set(tasks_of(b)))


def sole_tasks() -> list[int]:
    """Tasks with one named unit besides the liaison group (a collective name is not one unit)."""
    return [r["item"] for r in RECORDS if len([u for u in r["units"] if u != LIAISON]) == 1
            and not r["units"][0].endswith("成员单位")]


def once_units() -> list[str]:
    return [u for u in UNITS if len(tasks_of(u)) == 1]


def section_items(name: str) -> list[int]:
    return [r["item"] for r in RECORDS if name in r["section"]]


# --- each class, worded differently from the examples it was found on -------------------------------------
def test_homophone_typo_of_a_character_that_is_also_a_look_alike_source():
    """材 is a look-alike of 村 (农业农材局) and a homophone of 财 (区材政局): both readings are tried."""
    from ingest.units import AliasTable
    from retriever.understand import QuestionParser

    parser = QuestionParser(AliasTable.load(), [], {})
    assert parser.parse("区材政局负责什么").units == ["区财政局"]
    assert parser.parse("农业农材局负责什么").units == ["区农业农村局"]


@pytest.mark.parametrize("q,unit", [("总攻会 有什么任务", "区总工会"), ("数剧局 管哪些", "区数据局"),
                                    ("卫建委 在哪几条", "区卫生健康委员会"), ("供消总社 哪几项", "区供销总社")])
def test_a_typo_parted_from_its_verb_by_a_space_is_still_read(answerer, q, unit):
    ans = answerer.answer(q)
    assert items(ans) == tasks_of(unit) and f"按「{unit}」理解" in ans.answer


def test_a_homophone_of_the_name_ending_is_still_a_name(answerer):
    assert items(answerer.answer("供销总设 有哪些活")) == tasks_of("区供销总社")
    # inside a run of words the ending is left alone: 数据局 is not 数局局
    assert items(answerer.answer("数据局负责哪些任务")) == tasks_of("区数据局")


@pytest.mark.parametrize("q,units", [("发改委或者商务局都参与了哪些任务", ["区发展和改革委员会", "区商务局"]),
                                     ("卫健委还是民政局有份的任务都列一下", ["区卫生健康委员会", "区民政局"])])
def test_or_between_two_names_is_a_union_beside_together_words(answerer, q, units):
    assert items(answerer.answer(q)) == union(*units)


def test_a_bare_stem_joined_to_a_unit_is_that_unit(answerer):
    assert items(answerer.answer("财政或者总工会负责的任务")) == union("区财政局", "区总工会")
    assert items(answerer.answer("民政和妇联一起负责哪些任务")) == sorted(
        set(tasks_of("区民政局")) & set(tasks_of("区妇联")))
    # a stem beside an ordinary word is no unit
    assert answerer.answer("教育和医疗帮扶的具体做法是什么").mode == "retrieval"


def test_has_a_share_and_has_none(answerer):
    ans = answerer.answer("融媒体中心有份但财政局没份的是哪些条")
    assert items(ans) == minus("区融媒体中心", "区财政局")


def test_exclusion_written_after_the_name(answerer):
    ans = answerer.answer("专班成员单位和联络组都不算的话，只有一个部门负责的任务是哪些")
    assert items(ans) == sole_tasks()
    assert items(answerer.answer("仅列了一个部门的任务有哪些（联络组除外）")) == sole_tasks()


def test_units_on_a_single_task_each_with_its_task(answerer):
    ans = answerer.answer("只出现过一次的责任单位有哪些？各自是哪项？")
    assert items(ans) == union(*once_units())
    assert all(f"**{u}**" in ans.answer for u in once_units())


def test_who_with_a_measure_word_and_listed_counts(answerer):
    assert items(answerer.answer("产销对接那项任务是哪几个单位负责")) == [7]
    listed = next(r for r in RECORDS if r["item"] == 9)
    named = len([u for u in listed["units"] if u != LIAISON])
    assert f"点名列出的是 {named} 个" in answerer.answer("第9项责任单位栏里点名的有几个").answer


def test_qualifier_words_do_not_hide_a_count(answerer):
    # a whole-plan count is the overview's, with or without 具体; a count with a condition is a set query
    ans = answerer.answer("要点总共列了多少项具体任务")
    assert ans.mode == "overview" and "**20** 项" in ans.answer
    assert "**20** 项" in answerer.answer("要点一共有多少项任务").answer
    assert items(answerer.answer("点名列出的单位最多的是哪一条任务")) == [20]


@pytest.mark.parametrize("q,section", [("医疗教育那一块有哪几项", "医教帮扶提效行动"),
                                       ("产业提升那块包括哪些任务", "特色产业提升行动"),
                                       ("社会帮扶那部分 几项任务", "社会帮扶深化行动")])
def test_a_section_named_in_other_words(answerer, q, section):
    ans = answerer.answer(q)
    assert items(ans) == section_items(section) and section in ans.answer


# --- a table of questions in these classes: registers, IME homophones, look-alike characters ---------------
TABLE = [
    ("区公商联负责那些工作", tasks_of("区工商联")),
    ("融媒题中心有啥任务", tasks_of("区融媒体中心")),
    ("区财正局 都干啥", tasks_of("区财政局")),
    ("民证局 负责哪几条", tasks_of("区民政局")),
    ("区位健委的任务", tasks_of("区卫生健康委员会")),
    ("区教体句 哪些任务", tasks_of("区教育体育局")),
    ("数居局 负责什么", tasks_of("区数据局")),
    ("区人设局 管哪几条", tasks_of("区人力资源和社会保障局")),
    ("区科级局负责啥", tasks_of("区科学技术局")),
    ("妇连 有哪些任务", tasks_of("区妇联")),
    ("区老干布局 有什么任务", tasks_of("区委老干部局")),
    ("区才政局都负责啥", tasks_of("区财政局")),
    ("商务句要做什么", tasks_of("区商务局")),
    ("商务局或者科技局参与的任务有哪些", union("区商务局", "区科学技术局")),
    ("总工会还是工商联 有份的都列出来", union("区总工会", "区工商联")),
    ("组织部或民政局都负责哪些条", union("区委组织部", "区民政局")),
    ("民政或者卫健委 负责的任务", union("区民政局", "区卫生健康委员会")),
    ("人社或者教体 有份的任务", union("区人力资源和社会保障局", "区教育体育局")),
    ("财政和总工会共同负责的任务", sorted(set(tasks_of("区财政局")) & set(tasks_of("区总工会")))),
    ("卫健委有份 民政局没份的任务", minus("区卫生健康委员会", "区民政局")),
    ("农业农村局有份，商务局没份的是哪几条", minus("区农业农村局", "区商务局")),
    ("镇巴联络组不算，哪个单位任务最多", tasks_of("区发展和改革委员会")),
    ("专班成员单位也不算的话，只有一个部门负责的任务", sole_tasks()),
    ("只写了一个部门的任务是哪些", sole_tasks()),
    ("责任单位栏中列出单位最多的是哪一项", [20]),
    ("点名列出的单位最少的任务是哪项", sole_tasks()),
    ("深化教育帮扶由哪几个部门负责", [11]),
    ("园区产业集群那部分有哪些任务", section_items("产业集群打造行动")),
    ("消费帮扶这块有几条", section_items("消费帮扶增收行动")),
    ("优势互补那一块包括哪些任务", section_items("优势互补共赢行动")),
    ("第20项责任单位栏点名了几个单位", [20]),
]


@pytest.mark.parametrize("q,expected", TABLE, ids=[q for q, _ in TABLE])
def test_question_table(answerer, q, expected):
    ans = answerer.answer(q)
    assert ans.found and items(ans) == expected, ans.answer[:300]


def test_loose_mentions_are_pure_functions_of_the_names():
    from ingest.units import AliasTable
    from retriever.loose import bare_stems, section_by_paraphrase

    table = AliasTable.load()
    stems = dict(bare_stems(table.aliases, table.rules))
    assert stems["民政"] == "区民政局" and stems["财政"] == "区财政局"
    assert all(st not in table.aliases for st in stems)  # a stem never shadows a real name
    names = {4: "劳务协作提质行动", 5: "医教帮扶提效行动", 6: "社会帮扶深化行动"}
    assert section_by_paraphrase(names, "医疗和教育帮扶") == 5
    assert section_by_paraphrase(names, "劳务协作") == 4
    assert section_by_paraphrase(names, "帮扶") is None  # shared by two names: no guess
    assert section_by_paraphrase(names, "镇巴") is None


def test_tiaomu_is_a_word_for_tasks_in_set_wording(plan_answerer):
    ans = plan_answerer.answer("商务局有、财政局没有的条目都有哪些")
    assert ans.mode == "lookup"
    assert sorted(c.item for c in ans.citations) == [1, 4, 5, 16]


def test_a_head_count_claimed_in_figures_must_be_stated(plan_answerer):
    ans = plan_answerer.answer("每个振兴工坊要带动50个人就业吧")
    assert not ans.found and not ans.citations


# --- yes/no membership, set wording and name shapes found in a newcomer's phone questions ----------------------

@pytest.mark.parametrize("question, item, on", [
    ("教体局负责第12项吗", 12, False),  # a two-digit task number between the verb and 吗
    ("数据局在第三项里吗", 3, False),  # "in task N?" rather than "responsible for"
    ("教体局管医疗帮扶那条吗", 12, False),  # the task described by its title, the unit by its short name
    ("发改委在不在第9条里", 9, True),
])
def test_whether_a_unit_is_on_one_task(answerer, question, item, on):
    ans = answerer.answer(question)
    assert ans.found and items(ans) == [item]
    assert ans.answer.startswith("**是**" if on else "**不是**")


def test_a_unit_asked_of_the_task_just_answered(answerer):
    ans = answerer.answer("第9条谁牵头？发改委在不在这条里")
    assert items(ans) == [9] and "**是**" in ans.answer


def test_a_unit_asked_whether_it_has_only_one_task_gets_its_list(answerer):
    ans = answerer.answer("文广旅局就管一条吗？是哪条")
    assert items(ans) == tasks_of("区文化广电和旅游局") and "**1** 项" in ans.answer


@pytest.mark.parametrize("question, expected", [
    ("教体局负责的里面 哪些发改委不沾边", minus("区教育体育局", "区发展和改革委员会")),  # 不沾边 = not on it
    ("发改委 农业农村局 商务局三家都在的任务有哪些",  # names parted by spaces only
     sorted(set(tasks_of("区发展和改革委员会")) & set(tasks_of("区农业农村局")) & set(tasks_of("区商务局")))),
])
def test_set_wording_of_a_phone_message(answerer, question, expected):
    ans = answerer.answer(question)
    assert ans.mode == "lookup" and items(ans) == expected


def test_units_named_once_in_the_whole_plan(answerer):
    ans = answerer.answer("整个要点里只出现过一次的责任单位有哪些")
    assert all(u in ans.answer for u in once_units())


def test_a_misspelling_inside_a_longer_unit_name(answerer):
    # 练 for 联: "镇巴练" looks like a name ending in 联 on its own, but the name goes on
    ans = answerer.answer("镇巴练络组负责几条")
    assert ans.found and len(items(ans)) == 20


def test_the_members_of_a_collective_unit_are_not_listed(answerer):
    ans = answerer.answer("专班成员单位到底有哪些啊 能给我列个名单不")
    assert not ans.found and not ans.citations and "没有成员名单" in ans.answer
    tasks = answerer.answer("专班成员单位负责哪些任务")
    assert tasks.found and items(tasks) == tasks_of("区对口支援协作合作工作专班成员单位")
