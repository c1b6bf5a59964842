"""Newcomer questions: glossary rules, overview and definition answers, follow-ups and the 入门 tab handlers."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from app.followups import starters, suggest
from app.service import Service
from app.ui.chat import ChatPanel
from app.ui.onboarding import FollowUpChips, OnboardingPanel, glossary_html, outline_html
from ingest.glossary import TermFinder
from ingest.phrasebook import DATA, load, parse
from ingest.pipeline import run_ingest
from ingest.settings import Settings
from ingest.units import AliasTable

from .conftest import CORPUS, PLAN_PATH, FakeEmbedder


def _service(settings: Settings) -> Service:
    from ingest.store import IndexStore, open_client

    store = IndexStore(open_client(settings), settings.collection)
    emb = FakeEmbedder()
    run_ingest(settings.corpus_dir, store, emb, AliasTable.load(), settings.plan_doc)
    return Service(settings, store, emb)


@pytest.fixture(scope="module")
def service(tmp_path_factory) -> Service:
    """One read-only index for the answer tests (building it per test would dominate the run time)."""
    root = tmp_path_factory.mktemp("onboarding")
    shutil.copytree(CORPUS, root / "corpus")
    return _service(Settings(data_dir=root / "data", corpus_dir=root / "corpus", _env_file=None))


# --- language data ----------------------------------------------------------------------------------
def test_phrasebook_loads_and_every_pattern_compiles():
    book = parse(json.loads(DATA.read_text(encoding="utf-8")))
    assert set(book.questions.topics) >= {"summary", "structure", "partners", "status", "basis", "year", "overall"}
    assert book.questions.starters and book.questions.followups
    assert load() is load()  # read once per process


def test_language_data_names_no_place_or_unit_of_the_plan():
    raw = DATA.read_text(encoding="utf-8")
    plan = PLAN_PATH.read_text(encoding="utf-8")
    for name in set(re.findall(r"[\u4e00-\u9fa5]{2}县", plan)) | {"通州", "镇巴", "尖扎", "发展和改革委员会"}:
        assert name not in raw


@pytest.mark.parametrize(("text", "expected"), [
    ("开展某某帮扶新春、金秋行动，效果好。", {"某某帮扶新春行动", "某某帮扶金秋行动"}),
    ("扩大“护心工程”筛查范围。", {"护心工程"}),
    ("实施就业援助行动。", {"就业援助行动"}),
    ("深化闽宁“山海结对”工作。", {"闽宁", "山海结对"}),
    ("做好第十届茶博会参展工作。", {"茶博会"}),
    ("引导企业参与重大项目、重大工程。", set()),
])
def test_term_rules_on_synthetic_text(text, expected):
    found = {name for name, _, _ in TermFinder(load().glossary).find(text)}
    assert found == expected


def test_quoted_name_takes_its_category_from_the_following_word():
    found = TermFinder(load().glossary).find("擦亮“某某共振兴”公益品牌。")
    assert found == [("某某共振兴", "公益品牌", "quoted")]


# --- glossary over the real corpus -----------------------------------------------------------------
def test_glossary_finds_the_programmes_terms(service):
    glossary = service.answerer.guide.glossary
    names = {t.name for t in glossary.terms}
    for term in ("苏陕", "苏青", "四方结对", "1+3+X", "区中园", "心佑工程", "光明行", "苏青银铃行动", "医路畅行",
                 "苏社有为共振兴", "万企兴万村", "苏超", "丝博会", "青洽会", "消费帮扶新春行动", "消费帮扶金秋行动"):
        assert term in names, term
    sq = glossary.get("苏青")
    assert sq.items == [2, 15] and not sq.explained
    assert glossary.get("苏陕").explained  # a related report says what 苏陕扶贫协作 is
    assert glossary.get("消费帮扶新春行动").items == [7]
    assert [t.name for t in glossary.search("心佑")][:1] == ["心佑工程"]


def test_glossary_follows_reindexing(settings):
    service = _service(settings)
    plan = settings.corpus_dir / PLAN_PATH.name
    plan.write_text(plan.read_text(encoding="utf-8").replace("支持开展“医路畅行”暖心项目。",
                                                             "支持开展“医路畅行”暖心项目，启动“新苗计划”。"),
                    encoding="utf-8")
    assert service.answerer.guide.glossary.get("新苗计划") is None
    service.reindex()
    assert service.answerer.guide.glossary.get("新苗计划").items == [15]


# --- answers ----------------------------------------------------------------------------------------
NEWCOMER = ["这个文件大概说了些啥", "要点分成几块", "通州对口的是哪几个县", "东西部协作是什么", "今年主要抓哪几件事",
            "苏青协作指的是什么", "这份要点是正式文件吗", "制定这个要点的依据是什么", "要点是哪一年的",
            "谁统筹负责东西部协作", "要点一共有多少项任务", "消费帮扶和消费扶贫是什么关系", "心佑工程是什么"]


@pytest.mark.parametrize("question", NEWCOMER)
def test_newcomer_questions_get_cited_answers(service, question):
    ans = service.ask(question)
    assert ans.found and ans.citations and ans.mode in ("overview", "glossary"), ans.answer


def test_structure_answer_lists_every_part_with_its_tasks(service):
    ans = service.ask("要点分成几块")
    book = service.index.records
    assert f"**{len(book.sections)}** 个部分" in ans.answer
    for s in book.sections:
        assert s.name in ans.answer
    assert all(f"第{t.item}项 {t.title}" in ans.answer for t in book.tasks)


def test_partners_come_from_the_text(service):
    ans = service.ask("通州对口的是哪几个县")
    assert "镇巴县" in ans.answer and "尖扎县" in ans.answer
    assert "没有写明这些简称分别对应哪个县" in ans.answer  # the plan never pairs 苏陕/苏青 with a county


def test_unexplained_term_says_so_and_shows_where(service):
    ans = service.ask("苏青协作指的是什么")
    assert "没有解释" in ans.answer and "第2项" in ans.answer and "第15项" in ans.answer
    assert {c.item for c in ans.citations if c.item} == {2, 15}


def test_definition_from_related_documents_newest_first(service):
    ans = service.ask("东西部协作是什么")
    related = [c for c in ans.citations if c.doc != service.index.plan_doc]
    dates = [c.date for c in related]
    assert len(related) >= 2 and dates == sorted(dates, reverse=True)
    assert "是党中央着眼推动区域协调发展" in ans.answer  # the 2021 report's definition is quoted


def test_relation_question_says_when_no_sentence_relates_the_two(service):
    ans = service.ask("消费帮扶和消费扶贫是什么关系")
    assert "消费扶贫是社会各界" in ans.answer and "没有直接说明两者的关系" in ans.answer


@pytest.mark.parametrize("question", ["区长是谁", "协作资金总额是多少", "镇巴县的GDP是多少", "“心佑工程”去年一共筛查了多少名儿童？"])
def test_out_of_corpus_questions_are_still_refused(service, question):
    ans = service.ask(question)
    assert not ans.found and ans.mode == "refusal"


@pytest.mark.parametrize(("question", "mode"), [("区总工会负责哪些任务", "lookup"), ("第六部分包括哪些任务", "section"),
                                                ("劳务协作新模式是什么", "retrieval")])
def test_other_questions_keep_their_route(service, question, mode):
    assert service.ask(question).mode == mode


# --- follow-ups and the tab -------------------------------------------------------------------------
@pytest.mark.parametrize("question", ["区总工会负责哪些任务", "第7项由谁牵头", "心佑工程是什么", "要点分成几块", "区长是谁"])
def test_follow_ups_are_answerable(service, question):
    ans = service.ask(question)
    got = suggest(service.answerer, ans)
    assert 2 <= len(got) <= 3 and question not in got
    for q in got:
        follow = service.ask(q)
        assert follow.found and follow.mode != "refusal", q


def test_follow_ups_come_from_the_cited_tasks(service):
    got = suggest(service.answerer, service.ask("区总工会负责哪些任务"))
    assert any("第6项" in q or "第7项" in q for q in got)


def test_starters_are_answerable(service):
    got = starters(service.answerer)
    assert len(got) >= 5
    assert all(service.ask(q).found for q in got)


def test_chat_context_carries_suggestions_and_chips_show_them(service):
    chat = ChatPanel(service, stream_delay=0)
    *_, (_, history, context, _meta) = list(chat.respond("区总工会负责哪些任务", [], None))
    assert 2 <= len(context.suggestions) <= 3
    updates = FollowUpChips.show(context)
    assert updates[0]["visible"] and [u["value"] for u in updates[1:1 + len(context.suggestions)]] == \
        context.suggestions
    assert not FollowUpChips.show(None)[0]["visible"]


def test_onboarding_panel_outline_and_glossary(service):
    panel = OnboardingPanel(service, ChatPanel(service, stream_delay=0))
    summary, outline, glossary, *buttons = panel.refresh("心佑")
    assert "征求意见稿" in summary and "20" in summary
    assert outline.count('class="xz-node xz-task-node"') == len(service.index.records.tasks)
    assert 'data-term="心佑工程"' in glossary and "语料未解释" in glossary
    assert any(b.get("visible") for b in buttons)
    assert "<script>" not in outline_html(service.answerer.guide)
    assert "没有" in glossary_html(service.answerer.guide, "不存在的词")


def test_a_parts_own_summary(service):
    ans = service.ask("第二部分讲的是什么")
    assert ans.mode in ("overview", "section") and "产业集群打造行动" in ans.answer and {c.item for c in ans.citations if c.item} == {4, 5}


def test_relation_of_two_terms_resolves_each_to_the_glossary(service):
    ans = service.ask("苏陕协作和苏青协作有什么区别")
    assert ans.found and "**苏陕**" in ans.answer and "**苏青**" in ans.answer


@pytest.mark.parametrize(("question", "snippet"), [("要点的目的是什么", "前言"), ("东西部协作和对口支援有什么不同", "对口支援"),
                                                   ("要点的八个部分分别是什么", "八、强化组织保障")])
def test_document_topics_and_relations_win_over_generic_definitions(service, question, snippet):
    ans = service.ask(question)
    assert ans.found and snippet in ans.answer, ans.answer


def test_who_drafted_the_plan_is_not_stated_so_it_is_refused_naming_the_title(service):
    ans = service.ask("这份要点是谁制定的")
    assert not ans.found and not ans.citations
    assert "没有写明这份要点的起草或印发单位" in ans.answer and "《2026年南通市通州区" in ans.answer


@pytest.mark.parametrize(("question", "snippet"), [("要点里有哪些专有名词", "心佑工程（第15项）"),
                                                   ("我刚来，从哪里开始看", "各部分及任务")])
def test_more_document_topics(service, question, snippet):
    ans = service.ask(question)
    assert ans.mode == "overview" and snippet in ans.answer, ans.answer


def test_a_bare_term_asks_what_it_is(service):
    ans = service.ask("心佑工程？")
    assert ans.mode == "glossary" and [c.item for c in ans.citations] == [15]


def test_scoring_rule_found_needs_an_answer_and_the_strings():
    from eval.scoring import Output, score

    q = {"q": "要点分成几块", "kind": "newcomer", "gold": [], "how": "found", "must": [["8", "八"]], "answerable": True}
    assert score(q, Output(found=True, answer="分为 8 个部分"), "plan").correct
    assert not score(q, Output(found=True, answer="分为若干部分"), "plan").correct
    assert not score(q, Output(found=False, answer="8"), "plan").correct


def test_onboarding_panel_on_an_empty_index(tmp_path):
    from ingest.store import IndexStore, open_client

    settings = Settings(data_dir=tmp_path / "data", corpus_dir=tmp_path / "empty", _env_file=None)
    service = Service(settings, IndexStore(open_client(settings), settings.collection), FakeEmbedder())
    summary, outline, glossary, *buttons = OnboardingPanel(service, ChatPanel(service, stream_delay=0)).refresh("")
    assert "还没有" in summary and "还没有" in outline and "还没有" in glossary
    assert not any(b.get("visible") for b in buttons)
    assert suggest(service.answerer, service.ask("要点分成几块")) == []


@pytest.mark.parametrize("question", ["任务一共多少条", "这里面任务加起来有几项"])
def test_the_number_of_tasks_asked_noun_first_is_an_overview(service, question):
    ans = service.answerer.answer(question)
    assert ans.mode == "overview" and "**20** 项任务" in ans.answer


def test_parts_counted_with_a_purpose_remark_are_the_structure(service):
    ans = service.answerer.answer("要点分了几个大部分？各部分讲啥，我做个表用")
    assert ans.mode == "overview" and "特色产业提升行动" in ans.answer and "强化组织保障" in ans.answer


def test_status_asked_politely_in_everyday_words(service):
    ans = service.answerer.answer("新人请教一下，这个文件正式发下来了没有")
    assert ans.mode == "overview" and "征求意见稿" in ans.answer


def test_a_province_the_plan_names_by_its_pair_abbreviation_is_not_absent(service):
    from app.gate import implied_provinces, question_terms
    assert {"陕西", "青海"} <= implied_provinces(service.index)
    assert question_terms(service.index, "这份要点是跟青海那边协作的吗").absent == []


def test_two_facts_about_the_document_in_one_message_are_both_answered_in_order(service):
    ans = service.answerer.answer("这份要点是哪一年的，现在算正式稿吗")  # one sentence, two facts
    assert ans.mode == "overview" and "征求意见稿" in ans.answer
    assert ans.answer.index("**2026年**") < ans.answer.index("**征求意见稿**")


@pytest.mark.parametrize("question, expected", [
    ("上周刚分到协作科，主任让我把要点看一遍，这份东西是干嘛用的", "特色产业提升行动"),  # background, then the ask
    ("这稿子算定稿了不？还是只是征求意见", "征求意见稿"),
    ("我是科里的，怎么快速找到我们单位在要点里的任务，有啥窍门", "责任单位"),
])
def test_newcomers_asking_in_their_own_words(service, question, expected):
    ans = service.answerer.answer(question)
    assert ans.found and ans.mode == "overview" and expected in ans.answer


def test_a_fact_the_document_states_makes_a_combined_overview_found(service):
    ans = service.answerer.answer("这份文件是谁印发的、啥年份的")
    assert ans.found and ans.mode == "overview" and "2026年" in ans.answer


def test_jiwei_asks_a_head_count(service):
    assert service.index.lexicon.fact_type("援派的医生今年有几位").name == "people"


@pytest.mark.parametrize("question", [
    "这份要点是几号印发的",
    "征求意见稿的意见截止时间是哪天，反馈给谁",
    "这个文件有没有文号",
])
def test_the_documents_own_date_number_or_comment_deadline_is_said_to_be_unstated(service, question):
    ans = service.answerer.answer(question)
    assert not ans.found and not ans.citations and "没有写明印发日期" in ans.answer


def test_the_draft_named_in_a_date_question_does_not_turn_it_into_a_status_question(service):
    ans = service.answerer.answer("这份征求意见稿什么时候正式出台")
    assert not ans.found and "征求意见稿" in ans.answer


@pytest.mark.parametrize("question, wanted", [
    ("问个简单的，这是哪个区哪年的要点", ["通州区", "2026年"]),  # two facts about the document, a polite opening
    ("这份东西主要讲啥，分成几大块", ["东西部协作", "八、强化组织保障"]),  # what it is about and its parts
])
def test_two_things_about_the_document_in_one_message(plan_answerer, question, wanted):
    ans = plan_answerer.answer(question)
    assert ans.found and all(w in ans.answer for w in wanted), ans.answer[:300]


def test_topics_asked_together_are_in_asked_order_and_a_shared_cue_counts_once():
    import re

    from app.planfacts import asked_together

    cues = {"year": re.compile("哪年"), "locality": re.compile("哪个区"), "counts": re.compile("几大块"),
            "structure": re.compile("分几大块")}
    assert asked_together(cues, "这是哪个区、哪年的", ["year", "locality"]) == ["locality", "year"]
    assert asked_together(cues, "分几大块", ["counts", "structure"]) == []  # the same words: one topic
    assert asked_together(cues, "哪年的", ["year"]) == []
