"""A fact asked in a measure, a series or a start year is stated only by a sentence giving that kind of fact."""

from __future__ import annotations

import pytest

from app.answerer import Answerer
from retriever.lexicon import Lexicon
from retriever.spelling import Speller


@pytest.fixture(scope="module")
def answerer(plan_answerer) -> Answerer:
    return plan_answerer


def docs(ans) -> list[str]:
    return [c.doc for c in ans.citations]


@pytest.mark.parametrize("question", [
    "胡春华在广州开会说东部要稳住多少万贫困劳动力",  # "9省" is a number, not one in 万
    "今年银川那个全国东西部协作工作会议开了几天",  # "17日" is the day it opened, not a length of time
    "常态化帮扶要搞到哪一年结束",  # the report's dateline gives the year it was filed, nothing more
    "咱区对口帮扶甘肃哪个县来着",  # 甘肃 is named in a report, but the plan pairs the district with no county there
    "这个征求意见稿是不是区发改委起草的",  # the drafter is not stated; the draft's status does not answer
    "苏陕区中园第一次联席会是谁主持的",  # a reporter's byline names a person, but nobody is said to preside
    "首批区中园那11个项目里哪个投资最大",  # the projects are counted, never ranked
    "129号文有没有给消费扶贫定个金额",  # 26.25亿元 is in another document, not in the one named by its number
    "2026年全国东西部协作工作会议是哪个部门主办的",  # where and when it was held, not who held it
    "国家乡村振兴局现在撤了没有",  # what has happened since, not what a document says
])
def test_a_fact_of_another_kind_does_not_answer(answerer, question):
    ans = answerer.answer(question)
    assert not ans.found and not ans.citations


def test_the_partner_province_refusal_names_the_plans_counties(answerer):
    ans = answerer.answer("咱区对口帮扶甘肃哪个县来着")
    assert "镇巴县" in ans.answer and "尖扎县" in ans.answer


@pytest.mark.parametrize("question, stated", [
    ("今年算常态化帮扶第几年", "第一年"),  # an ordinal asked: the sentence with one
    ("“常态化帮扶”是从哪一年开始的？", "第一年"),  # a start year: "this year is the first" in a dated report
    ("胡春华那个稳岗就业座谈会在哪个城市开的", "广州"),  # 城市 is the kind of answer, not a place named
    ("总书记说东西部要产业互补人员互动 后面还有几个互啥来着", "技术互学"),  # 几个…啥 asks which, not how many
    ("21年那个东西部协作和定点帮扶推进会 是谁讲的话", "胡春华"),  # the person said to give the speech
    ("区中园联席会是谁召开的", "商务厅"),  # the bodies said to hold it
])
def test_the_sentence_stating_that_kind_of_fact_answers(answerer, question, stated):
    ans = answerer.answer(question)
    assert ans.found and stated in ans.answer
    assert any(d.startswith(("rmrb", "mohrss", "xwlb", "sxncb")) for d in docs(ans)[:3])


def test_a_definition_asked_with_a_request_for_the_official_wording(answerer):
    ans = answerer.answer("消费扶贫到底啥意思 有没有个官方说法")
    assert ans.found and "社会各界通过消费" in ans.answer


def test_a_unit_short_name_is_not_an_absent_name(answerer):
    from app.gate import question_terms

    assert "教体局" not in question_terms(answerer.index, "教体局管医疗帮扶那条吗").absent


def test_asked_measure_and_header_cues_are_data():
    lex = Lexicon.load()
    quantity = next(f for f in lex.fact_types if f.name == "quantity")
    assert lex.states(quantity, "东部9省市", known="稳住多少万贫困劳动力") is None
    assert lex.states(quantity, "稳岗就业100万人", known="稳住多少万贫困劳动力") is not None
    assert lex.fact_type("后面还有几个互啥来着") is None or lex.fact_type("后面还有几个互啥来着").name != "quantity"
    assert lex.cue("header_line", "发布：新华社北京2026年6月17日电")


def test_a_dictionary_word_the_corpus_lacks_may_be_part_of_a_misspelt_term():
    corpus = {"区中园", "园区"}
    speller = Speller(corpus, lambda w: w in corpus or w == "中原", word_spans=lambda t: [(1, 3, True)],
                      in_corpus=lambda w: w in corpus)
    assert speller.correct("区中原") == ("区中园", [("区中原", "区中园")])
    strict = Speller(corpus, lambda w: w in corpus or w == "中原", word_spans=lambda t: [(1, 3, True)])
    assert strict.correct("区中原") == ("区中原", [])  # without knowing the corpus, a real word is never touched


def test_a_part_named_in_short_before_how_many_tasks_it_has(answerer):
    ans = answerer.answer("劳务协作有哪几条 都谁管的")
    assert sorted({c.item for c in ans.citations}) == [8, 9, 10] and "区人力资源和社会保障局" in ans.answer


@pytest.mark.parametrize("question, stated", [
    ("江苏那个对口地区特色产品交易会，今年办的是第三届吧", "第五届"),  # an ordinal of the same series
    ("今年要整改的是2024年度考核反馈的问题吧", "2025年度"),  # a year of the same round
    ("生态环保那条主要盯的是长江流域对吧", "黄河流域"),  # a name of the same kind (…流域)
])
def test_a_claim_the_plan_contradicts_is_corrected_from_the_clause(answerer, question, stated):
    ans = answerer.answer(question)
    assert ans.found and ans.answer.startswith("**不是**") and f"**{stated}**" in ans.answer
    assert len(ans.citations) == 1 and ans.citations[0].item is not None


@pytest.mark.parametrize("question", [
    "区里是不是给每所结对学校拨5万元经费？",  # 工会经费 shares only a common head, on another topic
    "这个要点是不是已经过了区委常委会审议？",
    "消费帮扶金秋行动是不是放在国庆期间搞",  # 广州期间 is another matter altogether
])
def test_a_value_of_the_same_shape_on_another_topic_is_no_contradiction(answerer, question):
    assert not answerer.answer(question).answer.startswith("**不是**")


@pytest.mark.parametrize("question", [
    "我们超市进帮扶产品能不能减免点税？",  # a tax break: no document names one
    "在通州打工的镇巴人，娃能在这边上公办学校不",  # school places for workers' children
    "坐车回镇巴过年，政府给不给报车票",  # travel costs paid back
])
def test_an_entitlement_no_document_names_is_refused(answerer, question):
    ans = answerer.answer(question)
    assert not ans.found and not ans.citations


def test_a_unit_alias_holding_an_entitlement_word_is_still_a_unit(answerer):
    ans = answerer.answer("人社保局负责哪些任务")  # 社保 in a unit's name asks nothing about social insurance
    assert ans.found and ans.mode == "lookup" and "区人力资源和社会保障局" in ans.answer


@pytest.mark.parametrize("question", ["开会这事儿有啥讲究没，总不能天天开吧", "两边定期会商是不是越勤越好，最好三天两头碰一次"])
def test_everyday_words_for_too_often_find_the_plans_rule(answerer, question):
    ans = answerer.answer(question)  # 天天, 三天两头 are the plan's 过频过繁 in everyday words, not unsaid claims
    assert ans.found and "过频过繁" in ans.answer and 18 in [c.item for c in ans.citations]
