"""Classes of question found in independent sets: set wording, names and other facts asked for, the document itself."""

from __future__ import annotations

import pytest

from app.answerer import Answerer
from app.facts import asked_name
from app.gate import named_in, question_terms
from app.multipart import split_parts


@pytest.fixture(scope="module")
def answerer(plan_answerer) -> Answerer:
    return plan_answerer


def items(ans) -> list:
    return sorted(c.item for c in ans.citations if c.item)


# --- set wording -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("question, expected", [
    ("教体局参与但不牵头的任务有哪些", [2, 20]),  # listed, but not first
    ("卫健委不是牵头的是哪几条", [15, 20]),
    ("商务局负责的里面，哪些农业农村局不参与", [5, 16]),  # A's tasks without B
    ("责任单位里没写商务局的任务有哪些", [2, 3, 8, 9, 10, 11, 12, 13, 14, 15, 17, 18, 19, 20]),
    ("只写了卫健委一家的是哪条（联络组不算）", [12]),  # alone, in other words
    ("民政局跟妇联有哪些任务是一块儿的", [15]),
])
def test_set_wording_gives_the_complete_set(answerer, question, expected):
    ans = answerer.answer(question)
    assert ans.found and ans.mode == "lookup"
    assert items(ans) == expected


def test_a_leading_except_clause_ends_at_the_comma(answerer):
    ans = answerer.answer("除了联络组，哪个部门负责的任务最多")
    assert "区发展和改革委员会" in ans.answer and "（9 项）" in ans.answer
    assert items(ans) == [1, 4, 5, 6, 7, 9, 14, 16, 20]


def test_a_follow_up_the_list_already_answers_is_not_asked_again(answerer):
    ans = answerer.answer("哪个单位牵头的任务最多，分别是哪几项")
    assert ans.mode == "lookup"  # one answer: the list of the leading unit's tasks
    assert items(ans) == [1, 4, 5, 6, 7, 14, 16]


def test_who_is_on_each_task_of_a_part_named_in_other_words(answerer):
    ans = answerer.answer("医教帮扶那两条分别谁牵头")
    assert items(ans) == [11, 12]
    assert "区教育体育局" in ans.answer and "区卫生健康委员会" in ans.answer


# --- what the documents do not say --------------------------------------------------------------------------

REFUSED = [  # one question per class, the class in the comment
    "重点劳务品牌都叫什么名字",  # "一批重点劳务品牌": a name asked for, none given
    "意见发到哪个邮箱",  # a contact
    "远程会诊每周几几点开始",  # a clock time
    "你觉得通州的劳务协作做得怎么样，好不好",  # an opinion
    "镇巴的茶叶以后能不能成为全国名牌",  # a prediction
    "后年的要点会加哪些任务",  # a year no document covers (the plan is 2026's)
    "“东西部协作云平台”由哪个部门建设",  # a quoted name the corpus never uses
    "帮我写一段东西部协作的新年祝福",  # a writing request
    "2026年度考核评价在什么时候搞",  # "2026年度" is the question's own words, not an answer
    "选派干部的人选定下来了没",  # how far the work has got
    "消费帮扶的工作方案模板在哪下载",  # a file to be sent or downloaded
    "没完成任务的单位会怎么问责",  # sanctions
    "去镇巴支教的老师有没有年龄限制",  # an age
    "这个要点的执笔人是谁",  # a drafter
    "每个责任单位要出几个人参加招商活动",  # a number, not which task
    "苏青“1+3+X”里的三方具体是哪三方",  # a list of three asked for; none is given
    "冷水鱼基地总投资是多少",  # an investment
    "苏超通州队战绩咋样",  # results
    "专班办公室设在哪个单位",  # where an office is
    "正式稿打算什么时候印发",  # a future date
    "刘国中在广州座谈会上讲了什么",  # the 广州 meeting is another document's: 刘国中 spoke in 银川
    "远程会诊的费用谁出",  # who pays
    "直播活动在哪报名",  # a sign-up
    "尖扎海拔多高",  # a height
    "专班在哪栋楼办公",  # an office
    "去年的考核结果咋样",  # an assessment result
    "挂职干部的配偶能一起过去吗",  # an individual's family
    "参加展销会的差旅费能报销吗",  # reimbursement
    "想申请进消费帮扶专馆需要准备哪些材料",  # the paperwork of applying
    "疗休养是不是每年去15天",  # a figure the question asserts and no document states
    "专班会议在哪个会议室开",  # a room
    "咱区援藏的干部一共去了几批",  # 援藏: a province (西藏) named by its abbreviation, which no document covers
    "京津冀协作里通州干了啥",  # a pair of abbreviations for provinces the documents do not cover
    "尖扎的牦牛肉干现在卖什么价",  # a price
    "商务局管东西部协作的处长是谁",  # a person by rank
    "劳模去疗休养是坐大巴还是坐动车",  # a choice between two things no document mentions
    "消费帮扶直播请了哪位明星",  # people known by name, whom no document names
    "挂职干部的路费谁出",  # who pays
    "茶叶节今年通州组团去吗",  # a festival named after a corpus word (茶叶), which no document mentions
    "消费帮扶专柜营业时间是几点到几点",  # opening hours
    "直播基地在哪条街上",  # a street
    "银发人才服务活动咋报名",  # a sign-up, asked with 咋
    "陪我聊聊天吧，好无聊",  # chit-chat
    "青联在对口帮扶里面分到了什么",  # a body that is no responsible unit, its duties asked "在…里面"
]


def test_a_festival_given_only_as_an_example_of_a_kind_is_no_absent_name(answerer):
    ans = answerer.answer("茶叶节那种推销活动要点里有没有")
    assert ans.found and ans.citations, ans.answer[:300]


@pytest.mark.parametrize("question", REFUSED)
def test_what_the_documents_do_not_say_is_refused(answerer, question):
    ans = answerer.answer(question)
    assert not ans.found and not ans.citations, ans.answer[:300]


# --- names, contacts, times asked for ----------------------------------------------------------------------

def test_the_thing_whose_name_is_asked(answerer):
    idx = answerer.index
    assert asked_name(idx, "要点里那批重点劳务品牌都叫啥名字") == "劳务品牌"
    assert asked_name(idx, "治白内障那个叫啥行动") == "行动"
    assert asked_name(idx, "“苏超”是什么") is None


def test_a_name_the_plan_gives_is_answered_in_the_plans_words(answerer):
    ans = answerer.answer("民政局那个公益牌子叫啥")  # 牌子 is said 品牌 in the plan
    assert ans.found and "苏社有为共振兴" in ans.answer


def test_a_quoted_name_brings_its_clause_first(answerer):
    assert set(named_in(answerer.index, "苏超跟东西部协作有啥关系")) == {"苏超"}
    ans = answerer.answer("苏超跟东西部协作咋扯上关系的")
    assert ans.found and ans.citations[0].item == 2


# --- the document itself -----------------------------------------------------------------------------------

@pytest.mark.parametrize("question, expected", [
    ("这份材料是个啥", "20"),
    ("还在征求意见还是已经定下来了", "征求意见稿"),
    ("八大块分别叫什么", "特色产业提升行动"),
])
def test_questions_about_the_document_get_the_overview(answerer, question, expected):
    ans = answerer.answer(question)
    assert ans.found and ans.mode == "overview" and expected in ans.answer


def test_a_question_asked_of_each_of_two_places_keeps_both_parts(answerer):
    parts = split_parts("镇巴、尖扎分别在哪个省", answerer.index.parser, answerer.index.lexicon)
    assert parts == ["镇巴在哪个省", "尖扎在哪个省"] and parts.independent
    ans = answerer.answer("镇巴、尖扎分别在哪个省")
    assert ans.found and "苏陕" in ans.answer  # the plan only says 苏陕、苏青, and the answer says so


def test_a_province_pair_abbreviation_is_read_and_said_to_be_a_reading(answerer):
    ans = answerer.answer("苏陕是啥意思")
    assert ans.mode == "glossary" and "江苏与陕西" in ans.answer and "不是语料中的定义" in ans.answer
    assert "镇巴县" in ans.answer  # the plan's partner counties, without claiming which province each is in


def test_several_listed_terms_are_each_explained(answerer):
    ans = answerer.answer("要点里常说的苏超、苏青是什么意思")
    assert ans.mode == "glossary"
    assert "**苏超**" in ans.answer and "**苏青**" in ans.answer


def test_an_unknown_word_cut_across_a_conjunction_is_not_an_absent_name(answerer):
    from app.gate import question_terms
    assert question_terms(answerer.index, "苏陕和苏青分别怎么共建和美乡村").absent == []


def test_the_names_of_the_parts_are_the_outline(answerer):
    ans = answerer.answer("要点分几块，每块都叫啥")
    assert ans.mode == "overview" and "强化组织保障" in ans.answer


# --- refusals on evidence ----------------------------------------------------------------------------------


@pytest.mark.parametrize("question, note", [
    ("镇巴的牦牛怎么帮着卖", "镇巴"),  # the plan says 尖扎牦牛
    ("苏陕“1+3+X”是怎么搞的", "苏陕"),  # the plan says 苏青“1+3+X”
    ("国办发〔2018〕129号文怎么要求尖扎县的", "尖扎"),  # that document never names 尖扎
])
def test_a_premise_the_corpus_contradicts_is_refused_with_the_reason(answerer, question, note):
    ans = answerer.answer(question)
    assert not ans.found and not ans.citations
    assert f"不是{note}" in ans.answer or f"没有提到{note}" in ans.answer


@pytest.mark.parametrize("question, task", [("尖扎的牦牛怎么帮着卖", 1), ("镇巴县那边的调研指导谁去做", 3)])
def test_a_place_the_plan_does_pair_with_the_thing_is_answered(answerer, question, task):
    ans = answerer.answer(question)
    assert ans.found and task in items(ans)


def test_a_pronoun_is_not_read_as_a_misspelt_word(answerer):
    assert answerer.index.spell("咱区的东西部协作")[1] == []


def test_who_wrote_a_report_is_answered_from_its_byline(answerer):
    ans = answerer.answer("区中园联席会那篇报道的记者是谁写的")
    assert ans.found and "李文化" in ans.answer.replace("**", "")


def test_which_city_the_district_is_in_comes_from_the_title(answerer):
    ans = answerer.answer("通州属于哪个市")
    assert ans.found and "南通市" in ans.answer


def test_asking_whether_the_plan_mentions_something_is_not_asking_about_progress(answerer):
    ans = answerer.answer("生态环保那块要点里提了没")
    assert ans.found and 17 in items(ans)


def test_a_task_found_by_its_content_quotes_the_sentence_that_matched(answerer):
    ans = answerer.answer("来通州挂职的干部归谁管")
    assert ans.mode == "item" and 20 in items(ans)
    assert "原文" in ans.answer and "管理服务" in ans.answer


def test_a_sentence_that_goes_on_from_the_one_before_is_kept_with_it():
    from app.quoting import _clause_sentences
    text = "会议在银川召开。副总理某某出席会议并讲话。他强调，要加强产业合作。（一）推动机关带头。鼓励优先采购。"
    assert _clause_sentences(text, "", "prose") == (
        "会议在银川召开。", "副总理某某出席会议并讲话。他强调，要加强产业合作。", "（一）推动机关带头。鼓励优先采购。")


@pytest.mark.parametrize("question", ["山里娃上学那块咋帮的", "村里娃读书有啥帮扶"])
def test_everyday_compounds_are_not_absent_names(answerer, question):
    from app.gate import question_terms
    assert question_terms(answerer.index, question).absent == []


def test_a_few_days_in_a_yes_no_question_is_not_a_number_asked_for(answerer):
    lex = answerer.index.lexicon
    assert lex.fact_type("职工能不能去尖扎休养几天") is None
    assert lex.fact_type("要派几个人？有没有名额") is not None  # the yes/no is another clause


def test_two_things_asked_of_each_after_a_comma(answerer):
    parts = split_parts("银龄行动和心佑工程，分别归谁管", answerer.index.parser, answerer.index.lexicon)
    assert parts == ["银龄行动归谁管", "心佑工程归谁管"]


def test_among_the_tasks_just_listed(answerer):
    ans = answerer.answer("发改委和财政局都有的是哪几条？其中哪些是发改委排第一的")
    second = ans.answer.split("（2）")[1]
    assert "只在上一条列出的 3 项任务中找" in second  # 6, 7 and 20
    assert "共 **2** 项" in second and "第20项" not in second  # 发改委 is listed first on 6 and 7, not on 20


def test_what_the_listed_task_does_is_asked_of_it(answerer):
    ans = answerer.answer("数据局有没有任务？有的话具体干啥")
    assert ans.mode == "multi" and "东数西算" in ans.answer


def test_how_a_term_is_officially_defined(answerer):
    ans = answerer.answer("消费扶贫是怎么定义的")
    assert ans.found and any(c.doc.startswith("guobanfa") for c in ans.citations)


def test_a_dated_event_is_not_read_as_a_part_of_the_plan(answerer):
    q = answerer.index.parser.parse("25年消费帮扶新春那块卖了多少")
    assert q.sections == []


def test_a_units_full_name(answerer):
    ans = answerer.answer("工商联全称叫啥")
    assert ans.found and "区工商联" in ans.answer or "工商业联合会" in ans.answer


def test_who_and_what_of_one_task_shows_the_clause(answerer):
    ans = answerer.answer("第11条谁负责、主要干啥")
    assert ans.found and "远程教研" in ans.answer and 11 in items(ans)


def test_a_second_set_condition_is_asked_not_folded_into_the_first_list(answerer):
    ans = answerer.answer("人社局牵头的是哪些条，不牵头但参与的又是哪些")
    assert ans.mode == "multi" and items(ans) == [8, 9, 10, 20]


def test_a_part_cites_only_the_clauses_it_shows(answerer):
    ans = answerer.answer("供销总社有哪些任务？农产品直供基地设在哪？")
    assert items(ans) == [1, 7]


@pytest.mark.parametrize("question", [
    "开会别太勤那句话在哪",  # a guessed "name" without a surname is speech
    "社会组织牵线搞公益项目写了啥",  # a two-character dictionary "proper noun" (牵线) is an everyday word
    "农副产品要进入哪些场所",  # a two-character word ending in 所 is a kind of place, not a body
])
def test_everyday_words_are_not_absent_names(answerer, question):
    from app.gate import question_terms
    assert question_terms(answerer.index, question).absent == []


def test_a_phrase_with_a_question_word_is_not_an_unknown_unit(answerer):
    q = answerer.index.parser.parse("脱贫地区农副产品要进入哪些场所")
    assert q.unknown_units == [] and q.suggestions == {}


def test_a_name_quoted_before_its_kind_with_words_between(answerer):
    ans = answerer.answer("每月监测、每季调度的那个机制叫啥")
    assert ans.found and "按季调度" in ans.answer.replace("**", "")


@pytest.mark.parametrize("question", [
    "去镇巴挂职的干部每月有交通补贴吧？",  # a claim in words no document uses
    "支教老师回来评职称能优先，对吧",
    "镇巴腊肉有免检资格，真的假的",  # (a claim made only by a verb, 可以免检, is no longer refused: verbs paraphrase)
    "远程医疗有没有考核细则和奖金",  # a thing asked for that the documents never name
])
def test_a_claim_or_thing_in_words_no_document_uses_is_refused(answerer, question):
    ans = answerer.answer(question)
    assert not ans.found and not ans.citations and "这样的说法" in ans.answer


def test_a_claim_the_plan_makes_is_confirmed_from_it(answerer):
    ans = answerer.answer("直播团队也是农文旅那条的吧")
    assert ans.found and 2 in items(ans)


def test_who_spoke_is_not_who_pays(answerer):
    assert answerer.index.lexicon.fact_type("座谈会上是谁出席讲话的").name == "person"


def test_this_task_points_to_the_task_just_listed(answerer):
    ans = answerer.answer("民政局牵头的是哪一条？这一条还有哪些单位一起")
    second = ans.answer.split("（2）")[1]
    assert "第13项" in second and "区民政局" in second


def test_these_tasks_after_a_units_list_are_asked_about_each(answerer):
    ans = answerer.answer("妇联挂了哪几条？这几条大概都要干啥")
    second = ans.answer.split("（2）")[1]
    assert "第14项" in second and "第15项" in second and "万企兴万村" in second


def test_a_body_dating_a_document_is_not_the_district_unit(answerer):
    assert answerer.index.parser.parse("发改委2025年新春行动鼓励买哪里的产品").units == []
    assert answerer.index.parser.parse("发改委负责哪些任务").units == ["区发展和改革委员会"]


# --- reading references and names -------------------------------------------------------------------------

@pytest.mark.parametrize("question, expected", [
    ("第18、19条的责任单位是谁", [18, 19]),  # one marker and one unit around a list of numbers
    ("第三和第五项谁牵头", [3, 5]),
])
def test_a_list_of_task_numbers_reads_every_number(answerer, question, expected):
    assert answerer.index.parser.parse(question).items == expected


def test_a_day_of_the_month_is_not_a_task_number(answerer):
    assert answerer.index.parser.parse("报表是不是每月5号前交").items == []


def test_a_stem_joined_to_a_stem_read_later_is_a_unit(answerer):
    q = answerer.index.parser.parse("发改、财政、商务三家都有的是哪几条")
    assert q.units == ["区发展和改革委员会", "区财政局", "区商务局"]


def test_a_misspelt_unit_before_where_in_the_plan_is_read(answerer):
    assert answerer.index.parser.parse("卫建委在要点里管的是哪几条").units == ["区卫生健康委员会"]


def test_the_options_after_a_question_belong_to_it(answerer):
    parser, lexicon = answerer.index.parser, answerer.index.lexicon
    assert len(split_parts("结对的是哪所学校，一中还是二中？", parser, lexicon)) == 1
    assert len(split_parts("教体局管哪几条？组团式帮扶是帮普高还是职高？", parser, lexicon)) == 2


def test_whether_the_plan_states_a_number_asks_for_the_number(answerer):
    lexicon = answerer.index.lexicon
    assert lexicon.fact_type("文件里有没有写要派几个医生过去") is not None
    assert lexicon.fact_type("能不能去疗养几天") is None  # a few days, asked in a yes/no frame


def test_a_clause_saying_something_of_one_county_alone(answerer):
    from app.ranking import _names_alone
    index = answerer.index
    assert _names_alone(index, "以及尖扎县新能源、绿色算力等优势领域", "尖扎")
    assert not _names_alone(index, "助力镇巴县、尖扎县提升环境管理水平", "尖扎")  # the pair most clauses carry
    assert not _names_alone(index, "区对口帮扶镇巴联络组", "镇巴")  # inside a unit's name


def test_a_county_asked_about_alone_brings_the_clause_that_names_it_alone(answerer):
    ans = answerer.answer("尖扎有哪些优势领域")
    assert ans.found and ans.citations[0].item == 4


def test_among_the_listed_tasks_a_content_question_cites_only_them(answerer):
    ans = answerer.answer("妇联管哪几条？里面哪条跟儿童有关")
    assert {c.item for c in ans.citations} <= {14, 15}


def test_a_sound_alike_name_ending_on_no_unit_is_no_unit(answerer):
    q = answerer.index.parser.parse("镇巴主要帮哪些土特产")
    assert not q.unknown_units and not q.units


def test_a_title_without_its_shared_verb_names_the_task(answerer):
    parser = answerer.index.parser
    assert parser.parse("教育帮扶谁牵头").items == [11]  # 深化教育帮扶
    assert parser.parse("医疗和教育帮扶那块有几条").items == []  # a part, not a task


def test_each_of_two_things_across_a_comma(answerer):
    ans = answerer.answer("教育帮扶、医疗帮扶各是第几条，分别归哪个局")
    assert {c.item for c in ans.citations} == {11, 12}
    assert "区教育体育局" in ans.answer and "区卫生健康委员会" in ans.answer


def test_which_task_a_topic_is_comes_from_the_plan_not_a_related_report(answerer):
    ans = answerer.answer("区中园那个事儿是哪条、谁牵头？")
    assert [c.item for c in ans.citations] == [5] and "区发展和改革委员会" in ans.answer


def test_that_one_task_described_is_shown_alone(answerer):
    ans = answerer.answer("生态那条啥内容")
    assert [c.item for c in ans.citations] == [17]


def test_a_number_of_people_asked_of_a_named_task_is_not_its_record(answerer):
    ans = answerer.answer("教育帮扶今年要派多少名老师")
    assert not ans.found and not ans.citations


def test_the_askers_own_unit_in_an_introduction_is_not_the_subject(answerer):
    parser = answerer.index.parser
    assert parser.parse("我原来在妇联，不太懂，这个东西部协作分哪几块工作").units == []
    assert parser.parse("我在妇联工作，我们单位负责哪些").units == ["区妇联"]  # points back to it


@pytest.mark.parametrize("question", ["区里统一管还是各部门自己弄", "区里各部门咋分工的"])
def test_the_district_in_everyday_words_is_no_unknown_unit(answerer, question):
    assert answerer.index.parser.parse(question).unknown_units == []


def test_a_part_asking_the_plan_itself_is_answered_on_its_own(answerer):
    ans = answerer.answer("这份稿子现在是什么状态？另外一共有多少条具体任务？")
    assert ans.found and "征求意见" in ans.answer and "20" in ans.answer


def test_a_documents_number_is_read_from_its_title(answerer):
    ans = answerer.answer("消费扶贫指导意见的文号是多少")
    assert ans.found and "129号" in ans.answer
    assert not answerer.answer("这份要点的文号是多少").found  # the plan's title carries none


def test_how_to_look_up_ones_duties_is_answered_with_how_to_ask(answerer):
    ans = answerer.answer("我该去哪查我们单位要干的活")
    assert ans.found and ans.mode == "overview" and "负责哪些任务" in ans.answer


def test_what_the_programme_is_comes_from_the_documents_that_say_it(answerer):
    ans = answerer.answer("东西部协作到底是个啥概念")
    assert ans.found and any(c.doc != answerer.index.plan_doc for c in ans.citations)


def test_a_polite_status_question_gets_the_status(answerer):
    ans = answerer.answer("您好，想请问一下这份要点现在是已经正式印发了，还是还在征求意见阶段呀？")
    assert ans.mode == "overview" and "征求意见稿" in ans.answer


def test_a_remark_that_a_unit_is_not_named_is_no_set_condition(answerer):
    q = answerer.index.parser.parse("好多条后面都没写联络组，那个联络组到底负责哪几条？")
    assert q.units == ["区对口帮扶镇巴联络组"] and q.negated == []


def test_how_to_read_the_responsible_units_quotes_the_plans_own_line(answerer):
    ans = answerer.answer("每条后面括号里的责任单位咋看")
    assert ans.mode == "overview" and "等按职责分工负责" in ans.answer and [c.item for c in ans.citations] == [1]


def test_a_fragment_after_a_part_naming_nothing_is_asked_with_it(answerer):
    from app.multipart import merge_fragments
    index = answerer.index
    parts = ["疗休养基地具体是哪几家", "叫啥名字"]

    def topical(part: str) -> bool:
        return question_terms(index, part).topical

    assert merge_fragments(parts, index.parser, index.lexicon, topical) == ["疗休养基地具体是哪几家，叫啥名字"]
    assert merge_fragments(["医疗帮扶都做哪些", "谁负责"], index.parser, index.lexicon, topical) == [
        "医疗帮扶都做哪些", "谁负责"]  # who may point back to the task the answer finds


@pytest.mark.parametrize("question, verdict, item", [("白内障那个卫健委也有份吗", "**是**", 15),
                                                     ("劳务品牌那条教体局参与吗", "**不是**", 8)])
def test_whether_a_unit_is_on_a_task_described_in_words(answerer, question, verdict, item):
    ans = answerer.answer(question)
    assert ans.answer.startswith(verdict) and [c.item for c in ans.citations] == [item]


def test_a_unit_the_plan_does_not_name_on_a_named_task_is_said_to_be_absent(answerer):
    ans = answerer.answer("民营企业帮扶那条里区税务局负责减税，减多少？")
    assert not ans.found and "区税务局" in ans.answer


def test_one_character_of_the_lexicon_inside_an_absent_word_does_not_map_it(answerer):
    from app.premise import unsaid_claim
    assert "电站" in unsaid_claim(answerer.index, "文件里有讲给尖扎装光伏电站的没")


def test_a_count_in_words_the_question_asserts_must_be_stated(answerer):
    assert not answerer.answer("心佑工程今年是不是要筛满一万个孩子").found


def test_a_list_asked_after_a_verb_is_answered_by_the_sentence_listing_after_it(answerer):
    from app.facts import lists_after_verb
    index = answerer.index
    assert lists_after_verb(index, "要求加强哪几方面", "优化帮扶方式，加强产业合作、资源互补、劳务对接、人才交流，动员全社会参与")
    assert not lists_after_verb(index, "要求加强哪几方面", "加强统筹谋划和协调衔接")


@pytest.mark.parametrize("question, unit", [("卫建委一共涉及几条任务", "区卫生健康委员会"), ("财正局要配合做哪几条", "区财政局"),
                                            ("工伤联在要点里有几条", "区工商联")])
def test_a_clear_misspelling_standing_alone_is_read_whatever_follows(answerer, question, unit):
    assert answerer.index.parser.parse(question).units == [unit]


def test_a_range_of_tasks_is_where_to_look(answerer):
    ans = answerer.answer("一到十七条里发改委没参与的是哪几条")
    assert items(ans) == [2, 3, 8, 10, 11, 12, 13, 15, 17]


def test_a_task_named_through_its_unit_shows_the_task(answerer):
    ans = answerer.answer("发改委负责的第9条是啥内容")
    assert [c.item for c in ans.citations] == [9]


@pytest.mark.parametrize("question", [
    "尖扎那边这几天冷不冷，要带羽绒服不",  # weather in other words
    "牦牛肉拿到有机认证了没",  # how far real work has got
    "去镇巴挂职包吃包住吗",  # an individual's board and lodging
    "资金是不是两个县五五开",  # a split the question asserts
    "专班的组长是哪位领导",  # a person asked of a unit: no sentence names that unit's head
])
def test_more_of_what_the_documents_do_not_say(answerer, question):
    ans = answerer.answer(question)
    assert not ans.found and not ans.citations, ans.answer[:200]


def test_a_greeting_and_an_introduction_do_not_hide_the_question(answerer):
    ans = answerer.answer("你好，我是镇巴县过来对接的，想先问下这个要点结对的是哪几个县？")
    assert ans.found and "镇巴县" in ans.answer and "尖扎县" in ans.answer


def test_a_long_aside_without_corpus_words_does_not_hide_an_overview_question(answerer):
    ans = answerer.answer("想做个专题片，先问问这个要点大概讲了哪几方面")
    assert ans.mode == "overview" and "特色产业提升行动" in ans.answer


def test_the_programme_name_tells_no_part_apart(answerer):
    assert answerer.index.parser.parse("协作资金这块谁来筹集拨付").sections == []


def test_a_demonstrative_count_is_not_what_is_asked(answerer):
    q = answerer.index.parser.parse("供销总社那几条任务里还有哪些单位一起干")
    assert q.target == "units"


def test_how_to_address_someone_asks_for_a_person(answerer):
    assert answerer.index.lexicon.fact_type("联络组组长咋称呼").name == "person"


# --- claims and categories the documents never state ---------------------------------------------------

@pytest.mark.parametrize("question", [
    "援派老师是不是一去就要待满两年？",  # a duration asserted in a 是不是 claim
    "疗休养的职工是不是每人发一千块补贴",
    "结对医院是不是重点帮眼科和骨科",  # members the plan never names
    "这个要点会不会已经报市委常委会了",  # an abbreviation (常委会) the documents never use
])
def test_a_claim_put_as_shi_bu_shi_needs_the_documents_words(answerer, question):
    ans = answerer.answer(question)
    assert not ans.found and not ans.citations, ans.answer[:200]


@pytest.mark.parametrize("question", [
    "镇巴那边主要帮着搞哪些土特产？茶叶算不算",  # the claim is the clause with the cue, not the whole message
    "“银发生辉·银龄行动”和“苏青银铃行动”是不是一回事",  # sameness asked: a frame, not a claim
])
def test_a_claim_in_the_documents_words_is_answered(answerer, question):
    assert answerer.answer(question).found


@pytest.mark.parametrize("question, category", [
    ("推介会安排在哪家酒店", "酒店"),
    ("意见反馈发哪个邮箱", "邮箱"),
    ("分管的是哪位副区长", "副区长"),
])
def test_members_of_a_category_no_document_names_are_refused(answerer, question, category):
    from app.facts import unknown_category
    assert unknown_category(answerer.index, question) == category
    ans = answerer.answer(question)
    assert not ans.found and not ans.citations


@pytest.mark.parametrize("question", ["结对的是哪几个县", "要点分了哪几个行动", "通州哪家厂子去尖扎了"])
def test_members_of_a_category_the_documents_name_are_not_refused_for_it(answerer, question):
    from app.facts import unknown_category
    assert unknown_category(answerer.index, question) is None


def test_an_unknown_unit_before_in_the_plan_and_a_duty_verb_is_said_to_be_no_unit(answerer):
    ans = answerer.answer("区审计局在这份要点里面负责什么")
    assert not ans.found and "区审计局" in ans.answer and not ans.citations


def test_weather_in_other_words_is_outside_the_documents(answerer):
    ans = answerer.answer("明天南通降温吗")
    assert not ans.found and not ans.citations


# --- the asker's remarks and speech are not what is asked ----------------------------------------------

@pytest.mark.parametrize("question", [
    "光明行那个事文件里怎么安排的？我二舅妈就在尖扎",  # a remark after the question
    "会开得太多的问题要点里提了吗？下面都怕文山会海",
])
def test_a_remark_after_the_question_is_no_evidence_of_absence(answerer, question):
    from app.gate import question_terms
    assert question_terms(answerer.index, question).absent == []
    assert answerer.answer(question).found


def test_a_premise_before_the_question_is_still_asked_about(answerer):
    from app.gate import question_terms
    assert "加工厂" in question_terms(answerer.index, "听说要在渔渡镇建个加工厂，真的吗").absent


def test_speech_ending_in_an_organisation_suffix_is_no_unit(answerer):
    q = answerer.index.parser.parse("通州那边说帮我们医院培养专科，培养几个")
    assert q.unknown_units == [] and q.units == []


@pytest.mark.parametrize("question", [
    "直播团队是不是要跑到那边去搞直播",  # everyday verbs around the documents' nouns
    "劳模疗休养是不是安排到镇巴尖扎那边去",
    "尖扎的牦牛肉是不是也在帮着推的产品里",  # 牦牛肉 = 牦牛 + 肉, both the documents' words
    "协作资金是不是每年都要拨过去",  # 每年: the plan's 年度
    "要点里结对的是镇巴和尖扎两个县，对吗",  # a count of what the question names
])
def test_a_claim_in_everyday_verbs_about_what_the_documents_say_is_answered(answerer, question):
    assert answerer.answer(question).found


@pytest.mark.parametrize("question", [
    "公益节目是不是每天都播",  # a frequency the plan never states
    "教育挂职是不是一般挂半年",  # a duration
    "远程会诊的钱是不是患者自己掏钱",  # who pays
])
def test_a_claim_of_a_time_figure_or_payer_the_documents_never_state_is_refused(answerer, question):
    ans = answerer.answer(question)
    assert not ans.found and not ans.citations, ans.answer[:200]


def test_an_abstract_category_asked_with_nage_is_not_a_list_of_names(answerer):
    from app.facts import unknown_category
    assert unknown_category(answerer.index, "镇巴和尖扎分别在哪个省份") is None  # content, not names
    assert unknown_category(answerer.index, "企业能往哪几个方向发展") is None


def test_an_alternative_question_is_asked_not_a_remark(answerer):
    from app.gate import aside_start
    text = "最后谁来统筹？区里统一管还是各部门自己弄"
    assert aside_start(answerer.index.lexicon, text) == len(text)
    assert aside_start(answerer.index.lexicon, "各部分讲啥，我做个表用") == len("各部分讲啥，")


def test_a_task_named_by_its_title_for_a_place_the_documents_never_name_is_refused(answerer):
    ans = answerer.answer("通州跟西藏那个对口县的教育帮扶怎么搞")  # 教育帮扶 is task 11's title, 西藏 is no partner
    assert not ans.found and not ans.citations and "西藏" in ans.answer


def test_a_partner_county_counted_past_the_plans_partners_is_a_false_premise(answerer):
    ans = answerer.answer("要点里第四个结对县叫啥")
    assert not ans.found and not ans.citations and "没有第四个" in ans.answer


def test_a_question_word_jieba_keeps_whole_is_no_absent_name(answerer):
    assert question_terms(answerer.index, "劳务品牌矩阵里面有哪些项目").absent == []


def test_a_task_named_by_number_answers_from_its_own_sentences(answerer):
    ans = answerer.answer("第1条里说的那几种特色产品具体是哪几种")
    assert ans.found and ans.citations[0].item == 1 and "腊肉" in ans.answer


def test_the_tasks_a_part_listed_are_what_these_points_back_to(answerer):
    ans = answerer.answer("教体局和人社局都有份的是哪几条？这些条谁打头")
    assert ans.mode == "multi" and items(ans) == [9, 20]
    assert "区教育体育局**" in ans.answer and "区委组织部**" in ans.answer  # the first-listed unit of each


def test_a_choice_with_one_side_the_documents_name_is_answered(answerer):
    assert question_terms(answerer.index, "劳务协作是搞培训还是搞招工").absent == []


def test_the_askers_remark_about_their_own_unit_is_no_part_of_its_own(answerer):
    assert len(split_parts("挂职干部要干满几年？我们组织部想先了解一下", answerer.index.parser,
                           answerer.index.lexicon)) == 1
