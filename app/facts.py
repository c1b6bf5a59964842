"""What a question asks to be stated (a number, a date, a name, the members of a category) and where a sentence states it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from retriever.index import KnowledgeIndex
from retriever.lexicon import FactType

from .gate import QuestionTerms, specific_weight


@dataclass
class FactEvidence:
    sentence: str
    match: str
    hit_index: int


def find_fact(index: KnowledgeIndex, fact: FactType, terms: QuestionTerms, sentences: list[list[str]],
              places: tuple[str, ...] = (), contexts: list[str] | None = None) -> FactEvidence | None:
    """The on-topic sentence that states a fact of the wanted type (a number, a date …), best first.

    A sentence is on topic with its context: "2018年12月30日印发" answers "指导意见是哪年发布的" because the
    document it belongs to is that 指导意见.
    """
    best: tuple[float, FactEvidence] | None = None
    # "把劳动力稳在哪里": a sentence saying "稳在<somewhere>" answers with the question's own verb
    verb = re.search(r"([\u4e00-\u9fff])在哪", terms.text) if fact.name == "place" else None
    echo = re.compile(rf"{verb.group(1)}在[\u4e00-\u9fff]{{1,10}}") if verb else None
    # "谁主持的": the person must be said to do that, not merely named ("李文化报道" does not answer it)
    acted = index.lexicon.cue("person_verb", terms.text) if fact.name == "person" else None
    act = acted.group("verb").replace("讲的话", "讲话").replace("作的报告", "报告") if acted else ""
    # "129号文有没有定金额": a fact asked of a document named by its number is stated in that document only
    named = re.search(r"\d+号", terms.text)
    only = named.group(0) if named and contexts and any(named.group(0) in c for c in contexts) else ""
    for i, sents in enumerate(sentences):
        context = contexts[i] if contexts else ""
        if only and only not in context:
            continue
        for sent in sents:
            if act and act not in sent:
                continue
            if _in_header(index, sent) and not index.lexicon.cue("publication_ask", terms.text):
                continue  # a dateline dates its document: "常态化帮扶到哪年结束" is not answered by it
            bare = sent
            for place in places:  # the partner counties are named everywhere: not an answer to "where"
                bare = bare.replace(place, "")
            m = index.lexicon.states(fact, bare, known=terms.text)
            if not m and fact.name == "place":  # "在<协作县>召开" names the place even though the county is everywhere
                m = index.lexicon.cue("held_at", sent) or (echo.search(sent) if echo else None)
            if not m and fact.name == "docno" and context:  # a document's number is in its title
                m = index.lexicon.states(fact, context, known=terms.text)
            if not m:
                continue
            cov = terms.coverage(sent + "\n" + context)
            if not _about(index, terms, sent, context, cov) and not _dates_its_document(index, fact, terms, context):
                continue
            score = cov - 0.02 * i
            if fact.name == "place" and index.lexicon.cue("held_at", sent):
                score += 0.1  # "在宁夏银川召开" says where; a province named in passing does not
            if best is None or score > best[0]:
                best = (score, FactEvidence(sent, m.group(0), i))
    return best[1] if best else None


def _in_header(index: KnowledgeIndex, sentence: str) -> bool:
    """Whether the sentence is (part of) a document's header line: its dateline, source or title."""
    def build() -> tuple[str, ...]:
        return tuple(line for text, _ in index.chunks.values() for line in text.splitlines()
                     if index.lexicon.cue("header_line", line))
    bare = sentence.strip(" ；;。")
    return bool(bare) and any(bare in line for line in index.memo("header-lines", "", build))


def _dates_its_document(index: KnowledgeIndex, fact: FactType, terms: QuestionTerms, context: str) -> bool:
    """A date line of a document answers "哪年印发的" when the question is about that document (its title)."""
    return fact.name in ("year", "start_year", "day", "when") and bool(context) and terms.coverage(context) >= 0.75


def _about(index: KnowledgeIndex, terms: QuestionTerms, sentence: str, context: str, cov: float) -> bool:
    """Whether a sentence (with its clause's or document's title) is about what the question asks: it carries
    every specific word of the question ("几个直供基地": 直供 and 基地's kin, not just 农产品), or, when the question has
    none, half of its words, at least one of them in the sentence itself."""
    text = sentence + "\n" + context  # `cov` is the question terms' coverage of this text
    specific = [g for g in terms.groups if g.weight >= specific_weight(index) and g.names_thing]
    if specific:
        return cov >= 0.34 and all(g.found_in(text.lower()) for g in specific)
    return cov >= 0.5 and bool(terms.matched(sentence))


def unknown_category(index: KnowledgeIndex, question: str) -> str | None:
    """The category a question asks members of when no document ever names it ("专柜开在哪几个商场" → 商场,
    "发到哪个邮箱"): the documents cannot say which ones."""
    lex = index.lexicon
    for m in lex.cue_all("category_ask", question):
        nouns: list[str] = []
        for tok, tag in index.tokenizer.tagged(question[m.end():]):
            if tag[:1] != "n" or len(nouns) == 2:
                break
            nouns.append(tok)
        noun = "".join(nouns)
        if len(noun) >= 2 and lex.cue("named_category", noun) and noun not in lex.generic \
                and not index.mentions(noun) and not any(word in noun for word in lex.synonyms):  # 厂子 = 企业
            return noun
    return None


def asked_instances(index: KnowledgeIndex, question: str) -> str | None:
    """The category whose members a question asks to be named ("具体是哪两个科室" → 科室), or None."""
    m = index.lexicon.cue("instances_ask", question)
    if not m:
        return None
    groups = m.groupdict()
    noun = next((g for g in (groups.get(f"noun{i}") for i in ("", "2", "3", "4", "5", "6", "7", "8")) if g), "")
    noun = re.sub(r"[啊呀呢吗的了？?]+$", "", noun)
    if any(groups.get(f"noun{i}") for i in (4, 5, 7, 8)):  # "哪所学校", "哪个镇": categories whose members have names
        heads = (noun[i:j] for j in range(len(noun), 0, -1) for i in range(j))  # 医院结对 → 医院
        return next((h for h in heads if index.lexicon.cue("member_suffix_categories", h)), None)
    if index.lexicon.cue("measure_words", noun):
        noun = ""
    if not noun:  # "示范标杆学校具体是哪几所": the noun stands before the ask
        before = [t for t, tag in index.tokenizer.tagged(question[:m.start()]) if tag.startswith("n") and len(t) >= 2]
        noun = before[-1] if before else ""
    return noun[-2:] if noun else None


def asked_count(index: KnowledgeIndex, question: str) -> int:
    """How many members the question says there are ("具体是哪四方" → 4), 0 when it does not say."""
    m = index.lexicon.cue("instances_ask", question)
    n = re.search(r"哪([两三四五六七八九十])", m.group(0)) if m else None
    return "两三四五六七八九十".index(n.group(1)) + 2 if n else 0


def lists_at_least(sentence: str, count: int, terms: QuestionTerms) -> bool:
    """Whether a clause of the sentence that carries a question word lists `count` things (A、B、C…)."""
    return any(len(run.split("、")) >= count and terms.matched(run) for run in re.findall(r"[^，。；：:]+", sentence))


def asked_name(index: KnowledgeIndex, question: str) -> str | None:
    """The thing whose name a question asks ("重点劳务品牌都叫啥名字" → 劳务品牌): its last one or two nouns."""
    if re.search(r"[“「\"]", question):  # "“苏超”是什么": a named thing is asked about, not for its name
        return None
    m = index.lexicon.cue("name_ask", question)
    if not m:
        return None
    after = index.tokenizer.tagged(question[m.end():])
    if after and len(after[0][0]) >= 2 and (after[0][1][:1] == "n" or after[0][1] == "vn"):  # "叫啥行动": it follows
        return after[0][0]
    before = index.tokenizer.tagged(re.sub(r"(?:这个|那个|这些|那些|的|都|具体)+$", "", question[:m.start()]))
    nouns: list[str] = []
    for tok, tag in reversed(before):
        if not (tag.startswith("n") or tag == "vn") or len(tok) < 2 or tok in index.lexicon.generic or len(nouns) == 2:
            break
        nouns.insert(0, tok)
    return "".join(nouns) or None


def gives_name(index: KnowledgeIndex, sentence: str, thing: str) -> bool:
    """Whether a sentence gives the name of `thing`: a quoted name right before it (“苏社有为共振兴”公益品牌),
    the thing said in the plan's words ("公益牌子" → 公益品牌)."""
    spellings = {thing}
    for word, terms in index.lexicon.expansions(thing).items():
        spellings |= {s.replace(word, t) for s in spellings for t in terms}
    # “苏社有为共振兴”公益品牌 (the thing after the quotes) or “苏青银铃行动” (the name ends with it)
    return any(re.search(rf"[”」》][\u4e00-\u9fa5]{{0,4}}{re.escape(s)}|[“「《][^”」》]{{1,20}}{re.escape(s)}[”」》]",
                         sentence)
               for s in spellings)


def names_members(index: KnowledgeIndex, sentence: str, noun: str) -> bool:
    """Whether a sentence names members of the category: a list of them ("心内科、骨科") or a quoted name before it.

    Members of most categories do not carry its name (特色产品: 腊肉、茶叶): any list counts for those.
    """
    for place in index.places:  # "镇巴县、尖扎县" is where, not which ones
        sentence = sentence.replace(place, "")
    if not index.lexicon.cue("member_suffix_categories", noun):
        # items may be quoted formulas: “江苏企业+协作地资源”、“江苏研发+协作地制造”
        return bool(re.search(r"[\u4e00-\u9fa5][\u4e00-\u9fa5\w+＋·]{1,14}[”」]?、[“「]?[\u4e00-\u9fa5]{2}", sentence))
    head = noun[:1]
    listed = re.search(rf"[\u4e00-\u9fa5]{{1,10}}{head}[\u4e00-\u9fa5]?、[\u4e00-\u9fa5]{{1,10}}{head}", sentence)
    quoted = re.search(rf"”[\u4e00-\u9fa5]{{0,4}}{re.escape(noun)}", sentence)  # “苏社有为共振兴”公益品牌
    return bool(listed or quoted)


def lists_after_verb(index: KnowledgeIndex, question: str, sentence: str) -> bool:
    """Whether the sentence lists three or more things right after the verb the question asks with
    ("要求加强哪几方面" → "加强产业合作、资源互补、劳务对接"): the list is the answer."""
    m = index.lexicon.cue("list_ask", question)
    if not m:
        return False
    verb = re.escape(m.group("verb"))
    return bool(re.search(rf"{verb}[^，。；;]{{0,6}}?(?:[\u4e00-\u9fa5“”]{{2,10}}、){{2,}}", sentence))
