"""Follow-up and starter questions computed from an answer's cited tasks, units and terms, kept only if answered."""

from __future__ import annotations

import logging
from itertools import zip_longest

from .answerer import Answerer
from .models import Answer

log = logging.getLogger(__name__)


def _answered(answerer: Answerer, question: str) -> bool:
    """A suggestion must not lead to a refusal: ask it (record and glossary answers take well under a millisecond)."""
    try:
        ans = answerer.answer(question, rephrase=False)
    except Exception:  # a suggestion is optional; never break the chat for one
        log.exception("follow-up check failed: %r", question)
        return False
    return ans.found and ans.mode != "refusal"


def _pick(answerer: Answerer, candidates: list[str], asked: set[str], limit: int, tries: int) -> list[str]:
    out: list[str] = []
    for question in candidates:
        if len(out) >= limit or tries <= 0:
            break
        if not question or question in asked or question in out:
            continue
        tries -= 1
        if _answered(answerer, question):
            out.append(question)
    return out


def candidates(answerer: Answerer, ans: Answer) -> list[str]:
    """Questions about what the answer cited, alternating kinds: a task's units, a unit's tasks, a term, a part."""
    book = answerer.index.records
    guide = answerer.guide
    t = guide.cues.followups
    items = [c.item for c in ans.citations if c.item and c.doc == book.doc]
    tasks = [book.task(i) for i in dict.fromkeys(items) if book.task(i)]
    universal = set(book.universal_units())
    asked_units = set(ans.context.units) if ans.context else set()
    by_task = [t["task_who"].format(item=r.item) for r in tasks[:2]] if ans.mode != "item" else []
    units: list[str] = []
    for rec in tasks:
        units += [u for u in [rec.lead_unit, *rec.units] if u and u not in universal and u not in units]
    by_unit = [t["unit_tasks"].format(unit=u) for u in units if u not in asked_units][:3]
    if len(asked_units) == 1 and tasks:
        unit = next(iter(asked_units))
        partners = sorted((u for u in units if u != unit), key=lambda u: -len(book.shared_by([unit, u])))
        by_unit = [t["units_together"].format(unit=unit, other=p) for p in partners[:1]] + by_unit
    cited_text = "\n".join(c.text for c in ans.citations)
    terms = sorted((term for term in guide.glossary.in_text(cited_text) if term.name not in ans.question),
                   key=lambda term: not term.explained)
    by_term = [t["term"].format(term=term.name) for term in terms[:3]]
    sections = [s.short_name for s in (book.section_of(r.item) for r in tasks) if s]
    sections += [c.section.split("、", 1)[-1] for c in ans.citations if c.doc == book.doc and not c.item and c.section]
    by_section = [t["section_tasks"].format(section=name) for name in dict.fromkeys(sections)][:2]
    return [q for group in zip_longest(by_task, by_unit, by_term, by_section) for q in group if q]


def suggest(answerer: Answerer, ans: Answer, limit: int = 3, tries: int = 8) -> list[str]:
    """Two or three answerable follow-ups for an answer (starter questions when it cited nothing of the plan)."""
    asked = {ans.question, ans.resolved_question}
    try:
        proposed = candidates(answerer, ans)
    except Exception:  # suggestions are optional: an unexpected answer shape must not break the chat
        log.exception("follow-up candidates failed for %r", ans.question)
        proposed = []
    picked = _pick(answerer, proposed, asked, limit, tries)
    if len(picked) < 2:
        picked += _pick(answerer, starters(answerer, verify=False), asked | set(picked), limit - len(picked), tries)
    return picked


def starters(answerer: Answerer, verify: bool = True, limit: int = 8) -> list[str]:
    """Starter questions for a newcomer, filled in from the index's records and glossary."""
    book = answerer.index.records
    guide = answerer.guide
    if not book:
        return []
    universal = set(book.universal_units())
    ranked = sorted((u for u in book.units if u not in universal), key=lambda u: -len(book.tasks_of(u)))
    terms = sorted(guide.glossary.terms, key=lambda term: (not term.explained, not term.items))
    fill = {"term": terms[0].name if terms else "", "unit": ranked[0] if ranked else "",
            "item": book.tasks[0].item}
    out = []
    for template in guide.cues.starters:
        try:
            question = template.format(**fill)
        except (KeyError, IndexError):
            continue
        if "{" not in question and all(fill.get(k) != "" or f"{{{k}}}" not in template for k in fill):
            out.append(question)
    return _pick(answerer, out, set(), limit, len(out)) if verify else out[:limit]
