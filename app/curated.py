"""Maintainer-written answers: stored with the feedback, matched to questions, set aside (待复核) when clauses change."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import jieba

from .feedback import FeedbackStore, _now, normalize_question
from .models import Answer, Citation

log = logging.getLogger(__name__)

LABEL = "维护人员补充答复"
# Bigram Jaccard at or above this (after the filler words are dropped) is "the same question"; chosen on
# hand-written paraphrases and near misses (tests/test_curated.py, README): paraphrases 0.58–1.0,
# different questions up to 0.67 but those differ in a number or a name the documents use, which the guard rejects.
MATCH_THRESHOLD = 0.55
# politeness and question filler that does not change what is asked
_FILLER = re.compile(r"请问|请|麻烦|一下|我想知道|我想问|想问问?|想了解|告诉我|能不能|具体|到底|究竟|都|的|了|吗|呢|啊|呀|吧|么")
# numbers that tell questions apart: digits, 第七, 三项 (not the 一 of 一共, 一下)
_NUMBER = re.compile(r"\d+|第[一二三四五六七八九十百]+|[一二三四五六七八九十百两]+(?=项|条|个|部分|届|年|月|号|人|家)")


def match_key(text: str) -> str:
    """Width-folded, lower case, no spaces, punctuation or filler words."""
    return _FILLER.sub("", normalize_question(text))


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)} or {text}


def similarity(a: str, b: str) -> float:
    """Jaccard overlap of the character bigrams of two match keys."""
    x, y = _bigrams(a), _bigrams(b)
    return len(x & y) / max(1, len(x | y))


def same_question(a: str, b: str, known: Callable[[str], bool] | None = None,
                  threshold: float = MATCH_THRESHOLD) -> bool:
    """Whether two questions ask the same thing: equal keys, or similar keys with the same numbers where no word
    the documents use was swapped for another (镇巴县 vs 尖扎县, 牵头 vs 负责 are different questions)."""
    ka, kb = match_key(a), match_key(b)
    if not ka or not kb:
        return False
    if ka == kb:
        return True
    if similarity(ka, kb) < threshold or _NUMBER.findall(ka) != _NUMBER.findall(kb):
        return False
    if known is None:
        return True
    wa, wb = set(jieba.lcut(ka)), set(jieba.lcut(kb))
    # a document word on each side is a replacement (another county, 牵头 for 负责); one added alone is a qualifier
    return not (any(len(w) >= 2 and known(w) for w in wa - wb) and any(len(w) >= 2 and known(w) for w in wb - wa))


def clause_hash(text: str) -> str:
    """Fingerprint of a clause's text (whitespace ignored): a changed clause gets a new one."""
    return hashlib.sha256(re.sub(r"\s+", "", text or "").encode("utf-8")).hexdigest()[:16]


@dataclass
class CitedClause:
    """A clause a curated answer rests on, as it read when the maintainer chose or confirmed it."""

    id: str
    doc: str
    title: str
    section: str
    item: int | None
    text: str
    hash: str = ""

    @classmethod
    def from_chunk(cls, cid: str, text: str, meta: dict) -> CitedClause:
        return cls(cid, meta.get("doc", ""), meta.get("title", ""), meta.get("section", ""),
                   int(meta["item"]) if meta.get("item") else None, text, clause_hash(text))

    def citation(self) -> Citation:
        return Citation(self.doc, self.title, self.section, self.item, [], self.text, 1.0)


@dataclass
class Curated:
    """One curated answer as stored."""

    id: int
    question: str
    answer: str
    author: str
    written_at: str
    generation: str
    needs_review: bool
    clauses: list[CitedClause] = field(default_factory=list)
    origin: str = ""
    confirmed_at: str = ""

    def block(self) -> str:
        """The Markdown shown above the documents' own answer."""
        day = self.written_at[:10]
        sources = "；".join(f"《{c.title}》" + (f"第{c.item}项" if c.item else "") for c in self.clauses)
        body = "\n".join(f"> {line}" if line.strip() else ">" for line in self.answer.strip().splitlines())
        return (f"**{LABEL}**（{self.author}，{day}）\n\n{body}\n\n" + (f"依据：{sources}\n\n" if sources else "")
                + "**文档中的答复：**\n\n")

    def export(self) -> dict:
        return {"question": self.question, "answer": self.answer, "author": self.author,
                "written_at": self.written_at, "generation": self.generation, "needs_review": self.needs_review,
                "origin": self.origin, "clauses": [asdict(c) for c in self.clauses]}


def search_clauses(index, query: str, k: int = 8) -> list[CitedClause]:
    """Clauses of the index for the maintainer to choose from (hybrid search; keywords alone while no model)."""
    if not (query or "").strip():
        return []
    hits, _ = index.search(query.strip(), k=k)
    return [CitedClause.from_chunk(h.id, h.content, h.metadata) for h in hits]


class CurationError(ValueError):
    """A curated answer that cannot be saved or confirmed; the message is for the maintainer (Chinese)."""


def _clauses(raw: str) -> list[CitedClause]:
    return [CitedClause(**{k: c.get(k) for k in ("id", "doc", "title", "section", "item", "text", "hash")})
            for c in json.loads(raw or "[]")]


class CuratedStore:
    """Curated answers in the feedback database; reads never create the file (the CLI's `ask` stays read-only)."""

    def __init__(self, path: Path, clock: Callable[[], str] = _now, threshold: float = MATCH_THRESHOLD):
        self.path = Path(path)
        self.clock = clock
        self.threshold = threshold
        self._db: FeedbackStore | None = None
        self._valid: tuple[str, frozenset[str]] = ("", frozenset())

    def _store(self, create: bool) -> FeedbackStore | None:
        if self._db is None and (create or self.path.exists()):
            self._db = FeedbackStore(self.path, self.clock)  # runs the migrations
        return self._db

    def all(self) -> list[Curated]:
        db = self._store(create=False)
        if db is None:
            return []
        with db._connect() as conn:
            rows = conn.execute("SELECT * FROM curated_answers ORDER BY id").fetchall()
        return [Curated(r["id"], r["question"], r["answer"], r["author"], r["written_at"], r["generation"],
                        bool(r["needs_review"]), _clauses(r["citations"]), r["origin"], r["confirmed_at"])
                for r in rows]

    def get(self, curated_id: int) -> Curated | None:
        return next((c for c in self.all() if c.id == curated_id), None)

    def add(self, question: str, answer: str, author: str, clauses: Iterable[CitedClause], generation: str,
            origin: str = "", written_at: str = "", needs_review: bool = False) -> int:
        """Store one curated answer; every field is checked first and a refusal says why in Chinese."""
        question, answer, author = (question or "").strip(), (answer or "").strip(), (author or "").strip()
        clauses = list(clauses)
        if not match_key(question):
            raise CurationError("请填写问题。")
        if not answer:
            raise CurationError("请填写补充答复的内容。")
        if not author:
            raise CurationError("请填写作者（维护人员姓名）。")
        if not clauses:
            raise CurationError("请至少选择一条文档条款作为依据。")
        if len(question) > 500 or len(answer) > 5000 or len(author) > 50:
            raise CurationError("问题、答复或作者过长（上限 500 / 5000 / 50 字）。")
        for c in clauses:
            c.hash = c.hash or clause_hash(c.text)
        cites = json.dumps([asdict(c) for c in clauses], ensure_ascii=False)
        db = self._store(create=True)
        with db._connect() as conn:
            cur = conn.execute(
                "INSERT INTO curated_answers (question, answer, citations, author, written_at, generation, "
                "needs_review, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (question, answer, cites, author, written_at or self.clock(), generation, int(needs_review), origin))
            log.info("curated answer %d saved for %r by %s", cur.lastrowid, question, author)
            return int(cur.lastrowid)

    def add_for_answer(self, answer_id: int, answer: str, author: str, clauses: Iterable[CitedClause],
                       generation: str) -> int:
        """A curated answer for the question of a logged answer (a thumbs-down or a refusal)."""
        db = self._store(create=True)
        with db._connect() as conn:
            row = conn.execute("SELECT question, mode FROM answers WHERE id = ?", (answer_id,)).fetchone()
        if row is None:
            raise CurationError(f"没有编号为 {answer_id} 的回答记录。")
        origin = f"未答问题#{answer_id}" if row["mode"] == "refusal" else f"差评#{answer_id}"
        return self.add(row["question"], answer, author, clauses, generation, origin=origin)

    def _update(self, curated_id: int, **values) -> None:
        sets = ", ".join(f"{k} = ?" for k in values)
        with self._store(create=True)._connect() as conn:
            conn.execute(f"UPDATE curated_answers SET {sets} WHERE id = ?", (*values.values(), curated_id))

    # --- keeping them honest --------------------------------------------------------------------
    def review(self, index) -> list[int]:
        """Check answers made against another index generation: still valid when every cited clause's text is
        in the current index (the generation is updated), else flagged 待复核. Returns the newly flagged ids."""
        generation = index.snapshot.collection or ""
        stale = [c for c in self.all() if not c.needs_review and c.generation != generation]
        if not stale:
            return []
        if self._valid[0] != generation:
            self._valid = (generation, frozenset(clause_hash(t) for t, _ in index.chunks.values()))
        flagged = []
        for c in stale:
            if all(cl.hash in self._valid[1] for cl in c.clauses):
                self._update(c.id, generation=generation)
            else:
                self._update(c.id, needs_review=1)
                flagged.append(c.id)
                log.warning("curated answer %d cites a clause that changed: flagged for review", c.id)
        return flagged

    def confirm(self, curated_id: int, index) -> Curated:
        """A maintainer's confirmation: re-bind each cited clause to its current text (same chunk id, else the same
        document and task number) and show the answer again."""
        cur = self.get(curated_id)
        if cur is None:
            raise CurationError(f"没有编号为 {curated_id} 的补充答复。")
        rebound = []
        for cl in cur.clauses:
            cid = cl.id if cl.id in index.chunks else next(
                (k for k, (_, m) in index.chunks.items()
                 if cl.item and m.get("doc") == cl.doc and str(m.get("item")) == str(cl.item)), None)
            if cid is None:
                raise CurationError(f"所引条款《{cl.title}》{cl.section}已不在索引中，请删除此答复后重新创建。")
            rebound.append(CitedClause.from_chunk(cid, *index.chunks[cid]))
        cites = json.dumps([asdict(c) for c in rebound], ensure_ascii=False)
        self._update(curated_id, citations=cites, generation=index.snapshot.collection or "", needs_review=0,
                     confirmed_at=self.clock())
        return self.get(curated_id)

    def delete(self, curated_id: int) -> bool:
        with self._store(create=True)._connect() as conn:
            return conn.execute("DELETE FROM curated_answers WHERE id = ?", (curated_id,)).rowcount > 0

    # --- answering ------------------------------------------------------------------------------
    def match(self, question: str, index) -> Curated | None:
        """The newest valid curated answer for this question, if any."""
        candidates = [c for c in self.all() if not c.needs_review]
        if not candidates:
            return None
        self.review(index)
        known = getattr(index, "mentions", None)
        for c in sorted(self.all(), key=lambda c: c.id, reverse=True):
            if not c.needs_review and same_question(question, c.question, known, self.threshold):
                return c
        return None

    def apply(self, question: str, ans: Answer, index) -> Answer:
        """The curated block above the documents' answer; the answer itself (a lookup's list too) stays whole."""
        cur = self.match(question, index)
        if cur is None:
            return ans
        ans.answer = cur.block() + ans.answer
        shown = {(c.doc, c.item, c.text) for c in ans.citations}
        ans.citations += [cl.citation() for cl in cur.clauses if (cl.doc, cl.item, cl.text) not in shown]
        ans.curated = {"id": cur.id, "label": LABEL, "author": cur.author, "date": cur.written_at[:10],
                       "question": cur.question, "answer": cur.answer}
        return ans
