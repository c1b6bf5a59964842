"""The `ask` and `ingest` command lines: text, --json, --batch and exit statuses (fake embedder)."""

from __future__ import annotations

import json

import pytest

import ingest.factory

from .conftest import CORPUS, FakeEmbedder


@pytest.fixture
def env(tmp_path, monkeypatch, corpus_dir):
    monkeypatch.setenv("XZQA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XZQA_CORPUS_DIR", str(corpus_dir))
    monkeypatch.delenv("XZQA_CHROMA_HOST", raising=False)
    monkeypatch.setattr(ingest.factory, "make_embedder", lambda settings: FakeEmbedder())
    return corpus_dir


def test_ask_text_and_json(env, capsys):
    from app.cli import main

    assert main(["ask", "区总工会负责哪些任务"]) == 0
    out = capsys.readouterr().out
    assert "第6项 落实政府帮扶机制" in out and "来源：" in out and "责任单位" in out
    assert main(["ask", "区总工会负责哪些任务", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["mode"] == "lookup" and [c["item"] for c in data["citations"]] == [6, 7]
    assert isinstance(data["ms"], float)


def test_ask_batch_keeps_order_and_survives_bad_lines(env, tmp_path, capsys):
    from app.cli import main

    batch = tmp_path / "q.jsonl"
    batch.write_text('{"q": "第7项由谁负责", "id": 1}\n\nnot json\n{"q": "镇巴县去年的GDP是多少"}\n', "utf-8")
    assert main(["ask", "--batch", str(batch)]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert lines[0]["question"] == "第7项由谁负责" and lines[0]["citations"][0]["item"] == 7
    assert "error" in lines[1]
    assert lines[2]["found"] is False and lines[2]["citations"] == []


def test_ask_without_question_is_an_error(env, capsys):
    from app.cli import main

    assert main(["ask"]) == 2
    assert "give a question" in capsys.readouterr().err


def test_ingest_cli_reports_bad_files_and_exit_status(env, capsys):
    from ingest.__main__ import main

    assert main([]) == 0
    assert "0 removed" in capsys.readouterr().out
    (env / "broken.docx").write_bytes(b"not a zip")
    assert main([]) == 1
    captured = capsys.readouterr()
    assert "broken.docx" in captured.err and "0 added" in captured.out


def test_records_cli_reads_corpus_option(capsys):
    from ingest.__main__ import main

    assert main(["records", "--corpus", str(CORPUS)]) == 0
    assert "牵头：区委组织部" in capsys.readouterr().out


def test_feedback_export(env, tmp_path, capsys):
    from app.cli import main
    from app.feedback import FeedbackStore
    from app.models import Answer

    assert main(["feedback"]) == 1  # no database yet: says so, creates nothing
    assert "尚无反馈数据库" in capsys.readouterr().err
    store = FeedbackStore(tmp_path / "data" / "feedback.sqlite3")
    store.rate(store.record(Answer("第7项由谁牵头", "……", True, "item")), -1, "漏了单位")
    store.record(Answer("协作资金总额是多少", "没有找到", False, "refusal"))
    out = tmp_path / "feedback.csv"
    assert main(["feedback", "--export", str(out)]) == 0
    assert "已导出 2 行" in capsys.readouterr().err
    text = out.read_text("utf-8-sig")
    assert "第7项由谁牵头" in text and "漏了单位" in text and "协作资金总额是多少" in text
