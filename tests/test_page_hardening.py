"""The served page under hostile use: the public upload route, odd /answer payloads, markup in API answers."""

from __future__ import annotations

import json

import httpx
import pytest

from ingest.settings import Settings

from .pages import serve_page

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

MARKUP_DOC = ("标题：牦牛产业推介会安排\n牦牛产业推介会定于2026年9月在坎布拉镇举办，"
              "<script>alert('x')</script>邀请<b>区商务局</b>参加。\n")


def _serve(tmp_path, corpus_dir, **overrides):
    return serve_page(Settings(data_dir=tmp_path / "data", corpus_dir=corpus_dir, _env_file=None, **overrides))


@pytest.fixture
def closed_page(tmp_path, corpus_dir):
    (corpus_dir / "related" / "markup_note.txt").write_text(MARKUP_DOC, "utf-8")
    demo, service, url = _serve(tmp_path, corpus_dir, admin_password=None)
    try:
        yield service, url
    finally:
        demo.close()


@pytest.fixture
def open_page(tmp_path, corpus_dir):
    demo, service, url = _serve(tmp_path, corpus_dir, admin_password="pw", upload_cache_max_files=2,
                                upload_cache_max_mb=1)
    try:
        yield service, demo, url
    finally:
        demo.close()


def _upload(url: str, name: str, data: bytes) -> httpx.Response:
    return httpx.post(f"{url}/gradio_api/upload", files={"files": (name, data, "text/plain")}, timeout=30)


def test_upload_route_refused_while_admin_is_disabled(closed_page):
    _, url = closed_page
    res = _upload(url, "a.txt", "正文。".encode())
    assert res.status_code == 403 and "上传已停用" in res.text


def test_upload_cache_is_bounded_in_count_and_size_and_pruned(open_page):
    _, demo, url = open_page
    first = _upload(url, "a.txt", b"a" * 1000)
    assert first.status_code == 200, first.text
    stored = first.json()[0]
    big = _upload(url, "big.txt", b"b" * (1024 * 1024))  # with the first one, over the 1 MB total
    assert big.status_code == 429 and "上传缓存已满" in big.text
    assert _upload(url, "b.txt", b"b" * 10).status_code == 200
    third = _upload(url, "c.txt", b"c" * 10)  # over the count limit of 2
    assert third.status_code == 429
    cache = demo.upload_cache
    cache.ttl_s = 0  # expired: the next upload attempt prunes the old files first
    import time

    time.sleep(0.05)
    again = _upload(url, "d.txt", b"d" * 10)
    assert again.status_code == 200, again.text
    from pathlib import Path

    assert not Path(stored).exists()
    # an expired upload also goes when other requests arrive, with no further upload
    late = again.json()[0]
    cache.prune_now_and_then(every_s=0)
    assert not Path(late).exists()
    again = _upload(url, "e.txt", b"e" * 10)
    cache.ttl_s = 3600
    # the admin handler removes an upload from the cache as soon as it has read it
    path = again.json()[0]
    demo.panels["documents"].upload([path], "wrong password", client="10.0.0.9")
    assert not Path(path).exists()


def _call_answer(url: str, payload) -> dict:
    """The raw Gradio HTTP API (what any client can send), not gradio_client's typed wrapper."""
    body = json.dumps({"data": payload})  # ASCII escapes, so a lone surrogate travels as "\\ud800"
    res = httpx.post(f"{url}/gradio_api/call/answer", content=body, timeout=30,
                     headers={"content-type": "application/json"})
    res.raise_for_status()
    event_id = res.json()["event_id"]
    with httpx.stream("GET", f"{url}/gradio_api/call/answer/{event_id}", timeout=60) as stream:
        lines = [line for line in stream.iter_lines() if line.startswith("data:")]
    return {"raw": lines[-1][5:].strip()}


def test_answer_api_takes_any_payload_and_escapes_markup(closed_page):
    _, url = closed_page
    out = json.loads(_call_answer(url, [[123]])["raw"])[0]
    assert out["mode"] == "refusal" and "文字" in out["answer"] and "TypeError" not in json.dumps(out)
    out = json.loads(_call_answer(url, ["\ud800区总工会负责哪些任务"])["raw"])[0]
    assert [c["item"] for c in out["citations"]] == [6, 7] and "无法识别的字符" in out["notice"]
    out = json.loads(_call_answer(url, ["牦牛产业推介会在哪里举办<img src=x>"])["raw"])[0]
    text = json.dumps(out, ensure_ascii=False)
    assert out["found"] and out["citations"][0]["doc"] == "markup_note"
    assert "<script>" not in text and "<b>" not in text and "<img" not in text
    assert "&lt;script&gt;" in out["citations"][0]["text"]
