"""Chat page features as plain handlers: feedback, regenerate and edit, history, plain text, sources, matrix."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from app.feedback import FeedbackStore
from app.service import Service
from app.ui.about import AboutPanel
from app.ui.chat import ChatPanel, new_meta
from app.ui.documents import DocumentsPanel
from app.ui.feedback_admin import FeedbackAdmin
from app.ui.history import HistoryPanel, browser_secret, to_markdown
from app.ui.matrix import MatrixPanel
from app.ui.render import PLAIN_RE, cite_key, plain_of_message
from app.ui.source_view import SourceViewer
from ingest.loaders import load_document
from ingest.pipeline import run_ingest
from ingest.settings import Settings
from ingest.store import IndexStore, open_client
from ingest.units import AliasTable

from .conftest import FakeEmbedder

PASSWORD = "pw-测试"


@pytest.fixture
def service(tmp_path, corpus_dir) -> Service:
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=corpus_dir, admin_password=PASSWORD, _env_file=None)
    store, emb = IndexStore(open_client(settings), settings.collection), FakeEmbedder()
    run_ingest(settings.corpus_dir, store, emb, AliasTable.load(), settings.plan_doc)
    return Service(settings, store, emb)


@pytest.fixture
def feedback(service) -> FeedbackStore:
    return FeedbackStore(service.settings.feedback_path)


def _last(steps):
    return steps[-1]


def _ask(chat, question, history=None, context=None, meta=None):
    return _last(list(chat.respond(question, history or [], context, meta or new_meta())))


def test_answers_are_recorded_and_rated_with_a_comment(service, feedback):
    chat = ChatPanel(service, stream_delay=0, feedback=feedback)
    _, history, context, meta = _ask(chat, "区总工会负责哪些任务")
    assert meta["ids"] == {"1": 1} and context is not None
    row, answer_id, status = chat.rate(meta, SimpleNamespace(index=1, liked=False))
    assert row["visible"] is True and answer_id == 1
    box, row, status = chat.comment(answer_id, "漏了区妇联")
    assert box == "" and row["visible"] is False and "已记录" in status
    down = feedback.thumbs_down()
    assert down[0]["question"] == "区总工会负责哪些任务" and down[0]["comment"] == "漏了区妇联"
    assert down[0]["generation"] == service.index.snapshot.collection
    _ask(chat, "协作资金总额是多少", history, context, meta)
    assert [g.question for g in feedback.unanswered()] == ["协作资金总额是多少"]
    # a message without a stored answer (e.g. from before a restart) cannot be rated, and says so
    assert "无法评价" in chat.rate(meta, SimpleNamespace(index=7, liked=True))[2]


def test_regenerate_and_edit_drop_later_turns_and_keep_the_context(service):
    chat = ChatPanel(service, stream_delay=0)
    _, history, context, meta = _ask(chat, "区总工会负责哪些任务")
    _, history, context, meta = _ask(chat, "那区妇联呢", history, context, meta)
    assert "区妇联" in history[-1]["content"]
    again = _last(list(chat.resend(3, None, history, meta)))  # regenerate the last answer
    assert len(again[1]) == 4 and "区妇联" in again[1][-1]["content"]  # the follow-up still refers back
    edited = _last(list(chat.resend(2, "那区财政局呢", history, meta)))  # edit the last question
    assert len(edited[1]) == 4 and "区财政局" in edited[1][-1]["content"]
    first = _last(list(chat.resend(0, "第7项由谁牵头", history, meta)))  # edit the first: later turns go
    assert len(first[1]) == 2 and "第7项" in first[1][-1]["content"]


def test_long_question_is_not_echoed_whole(service):
    chat = ChatPanel(service, stream_delay=0)
    _, history, _, meta = _ask(chat, "区总工会负责哪些任务" + "啊" * 5000)
    assert len(history[0]["content"]) < 700 and "只按前 500 字回答" in history[0]["content"]
    again = _last(list(chat.resend(1, None, history, meta)))
    assert len(again[1][0]["content"]) == 500  # what was answered is resent, not the note


def test_plain_text_copy_and_markdown_export(service, tmp_path):
    chat = ChatPanel(service, stream_delay=0)
    _, history, _, meta = _ask(chat, "区总工会负责哪些任务")
    message = history[-1]["content"]
    plain = plain_of_message(message)
    assert PLAIN_RE.search(message) and "<" not in plain and "**" not in plain
    assert "第6项 落实政府帮扶机制" in plain and "来源：\n[1] 《" in plain and "责任单位：" in plain
    assert "?q=%E5%8C%BA" in message  # the link that asks this question again
    md = to_markdown(history)
    assert md.count("## 问：区总工会负责哪些任务") == 1 and "<" not in md and "[2] 《" in md


def test_history_save_open_delete_and_secret(service, tmp_path):
    chat = ChatPanel(service, stream_delay=0)
    panel = HistoryPanel(chat, "secret", export_dir=tmp_path / "md")
    _, history, _, meta = _ask(chat, "区总工会负责哪些任务")
    stored, current, listing = panel.save(None, None, history, meta)
    assert current and stored["items"][0]["title"] == "区总工会负责哪些任务"
    _, other, _, meta2 = _ask(chat, "第7项由谁牵头")
    stored, second, listing = panel.save(stored, None, other, meta2)
    assert [c[1] for c in listing["choices"]] == [second, current]  # newest first
    messages, context, meta3, opened = panel.open(stored, current)
    assert messages == history and opened == current and meta3["ids"] == meta["ids"]
    assert panel.export(history).endswith(".md")
    stored, listing, *_ = panel.delete(stored, current)
    assert [c["id"] for c in stored["items"]] == [second]
    assert panel.delete_all()[0] == {"items": []}
    key = browser_secret(tmp_path / "data")
    assert key == browser_secret(tmp_path / "data") and len(key) >= 24  # stable across restarts


def test_source_viewer_opens_the_document_at_the_clause(service, tmp_path):
    viewer = SourceViewer(service, export_dir=tmp_path / "dl")
    ans = service.ask("区总工会负责哪些任务")
    cite = ans.citations[0]
    panel, body = viewer.open(json.dumps({"doc": cite.doc, "key": cite_key(cite.text), "item": cite.item}))
    assert panel["visible"] is True and body.count('id="xz-hit"') == 1
    hit = body.split('<mark id="xz-hit">')[1].split("</mark>")[0]
    assert hit.startswith("6. 落实政府帮扶机制") and "20." in body and "一、" in body
    assert "没有文档" in viewer.open(json.dumps({"doc": "../etc/passwd"}))[1]
    assert "无法打开" in viewer.open("{not json")[1]
    path = viewer.download_copy(cite.doc)
    assert path and open(path, "rb").read() == service.document_file(cite.doc).read_bytes()
    assert viewer.download_copy("nope") is None


def test_admin_feedback_view_only_after_the_password(service, feedback):
    chat = ChatPanel(service, stream_delay=0, feedback=feedback)
    _, _, _, meta = _ask(chat, "第7项由谁牵头")
    chat.rate(meta, SimpleNamespace(index=1, liked=False))
    docs = DocumentsPanel(service, feedback=FeedbackAdmin(feedback))
    status, controls, summary, down, unanswered = docs.unlock("wrong")
    assert "密码错误" in status and (summary, down, unanswered) == ("", [], [])
    status, controls, summary, down, unanswered = docs.unlock(PASSWORD)
    assert controls["visible"] is True and down[0][1] == "第7项由谁牵头" and "踩 1" in summary and "**" not in down[0][2]
    assert "密码错误" in docs.feedback_refresh("wrong")[0]


def test_matrix_fixes(service):
    matrix = MatrixPanel(service)
    book = service.index.records
    view = matrix.view("总工")  # typing part of a name narrows the list
    assert view.units == ["区总工会"]
    row = view.units.index("区总工会")
    empty = next(i for i in range(1, 21) if "区总工会" not in book.task(i).units)
    html = matrix.clause_for("总工", None, row, empty)
    assert "不是第" in html and f"第{empty}项" in html
    summary = matrix.summary(matrix.view())
    assert 'id="xz-task-titles"' in summary and "落实政府帮扶机制" in summary


def test_about_shows_the_served_address(service):
    about = AboutPanel(service)
    request = SimpleNamespace(headers={"host": "qa.example.cn:8080"}, url=SimpleNamespace(scheme="https"))
    _, method = about.on_load(request)
    assert "https://qa.example.cn:8080/" in method and "127.0.0.1:7860" not in method
    assert "http://127.0.0.1:7860/" in about.on_load(None)[1]


def test_markdown_title_loses_its_hash(tmp_path):
    path = tmp_path / "note.md"
    path.write_text("# 牦牛产业推介会\n\n正文。", "utf-8")
    assert load_document(path).title == "牦牛产业推介会"


def test_messages_as_gradio6_returns_them(service):
    """Gradio 6 hands the chat back with each message's content as a list of parts."""
    chat = ChatPanel(service, stream_delay=0)
    _, history, _, meta = _ask(chat, "区总工会负责哪些任务")
    parts = [{"role": m["role"], "content": [{"type": "text", "text": m["content"]}]} for m in history]
    again = _last(list(chat.resend(1, None, parts, meta)))
    assert again[1][0]["content"] == "区总工会负责哪些任务" and "第6项" in again[1][-1]["content"]
    edited = _last(list(chat.edit(parts, meta, SimpleNamespace(index=0, value=[{"type": "text", "text": "第7项由谁牵头"}]))))
    assert edited[1][0]["content"] == "第7项由谁牵头"
    assert to_markdown(parts).startswith("# 协作问答 对话记录\n\n## 问：区总工会负责哪些任务")
    stored, _, _ = HistoryPanel(chat, "k").save(None, None, parts, meta)
    assert stored["items"][0]["title"] == "区总工会负责哪些任务"
