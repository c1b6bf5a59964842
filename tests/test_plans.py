"""Several plans in one index: records per plan, scoped and unscoped questions, change questions, folded copies."""

from __future__ import annotations

import shutil

import pytest

from app.answerer import Answerer
from ingest.pipeline import load_corpus, run_ingest
from ingest.settings import PLAN_DOC_ID, Settings
from ingest.store import IndexStore, open_client
from retriever.index import KnowledgeIndex

from .conftest import CORPUS, FakeEmbedder
from .planversions import OTHER_DISTRICT_PLAN, draft_text, final_version

FINAL = f"{PLAN_DOC_ID}_final"
LAST_YEAR = "2025_tongzhou_yaodian"
OTHER = "2027_wujiang_yaodian"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("plans")
    shutil.copytree(CORPUS, root / "corpus")
    (root / "corpus" / f"{FINAL}.txt").write_text(final_version(), encoding="utf-8")
    last_year = draft_text().replace("2026年", "2025年", 1).replace("（征求意见稿）", "")
    last_year = last_year.replace("（责任单位：区民政局等", "（责任单位：区民政局、区总工会等", 1)
    assert "区民政局、区总工会" in last_year
    (root / "corpus" / f"{LAST_YEAR}.txt").write_text(last_year, encoding="utf-8")
    (root / "corpus" / f"{OTHER}.txt").write_text(OTHER_DISTRICT_PLAN, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def answerer(corpus, aliases) -> Answerer:
    settings = Settings(data_dir=corpus / "data", corpus_dir=corpus / "corpus", _env_file=None)
    store = IndexStore(open_client(settings), settings.collection)
    emb = FakeEmbedder()
    report = run_ingest(settings.corpus_dir, store, emb, aliases, settings.plan_doc)
    assert report.ok
    return Answerer(KnowledgeIndex.load(store, emb, aliases, settings.plan_doc))


def items(ans) -> list[int]:
    return [c.item for c in ans.citations]


def test_every_plan_becomes_records_with_year_and_version(corpus, aliases):
    loaded = load_corpus(corpus / "corpus", aliases, PLAN_DOC_ID)
    titles = {p.doc_id: p.title for p in loaded.plans}
    assert set(titles) == {PLAN_DOC_ID, FINAL, LAST_YEAR, OTHER}
    other = next(p for p in loaded.plans if p.doc_id == OTHER)
    # the inherited-unit rule belongs to its own plan: the other district's group, never the Tongzhou one
    assert all("区对口帮扶紫云工作组" in t.units for t in other.tasks)
    assert not any("区对口帮扶镇巴联络组" in t.units for t in other.tasks)
    tongzhou = next(p for p in loaded.plans if p.doc_id == FINAL)
    assert all("区对口帮扶紫云工作组" not in t.units for t in tongzhou.tasks)


def test_shelf_knows_each_plan(answerer):
    shelf = answerer.index.plans
    assert shelf.default_doc == FINAL  # the newest version of the configured plan's series
    info = {d: (i.year, i.version) for d, i in shelf.infos.items()}
    assert info == {PLAN_DOC_ID: (2026, "征求意见稿"), FINAL: (2026, "正式稿"), LAST_YEAR: (2025, "正式稿"),
                    OTHER: (2027, "送审稿")}
    assert [i.doc for i in shelf.series] == [LAST_YEAR, PLAN_DOC_ID, FINAL]
    assert shelf.previous(FINAL) == PLAN_DOC_ID and shelf.previous(PLAN_DOC_ID) == LAST_YEAR


def test_unscoped_question_answers_from_the_newest_plan_and_says_so(answerer):
    ans = answerer.answer("区总工会负责哪些任务")
    assert ans.mode == "lookup" and items(ans) == [7]
    assert {c.doc for c in ans.citations} == {FINAL}
    assert ans.answer.startswith("（依据最新的《2026年南通市通州区东西部协作工作要点（正式稿）》")


@pytest.mark.parametrize("question,doc,expected", [
    ("征求意见稿里区总工会负责哪些任务", PLAN_DOC_ID, [6, 7]),
    ("2025年要点里区总工会负责什么", LAST_YEAR, [6, 7, 13]),
    ("去年的要点中区总工会负责哪些任务", LAST_YEAR, [6, 7, 13]),
    ("正式稿里区总工会负责哪些任务", FINAL, [7]),
])
def test_scoped_unit_questions(answerer, question, doc, expected):
    ans = answerer.answer(question)
    assert ans.mode == "lookup" and items(ans) == expected
    assert {c.doc for c in ans.citations} == {doc}
    assert ans.answer.startswith("（依据《")


def test_scoped_item_question(answerer):
    ans = answerer.answer("正式稿第8项由谁牵头")
    assert ans.mode == "item" and ans.citations[0].doc == FINAL and "拓展深化产销对接" in ans.answer
    draft = answerer.answer("征求意见稿第7项由谁牵头")
    assert draft.citations[0].doc == PLAN_DOC_ID and "拓展深化产销对接" in draft.answer


def test_what_changed_between_versions(answerer):
    ans = answerer.answer("正式稿和征求意见稿有什么不同")
    assert ans.mode == "diff" and ans.found
    assert "**新增** 第6项 共建飞地经济园区" in ans.answer
    assert "**删除** 原第17项 共推生态环境保护" in ans.answer
    assert "第8项（原第7项） 拓展深化产销对接" in ans.answer and "减少责任单位：区总工会" in ans.answer
    assert "只是编号变了" in ans.answer
    assert sorted(items(ans)) == [3, 6, 8, 11, 17]


def test_did_a_units_tasks_change(answerer):
    ans = answerer.answer("区总工会的任务有变化吗")
    assert ans.mode == "diff"
    assert "任务从 2 项变为 1 项" in ans.answer and "第8项（原第7项） 拓展深化产销对接：不再是责任单位" in ans.answer
    gained = answerer.answer("区民政局的任务有变化吗")
    assert "新增为责任单位" in gained.answer


def test_other_district_named_by_place(answerer):
    ans = answerer.answer("吴江区的要点里区教育体育局负责哪些任务")
    assert ans.mode == "lookup" and items(ans) == [3] and ans.citations[0].doc == OTHER


def test_missing_year_is_said(answerer):
    ans = answerer.answer("2019年要点里区总工会负责哪些任务")
    assert "索引中没有2019年的要点" in ans.notice and {c.doc for c in ans.citations} == {FINAL}


def test_copies_of_a_clause_in_other_versions_are_folded(answerer):
    hits, _ = answerer.index.search("劳模疗休养", k=5)
    assert hits[0].doc == FINAL and PLAN_DOC_ID in hits[0].folded
    docs = [h.doc for h in hits if h.item]
    assert len(set(docs)) == len(docs) or all(d == FINAL for d in docs)
    scoped, _ = answerer.index.search("劳模疗休养", k=5, plan=PLAN_DOC_ID)
    assert scoped[0].doc == PLAN_DOC_ID and FINAL in scoped[0].folded


def test_status_of_the_newest_plan(answerer):
    ans = answerer.answer("这份要点是正式文件吗")
    assert ans.mode == "overview" and "按正式印发的文本对待" in ans.answer and "征求意见稿不是" not in ans.answer


def test_about_tab_lists_every_plan(corpus, answerer):
    from app.ui.about import AboutPanel

    class _Service:  # the panel reads only the index and the document list
        index = answerer.index

        @staticmethod
        def documents() -> list[dict]:
            return []

    text = AboutPanel(_Service()).corpus_markdown()
    assert "版本：正式稿" in text and "另有要点《2026年南通市通州区东西部协作工作要点（征求意见稿）》" in text


def test_versions_panel_html(answerer):
    from app.ui.versions import VersionsPanel, diff_html

    class _Service:
        index = answerer.index

    panel = VersionsPanel(_Service())
    assert panel.defaults() == (PLAN_DOC_ID, FINAL)
    html = diff_html(_Service(), PLAN_DOC_ID, FINAL)
    assert html.count('data-change="changed"') == 3 and 'data-change="added"' in html and 'data-change="removed"' in html
    assert "<ins>" in html and "<del>" in html and "林下经济" in html
    assert '<tr data-unit="区总工会"><td>区总工会</td><td>—</td><td>原第7项 拓展深化产销对接</td></tr>' in html
    assert "请选择两份不同的要点" in diff_html(_Service(), FINAL, FINAL)


def test_follow_up_stays_in_the_named_plan(answerer):
    first = answerer.answer("征求意见稿里区总工会负责哪些任务")
    follow = answerer.answer("那区民政局呢", first.context)
    assert items(follow) == [13, 15] and {c.doc for c in follow.citations} == {PLAN_DOC_ID}
    fresh = answerer.answer("那区民政局呢")
    assert items(fresh) == [8, 14, 16] and {c.doc for c in fresh.citations} == {FINAL}


def test_retrieval_answer_cites_one_copy_of_a_clause(answerer):
    ans = answerer.answer("劳模疗休养是哪项工作")
    assert ans.mode == "retrieval" and ans.citations[0].doc == FINAL and ans.citations[0].item == 7
    assert all(c.doc == FINAL for c in ans.citations if c.item)


def test_overview_questions_about_a_named_plan(answerer):
    other = answerer.answer("吴江区的要点有几项任务")
    assert other.mode == "overview" and "**4** 项任务" in other.answer and "依据《2027年苏州市吴江区" in other.answer
    draft = answerer.answer("征求意见稿是正式文件吗")
    assert draft.mode == "overview" and "标题写明这是“**征求意见稿**”" in draft.answer and "不是正式印发的文件" in draft.answer
    newest = answerer.answer("要点有几项任务")
    assert "依据最新的《2026年南通市通州区东西部协作工作要点（正式稿）》" in newest.answer


def test_start_tab_plan_selector(answerer):
    from app.ui.onboarding import OnboardingPanel

    class _Service:
        index = answerer.index

    _Service.answerer = answerer
    panel = OnboardingPanel(_Service(), chat=None)
    assert [d for _, d in panel.plan_choices()][:3] == [FINAL, PLAN_DOC_ID, LAST_YEAR]
    summary, outline, glossary = panel.show_plan(OTHER, "")
    assert "吴江区" in summary and outline.count('class="xz-node xz-task-node"') == 4
    draft_summary, *_ = panel.show_plan(PLAN_DOC_ID, "")
    assert "征求意见稿" in draft_summary and panel.show_plan("no-such-plan", "")[0] == panel.summary()


def test_scope_words_that_name_no_plan(answerer):
    shelf = answerer.index.plans
    event = shelf.scope("2019年消费帮扶新春行动是什么")  # a year, but no plan word: not a scope, no notice
    assert (event.doc, event.explicit, event.notice) == (FINAL, False, "")
    same = shelf.scope("2026年要点里区总工会负责什么")  # the newest plan's own year changes nothing
    assert (same.doc, same.explicit) == (FINAL, False)
    both = shelf.scope("正式稿和征求意见稿有什么不同")
    assert both.explicit and both.named == [FINAL, PLAN_DOC_ID]
