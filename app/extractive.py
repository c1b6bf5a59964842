"""Extractive answers: the sentence that answers, from the best fused clause, led by a direct answer."""

from __future__ import annotations

import re
from dataclasses import dataclass

from retriever.index import KnowledgeIndex
from retriever.models import Hit
from retriever.understand import ParsedQuestion

from .contradict import contradiction
from .definitions import chunk_citation
from .facts import (
    asked_count,
    asked_instances,
    asked_name,
    find_fact,
    gives_name,
    lists_after_verb,
    lists_at_least,
    names_members,
    unknown_category,
)
from .gate import QuestionTerms, question_terms
from .models import Answer, Citation
from .premise import partner_beyond, premise_conflict, unsaid_claim
from .quoting import best_sentences, bold_answer, join_sentences, sentences_of
from .ranking import candidates, clause_text, within

CLEARLY_MORE = 0.3  # a share of the question's weight by which one clause is clearly the better match
MAX_SUPPORT = 3  # supporting clauses after the direct answer, each adding something new


@dataclass
class Evidence:
    hit: Hit
    coverage: float
    sentences: list[str]


def _citation(hit: Hit, highlights: list[str]) -> Citation:
    m = hit.metadata
    units = [u for u in m.get("units", "").split("、") if u]
    return Citation(doc=hit.doc, title=m.get("title", ""), section=m.get("section", ""), item=hit.item,
                    units=units, text=hit.content, score=hit.score, date=m.get("date", ""), highlights=highlights)


def source_line(hit: Hit) -> str:
    m = hit.metadata
    if m.get("kind") == "task":
        return f"**第{m['item']}项 {m.get('task_title', '')}**（{m.get('section', '')}）"
    if m.get("kind") == "section":
        return f"**{m.get('section', '')}**（部分说明）"
    if m.get("kind") == "preamble":
        return f"**《{m.get('title', '')}》前言**"
    date = f"，{m['date']}" if m.get("date") else ""
    return f"**《{m.get('title', '')}》**（相关文件{date}）"


def retrieval_answer(index: KnowledgeIndex, q: ParsedQuestion, query: str, k: int = 5,
                     plan: str | None = None) -> Answer:
    """Answer from the best clauses, or refuse when the corpus shows it does not hold the answer."""
    early = _refused_unread(index, q, query)  # what the question alone shows: no need to search
    if early is not None:
        return early
    hits, raw = index.search(query, k=k + 3, plan=plan)
    result = _answer(index, q, query, k, hits, raw)
    if raw.get("dense_error"):
        result.notice = "向量检索暂不可用（无法连接向量库），本次只按关键词检索。"
    return result


def tasks_described(index: KnowledgeIndex, query: str, k: int = 5, tasks_only: bool = False) -> list[int]:
    """The plan tasks a question describes in words ("农文旅融合发展这项工作是谁负责的"), best first.

    Only when the best clause is a task that carries at least half of the question's weight; tasks that carry
    it equally well come with it (a topic shared by two tasks names both). `tasks_only` when the question asks
    which task it is ("区中园那个事儿是哪条"): a related document on the same topic has no task to offer.
    """
    terms = question_terms(index, query)
    if not terms.topical or terms.absent:
        return []
    hits, raw = index.search(query, k=k + 3)
    ranked = candidates(index, terms, hits, raw, k)
    if tasks_only:
        ranked = [h for h in ranked if h.metadata.get("kind") == "task" and h.doc == index.plan_doc]
    if not ranked or ranked[0].metadata.get("kind") != "task":
        return []
    tasks = [h for h in ranked if h.metadata.get("kind") == "task" and h.doc == ranked[0].doc]
    # the first ranked, unless another task carries clearly more of the question ("直供基地那条" is task 7 with
    # every word, though task 1's 生产基地 ranks first with half of them)
    best = terms.coverage(clause_text(ranked[0]))
    most = max(terms.coverage(clause_text(h)) for h in tasks)
    best = most if most - best >= CLEARLY_MORE else best
    if best < 0.5:
        return []
    return [h.item for h in tasks if terms.coverage(clause_text(h)) >= best - 1e-6][:3]


def describing_sentence(index: KnowledgeIndex, query: str, chunk_id: str) -> str:
    """The sentence of a clause that the question describes, with its words in bold ("谁照应挂职干部" → the
    sentence on 挂职干部的管理服务): what an answer found by content shows as its evidence."""
    if chunk_id not in index.chunks:
        return ""
    terms = question_terms(index, query)
    hit = index.hit(chunk_id, 1.0)
    sentences = best_sentences(terms, hit, index.places, limit=1)
    return bold_answer(sentences[0], terms, "") if sentences else ""


def _context(hit: Hit) -> str:
    """What a sentence of this clause is about beyond its own words: the document's or the task's number and title
    ("第16条里说的合作方式" is about task 16's sentences)."""
    m = hit.metadata
    if m.get("kind") == "task":
        return f"第{m.get('item', '')}项 {m.get('task_title', '')}"
    return f"{m.get('title', '')} {m.get('date', '')}"


def precheck(index: KnowledgeIndex, question: str, query: str, need_domain: bool = True) -> Answer | None:
    """A refusal when the question is outside the documents' domain or names what they never mention.

    need_domain=False lets a question without any word of the corpus through ("我刚来，从哪里开始看" is for the guide).
    """
    terms = question_terms(index, query)
    if index.lexicon.cue("out_of_domain", query) or (need_domain and not terms.domain) \
            or any(index.lexicon.cue(c, query) for c in ("opinion", "prediction", "progress", "artifact")):
        return refusal(question)
    if terms.absent:
        return corrected(index, question, terms.absent) or refusal(question, absent=terms.absent)
    beyond = partner_beyond(index, query)  # "第三个协作县": before the overview, which would list the two there are
    return refusal(question, note=beyond) if beyond else None


def _names_asked_unit(index: KnowledgeIndex, q: ParsedQuestion, fact: str, sentence: str) -> bool:
    """"联络组的组长是哪位": a person asked of a unit is only stated by a sentence naming that unit."""
    if fact != "person" or not q.units:
        return True
    return any(alias in sentence for alias, unit in index.parser.names.items() if unit in q.units)


def _refused_unread(index: KnowledgeIndex, q: ParsedQuestion, query: str) -> Answer | None:
    """A refusal the question and the corpus's vocabulary show before any clause is read: outside the domain,
    a name the corpus never uses, a premise it contradicts, a claim in words it never uses."""
    early = precheck(index, q.text, query)
    if early is not None:
        return early
    conflict = premise_conflict(index, question_terms(index, query))
    if conflict:
        return refusal(q.text, note=conflict)
    category = unknown_category(index, query)
    if category:
        return refusal(q.text, absent=[category])
    unsaid = unsaid_claim(index, query)
    if unsaid:
        return corrected(index, q.text, unsaid) or \
            refusal(q.text, note=f"要点及相关文件中没有“{'”“'.join(unsaid[:3])}”这样的说法。")
    return None


def _answer(index: KnowledgeIndex, q: ParsedQuestion, query: str, k: int, hits: list[Hit], raw: dict) -> Answer:
    lex = index.lexicon
    terms = question_terms(index, query)
    if not hits and not raw["bm25"]:
        return refusal(q.text)
    ranked = candidates(index, terms, hits, raw, k)
    if q.within:  # "妇联管哪几条？里面哪条跟小孩有关": only among the tasks just listed
        ranked = within(index, terms, ranked, q.within)
    elif q.items:  # "第1条里说的特色产品是哪几种": the task named comes first, whatever else matches more words
        named = within(index, terms, ranked, q.items)
        named_ids = {h.id for h in named}
        ranked = named + [h for h in ranked if h.id not in named_ids]
    places = index.places
    sims = index.sentence_vectors.similarities(query, [s for h in ranked for s in sentences_of(h)])
    evidence = [Evidence(h, terms.coverage(clause_text(h)), best_sentences(terms, h, places, sims=sims))
                for h in ranked]
    if lex.cue("list_ask", query):  # the clause whose sentence lists what follows the asked verb answers it
        top = evidence[0].coverage
        listing = next((e for e in evidence[:4] if e.coverage >= 0.5 * top
                        and any(lists_after_verb(index, query, s) for s in sentences_of(e.hit))), None)
        if listing is not None:
            evidence.remove(listing)
            evidence.insert(0, listing)
            listing.sentences = [s for s in sentences_of(listing.hit) if lists_after_verb(index, query, s)][:1]
    noun = asked_instances(index, query)
    count = asked_count(index, query)  # "具体是哪四方": a list of four, not any list
    if noun and not any(names_members(index, s, noun) and (not count or lists_at_least(s, count, terms))
                        for e in evidence[:4] for s in sentences_of(e.hit) if terms.coverage(s) > 0):
        return refusal(q.text, near=evidence[0], fact="instances")
    thing = asked_name(index, query)
    if thing and not any(gives_name(index, s, thing) for e in evidence[:4] for s in sentences_of(e.hit)):
        return refusal(q.text, near=evidence[0], fact="name")
    fact = lex.fact_type(query)
    lead_phrase = ""
    if fact is not None:
        pool = evidence[:6]
        found = find_fact(index, fact, terms, [sentences_of(e.hit) for e in pool], places,
                          [_context(e.hit) for e in pool])
        if found is None or not _names_asked_unit(index, q, fact.name, found.sentence):
            return refusal(q.text, near=evidence[0], fact=fact.name)
        best = pool[found.hit_index]
        best.sentences = [found.sentence]
        lead_phrase = found.match
        evidence.remove(best)
        evidence.insert(0, best)
    support = MAX_SUPPORT
    if lex.cue("one_task", query) and not fact:  # "生态那条啥内容": that one task of the plan, alone
        support = 0
        task = next((e for e in evidence if e.hit.metadata.get("kind") == "task" and e.coverage > 0), None)
        if task is not None and task is not evidence[0]:
            evidence.remove(task)
            evidence.insert(0, task)
    chosen = [evidence[0]]
    covered = set(terms.matched(clause_text(evidence[0].hit)))
    top_cov = max(e.coverage for e in evidence)
    for e in evidence[1:]:  # supporting clauses: each must add a term, or carry the topic as well as the best
        if len(chosen) > support:
            break
        new = set(terms.matched(clause_text(e.hit))) - covered
        if (new and e.coverage >= 0.3) or (e.coverage >= max(0.5, 0.75 * top_cov) and terms.groups):
            chosen.append(e)
            covered |= new
    _add_enumerated_parts(index, query, evidence, chosen)
    return _compose(q, terms, chosen, evidence, k, lead_phrase, alone=support == 0)


def _add_enumerated_parts(index: KnowledgeIndex, query: str, evidence: list[Evidence], chosen: list[Evidence]):
    """'订单农业、订单培养、订单式培训分别在哪些任务里': every listed part needs its own best clause."""
    head = re.sub(r"^(?:要点里|要点中|今年|请问)", "", index.lexicon.cues["enumeration_tail"].sub("", query))
    parts = [p.strip() for p in re.split(r"[、，,和与及跟]", head) if len(p.strip()) >= 2]
    if len(parts) < 2:
        return
    for phrase in parts:
        part_terms = question_terms(index, phrase)
        if not part_terms.groups:
            continue
        best = max(evidence, key=lambda e: part_terms.coverage(clause_text(e.hit)))
        verbatim = [e for e in evidence if phrase in e.hit.content] or (
            [best] if part_terms.coverage(clause_text(best.hit)) >= 0.6 else [])
        for e in verbatim:
            if e not in chosen:
                e.sentences = best_sentences(part_terms, e.hit, index.places) or e.sentences
                chosen.append(e)


def _compose(q: ParsedQuestion, terms: QuestionTerms, chosen: list[Evidence], evidence: list[Evidence], k: int,
             lead_phrase: str, alone: bool = False) -> Answer:
    best = chosen[0]
    direct = [bold_answer(s, terms, lead_phrase) for s in best.sentences]
    parts = [f"{source_line(best.hit)}：", "", "> " + join_sentences(direct)]
    if best.hit.metadata.get("kind") == "task":
        m = best.hit.metadata
        parts += ["", f"责任单位：{m.get('units', '')}（列第一位的{m.get('lead_unit', '')}通常视为牵头）"]
    for e in chosen[1:]:
        parts += ["", f"另见{source_line(e.hit)}：", "", "> " + join_sentences(e.sentences)]
    if best.coverage < 0.34 and terms.groups:
        parts += ["", "（问题中的说法与条款原文不同，这是按意思匹配的结果，请对照原文核实。）"]
    # then the next clauses that carry the topic about as well (a section intro's tasks, a list's other items)
    floor = max(0.01, 0.5 * best.coverage)
    relevant = chosen + [e for e in evidence if e not in chosen and e.coverage >= floor and not alone]
    citations = [_citation(e.hit, e.sentences) for e in relevant[:max(k, len(chosen))]]
    return Answer(question=q.text, answer="\n".join(parts), found=True, mode="retrieval", citations=citations)


_FACT_WORDS = {"instances": "具体名单", "quantity": "数字", "date": "时间", "day": "日期", "when": "时间", "clock": "具体时间",
               "frequency": "频次", "payer": "费用由谁承担", "place": "地点", "person": "人名", "rank": "等次或名次", "contact": "联系方式",
               "name": "名称", "particular": "具体规定", "room": "具体地点", "docno": "文号",
               "year": "年份", "start_year": "起始年份", "ordinal": "第几（届、年、次）", "duration": "时长",
               "organiser": "主办单位", "superlative": "排名或比较"}


def corrected(index: KnowledgeIndex, question: str, words: list[str]) -> Answer | None:
    """"…是第三届吧" when a clause on the same topic says 第五届: "不是", with that sentence, cited."""
    found = contradiction(index, question, words)
    if found is None:
        return None
    hit = index.hit(found.chunk_id, 1.0)
    shown = found.sentence.replace(found.stated, f"**{found.stated}**", 1)
    text = f"**不是**。文件中写的是「{found.stated}」，不是「{found.claimed}」。\n\n{source_line(hit)}：\n\n> {shown}"
    return Answer(question=question, answer=text, found=True, mode="retrieval",
                  citations=[chunk_citation(index, found.chunk_id, [found.sentence])])


def refusal(question: str, near: Evidence | None = None, fact: str = "", absent: list[str] | None = None,
            note: str = "") -> Answer:
    """Say the corpus does not answer, and why; mention a near miss in the text, but cite nothing as an answer."""
    text = "要点及相关文件中没有找到能回答这个问题的内容，无法给出答案。"
    if note:
        text += f"\n\n{note}"
    if absent:
        text += f"\n\n文档中没有出现「{'」「'.join(absent[:3])}」。"
    if near is not None:
        what = _FACT_WORDS.get(fact, "具体内容")
        text += (f"\n\n最接近的是{source_line(near.hit)}：“{join_sentences(near.sentences)}”——"
                 f"但其中没有给出您问的{what}。")
    text += "\n\n可以问：某单位负责哪些任务、第N项由谁负责、某部分包括哪些任务，或要点中某项工作的具体内容。"
    return Answer(question=question, answer=text, found=False, mode="refusal")
