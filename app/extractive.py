"""Extractive answers from retrieved clauses, and the decision to refuse when nothing answers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.chunking import split_sentences
from retriever.index import KnowledgeIndex
from retriever.models import Hit
from retriever.understand import ParsedQuestion

from .models import Answer, Citation

# Words every clause shares: they cannot show that a clause answers a question.
GENERIC = set("镇巴 镇巴县 尖扎 尖扎县 通州 通州区 南通 要点 工作要点 东西部 协作 东西部协作 任务 工作 一项 哪项 哪一项 哪条 "
              "项 条 开展 推动 加强 深化 帮助 助力 支持 组织 今年 明年 去年 当地 那边 两地 地区 协作地区 内容 什么 "
              "负责 部门 单位 区里 我们 文件 问题 情况 具体 方面 有关 相关 怎么 如何 主要 重点 哪些 事 "
              "巴县 扎县 东西 西部 一条 过来 起来 过去 用来 干什么 哪里 要求 安排 包括 写在 分别 放在 讲 涉及 "
              "总体 思路 目标 做法 措施 意义 作用 目的 内容".split())
_ENUM_TAIL = re.compile(r"(?:分别|都|各自)?(?:在|是|属于|放在|写在)?(?:哪些|哪几|哪个|哪一?)(?:任务|项|条|部分).*$|"
                        r"(?:的内容|的工作|方面)?(?:分别|都)?(?:有哪些|是什么|在哪).*$")
# "Which task is about X?" presupposes the plan covers X: the nearest clause by meaning is offered, marked as such.
SEMANTIC_MARGIN = 0.01
_LOCATE = re.compile(r"哪[一个]?[项条]|哪个任务|哪项任务|哪项工作|哪一部分|在哪一?项")
_QUANTITY = re.compile(r"多少|几[个名人次项亿万元家所]|总额|金额|数额|规模|人口|gdp|GDP|比例|百分之|增长率")
_NUMBER = re.compile(r"(?:\d+(?:\.\d+)?|[一二三四五六七八九十百千万亿两]+)\s*(?:个|名|人|项|家|所|亿|万|元|次|批|%|％|亩|吨|年|月|日)")
_WHEN = re.compile(r"什么时候|何时|哪年|哪一年|几月|哪天|日期|时间")
_DATE = re.compile(r"\d{4}年|\d{1,2}月|\d{1,2}日|年度|年初|按月|按季")
_WHERE = re.compile(r"在哪[里儿个]?(?:召开|开|举办|举行)|哪个城市|什么地方|地点|在哪召开")
_HELD_AT = re.compile(r"在[\u4e00-\u9fa5]{2,8}(?:召开|举行|举办)")
_PLACE = re.compile(r"在[\u4e00-\u9fa5]{2,6}(?:召开|举行|举办)|[\u4e00-\u9fa5]{2,4}(?:(?<!城)市|省|县)")


@dataclass
class Evidence:
    hit: Hit
    coverage: float
    sentences: list[str]
    terms: set[str]  # the question terms this clause contains


def key_terms(index: KnowledgeIndex, text: str) -> dict[str, float]:
    """Topic terms of a question with their BM25 idf (generic and stop words removed)."""
    terms = {}
    for tok in index.tokenizer.tokens(text, search=False):
        if tok in GENERIC or len(tok) < 2 and not tok.isascii():
            continue
        terms[tok] = max(index.bm25.idf(tok), 0.05) if index.bm25.has(tok) else 1.5
    return terms


def _coverage(terms: dict[str, float], text: str) -> float:
    total = sum(terms.values())
    if not total:
        return 0.0
    low = text.lower()
    return sum(w for t, w in terms.items() if t in low) / total


def answer_type(question: str) -> re.Pattern | None:
    """What a sentence must state to answer: a number, a date or a place (None: anything)."""
    if _QUANTITY.search(question):
        return _NUMBER
    if _WHEN.search(question):
        return _DATE
    if _WHERE.search(question):
        return _PLACE
    return None


def best_sentences(terms: dict[str, float], hit: Hit, limit: int = 2, prefer: re.Pattern | None = None) -> list[str]:
    """The sentences of a clause that carry the most question terms (and the wanted answer type), in order."""
    sents = [s for s, _, _ in split_sentences(hit.content)]
    if hit.metadata.get("kind") == "section" and any(t in hit.content.lower() for t in terms):
        return sents[1:] or sents  # a section intro is one short paragraph under its heading: quote it whole
    bonus = max(terms.values(), default=0) * 0.5
    scored = [(sum(w for t, w in terms.items() if t in s.lower()) + (bonus if prefer and prefer.search(s) else 0), i)
              for i, s in enumerate(sents)]
    top = sorted((x for x in scored if x[0] > 0), key=lambda x: (-x[0], x[1]))[:limit]
    return [sents[i] for _, i in sorted(top, key=lambda x: x[1])]


def enumeration_parts(index: KnowledgeIndex, query: str) -> list[tuple[str, dict[str, float]]]:
    """Each listed part of a question such as '订单农业、订单培养、订单式培训分别在哪些任务里', with its key terms."""
    head = re.sub(r"^(?:要点里|要点中|今年|请问)", "", _ENUM_TAIL.sub("", query))
    parts = [p.strip() for p in re.split(r"[、，,和与及跟]", head) if len(p.strip()) >= 2]
    if len(parts) < 2:
        return []
    return [(p, t) for p, t in ((p, key_terms(index, p)) for p in parts) if t]


def _type_ok(wanted: re.Pattern | None, terms: dict[str, float], sentences: list[str]) -> bool:
    """Quantity, date and place questions need a sentence on the question's topic stating one."""
    if wanted is None:
        return True
    for sent in sentences:
        # the partner counties are named everywhere: they only count as a place in "在…召开"
        bare = re.sub(r"镇巴县|尖扎县|通州区|南通市|\d{4}年度?", "", sent)
        typed = wanted.search(bare) or (wanted is _PLACE and _HELD_AT.search(sent))
        if typed and _coverage(terms, sent) >= 0.5:
            return True
    return False


def cover(evidence: list[Evidence], terms: dict[str, float], max_hits: int = 4) -> tuple[list[Evidence], float]:
    """Greedy cover of the question terms by hits in rank order: multi-part questions need several clauses."""
    chosen: list[Evidence] = []
    covered: set[str] = set()
    weight = sum(terms.values())
    share = 0.0
    for e in evidence:
        gain = sum(terms[t] for t in e.terms - covered)
        if not e.sentences or (chosen and gain < 0.15 * weight):
            continue
        if not chosen and e.coverage < 0.15:
            continue
        chosen.append(e)
        covered |= e.terms
        share = sum(terms[t] for t in covered) / weight if weight else 0.0
        if share >= 0.9 or len(chosen) >= max_hits:
            break
    return chosen, share


def join_sentences(sentences: list[str]) -> str:
    """Join extracted sentences; a line that had no end punctuation (a title) keeps a break after it."""
    out = ""
    for sent in sentences:
        if out and not re.search(r"[。！？；!?;”’」』）)]$", out):
            out += "；"
        out += sent
    return out


def _citation(hit: Hit, highlights: list[str]) -> Citation:
    m = hit.metadata
    units = [u for u in m.get("units", "").split("、") if u]
    return Citation(doc=hit.doc, title=m.get("title", ""), section=m.get("section", ""), item=hit.item,
                    units=units, text=hit.content, score=hit.score, date=m.get("date", ""), highlights=highlights)


def _source_line(hit: Hit) -> str:
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
                     min_coverage: float = 0.5) -> Answer:
    """Answer from the best clauses, or refuse honestly when no clause covers the question."""
    hits, raw = index.search(query, k=k + 3)
    result = _retrieval_answer(index, q, query, k, min_coverage, hits, raw)
    if raw.get("dense_error"):
        result.notice = "向量检索暂不可用（无法连接向量库），本次只按关键词检索。"
    return result


def _retrieval_answer(index: KnowledgeIndex, q: ParsedQuestion, query: str, k: int, min_coverage: float,
                      hits: list[Hit], raw: dict) -> Answer:
    # lexical evidence also comes straight from BM25: RRF favours clauses that are merely in both runs
    seen = {h.id for h in hits}
    bm25_top = sorted(raw["bm25"].items(), key=lambda kv: -kv[1])[:k]
    hits += [index.hit(cid, 0.0) for cid, _ in bm25_top if cid not in seen]
    dense_top = max(raw["dense"], key=raw["dense"].get) if raw["dense"] else None
    if dense_top and dense_top not in {h.id for h in hits}:
        hits.append(index.hit(dense_top, 0.0))
    terms = key_terms(index, query)
    wanted = answer_type(query)
    evidence = []
    for hit in hits:
        text = (hit.content + "\n" + hit.metadata.get("task_title", "") + hit.metadata.get("section", "")).lower()
        present = {t for t in terms if t in text}
        evidence.append(Evidence(hit, _coverage(terms, text), best_sentences(terms, hit, 2, wanted), present))
    chosen, union = cover(evidence, terms)
    semantic = False
    if (not chosen or union < min_coverage) and _LOCATE.search(query) and len(raw["dense"]) >= 2:
        ranked = sorted(raw["dense"].items(), key=lambda kv: -kv[1])
        (best_dense, s1), (_, s2) = ranked[0], ranked[1]
        e = next((e for e in evidence if e.hit.id == best_dense and e.hit.metadata.get("kind") == "task"), None)
        # only a clear winner by meaning (cosines of this model are compressed: margins are small)
        if e is not None and s1 - s2 >= SEMANTIC_MARGIN:
            chosen, union, semantic = [e], 1.0, True
            e.sentences = e.sentences or [s for s, _, _ in split_sentences(e.hit.content)][:1]
    if not terms or not chosen or union < min_coverage:
        return refusal(q.text)
    # "A、B和C分别在哪些任务里": every part needs its own best clause
    for phrase, part_terms in enumeration_parts(index, query):
        verbatim = [e for e in evidence if phrase in e.hit.content]
        best_part = max(evidence, key=lambda e: _coverage(part_terms, e.hit.content.lower()))
        if not verbatim and _coverage(part_terms, best_part.hit.content.lower()) >= 0.6:
            verbatim = [best_part]
        for e in verbatim:
            if e not in chosen:
                e.sentences = best_sentences(part_terms, e.hit) or e.sentences
                chosen.append(e)
    # list questions want every clause that carries the topic, not just a cover
    top = max(e.coverage for e in evidence)
    for e in evidence:
        if e not in chosen and e.sentences and e.coverage >= max(min_coverage, 0.5 * top) and len(chosen) < 5:
            chosen.append(e)
    chosen.sort(key=lambda e: evidence.index(e))
    if not any(_type_ok(wanted, terms, e.sentences) for e in chosen):
        return refusal(q.text, near=chosen[0])
    best = chosen[0]
    lead = "按语义最接近的条款是" if semantic else ""
    parts = [f"{lead}{_source_line(best.hit)}：", "", "> " + join_sentences(best.sentences)]
    if best.hit.metadata.get("kind") == "task":
        m = best.hit.metadata
        parts += ["", f"牵头单位：{m.get('lead_unit', '')}；责任单位：{m.get('units', '')}"]
    for e in chosen[1:]:
        parts += ["", f"另见{_source_line(e.hit)}：", "", "> " + join_sentences(e.sentences)]
    if semantic:
        parts += ["", "（问题中的说法与条款原文不同，这是按意思匹配的结果，请对照原文核实。）"]
    relevant = (chosen + [e for e in evidence if e not in chosen and e.coverage >= 0.5])[:k]
    citations = [_citation(e.hit, e.sentences) for e in relevant]
    return Answer(question=q.text, answer="\n".join(parts), found=True, mode="retrieval", citations=citations)


def refusal(question: str, near: Evidence | None = None) -> Answer:
    """Say the corpus does not answer; mention a near miss in the text, but cite nothing as an answer."""
    text = "要点及相关文件中没有找到能回答这个问题的内容，无法给出答案。"
    if near is not None:
        text += (f"\n\n最接近的是{_source_line(near.hit)}：“{join_sentences(near.sentences)}”——"
                 "但其中没有给出您问的具体数字、时间或地点。")
    text += "\n\n可以问：某单位负责哪些任务、第N项由谁负责、某部分包括哪些任务，或要点中某项工作的具体内容。"
    return Answer(question=question, answer=text, found=False, mode="refusal")
