"""Curated answers to and from JSON Lines, so they move between installations and can join evaluation sets."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from .curated import CitedClause, CuratedStore, CurationError, clause_hash, match_key
from .inputs import jsonl_lines

log = logging.getLogger(__name__)

_CLAUSE_KEYS = ("id", "doc", "title", "section", "item", "text")


@dataclass
class ImportReport:
    """What an import did; `problems` are Chinese, one per bad line."""

    added: int = 0
    duplicates: int = 0
    problems: list[str] = field(default_factory=list)

    def summary_zh(self) -> str:
        return f"导入 {self.added} 条，跳过重复 {self.duplicates} 条，有问题的行 {len(self.problems)} 行。"


def export_jsonl(store: CuratedStore, path: Path) -> int:
    """One JSON object per curated answer (待复核 ones too, with their flag)."""
    rows = store.all()
    with open(path, "w", encoding="utf-8") as fh:
        for c in rows:
            fh.write(json.dumps(c.export(), ensure_ascii=False) + "\n")
    return len(rows)


def _clause(raw: object, n: int) -> CitedClause:
    if not isinstance(raw, dict) or not isinstance(raw.get("text"), str) or not raw["text"].strip():
        raise CurationError(f"第 {n} 条依据缺少条款原文（text）")
    item = raw.get("item")
    if item not in (None, "") and not str(item).isdigit():
        raise CurationError(f"第 {n} 条依据的任务序号（item）不是数字")
    clause = CitedClause(*(str(raw.get(k) or "") for k in ("id", "doc", "title", "section")),
                         int(item) if item not in (None, "") else None, raw["text"])
    clause.hash = clause_hash(clause.text)  # recomputed: a hand-edited file cannot claim a clause it does not quote
    return clause


def import_jsonl(store: CuratedStore, path: Path) -> ImportReport:
    """Add every valid line; bad lines are reported by number and skipped, duplicates (same question wording and
    same answer) are skipped. Imported answers keep their author and date; the next review checks their clauses."""
    report = ImportReport()
    seen = {(match_key(c.question), c.answer.strip()) for c in store.all()}
    for n, line in jsonl_lines(path):
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            report.problems.append(f"第 {n} 行：不是合法的 JSON")
            continue
        try:
            if not isinstance(obj, dict):
                raise CurationError("不是 JSON 对象")
            for key in ("question", "answer", "author"):
                if not isinstance(obj.get(key), str):
                    raise CurationError(f"缺少文本字段 {key}")
            clauses = obj.get("clauses")
            if not isinstance(clauses, list):
                raise CurationError("缺少依据条款列表 clauses")
            cited = [_clause(c, i) for i, c in enumerate(clauses, 1)]
            key = (match_key(obj["question"]), obj["answer"].strip())
            if key in seen:
                report.duplicates += 1
                continue
            # the file's generation is another installation's name: the review re-checks the clause texts
            store.add(obj["question"], obj["answer"], obj["author"], cited, str(obj.get("generation") or ""),
                      origin=str(obj.get("origin") or "导入"), written_at=str(obj.get("written_at") or ""),
                      needs_review=bool(obj.get("needs_review")))
            seen.add(key)
            report.added += 1
        except CurationError as exc:
            report.problems.append(f"第 {n} 行：{exc}")
    log.info("imported curated answers from %s: %s", path, report.summary_zh())
    return report
