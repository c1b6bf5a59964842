"""Curated answers: made from feedback, shown for paraphrases above the documents' answer, set aside when stale."""

from __future__ import annotations

import json

import pytest

from app.cli import main
from app.curated import LABEL, CuratedStore, CurationError, match_key, same_question, search_clauses, similarity
from app.curated_io import export_jsonl, import_jsonl
from app.feedback import FeedbackStore
from app.service import Service
from ingest.pipeline import run_ingest
from ingest.settings import PLAN_DOC_ID, Settings

# (curated question, how a user asks it): written for this test, not taken from the evaluation sets
PARAPHRASES = [
    ("协作资金总额是多少", "协作资金的总额是多少？"),
    ("协作资金总额是多少", "请问协作资金总额到底是多少呢"),
    ("协作资金总额是多少", "东西部协作资金总额是多少"),
    ("区总工会负责哪些任务", "区总工会都负责哪些任务？"),
    ("镇巴县去年的GDP是多少", "镇巴县去年GDP多少"),
    ("镇巴县去年的GDP是多少", "去年镇巴县的ＧＤＰ是多少"),
    ("消费帮扶的采购目标是多少", "消费帮扶采购目标定了多少"),
    ("协作资金总额是多少", "协作资金总额一共是多少钱"),
]
# near misses: same shape, different question
DIFFERENT = [
    ("协作资金总额是多少", "区总工会负责哪些任务"),
    ("协作资金总额是多少", "协作资金用于哪些项目"),
    ("协作资金总额是多少", "消费帮扶的采购目标是多少"),
    ("区总工会负责哪些任务", "区妇联负责哪些任务"),
    ("区总工会负责哪些任务", "区总工会牵头哪些任务"),
    ("镇巴县去年的GDP是多少", "尖扎县去年的GDP是多少"),
    ("劳务协作要转移多少人就业", "劳务协作由谁牵头"),
    ("牦牛产业推介会什么时候开", "牦牛产业推介会在哪里开"),
    ("第7项由谁牵头", "第8项由谁牵头"),
    ("协作资金总额是多少", "镇巴县去年的GDP是多少"),
]


@pytest.fixture
def service(tmp_path, corpus_dir, store, fake_embedder, aliases):
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=corpus_dir, _env_file=None)
    run_ingest(corpus_dir, store, fake_embedder, aliases, settings.plan_doc)
    return Service(settings, store, fake_embedder, aliases)


def _task_clause(service, item: int):
    return next(c for c in search_clauses(service.index, service.index.records.task(item).title)
                if c.doc == PLAN_DOC_ID and c.item == item)


def _thumbs_down(service, question: str) -> int:
    feedback = FeedbackStore(service.settings.feedback_path)
    answer_id = feedback.record(service.ask(question), service.index.snapshot.collection)
    feedback.rate(answer_id, -1, "没答到点子上")
    return feedback.thumbs_down()[0]["id"]


def test_matching_threshold_on_paraphrases_and_near_misses(service):
    known = service.index.mentions
    scores = [(round(similarity(match_key(a), match_key(b)), 2), same_question(a, b, known)) for a, b in PARAPHRASES]
    assert all(ok for _, ok in scores), str(scores)
    misses = [(a, b, round(similarity(match_key(a), match_key(b)), 2)) for a, b in DIFFERENT
              if same_question(a, b, known)]
    assert misses == []


def test_curated_from_thumbs_down_shown_for_paraphrase_not_for_others(service):
    answer_id = _thumbs_down(service, "劳模疗休养怎么安排")
    clause = _task_clause(service, 6)
    cid = service.curated.add_for_answer(answer_id, "由区总工会组织劳模赴镇巴县、尖扎县疗休养基地。", "王明",
                                         [clause], service.index.snapshot.collection)
    cur = service.curated.get(cid)
    assert cur.origin == f"差评#{answer_id}" and cur.author == "王明" and cur.written_at
    assert cur.generation == service.index.snapshot.collection and cur.clauses[0].hash

    ans = service.ask("请问劳模疗休养怎么安排？")
    assert ans.answer.startswith(f"**{LABEL}**（王明，{cur.written_at[:10]}）")
    assert "疗休养基地" in ans.answer and "文档中的答复" in ans.answer
    assert ans.to_dict()["curated"]["author"] == "王明"
    assert any(c.item == 6 for c in ans.citations)

    assert LABEL not in service.ask("协作资金总额是多少").answer
    assert "curated" not in service.ask("区妇联负责哪些任务").to_dict()


def test_lookup_list_stays_complete_below(service):
    plain = service.answerer.answer("区总工会负责哪些任务")
    service.curated.add("区总工会负责哪些任务", "另见区总工会年度计划。", "李华", [_task_clause(service, 7)],
                        service.index.snapshot.collection)
    ans = service.ask("区总工会都负责哪些任务？")
    assert ans.mode == plain.mode == "lookup"
    assert ans.answer.startswith(f"**{LABEL}**") and ans.answer.endswith(plain.answer)
    assert [c.item for c in ans.citations[:len(plain.citations)]] == [c.item for c in plain.citations]
    assert ans.listed == plain.listed


def test_hidden_after_cited_clause_changes_and_shown_after_confirm(service):
    clause = _task_clause(service, 6)
    cid = service.curated.add("劳模疗休养怎么安排", "见第6项。", "王明", [clause], service.index.snapshot.collection)
    assert LABEL in service.ask("劳模疗休养怎么安排").answer

    plan = service.settings.corpus_dir / f"{PLAN_DOC_ID}.txt"
    plan.write_text(plan.read_text("utf-8").replace("疗休养基地开展疗休养", "疗休养基地开展职工疗休养"), "utf-8")
    service.reindex()
    assert service.curated.get(cid).needs_review
    assert LABEL not in service.ask("劳模疗休养怎么安排").answer

    confirmed = service.curated.confirm(cid, service.index)
    assert not confirmed.needs_review and confirmed.confirmed_at
    assert "职工疗休养" in confirmed.clauses[0].text and confirmed.clauses[0].hash != clause.hash
    assert LABEL in service.ask("劳模疗休养怎么安排").answer


def test_unchanged_clause_survives_reindex(service):
    cid = service.curated.add("劳模疗休养怎么安排", "见第6项。", "王明", [_task_clause(service, 6)],
                              service.index.snapshot.collection)
    service.reindex()
    cur = service.curated.get(cid)
    assert not cur.needs_review and cur.generation == service.index.snapshot.collection


def test_bad_input_is_refused_in_chinese(service):
    with pytest.raises(CurationError, match="依据"):
        service.curated.add("问题", "答复", "王明", [], "")
    with pytest.raises(CurationError, match="作者"):
        service.curated.add("问题", "答复", " ", [_task_clause(service, 6)], "")
    assert service.curated.all() == []


def test_export_import_round_trip(service, tmp_path, capsys):
    service.curated.add("劳模疗休养怎么安排", "见第6项。\n第二行。", "王明", [_task_clause(service, 6)],
                        service.index.snapshot.collection, origin="差评#1")
    out = tmp_path / "curated.jsonl"
    assert export_jsonl(service.curated, out) == 1
    other = CuratedStore(tmp_path / "other" / "feedback.sqlite3")
    report = import_jsonl(other, out)
    assert (report.added, report.duplicates, report.problems) == (1, 0, [])
    assert [c.export() for c in other.all()] == [c.export() for c in service.curated.all()]

    with out.open("a", encoding="utf-8") as fh:
        fh.write("不是JSON\n")
        fh.write(json.dumps({"question": "q", "answer": "a", "author": "x", "clauses": [{"doc": "d"}]}) + "\n")
        fh.write(json.dumps(["列表"]) + "\n")
    report = import_jsonl(other, out)
    assert report.added == 0 and report.duplicates == 1
    assert report.problems == ["第 2 行：不是合法的 JSON", "第 3 行：第 1 条依据缺少条款原文（text）",
                               "第 4 行：不是 JSON 对象"]
    assert len(other.all()) == 1


def test_cli_round_trip(service, tmp_path, capsys, monkeypatch):
    service.curated.add("劳模疗休养怎么安排", "见第6项。", "王明", [_task_clause(service, 6)],
                        service.index.snapshot.collection)
    out = tmp_path / "curated.jsonl"
    monkeypatch.setenv("XZQA_DATA_DIR", str(service.settings.data_dir))
    assert main(["curated", "--export", str(out)]) == 0
    assert "已导出 1 条" in capsys.readouterr().err
    monkeypatch.setenv("XZQA_DATA_DIR", str(tmp_path / "elsewhere"))
    assert main(["curated", "--import", str(out)]) == 0
    assert "导入 1 条" in capsys.readouterr().err
    assert main(["curated", "--import", str(out)]) == 0
    assert "跳过重复 1 条" in capsys.readouterr().err


def test_admin_handlers(service):
    from app.ui.curated_admin import CuratedAdmin

    feedback = FeedbackStore(service.settings.feedback_path)
    answer_id = _thumbs_down(service, "劳模疗休养怎么安排")
    admin = CuratedAdmin(service, feedback)

    def guard(password, client):
        return None if password == "pw" else "管理员密码错误"

    source = f"a:{answer_id}"
    assert source in [value for _, value in admin.sources()]
    assert admin.pick(source, "wrong", guard)[0] == ""  # feedback wording only for an admin
    question, query, choices = admin.pick(source, "pw", guard)
    assert question == query == "劳模疗休养怎么安排" and choices["choices"]
    clause = _task_clause(service, 6)
    assert "密码错误" in admin.save("wrong", source, question, "见第6项。", "王明", [clause.id], guard)[0]
    status, _, rows, ids = admin.save("pw", source, question, "", "王明", [clause.id], guard)
    assert "补充答复的内容" in status and rows == []
    status, _, rows, ids = admin.save("pw", source, question, "见第6项。", "王明", [clause.id], guard)
    assert "已保存" in status and rows[0][1] == question and rows[0][6] == "有效"
    assert service.curated.all()[0].origin == f"差评#{answer_id}"

    plan = service.settings.corpus_dir / f"{PLAN_DOC_ID}.txt"
    plan.write_text(plan.read_text("utf-8").replace("疗休养基地开展疗休养", "疗休养基地开展职工疗休养"), "utf-8")
    service.reindex()
    assert admin.rows()[0][6].startswith("待复核")
    status, _, rows, _ = admin.confirm("pw", rows[0][0], guard)
    assert "已确认" in status and rows[0][6] == "有效"


def test_switched_off_or_damaged_database_leaves_the_documents_answer(service, tmp_path):
    service.curated.add("劳模疗休养怎么安排", "见第6项。", "王明", [_task_clause(service, 6)],
                        service.index.snapshot.collection)
    plain = service.answerer.answer("劳模疗休养怎么安排").answer
    service.settings.curated_answers = False
    assert service.ask("劳模疗休养怎么安排").answer == plain
    service.settings.curated_answers = True
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(b"not a database" * 100)
    service.curated = CuratedStore(broken)
    assert service.ask("劳模疗休养怎么安排").answer == plain


def test_flagged_when_another_process_reindexes(service, store, fake_embedder, aliases, tmp_path):
    cid = service.curated.add("劳模疗休养怎么安排", "见第6项。", "王明", [_task_clause(service, 6)],
                              service.index.snapshot.collection)
    other = Service(service.settings.model_copy(update={"feedback_db": tmp_path / "other.sqlite3"}), store,
                    fake_embedder, aliases)
    plan = service.settings.corpus_dir / f"{PLAN_DOC_ID}.txt"
    plan.write_text(plan.read_text("utf-8").replace("疗休养基地开展疗休养", "疗休养基地开展职工疗休养"), "utf-8")
    other.reindex()
    assert not service.curated.get(cid).needs_review  # not noticed yet
    assert service.refresh_if_stale()  # what the background generation check calls
    assert service.curated.get(cid).needs_review
