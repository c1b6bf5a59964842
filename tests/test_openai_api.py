"""The OpenAI-compatible endpoint on the running page: the `openai` client, streamed and not, follow-ups, bad payloads."""

from __future__ import annotations

import json
import re
import shutil

import httpx
import pytest

from app.openai_format import mark_citations, parse_request
from ingest.settings import Settings

from .conftest import CORPUS
from .pages import serve_page

openai = pytest.importorskip("openai")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

QUESTION = "区总工会负责哪些任务"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    """The page served as `python -m app` serves it (fake embedder, real Chroma in a temp dir); stopped after."""
    root = tmp_path_factory.mktemp("openai")
    shutil.copytree(CORPUS, root / "corpus")
    (root / "corpus" / "related" / "markup_note.txt").write_text(
        "标题：牦牛产业推介会安排\n牦牛产业推介会定于2026年9月在坎布拉镇举办，<script>alert('x')</script>邀请区商务局参加。\n",
        "utf-8")
    demo, _, url = serve_page(Settings(data_dir=root / "data", corpus_dir=root / "corpus", _env_file=None))
    try:
        yield f"{url}/v1"
    finally:
        demo.close()


@pytest.fixture(scope="module")
def client(base_url):
    return openai.OpenAI(base_url=base_url, api_key="not-needed", max_retries=0, timeout=60)


def _markers(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"【(\d+)】", text)]


def test_models_lists_xiezuo_qa(client):
    assert [m.id for m in client.models.list()] == ["xiezuo-qa"]
    assert client.models.retrieve("xiezuo-qa").id == "xiezuo-qa"


def test_unit_question_through_the_openai_client(client):
    res = client.chat.completions.create(model="xiezuo-qa", messages=[{"role": "user", "content": QUESTION}])
    text = res.choices[0].message.content
    assert res.choices[0].finish_reason == "stop" and res.model == "xiezuo-qa"
    assert "第6项 落实政府帮扶机制" in text and "第7项 拓展深化产销对接" in text and "第8项" not in text
    cites = res.model_extra["citations"]
    assert [c["item"] for c in cites] == [6, 7] and [c["index"] for c in cites] == [1, 2]
    assert all("区总工会" in c["units"] and c["text"].startswith(f"{c['item']}. ") for c in cites)
    # markers after the lines they support, then the sources list that plain clients show
    assert re.search(r"第6项.*【1】\n.*第7项.*【2】", text)
    assert text.endswith("来源：\n- 【1】《2026年南通市通州区东西部协作工作要点（征求意见稿）》，三、消费帮扶增收行动，第6项\n"
                         "- 【2】《2026年南通市通州区东西部协作工作要点（征求意见稿）》，三、消费帮扶增收行动，第7项")
    assert res.usage.completion_tokens == len(text)


def test_streamed_reply_equals_the_plain_one(client):
    plain = client.chat.completions.create(model="xiezuo-qa", messages=[{"role": "user", "content": QUESTION}])
    stream = client.chat.completions.create(model="xiezuo-qa", messages=[{"role": "user", "content": QUESTION}],
                                            stream=True, stream_options={"include_usage": True})
    pieces, finish, cites, usage, objects = [], None, None, None, set()
    for chunk in stream:
        objects.add(chunk.object)
        if chunk.usage:
            usage = chunk.usage
        for choice in chunk.choices:
            pieces.append(choice.delta.content or "")
            if choice.finish_reason:
                finish, cites = choice.finish_reason, chunk.model_extra["citations"]
    text = "".join(pieces)
    assert objects == {"chat.completion.chunk"} and finish == "stop" and len(pieces) > 3
    assert text == plain.choices[0].message.content
    assert [c["item"] for c in cites] == [6, 7] and _markers(text)[:2] == [1, 2]
    assert usage.completion_tokens == len(text)


def test_raw_sse_ends_with_done(base_url):
    body = {"model": "xiezuo-qa", "stream": True, "messages": [{"role": "user", "content": QUESTION}]}
    with httpx.stream("POST", f"{base_url}/chat/completions", json=body, timeout=60) as res:
        assert res.status_code == 200 and res.headers["content-type"].startswith("text/event-stream")
        events = [line for line in res.iter_lines() if line]
    assert all(e.startswith("data: ") for e in events) and events[-1] == "data: [DONE]"
    first = json.loads(events[0][6:])
    assert first["choices"][0]["delta"]["role"] == "assistant"


def test_earlier_turns_resolve_follow_ups(client):
    messages = [{"role": "system", "content": "你是助手"},
                {"role": "user", "content": QUESTION},
                {"role": "assistant", "content": "……"},
                {"role": "user", "content": [{"type": "text", "text": "那区妇联呢"}]}]
    res = client.chat.completions.create(model="xiezuo-qa", messages=messages)
    assert [c["item"] for c in res.model_extra["citations"]] == [14, 15]
    assert "区妇联" in res.choices[0].message.content
    alone = client.chat.completions.create(model="xiezuo-qa", messages=[{"role": "user", "content": "那区妇联呢"}])
    assert alone.choices[0].message.content  # answered on its own too (a bare reference is still a lookup)


def test_retrieval_answer_and_refusal(client):
    res = client.chat.completions.create(model="xiezuo-qa", messages=[{"role": "user", "content": "劳模疗休养怎么安排"}])
    text = res.choices[0].message.content
    assert res.model_extra["citations"][0]["item"] == 6 and "【1】" in text and "来源：" in text
    assert re.search(r"^> .*疗休养.*【1】$", text, re.M)  # the quoted clause carries its marker
    refusal = client.chat.completions.create(model="xiezuo-qa",
                                             messages=[{"role": "user", "content": "协作资金总额是多少"}])
    assert refusal.model_extra["citations"] == [] and "来源：" not in refusal.choices[0].message.content


def test_markup_is_never_live(client):
    res = client.chat.completions.create(model="xiezuo-qa",
                                         messages=[{"role": "user", "content": "牦牛产业推介会在哪里举办<b>"}])
    text = res.choices[0].message.content + json.dumps(res.model_extra["citations"], ensure_ascii=False)
    assert "<script>" not in text and "<b>" not in text


@pytest.mark.parametrize(("payload", "status", "says"), [
    ({"messages": [{"role": "user", "content": QUESTION}]}, 400, "缺少 model"),
    ({"model": "gpt-4o", "messages": [{"role": "user", "content": QUESTION}]}, 404, "不存在"),
    ({"model": "xiezuo-qa"}, 400, "messages 必须是非空数组"),
    ({"model": "xiezuo-qa", "messages": []}, 400, "messages 必须是非空数组"),
    ({"model": "xiezuo-qa", "messages": ["区总工会"]}, 400, "必须是对象"),
    ({"model": "xiezuo-qa", "messages": [{"role": "boss", "content": "x"}]}, 400, "role 无效"),
    ({"model": "xiezuo-qa", "messages": [{"role": "user", "content": 7}]}, 400, "必须是字符串或内容数组"),
    ({"model": "xiezuo-qa", "messages": [{"role": "system", "content": "x"}]}, 400, "没有用户消息"),
    ({"model": "xiezuo-qa", "messages": [{"role": "user", "content": QUESTION}], "stream": "yes"}, 400, "stream"),
    ({"model": "xiezuo-qa", "messages": [{"role": "user", "content": QUESTION}], "n": 3}, 400, "n=1"),
    ([1, 2], 400, "JSON 对象"),
])
def test_bad_payloads_get_chinese_400s(base_url, payload, status, says):
    res = httpx.post(f"{base_url}/chat/completions", json=payload, timeout=30)
    assert res.status_code == status and says in res.json()["error"]["message"]


def test_broken_json_and_the_client_error(base_url, client):
    res = httpx.post(f"{base_url}/chat/completions", content=b"{not json", timeout=30,
                     headers={"content-type": "application/json"})
    assert res.status_code == 400 and "不是有效的" in res.json()["error"]["message"]
    with pytest.raises(openai.BadRequestError, match="没有用户消息"):
        client.chat.completions.create(model="xiezuo-qa", messages=[{"role": "assistant", "content": "你好"}])


def test_mark_citations_llm_numbers_and_unplaced_citations():
    from app.models import Citation

    cite = Citation(doc="d", title="T", section="", item=None, units=[], text="x", score=1.0)
    assert mark_citations("甲【来源2】乙【来源5】", [cite, cite]) == "甲【1】乙【2】"
    assert mark_citations("一句话。\n", [cite]) == "一句话。\n"  # not shown in the text: only in the sources list
    task = Citation(doc="d", title="T", section="三、消费帮扶增收行动", item=7, units=[], text="7. x", score=1.0)
    two_parts = "**（1）**\n- **第7项 拓展**（三） — 参与\n\n**（2）**\n\n**第7项 拓展**\n- 牵头单位：甲"
    assert mark_citations(two_parts, [task]).count("【1】") == 2
    assert mark_citations("- 第7项 拓展（牵头：甲）\n- 第8项", [task]) == "- 第7项 拓展（牵头：甲）【1】\n- 第8项"
    assert parse_request({"model": "xiezuo-qa", "messages": [{"role": "user", "content": str(i)} for i in range(9)]
                          }).earlier == ["4", "5", "6", "7"]


def test_odd_text_is_cleaned_not_fatal(base_url):
    raw = '{"model": "xiezuo-qa", "messages": [{"role": "user", "content": "\\ud800区总工会负责哪些任务"}]}'
    res = httpx.post(f"{base_url}/chat/completions", content=raw.encode(), timeout=30)
    assert res.status_code == 200
    assert [c["item"] for c in res.json()["citations"]] == [6, 7]
    assert res.json()["choices"][0]["message"]["content"].startswith("（提示：")


def test_a_failing_answer_is_an_openai_style_500():
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from app.openai_api import make_openai_router

    class Broken:
        def ask(self, question, context=None):
            raise RuntimeError("store exploded")

    app = FastAPI()
    app.include_router(make_openai_router(Broken()))
    res = TestClient(app).post("/v1/chat/completions",
                               json={"model": "xiezuo-qa", "messages": [{"role": "user", "content": QUESTION}]})
    assert res.status_code == 500 and "内部错误" in res.json()["error"]["message"]
    assert "exploded" not in res.text
