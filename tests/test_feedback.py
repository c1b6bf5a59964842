"""The feedback database: migrations, answers, thumbs and comments, grouped refusals and the CSV export."""

from __future__ import annotations

import csv
import sqlite3

from app.feedback import MIGRATIONS, FeedbackStore, normalize_question
from app.models import Answer, Citation


def _answer(question: str, mode: str = "lookup", found: bool = True) -> Answer:
    cites = [Citation("plan", "工作要点", "三、消费帮扶增收行动", 6, ["区总工会"], "条款", 1.0)] if found else []
    return Answer(question=question, answer=f"回答：{question}", found=found, mode=mode, citations=cites)


def test_schema_created_and_migrations_run_once(tmp_path):
    path = tmp_path / "data" / "feedback.sqlite3"
    store = FeedbackStore(path)
    assert store.migrate() == len(MIGRATIONS)
    with sqlite3.connect(path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"answers", "feedback", "curated_answers"} <= tables
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    FeedbackStore(path)  # reopening an up-to-date file changes nothing


def test_old_database_is_migrated_and_keeps_its_rows(tmp_path):
    path = tmp_path / "feedback.sqlite3"
    with sqlite3.connect(path) as conn:  # a file made by the first version of the schema
        conn.executescript(f"BEGIN; {MIGRATIONS[0]} PRAGMA user_version = 1; COMMIT;")
        conn.execute("INSERT INTO answers (asked_at, question, answer, mode, found) "
                     "VALUES ('2026-01-01T00:00:00', '旧问题', '旧回答', 'refusal', 0)")
    store = FeedbackStore(path)
    assert store.counts()["refusals"] == 1
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM curated_answers").fetchone()[0] == 0


def test_thumbs_down_with_comment_is_listed(tmp_path):
    store = FeedbackStore(tmp_path / "f.db")
    good = store.record(_answer("区总工会负责哪些任务"), generation="xiezuo_g3")
    bad = store.record(_answer("第7项由谁牵头"), generation="xiezuo_g3")
    assert store.rate(good, 1) and store.rate(bad, -1)
    assert store.rate(bad, None, comment="  漏了区妇联  ")
    rows = store.thumbs_down()
    assert [r["id"] for r in rows] == [bad]
    assert rows[0]["comment"] == "漏了区妇联" and rows[0]["generation"] == "xiezuo_g3"
    assert "工作要点" in rows[0]["citations"] and rows[0]["answer"].startswith("回答")
    assert store.counts() == {"answers": 2, "refusals": 0, "up": 1, "down": 1}
    assert not store.rate(9999, -1)  # an unknown answer is not rated
    store.rate(bad, 1)  # changed mind: no longer listed, comment kept
    assert store.thumbs_down() == []


def test_refusals_grouped_by_similar_wording(tmp_path):
    store = FeedbackStore(tmp_path / "f.db")
    for q in ("协作资金总额是多少", "协作资金总额是多少？", "协作资金的总额是多少呢", "镇巴县去年的GDP是多少",
              "第7项由谁牵头"):
        store.record(_answer(q, "refusal" if "牵头" not in q else "lookup", found="牵头" in q))
    groups = store.unanswered()
    assert [g.count for g in groups] == [3, 1]
    assert "协作资金" in groups[0].question and len(groups[0].variants) == 3
    assert normalize_question("协作资金总额是多少？") == normalize_question("协作资金总额 是多少")


def test_export_csv(tmp_path):
    store = FeedbackStore(tmp_path / "f.db")
    store.rate(store.record(_answer("第7项由谁牵头")), -1, "不对")
    store.record(_answer("协作资金总额是多少", "refusal", False))
    out = tmp_path / "feedback.csv"
    assert store.export_csv(out) == 2
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(out.open(encoding="utf-8-sig")))
    assert rows[0][:4] == ["类型", "编号", "时间", "问题"]
    assert rows[1][0] == "差评" and rows[1][3] == "第7项由谁牵头" and rows[1][6] == "不对"
    assert rows[2][0] == "未答问题" and rows[2][-1] == "1"
