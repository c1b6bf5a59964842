"""Optional LLM phrasing with a fake chat model: verified citations kept, anything else falls back."""

from __future__ import annotations

import time

from langchain_core.language_models.fake_chat_models import FakeListChatModel

from app.llm import LLMPhraser, make_phraser
from app.models import Answer, Citation
from ingest.settings import Settings


def _answer() -> Answer:
    cites = [Citation(doc="plan", title="要点", section="三、消费帮扶增收行动", item=6, units=["区总工会"],
                      text="组织各级劳模、职工等赴镇巴县、尖扎县符合条件的疗休养基地开展疗休养。", score=1.0),
             Citation(doc="plan", title="要点", section="三、消费帮扶增收行动", item=7, units=["区总工会"],
                      text="开展消费帮扶新春、金秋行动。", score=0.5)]
    return Answer(question="劳模疗休养是哪项工作", answer="extractive", found=True, mode="retrieval", citations=cites)


def test_verified_citations_are_kept_and_narrowed():
    model = FakeListChatModel(responses=["这是第6项的内容：组织劳模赴协作地区疗休养【来源1】。"])
    out = LLMPhraser(model).rephrase(_answer())
    assert out.answer.startswith("这是第6项") and [c.item for c in out.citations] == [6]


def test_unknown_or_missing_citation_falls_back():
    for reply in ["组织劳模疗休养【来源3】。", "组织劳模疗休养。"]:
        out = LLMPhraser(FakeListChatModel(responses=[reply])).rephrase(_answer())
        assert out.answer == "extractive" and len(out.citations) == 2


class _Broken:
    def invoke(self, messages):
        raise ConnectionError("endpoint down")


class _Slow:
    def invoke(self, messages):
        time.sleep(2)
        return "太慢了【来源1】"


def test_error_and_timeout_fall_back():
    assert LLMPhraser(_Broken()).rephrase(_answer()).answer == "extractive"
    started = time.perf_counter()
    assert LLMPhraser(_Slow(), timeout_s=0.2).rephrase(_answer()).answer == "extractive"
    assert time.perf_counter() - started < 1.5


def test_prompt_carries_only_the_clauses_and_the_rules():
    seen = {}

    class _Spy:
        def invoke(self, messages):
            seen["messages"] = messages
            return "好的【来源2】"

    LLMPhraser(_Spy()).rephrase(_answer())
    system, human = seen["messages"]
    assert "只能依据给出的条款" in system[1] and "【来源1】" in human[1] and "开展消费帮扶新春" in human[1]


def test_off_by_default():
    assert make_phraser(Settings(_env_file=None)) is None
