"""Answer log, 👍/👎 feedback and unanswered questions in one SQLite file, schema created and migrated here."""

from __future__ import annotations

import csv
import json
import logging
import re
import sqlite3
import threading
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .models import Answer

log = logging.getLogger(__name__)

# Each entry runs once, in order; the database's user_version says how many have run. Append, never edit.
MIGRATIONS: tuple[str, ...] = (
    # 1: every answer the page gave (refusals are the unanswered questions) and the feedback on it
    """
    CREATE TABLE answers (
        id INTEGER PRIMARY KEY,
        asked_at TEXT NOT NULL,
        question TEXT NOT NULL,
        answer TEXT NOT NULL,
        mode TEXT NOT NULL,
        found INTEGER NOT NULL,
        citations TEXT NOT NULL DEFAULT '[]',
        generation TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX answers_mode ON answers(mode);
    CREATE TABLE feedback (
        answer_id INTEGER PRIMARY KEY REFERENCES answers(id) ON DELETE CASCADE,
        thumbs INTEGER NOT NULL CHECK (thumbs IN (-1, 1)),
        comment TEXT NOT NULL DEFAULT '',
        rated_at TEXT NOT NULL
    );
    """,
    # 2: answers written by maintainers for questions the documents do not answer well (filled by a later tool);
    # needs_review (待复核) is set when the index generation they were checked against is replaced
    """
    CREATE TABLE curated_answers (
        id INTEGER PRIMARY KEY,
        question TEXT NOT NULL,
        answer TEXT NOT NULL,
        citations TEXT NOT NULL DEFAULT '[]',
        author TEXT NOT NULL,
        written_at TEXT NOT NULL,
        generation TEXT NOT NULL DEFAULT '',
        needs_review INTEGER NOT NULL DEFAULT 0
    );
    """,
    # 3: where a curated answer came from (a thumbs-down answer's id or an unanswered question) and when a
    # maintainer last confirmed it against the index
    """
    ALTER TABLE curated_answers ADD COLUMN origin TEXT NOT NULL DEFAULT '';
    ALTER TABLE curated_answers ADD COLUMN confirmed_at TEXT NOT NULL DEFAULT '';
    """,
)

EXPORT_HEADERS = ["类型", "编号", "时间", "问题", "回答", "评价", "意见", "来源", "索引版本", "同类问题数"]


def _now() -> str:
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


def normalize_question(text: str) -> str:
    """Wording key: width-folded, lower case, without spaces, punctuation and trailing particles."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith(("P", "Z", "S", "C")))
    return re.sub(r"(吗|呢|啊|呀|吧)+$", "", text)


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)} or {text}


def similar(a: str, b: str, threshold: float = 0.5) -> bool:
    """Jaccard overlap of character bigrams (Chinese has no spaces to split words on)."""
    x, y = _bigrams(a), _bigrams(b)
    return len(x & y) / max(1, len(x | y)) >= threshold


@dataclass
class QuestionGroup:
    """Refused questions with similar wording: the most recent wording stands for the group."""

    question: str
    count: int
    last_asked: str
    variants: list[str] = field(default_factory=list)


class FeedbackStore:
    """All database access: one connection per call, so page threads never share one."""

    def __init__(self, path: Path, clock: Callable[[], str] = _now):
        self.path = Path(path)
        self._clock = clock
        self._lock = threading.Lock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.migrate()

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=10)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys = ON")
        return conn

    def migrate(self) -> int:
        """Run the migrations this file has not had yet; returns the schema version."""
        with self._lock, self._connect() as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            for number, script in enumerate(MIGRATIONS[version:], version + 1):
                conn.executescript(f"BEGIN; {script} PRAGMA user_version = {number}; COMMIT;")
                log.info("feedback database %s migrated to version %d", self.path, number)
            return max(version, len(MIGRATIONS))

    def record(self, ans: Answer, generation: str = "") -> int:
        """Store one answer as shown; returns its id (the handle for feedback on it)."""
        citations = json.dumps([{"doc": c.doc, "title": c.title, "section": c.section, "item": c.item}
                                for c in ans.citations], ensure_ascii=False)
        with self._connect() as conn:
            cur = conn.execute(
                "INSERT INTO answers (asked_at, question, answer, mode, found, citations, generation) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (self._clock(), ans.question, ans.answer, ans.mode, int(ans.found), citations, generation))
            return int(cur.lastrowid)

    def rate(self, answer_id: int, thumbs: int | None, comment: str | None = None) -> bool:
        """Set (or, with thumbs None, remove) the rating of an answer; a comment alone keeps the thumbs."""
        with self._connect() as conn:
            if not conn.execute("SELECT 1 FROM answers WHERE id = ?", (answer_id,)).fetchone():
                return False
            if thumbs is None and comment is None:
                conn.execute("DELETE FROM feedback WHERE answer_id = ?", (answer_id,))
                return True
            row = conn.execute("SELECT thumbs, comment FROM feedback WHERE answer_id = ?", (answer_id,)).fetchone()
            thumbs = thumbs if thumbs is not None else (row["thumbs"] if row else -1)
            comment = (comment if comment is not None else (row["comment"] if row else "")).strip()[:2000]
            conn.execute("INSERT INTO feedback (answer_id, thumbs, comment, rated_at) VALUES (?, ?, ?, ?) "
                         "ON CONFLICT(answer_id) DO UPDATE SET thumbs = excluded.thumbs, "
                         "comment = excluded.comment, rated_at = excluded.rated_at",
                         (answer_id, 1 if thumbs > 0 else -1, comment, self._clock()))
            return True

    def thumbs_down(self, limit: int = 500) -> list[dict]:
        """Disliked answers, newest first, with the question, the answer, its sources and the comment."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT a.*, f.comment, f.rated_at FROM feedback f JOIN answers a ON a.id = f.answer_id "
                "WHERE f.thumbs = -1 ORDER BY f.rated_at DESC, a.id DESC LIMIT ?", (limit,)).fetchall()
        return [dict(r) for r in rows]

    def counts(self) -> dict[str, int]:
        with self._connect() as conn:
            one = conn.execute(
                "SELECT (SELECT COUNT(*) FROM answers) AS answers, "
                "(SELECT COUNT(*) FROM answers WHERE mode = 'refusal') AS refusals, "
                "(SELECT COUNT(*) FROM feedback WHERE thumbs = 1) AS up, "
                "(SELECT COUNT(*) FROM feedback WHERE thumbs = -1) AS down").fetchone()
        return dict(one)

    def unanswered(self, threshold: float = 0.5) -> list[QuestionGroup]:
        """Every refusal, grouped by similar wording; the most asked groups first."""
        with self._connect() as conn:
            rows = conn.execute("SELECT question, asked_at FROM answers WHERE mode = 'refusal' "
                                "AND TRIM(question) != '' ORDER BY asked_at DESC, id DESC").fetchall()
        groups: list[tuple[str, QuestionGroup]] = []
        for row in rows:
            key = normalize_question(row["question"])
            group = next((g for k, g in groups if k == key or similar(k, key, threshold)), None)
            if group is None:
                groups.append((key, QuestionGroup(row["question"], 0, row["asked_at"])))
                group = groups[-1][1]
            group.count += 1
            if row["question"] not in group.variants:
                group.variants.append(row["question"])
        newest_first = sorted((g for _, g in groups), key=lambda g: g.last_asked, reverse=True)
        return sorted(newest_first, key=lambda g: -g.count)

    def export_rows(self) -> Iterable[list]:
        for r in self.thumbs_down(limit=100_000):
            sources = "；".join(f"《{c['title']}》" + (f"第{c['item']}项" if c.get("item") else "")
                               for c in json.loads(r["citations"] or "[]"))
            yield ["差评", r["id"], r["rated_at"], r["question"], r["answer"], "踩", r["comment"], sources,
                   r["generation"], ""]
        for g in self.unanswered():
            yield ["未答问题", "", g.last_asked, g.question, "", "", "；".join(g.variants[1:]), "", "", g.count]

    def export_csv(self, path: Path) -> int:
        """Write thumbs-down answers and grouped unanswered questions as UTF-8 CSV (with BOM, for Excel)."""
        rows = list(self.export_rows())
        with open(path, "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(EXPORT_HEADERS)
            writer.writerows(rows)
        return len(rows)
