"""Route a question to an exact record lookup, hybrid retrieval or a refusal; resolve follow-ups."""

from __future__ import annotations

import logging
import re
import time

from retriever import query as query_layer
from retriever.index import KnowledgeIndex
from retriever.lexicon import Lexicon
from retriever.plans import PlanScope, PlanView
from retriever.understand import ParsedQuestion

from . import lookup
from .extractive import describing_sentence, precheck, retrieval_answer, tasks_described
from .facts import asked_instances
from .gate import OWN_TOPIC_IDF, has_own_topic, question_terms
from .models import Answer, DialogueContext
from .multipart import answer_parts, merge_fragments, split_parts
from .overview import Guide
from .setanswers import set_answer
from .versions import asks_for_changes, change_answer, note_plan

log = logging.getLogger(__name__)

_MARKUP = re.compile(r"</?[a-zA-Z][^<>\n]{0,200}>")

_LOOKUP_INTENTS = {"tasks", "count", "together", "alone", "lead", "list", "full_name"}


def strip_instructions(text: str, lexicon: Lexicon) -> tuple[str, bool]:
    """Drop clauses that carry instructions (prompt injection); report whether any were found."""
    clauses = re.split(r"(?<=[，,。！!；;])|(?=【)", text)
    kept = [c for c in clauses if not lexicon.cue("injection", c)]
    cleaned = "".join(kept).strip("，,。 ")
    return (cleaned or text), len(kept) != len(clauses)


class Answerer:
    """Answers one question at a time from a KnowledgeIndex; holds no per-user state."""

    def __init__(self, index: KnowledgeIndex, max_chars: int = 500, top_k: int = 5, phraser=None,
                 guide: Guide | None = None):
        self.index = index
        self.guide = guide or Guide(index)  # overview and glossary answers, rebuilt with each index
        self.max_chars = max_chars
        self.top_k = top_k
        self.phraser = phraser  # optional LLM rewording, see app.llm
        self._guides: dict[str, Guide] = {}  # overviews of plans other than the default, by document id

    def answer(self, question: str, context: DialogueContext | None = None, rephrase: bool = True) -> Answer:
        """Answer one question; `rephrase=False` skips the optional LLM (checking a suggestion needs no wording)."""
        started = time.perf_counter()
        result = self._answer(question if isinstance(question, str) else "", context)
        if rephrase and self.phraser is not None and result.found and result.mode == "retrieval":
            result = self.phraser.rephrase(result)
        result.ms = (time.perf_counter() - started) * 1000
        return result

    def _answer(self, question: str, context: DialogueContext | None) -> Answer:
        text = re.sub(r"\s+", " ", question).strip()
        if not text:
            return Answer(question=question, answer="请输入一个问题，例如：区总工会负责哪些任务？", found=False,
                          mode="refusal", notice="empty question")
        notice = ""
        if len(text) > self.max_chars:
            text = text[: self.max_chars]
            notice = f"问题过长，只按前 {self.max_chars} 个字回答。"
        if not len(self.index):
            return Answer(question=question, answer="索引为空：还没有导入任何文档。", found=False, mode="refusal",
                          notice="empty index")
        text = _MARKUP.sub(" ", text).strip() or text  # pasted tags are not words of the question
        cleaned, injected = strip_instructions(text, self.index.lexicon)
        if injected:
            notice = (notice + " " if notice else "") + "已忽略问题中试图改变回答规则的指令。"
        cleaned = self.index.lexicon.cue_sub("greeting", "", cleaned).strip() or cleaned
        cleaned = self.index.lexicon.cue_sub("background", "", cleaned).strip() or cleaned
        cleaned = self.index.parser.without_self_intro(cleaned)
        parts = split_parts(cleaned, self.index.parser, self.index.lexicon)
        parts = merge_fragments(parts, self.index.parser, self.index.lexicon,
                                lambda part: question_terms(self.index, part).topical)
        if len(parts) > 1:
            self.index.prefetch(parts)
            result = answer_parts(question, parts, self.index.parser, self.index.lexicon, self._single, context,
                                  has_topic=lambda part, floor=None: has_own_topic(self.index, part, floor))
        else:
            result = self._single(cleaned, context)
        result.question = question
        result.notice = " ".join(x for x in (notice, result.notice) if x)
        return result

    def _single(self, cleaned: str, context: DialogueContext | None) -> Answer:
        """One question (or one part of a multi-part question), read against the previous turn."""
        scope = self.index.plans.scope(cleaned)  # "2025年要点里…", "正式稿第7项"; else the newest plan
        if not scope.explicit and context is not None and context.plan in self.index.plans.infos:
            scope = PlanScope(doc=context.plan, explicit=True, text=cleaned)  # a follow-up stays in its plan
        if scope.explicit:
            q = self.index.plans.parser(scope.doc).parse(scope.text)
            query = scope.text
        else:
            q = self.index.parser.parse(cleaned)
            query = cleaned
        if context is not None:
            q, query = self._resolve_followup(q, query, context)
        changes = change_answer(self.index, scope, q) if asks_for_changes(self.index, cleaned) else None
        result = changes or self._route(q, query, scope.doc if scope.explicit else None)
        result = note_plan(self.index, scope, result)
        result.resolved_question = query
        items = list(q.items)
        if not items and result.mode == "retrieval" and result.citations and result.citations[0].item:
            items = [result.citations[0].item]  # "它的责任单位是谁" after "劳模疗休养是哪项工作"
        result.context = DialogueContext(question=query, units=q.units, items=items, sections=q.sections,
                                         intents=set(q.intents), mode=result.mode, listed=list(result.listed),
                                         plan=scope.doc if scope.explicit else "")
        return result

    def _resolve_followup(self, q: ParsedQuestion, text: str, ctx: DialogueContext) -> tuple[ParsedQuestion, str]:
        """'那区妇联呢' / '它的责任单位是谁' / '第二项呢' / '<另一个协作县>呢' read against the previous turn."""
        wording = self.index.parser.wording
        ordinal = wording.ordinal(text)
        if ctx.listed and ordinal is not None and len(ctx.listed) >= 2 and not q.units:
            # after a list, "第二项呢" means the list's second entry, not the plan's task 2
            if abs(ordinal) <= len(ctx.listed) and ordinal != 0:
                entry = ctx.listed[ordinal - 1 if ordinal > 0 else -1]
                q.items, q.sections, q.units = ([entry], [], []) if isinstance(entry, int) else ([], [], [entry])
                q.intents |= ctx.intents & {"who", "lead"} if isinstance(entry, int) else {"tasks"}
                place = "最后一个" if ordinal < 0 else f"第{ordinal}个"
                task = self.index.records.task(entry) if isinstance(entry, int) else None
                shown = f"第{entry}项 {task.title}" if task else str(entry)
                plan_note = f"，不是要点的第{ordinal}项" if task and 0 < ordinal != entry else ""
                q.notes.append(f"按上一条回答列表中的{place}（{shown}）理解{plan_note}。")
                return q, text
        listed_tasks = [e for e in ctx.listed if isinstance(e, int)]
        if listed_tasks and wording.within.search(text):  # "其中哪些是发改委牵头的": among the tasks just listed
            q.within = listed_tasks
            q.notes.append(f"只在上一条列出的 {len(listed_tasks)} 项任务中找。")
        has_ref = bool(q.units or q.items or q.sections)
        if not has_ref and ctx.listed and wording.plural_pronoun.search(text):
            entries = list(ctx.listed)  # "它们的牵头单位": every entry of the list just shown
            if all(isinstance(e, int) for e in entries):
                q.items = entries
            else:
                q.units = [e for e in entries if isinstance(e, str)]
            q.notes.append("按上一条回答所列的全部" + ("任务" if q.items else "单位") + "理解。")
            return q, text
        if q.units and not q.items and len(ctx.items) == 1 and wording.membership_ask.search(text) \
                and (re.search(r"[这那该此]一?[条项]", text) or not {"tasks", "count", "list"} & q.intents):
            q.items = list(ctx.items)  # "发改委在不在这条里": on the task just answered
            return q, text
        if not has_ref and listed_tasks and re.search(r"[这那该此](?:一|几|两)?[条项]", text):
            q.items = listed_tasks  # "这一条还有哪些单位": the task the answer before listed, not its unit
            return q, text
        if not has_ref and self.index.lexicon.cue("pronoun", text) and not question_terms(self.index, text).topical:
            if ctx.items and ({"who", "lead"} & q.intents or not ctx.units):
                q.items = list(ctx.items)
            elif ctx.units:
                q.units = list(ctx.units)
            elif ctx.sections:
                q.sections = list(ctx.sections)
            return q, text
        if has_ref and q.is_bare_reference and ctx.intents:
            # keep the previous question's intent for the new reference
            q.intents |= ctx.intents - {"section_of"} if q.units else ctx.intents & {"who", "lead", "section_of"}
            if q.units and len(q.units) == 1 and "together" in ctx.intents and ctx.units:
                q.units = [ctx.units[0]] + q.units
            return q, text
        if not has_ref and ctx.question and len(text) <= 12 and text.rstrip("？?").endswith("呢"):
            places = sorted(self.index.places, key=len, reverse=True)
            place = next((p for p in places if p in text), None)
            if place:
                prev = ctx.question
                other = next((p for p in places if p in prev and p[:2] != place[:2]), None)
                query = prev.replace(other, place) if other else f"{prev} {place}"
                return self.index.parser.parse(query), query
        return q, text

    def _unit_on_described_task(self, book, q: ParsedQuestion) -> Answer | None:
        """"白内障那个卫健委也有份吗": the task its other words describe, and whether the unit is on it."""
        rest = q.residue.replace("\u0000", "")
        if not has_own_topic(self.index, rest, floor=OWN_TOPIC_IDF):  # 劳务 names a topic; 工作 or 任务 do not
            return None
        items = tasks_described(self.index, rest, k=self.top_k, tasks_only=True)
        first = book.task(items[0]) if items else None
        if first is None:
            return None
        return lookup.unit_on_task(book, q, q.units[0], first.item,
                                   describing_sentence(self.index, rest, first.chunk_id))

    def _described(self, book, q: ParsedQuestion, query: str) -> Answer | None:
        """"谁负责农文旅融合发展": find the task by its content, then answer from its record."""
        items = tasks_described(self.index, query, k=self.top_k, tasks_only=q.target == "tasks")
        if not items:
            return None
        q.items = items
        ans = lookup.item_answer(book, q)
        named = "、".join(f"第{i}项" for i in items)
        first = book.task(items[0])
        quote = describing_sentence(self.index, query, first.chunk_id) if first else ""
        said = f"> 第{items[0]}项原文：{quote}\n\n" if quote else ""  # the words that matched, as evidence
        ans.answer = f"按问题内容匹配到{named}：\n\n{said}{ans.answer}"
        return ans

    def guide_for(self, plan: str | None) -> Guide:
        """The overview of the plan a question named (built on first use), else the default plan's."""
        if not plan or plan == self.index.plan_doc:
            return self.guide
        if plan not in self._guides:
            self._guides[plan] = Guide(PlanView(self.index, plan))
        return self._guides[plan]

    def _route(self, q: ParsedQuestion, query: str, plan: str | None = None) -> Answer:
        """Records for exact questions, else overview/glossary, else retrieval; `plan` is a plan the question named."""
        result = self._route_records(q, query, plan)
        notes = lookup.reading_note(q) + "".join(f"（{n}）\n\n" for n in q.notes)
        if notes and result.found:
            result.answer = notes + result.answer
        return result

    def _route_records(self, q: ParsedQuestion, query: str, plan: str | None = None) -> Answer:
        book = self.index.plans.book(plan) if plan else self.index.records
        if not (q.units or q.items or q.sections) and self.index.lexicon.cue("pronoun", query) and len(query) <= 20 \
                and {"who", "lead", "tasks", "count"} & q.intents and not question_terms(self.index, query).topical:
            return Answer(question=q.text, answer="“它/这项”指的是哪一项任务或哪个单位？请说出任务序号（如“第7项”）"
                          "或单位名称（如“区总工会”）再问一次。", found=False, mode="refusal")
        fact = self.index.lexicon.fact_type(query)
        members = asked_instances(self.index, query)  # "哪家医院" asks names; "分别是哪几条" asks the records
        if book and ((fact is not None and fact.name != "quantity")
                     or (members and not re.fullmatch(r"[条项块]|任务|单位|部门|部分", members))):
            book = None  # "专班的组长由哪位领导担任", "医疗帮扶派多少名医生": a fact about a unit or task, not a record
        if book:
            wording = self.index.parser.wording
            spec = None if q.ambiguous else query_layer.plan_query(q, book, wording)
            if spec is not None:
                return set_answer(book, q, query_layer.run(book, spec, wording))
            wants_units = bool({"who", "lead"} & q.intents)
            if q.sections and wants_units and not (q.items or q.units) and "section_of" not in q.intents:
                # "消费帮扶那两条分别谁牵头": who is on each task of the part
                q.items = [i for n in q.sections if book.section(n) for i in book.section(n).items]
            if q.items and q.unknown_units and not wants_units:  # "那条里区税务局负责减税": no such unit there
                return lookup.unknown_unit(book, q)
            # "除了医疗帮扶还管了别的没": the unit's other tasks, not whether it is on the one named
            others_asked = bool(wording.others_ask.search(query))
            others = len(q.units) == 1 and not q.sections and others_asked
            yes_no = len(q.units) == 1 and bool(wording.membership_ask.search(query)) and not others_asked
            if yes_no and len(q.items) == 1:
                return lookup.unit_on_task(book, q, q.units[0], q.items[0])  # "第14条牵头是工商联吧"
            if q.items and not q.units and question_terms(self.index, query).absent:
                return precheck(self.index, q.text, query, need_domain=False)  # "跟新疆那个县的医疗帮扶": not the plan's
            # "发改委负责的第9条是啥内容": the task named, whatever unit the question names it by
            if q.items and (wants_units or not q.units or "section_of" in q.intents or q.asks_what):
                return lookup.item_answer(book, q)
            if q.ambiguous:
                return lookup.ask_which(book, q)
            if yes_no and not (q.items or q.sections):
                described = self._unit_on_described_task(book, q)
                if described is not None:
                    return described
                if not question_terms(self.index, q.residue or query).topical:
                    return lookup.unit_tasks(book, q)  # "文广旅局就管一条吗": its list answers, count included
            if len(q.units) == 1 and wording.is_collective(q.units[0]) and self.index.lexicon.cue("members_ask", query):
                return lookup.members_unlisted(book, q, q.units[0])  # "专班成员单位都有谁": no list in the plan
            if q.units and (_LOOKUP_INTENTS & q.intents or q.is_bare_reference or others):
                return lookup.unit_tasks(book, q)
            if q.sections and not q.units and ({"list", "count", "tasks"} & q.intents or q.is_bare_reference
                                               or q.asks_what):
                return lookup.section_answer(book, q)
            if q.unknown_units and ({"tasks", "count", "list"} & q.intents or q.is_bare_reference):
                return lookup.unknown_unit(book, q)
        spelled, fixes = self.index.spell(query)  # "医僧" → "医生": a misspelt word is no evidence of absence
        result = self._route_text(q, spelled, book, plan)
        if fixes and result.found:
            read = "，".join(f"「{w}」按「{r}」" for w, r in fixes)
            result.answer = f"（{read}理解。）\n\n{result.answer}"
        return result

    def _route_text(self, q: ParsedQuestion, query: str, book, plan: str | None = None) -> Answer:
        """Questions the records do not answer: the overview, a task described in words, or retrieval."""
        early = precheck(self.index, q.text, query, need_domain=False)  # the overview must not answer "通州和贵州哪个县结对"
        if early is not None:
            return early
        guided = self.guide_for(plan).answer(q, query)
        if guided is not None:
            return guided
        if book and {"who", "lead"} & q.intents and not (q.units or q.items or q.sections or q.unknown_units) \
                and asked_instances(self.index, query) is None and self.index.lexicon.fact_type(query) is None:
            # "哪家医院结对" asks for a name, "每个单位派几个人" for a number: not which task it is
            described = self._described(book, q, query)
            if described is not None:
                return described
        return retrieval_answer(self.index, q, query, k=self.top_k, plan=plan)
