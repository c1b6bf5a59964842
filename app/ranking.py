"""Ranking the clauses a retrieval answer chooses from: the fused runs, the share of the question each clause carries,
a county asked about alone, and the tasks a list just showed."""

from __future__ import annotations

import re

from retriever.index import KnowledgeIndex
from retriever.models import Hit

from .gate import QuestionTerms, named_in


def clause_text(hit: Hit) -> str:
    """A clause with its task title and part name: a question may name the task by its title."""
    return hit.content + "\n" + hit.metadata.get("task_title", "") + hit.metadata.get("section", "")


def candidates(index: KnowledgeIndex, terms: QuestionTerms, hits: list[Hit], raw: dict, k: int) -> list[Hit]:
    """Fused hits re-ranked by a third run, the share of question terms each clause carries (RRF, no weights)."""
    seen = {h.id for h in hits} | set(raw.get("folded", ()))  # copies folded under another plan's clause stay out
    extra = [cid for cid, _ in sorted(raw["bm25"].items(), key=lambda kv: -kv[1])[:k]]
    extra += [cid for cid, _ in sorted(raw["dense"].items(), key=lambda kv: -kv[1])[:2]]
    named = named_in(index, terms.text)  # "苏超", "三改一整": the clauses that name it take part, however long
    extra += [cid for chunks in named.values() for cid in chunks]
    for cid in extra:
        if cid not in seen:
            hits.append(index.hit(cid, 0.0))
            seen.add(cid)
    fused = [h.id for h in hits]
    by_id = {h.id: h for h in hits}
    cover = {cid: round(terms.coverage(clause_text(by_id[cid])), 3) for cid in fused}
    levels = sorted({c for c in cover.values() if c > 0}, reverse=True)
    # equal coverage shares a rank, and a clause without any question term gets no credit from this run
    score = {cid: 1 / (10 + 1 + levels.index(cover[cid])) if cover[cid] > 0 else 0.0 for cid in fused}
    for rank, cid in enumerate(fused, 1):
        score[cid] += 1 / (10 + rank)
    asked = [p for p in index.places if not p.endswith("县") and p in terms.text]
    if len(asked) == 1:  # "尖扎又有啥优势领域": a clause saying something of that county alone is a run of its own
        for cid in fused:
            text = clause_text(by_id[cid])
            topic = [w for w in terms.matched(text) if w not in index.places]  # more than the county in common
            if topic and _names_alone(index, text, asked[0]):
                score[cid] += 1 / (10 + 1)
    ranked = sorted(hits, key=lambda h: -score[h.id])
    # a clause that names what the question names outranks one that only repeats its common words
    return sorted(ranked, key=lambda h: -sum(h.id in chunks for chunks in named.values())) if named else ranked


def _names_alone(index: KnowledgeIndex, text: str, place: str) -> bool:
    """Whether the text says something of `place` on its own: not in the pair "镇巴县、尖扎县" that most clauses
    carry, nor inside a unit's name (区对口帮扶镇巴联络组)."""
    others = [p for p in index.places if not p.endswith("县") and p != place]
    pair = "|".join(re.escape(o) for o in others)
    pattern = rf"(?:{pair})县?[、和与及]{re.escape(place)}|{re.escape(place)}县?[、和与及](?:{pair})" if pair else "(?!)"
    bare = re.sub(pattern, "", text)
    return any(not bare[m.end():].startswith(("联络组", "县联络组")) for m in re.finditer(re.escape(place), bare))


def within(index: KnowledgeIndex, terms: QuestionTerms, ranked: list[Hit], items: list[int]) -> list[Hit]:
    """The listed tasks' own clauses, those carrying more of the question first (rank order breaks ties)."""
    ids = [cid for cid, (_, m) in index.chunks.items() if m.get("doc") == index.plan_doc and m.get("item") in items]
    order = {h.id: i for i, h in enumerate(ranked)}
    hits = [index.hit(cid, 0.0) for cid in ids]
    return sorted(hits, key=lambda h: (-round(terms.coverage(clause_text(h)), 3), order.get(h.id, len(order))))
