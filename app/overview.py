"""Questions about the plan itself (what it covers, its parts, counts, partners, status, basis, year, who leads overall)."""

from __future__ import annotations

import re

from ingest.glossary import Glossary
from ingest.phrasebook import Phrasebook
from ingest.phrasebook import load as load_phrasebook
from retriever.index import KnowledgeIndex
from retriever.understand import ParsedQuestion

from .definitions import (
    asked_phrase,
    chunk_citation,
    relation_answer,
    relation_pair,
    resolve,
    several_terms,
    term_or_phrase_answer,
    terms_answer,
)
from .gate import aside_start, has_own_topic, question_terms
from .models import Answer, Citation
from .planfacts import asked_together, drop_title_words, issued_answer, read_facts, together

# one topic per question, the most specific first
# facts about the document that are asked together ("哪年的，帮哪些地方"); the parts and summaries overlap instead
FACT_TOPICS = ("issuer", "issued", "locality", "partners", "status", "basis", "year", "counts", "overall")
# facts that may be asked together with another in one message
COMBINED_TOPICS = (*FACT_TOPICS, "summary", "structure")
TOPIC_ORDER = ("usage", "overall", "issuer", "issued", "locality", "partners", "status", "basis", "year", "terms", "counts", "structure", "focus",
               "summary")


class Guide:
    """Overview and glossary answers over one KnowledgeIndex (rebuilt with it, so it follows re-indexing)."""

    def __init__(self, index: KnowledgeIndex, phrasebook: Phrasebook | None = None):
        self.index = index
        self.phrasebook = phrasebook or load_phrasebook()
        self.cues = self.phrasebook.questions
        self.glossary = Glossary.build(((cid, t, m) for cid, (t, m) in index.chunks.items()), index.plan_doc,
                                       self.phrasebook.glossary)
        self.facts = read_facts(index, self.cues, self.glossary)

    # --- routing --------------------------------------------------------------------------------
    def answer(self, q: ParsedQuestion, query: str) -> Answer | None:
        """An overview or glossary answer, or None to let retrieval answer."""
        has_ref = bool(q.units or q.items or q.sections)
        pair = relation_pair(self.cues, query)
        if pair and not has_ref:
            return relation_answer(self.index, self.glossary, self.cues, *pair)
        asked = asked_phrase(self.cues, query)
        bare = query.strip(" ？?。！!呢吗“”「」\"")
        if not asked and self.glossary.get(bare) is not None:  # '心佑工程？' asks what the term is
            asked = bare
        listed = several_terms(self.glossary, self.cues, asked) if asked and not has_ref else []
        if listed:
            return terms_answer(self.index, self.glossary, listed)
        # a glossary term, or the programme's own name (东西部协作是个啥概念: the programme, not this plan)
        if asked and (resolve(self.glossary, self.cues, asked) is not None
                      or (not has_ref and self.cues.programme_words.fullmatch(asked))):
            return term_or_phrase_answer(self.index, self.glossary, self.cues, asked, has_ref)
        topics = self.topics(q.residue or query) if self.facts.tasks and not (q.units or q.items) else []
        if topics and q.sections:  # '第二部分讲的是什么': the part's own summary
            return self._section_summary(q.sections) if topics[0] in ("summary", "focus", "structure") else None
        if topics:
            return together([getattr(self, f"_{t}")() for t in topics])
        return term_or_phrase_answer(self.index, self.glossary, self.cues, asked, has_ref) if asked else None

    def topics(self, query: str) -> list[str]:
        """The document-level topics of a question, in the order to answer them, when nothing else is left in it
        once cue words are removed ([] otherwise)."""
        query = query[:aside_start(self.index.lexicon, query)]  # "…各部分讲啥，我做个表用": the asker's purpose
        query = self.index.parser.wording.self_intro.sub("", query)  # "我是科里的，…": who asks, not what
        hits = [t for t in TOPIC_ORDER if self.cues.topics[t].search(query)]
        if not hits:
            return []
        rest = query
        for t in hits:
            rest = self.cues.topics[t].sub("", rest)
        rest = drop_title_words(self.facts.title, self.cues.document_words.sub("", rest))
        rest = self.cues.filler.sub("", rest)
        if hits[0] == "usage":  # how to read the plan or ask here: the cue is specific enough on its own
            return ["usage"]
        # a long remainder only counts when it speaks of the corpus ("想做个专题片，先问问…" is the asker's business)
        counted = hits[0] in ("counts", "structure", "issued")  # "分成几个大部分": the number is the topic's own
        long = len(rest) > self.cues.residue_max and (question_terms(self.index, rest).domain or (
            not counted and self.index.lexicon.fact_type(query) is not None))
        if long or (rest and has_own_topic(self.index, rest)):
            return []  # "协作双方会商有啥要求" asks about 会商, not about who the partners are
        # "这份征求意见稿啥时候印发": the draft is named, its date is asked
        # "这个征求意见稿是不是发改委起草的": likewise its drafter
        answered = [t for t in hits if t != "status" or not {"issued", "issuer"} & set(hits)]
        # "是哪年的？主要帮哪些地方": facts about the document asked together, answered in the order asked
        return asked_together(self.cues.topics, query, [t for t in answered if t in COMBINED_TOPICS]) or answered[:1]


    # --- answers --------------------------------------------------------------------------------
    def _answer(self, lines: list[str], citations: list[Citation]) -> Answer:
        return Answer(question="", answer="\n".join(lines), found=True, mode="overview", citations=citations)

    def _preamble_cite(self) -> list[Citation]:
        f = self.facts
        return [chunk_citation(self.index, f.preamble_id, [f.preamble])] if f.preamble_id else []

    def _section_cites(self) -> list[Citation]:
        return [chunk_citation(self.index, s.chunk_id) for s in self.facts.sections if s.chunk_id in self.index.chunks]

    def outline_lines(self, with_titles: bool = True) -> list[str]:
        f = self.facts
        lines = []
        for s in f.sections:
            tasks = [t for t in f.tasks if t.item in s.items]
            span = f"第{s.items[0]}–{s.items[-1]}项" if len(s.items) > 1 else f"第{s.items[0]}项" if s.items else ""
            lines.append(f"- **{s.name}**（{len(tasks)} 项，{span}）")
            if with_titles:
                lines += [f"  - 第{t.item}项 {t.title}" for t in tasks]
        return lines

    def headline(self) -> str:
        f = self.facts
        kind = f"是一份{f.status}，" if f.status else ""
        return (f"《{f.title}》{kind}共 **{len(f.sections)}** 个部分、**{len(f.tasks)}** 项任务、"
                f"**{len(f.units)}** 个责任单位。")

    def _summary(self) -> Answer:
        f = self.facts
        lines = [self.headline()]
        if f.preamble:
            lines += ["", f"> {f.preamble}"]
        if f.partners:
            lines += ["", f"协作地区：{'、'.join(p for p, _ in f.partners)}。"]
        lines += ["", "各部分及任务："] + self.outline_lines()
        return self._answer(lines, self._preamble_cite() + self._section_cites())

    def _focus(self) -> Answer:
        f = self.facts
        lines = [f"要点把全年工作分成 **{len(f.sections)}** 个部分（共 {len(f.tasks)} 项任务）：", *self.outline_lines()]
        return self._answer(lines, self._section_cites())

    def _structure(self) -> Answer:
        f = self.facts
        lines = [f"要点分为 **{len(f.sections)}** 个部分、共 **{len(f.tasks)}** 项任务：", *self.outline_lines()]
        return self._answer(lines, self._section_cites())

    def _counts(self) -> Answer:
        f = self.facts
        lines = [f"要点共有 **{len(f.tasks)}** 项任务，分属 {len(f.sections)} 个部分；责任单位共 **{len(f.units)}** 个：",
                 "、".join(f.units) + "。"]
        if f.universal:
            lines.append(f"\n其中{'、'.join(f.universal)}是全部 {len(f.tasks)} 项任务的责任单位。")
        lines += ["", *self.outline_lines(with_titles=False)]
        return self._answer(lines, self._section_cites())

    def _partners(self) -> Answer:
        f = self.facts
        if not f.partners:
            return self._answer(["要点中没有反复出现的协作地区名称。"], [])
        names = "、".join(p for p, _ in f.partners)
        lines = [f"要点中的协作地区是 **{names}**（{'，'.join(f'{p}出现 {n} 次' for p, n in f.partners)}）。"]
        if f.abbreviations:
            lines.append(f"前言称这项工作为“{'、'.join(f.abbreviations)}东西部协作”；要点没有写明这些简称分别对应哪个县。"
                         if f.abbreviations and all(a in f.preamble for a in f.abbreviations) else
                         f"要点中出现的协作简称：{'、'.join(f.abbreviations)}。")
        if f.preamble:
            lines += ["", f"> 前言：{f.preamble}"]
        cites = self._preamble_cite()
        for place, _ in f.partners:
            first = next((t for t in f.tasks if place in t.text), None)
            if first and all(c.item != first.item for c in cites):
                cites.append(chunk_citation(self.index, first.chunk_id, [s for s in re.split(r"(?<=。)", first.text)
                                                                         if place in s][:1]))
        return self._answer(lines, cites)

    def _section_summary(self, numbers: list[int]) -> Answer | None:
        f = self.facts
        lines, cites = [], []
        for s in (s for s in f.sections if s.number in numbers):
            tasks = [t for t in f.tasks if t.item in s.items]
            intro = s.text.split("\n", 1)[-1] if "\n" in s.text else ""
            lines += [f"**{s.name}**（{len(tasks)} 项任务）", "", f"> {intro}" if intro else "", ""]
            lines += [f"- 第{t.item}项 {t.title}（牵头：{t.lead_unit}）" for t in tasks]
            cites += [chunk_citation(self.index, s.chunk_id, [intro] if intro else [])]
            cites += [chunk_citation(self.index, t.chunk_id) for t in tasks]
        return self._answer(lines, cites) if cites else None

    def _issuer(self) -> Answer:
        """Who drafted or issued it: the plan does not say, so this is a refusal that names the title."""
        f = self.facts
        return Answer(question="", answer=f"要点及相关文件中没有写明这份要点的起草或印发单位、执笔人。标题是《{f.title}》。",
                      found=False, mode="refusal")

    def _issued(self) -> Answer:
        return issued_answer(self.index, self.facts.title)

    def _locality(self) -> Answer:
        f = self.facts
        return self._answer([f"标题写明了所在地区：《{f.title}》。"], self._preamble_cite())

    def _terms(self) -> Answer:
        """The glossary, task by task: what the plan names with quotes, 行动/工程 names and abbreviations."""
        terms = self.glossary.terms
        if not terms:
            return self._answer(["要点中没有找到专有名称或简称。"], [])
        lines = [f"要点中的专有名称和简称共 {len(terms)} 个（按出现顺序；问“X是什么”可看出处和说明）："]
        for term in terms:
            where = "、".join(f"第{i}项" for i in term.items) or "前言/部分说明"
            lines.append(f"- {term.name}（{where}）" + ("" if term.explained else "——语料未解释"))
        cites = []
        for term in terms:
            for s in term.mentions:
                if s.chunk_id in self.index.chunks and all(c.text != self.index.chunks[s.chunk_id][0] for c in cites):
                    cites.append(chunk_citation(self.index, s.chunk_id))
        return self._answer(lines, cites[:8])

    def _usage(self) -> Answer:
        """"我该去哪查我们单位要干的活": where the plan states duties, and how to ask for them here."""
        f, ask = self.facts, self.cues.followups
        unit = next((u for u in f.units if u not in f.universal), f.units[0] if f.units else "")
        lines = ["每项任务末尾的“责任单位”写明了负责的单位，列第一位的单位通常视为牵头。"]
        # the plan's own wording, e.g. "…等按职责分工负责（以下…均为责任单位，不再列出）"
        first = next((t for t in f.tasks if t.unit_text and t.chunk_id in self.index.chunks), None)
        if first:
            lines += ["", f"> 第{first.item}项：{first.unit_text}", "",
                      "“等按职责分工负责”是说所列单位按各自职责分工负责，不是一个单位名称。"]
        lines.append("在这里可以直接问：")
        if unit:
            lines.append(f"- 本单位的全部任务：“{ask['unit_tasks'].format(unit=unit)}”")
        if f.tasks:
            lines.append(f"- 某项任务由谁负责：“{ask['task_who'].format(item=f.tasks[0].item)}”")
        if f.sections:
            lines.append(f"- 某部分的任务：“{ask['section_tasks'].format(section=f.sections[0].name)}”")
        if f.universal:
            lines.append(f"\n{'、'.join(f.universal)}是全部 {len(f.tasks)} 项任务的责任单位。")
        cites = [chunk_citation(self.index, first.chunk_id)] if first else self._preamble_cite()
        return self._answer(lines, cites)

    def _status(self) -> Answer:
        f = self.facts
        info = self.index.plans.info(self.index.plan_doc)
        final = info is not None and info.rank == max(r for _, r, _ in self.index.plans.vocab.versions)
        if not f.status:
            note = "，按正式印发的文本对待" if final else ""
            return self._answer([f"《{f.title}》的标题中没有标注征求意见稿、送审稿等稿次{note}。"], self._preamble_cite())
        lines = [f"标题写明这是“**{f.status}**”：《{f.title}》。"]
        if not final:  # a draft: say so, and that the issued text may differ
            lines.append(f"{f.status}不是正式印发的文件；正式稿的内容和任务编号可能不同，引用时请注明“{f.status}”。")
        return self._answer(lines, self._preamble_cite())

    def _basis(self) -> Answer:
        f = self.facts
        if not f.preamble:
            return self._answer(["要点没有前言，未写明制定依据。"], [])
        return self._answer(["要点的前言写明了目的和依据：", "", f"> {f.preamble}"], self._preamble_cite())

    def _year(self) -> Answer:
        f = self.facts
        text = f"这是 **{f.year}年** 的工作要点：《{f.title}》。" if f.year else f"标题中没有年份：《{f.title}》。"
        lines = [text] + ([f"\n> {f.preamble}"] if f.preamble else [])
        return self._answer(lines, self._preamble_cite())

    def _overall(self) -> Answer:
        f = self.facts
        lines = ["要点没有指定一个“总负责”的单位，统筹和保障由以下几处写明："]
        cites: list[Citation] = []
        if f.universal:
            first = f.tasks[0]
            lines.append(f"- {'、'.join(f.universal)}是全部 {len(f.tasks)} 项任务的责任单位"
                         f"（第{first.item}项责任单位中的统一说明）。")
        guard = [s for s in f.sections if self.cues.overall_section.search(s.name)]
        for s in guard:
            tasks = [t for t in f.tasks if t.item in s.items]
            lines.append(f"- **{s.name}**（第{s.items[0]}–{s.items[-1]}项）：")
            for t in tasks:
                lines.append(f"  - 第{t.item}项 {t.title} — 牵头：{t.lead_unit}；责任单位：{'、'.join(t.units)}")
                cites.append(chunk_citation(self.index, t.chunk_id))
        if not guard and not f.universal:
            return self._answer(["要点没有写明总负责或统筹的单位。"], [])
        return self._answer(lines, cites)

    # --- for the 入门 tab -------------------------------------------------------------------------
    def summary_markdown(self) -> str:
        """The one-screen summary: headline, preamble, partners, parts with their task counts."""
        f = self.facts
        if not f.tasks:
            return "索引中还没有工作要点。"
        lines = [self.headline()]
        if f.preamble:
            lines += ["", f"> {f.preamble}"]
        if f.partners:
            lines += ["", f"**协作地区**：{'、'.join(p for p, _ in f.partners)}　**年度**：{f.year or '—'}　"
                          f"**状态**：{f.status or '—'}"]
        lines += ["", *self.outline_lines(with_titles=False)]
        return "\n".join(lines)
