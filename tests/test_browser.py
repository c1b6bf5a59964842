"""End to end in Debian's headless Chromium: the chat page as a user meets it, on a desktop and on a phone."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import time
from pathlib import Path

import pytest

from ingest.settings import Settings

from .pages import serve_page

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "browser-test"
UPLOAD_MB = 1  # small, so the oversized upload is quick to make

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore:.*no_silent_downcasting:DeprecationWarning"),  # gradio vs pandas 3
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (/usr/bin/chromium): "
                                                     "apt-get install -y chromium"),
]


@pytest.fixture
def shots(tmp_path) -> Path:
    """Where screenshots go: docs/ only through `python -m tests.screenshots` (XZQA_SCREENSHOTS), else tmp."""
    folder = Path(os.environ.get("XZQA_SCREENSHOTS") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def served(tmp_path, corpus_dir):
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=corpus_dir, admin_password=PASSWORD,
                        max_upload_mb=UPLOAD_MB, _env_file=None)
    demo, service, url = serve_page(settings, concurrency=8)
    assert demo.max_file_size == settings.max_upload_mb * 1024 * 1024  # uploads are capped before the admin check
    try:
        yield service, f"{url}/"
    finally:
        demo.close()


CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
BOT = "#xz-chatbot .bot-row"


def _tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()
    page.wait_for_timeout(400)


def _ask(page, question: str) -> None:
    count = page.locator(BOT).count()
    page.fill("#xz-question textarea", question)
    page.keyboard.press("Enter")
    page.wait_for_function(f"document.querySelectorAll('{BOT} .xz-meta').length > {count}", timeout=40000)


def _in_view(page, selector: str, height: int) -> bool:
    box = page.locator(selector).first.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + min(box["height"], 40) <= height


def _last_button(page, *labels: str):
    """The last message's button with one of these labels (Gradio labels them in the browser's language)."""
    css = ", ".join(f"#xz-chatbot .message-buttons-left button[aria-label='{a}']" for a in labels)
    return page.locator(css).last


def test_chat_page_in_chromium(served, shots):
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    service, url = served
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 1100}, locale="zh-CN",
                                          accept_downloads=True)
            context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url.rstrip("/"))
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(url)
            page.wait_for_selector("#xz-question textarea", timeout=40000)

            # ask; the answer lists tasks 6 and 7 and its sources render as a collapsible list
            _ask(page, "区总工会负责哪些任务")
            bot = page.locator(BOT).last
            text = bot.inner_text()
            assert "第6项" in text and "第7项" in text and "落实政府帮扶机制" in text
            sources = bot.locator("details.xz-sources")
            sources.locator("summary").click()
            cites = sources.locator("li.xz-cite")
            assert cites.count() == 2
            assert "责任单位" in cites.first.inner_text() and "第6项" in cites.first.inner_text()
            page.screenshot(path=str(shots / "screenshot-chat.png"), full_page=True)

            # copy: the answer and numbered sources as plain text, no tags and no Markdown
            _last_button(page, "Copy message", "复制消息", "复制").click()
            page.wait_for_function("window.xzLastCopy && window.xzLastCopy.length > 0", timeout=15000)
            copied = page.evaluate("navigator.clipboard.readText()")
            assert copied == page.evaluate("window.xzLastCopy")
            assert "第6项 落实政府帮扶机制" in copied and "来源：" in copied and "[1] 《" in copied
            assert "<" not in copied and "**" not in copied

            # a citation opens its whole document, the clause highlighted and scrolled into view
            cites.first.locator("a.xz-open").click()
            hit = page.locator("#xz-docview-body #xz-hit")
            hit.wait_for(timeout=30000)
            assert hit.inner_text().startswith("6. 落实政府帮扶机制")
            body = page.locator("#xz-docview-body").inner_text()
            assert "一、" in body and "20." in body  # the whole plan, not just the clause
            page.wait_for_function("(() => { const r = document.querySelector('#xz-hit').getBoundingClientRect();"
                                   " return r.top >= 0 && r.top < window.innerHeight; })()", timeout=15000)
            page.screenshot(path=str(shots / "screenshot-source.png"))
            page.click("#xz-docview-close")
            page.locator("#xz-docview").wait_for(state="hidden", timeout=15000)

            # 👎 with a comment is stored with the question, answer, sources and index generation
            _last_button(page, "Dislike", "踩").click()
            page.fill("#xz-comment textarea", "漏了区妇联")
            page.click("#xz-comment-send")
            page.wait_for_function("document.querySelector('#xz-rated').innerText.includes('已记录')",
                                   timeout=15000)
            down = demo_feedback(service).thumbs_down()
            assert [(r["question"], r["comment"]) for r in down] == [("区总工会负责哪些任务", "漏了区妇联")]
            assert "工作要点" in down[0]["citations"] and down[0]["generation"]

            # a refusal is an unanswered question
            saved = page.evaluate("localStorage.getItem('xzqa-history')")
            _ask(page, "协作资金总额是多少")
            page.wait_for_function(f"localStorage.getItem('xzqa-history') !== {json.dumps(saved)}", timeout=30000)
            assert demo_feedback(service).unanswered()[0].question == "协作资金总额是多少"

            # a reload restores the conversation from the browser's storage
            page.reload()
            page.wait_for_function(f"document.querySelectorAll('{BOT} .xz-meta').length >= 2", timeout=40000)
            restored = page.locator("#xz-chatbot").inner_text()
            assert "区总工会负责哪些任务" in restored and "协作资金总额是多少" in restored

            # edit-and-resend the last question: its answer is replaced, nothing else changes
            page.locator("#xz-chatbot .message-buttons-right button[aria-label='编辑']").last.click()
            page.locator("#xz-chatbot textarea").first.fill("镇巴县去年的GDP是多少")
            page.locator("#xz-chatbot button[aria-label='发送'], #xz-chatbot button[aria-label='Submit']").first.click()
            page.wait_for_function("[...document.querySelectorAll('#xz-chatbot .user-row')].pop().innerText"
                                   ".includes('GDP')", timeout=40000)
            page.wait_for_function(f"document.querySelectorAll('{BOT} .xz-meta').length == 2", timeout=40000)
            assert "协作资金总额是多少" not in page.locator("#xz-chatbot").inner_text()

            # ?q= asks on load, in a new conversation; the earlier one stays in the history list
            page.goto(url + "?q=" + "第7项由谁牵头")
            page.wait_for_function(f"document.querySelectorAll('{BOT} .xz-meta').length == 1", timeout=40000)
            assert "第7项" in page.locator(BOT).last.inner_text()
            assert "区总工会负责哪些任务" not in page.locator("#xz-chatbot").inner_text()

            # matrix: a click shows the clause where it can be read; headers carry the task titles
            _tab(page, "责任分工")
            page.locator("#xz-matrix [data-testid=cell-0-1]").wait_for(timeout=30000)
            book = service.index.records
            with page.expect_download(timeout=30000) as download:
                page.click("#xz-csv")
            raw = Path(download.value.path()).read_bytes()
            assert download.value.suggested_filename.endswith(".csv") and raw.startswith(b"\xef\xbb\xbf")
            rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
            assert len([h for h in rows[0] if re.match(r"第\d+项", h)]) == 20
            assert {r[0] for r in rows[1:]} == set(book.units)
            row = book.units.index("区总工会")
            page.click(f"#xz-matrix [data-testid=cell-{row}-6]")
            page.wait_for_function("document.querySelector('#xz-clause-view').innerText.includes('第6项')",
                                   timeout=30000)
            page.wait_for_timeout(300)
            assert _in_view(page, "#xz-clause-view", 1100)
            page.screenshot(path=str(shots / "screenshot-matrix.png"), full_page=True)
            titled = page.evaluate("[...document.querySelectorAll('#xz-matrix th, #xz-matrix [role=columnheader]')]"
                                   ".map(h => h.getAttribute('title')).filter(Boolean)")
            assert any(t.startswith("第6项 落实政府帮扶机制") for t in titled)
            empty = next(i for i in range(1, 21) if "区总工会" not in book.task(i).units)
            page.click(f"#xz-matrix [data-testid=cell-{row}-{empty}]")
            page.wait_for_function("document.querySelector('#xz-clause-view').innerText.includes('不是第')",
                                   timeout=30000)

            # typing part of a unit's name narrows the table before Enter
            page.locator("#xz-unit input").fill("总工")
            page.locator("#xz-unit input").press("End")  # a key_up event, as typing makes
            page.wait_for_function("document.querySelectorAll('#xz-matrix [data-testid$=\"-0\"]"
                                   "[data-testid^=\"cell-\"]').length == 1", timeout=30000)
            assert "区总工会" in page.locator("#xz-matrix [data-testid=cell-0-0]").inner_text()

            # documents: the admin area lists the thumbs-down answer and the unanswered question
            _tab(page, "文档")
            assert page.locator("#xz-docs").inner_text().count("相关文件") == 6
            # any document can be read in full and downloaded
            page.click("#xz-doc-pick input")
            page.locator("ul[role=listbox] li", has_text="guobanfa_2018").first.click()
            page.click("#xz-doc-view")
            page.wait_for_function("(document.querySelector('#xz-docview-body') || {innerText: ''}).innerText"
                                   ".includes('消费扶贫')", timeout=30000)
            page.click("#xz-docview-close")
            page.wait_for_timeout(500)  # the download button gets its file when the choice changes
            with page.expect_download(timeout=30000) as download:
                page.click("#xz-doc-download")
            original = service.document_file("guobanfa_2018_129_xiaofei_fupin_zhidao_yijian")
            assert Path(download.value.path()).read_bytes() == original.read_bytes()

            page.fill("#xz-password input", PASSWORD)
            page.click("#xz-unlock")
            page.wait_for_selector("#xz-upload", timeout=30000)
            page.wait_for_function("document.querySelector('#xz-thumbs-down').innerText.includes('漏了区妇联')",
                                   timeout=30000)
            assert "协作资金总额是多少" in page.locator("#xz-unanswered").inner_text()
            page.screenshot(path=str(shots / "screenshot-docs.png"), full_page=True)

            # an oversized upload and a wrong type get Chinese messages before anything is sent
            big = {"name": "大文件.txt", "mimeType": "text/plain", "buffer": b"x" * (UPLOAD_MB * 1048576 + 1)}
            page.locator("#xz-upload input[type=file]").set_input_files([big])
            page.wait_for_function("document.querySelector('#xz-upload-check').innerText.includes('文件过大')",
                                   timeout=15000)
            page.locator("#xz-upload input[type=file]").set_input_files(
                [{"name": "run.exe", "mimeType": "application/octet-stream", "buffer": b"MZ"}])
            page.wait_for_function("document.querySelector('#xz-upload-check').innerText.includes('不支持')",
                                   timeout=15000)
            page.wait_for_timeout(500)
            shown = page.locator("body").inner_text()
            assert "exceed" not in shown and "Invalid file" not in shown
            # a good file still goes through, and a Markdown heading is its title without the "#"
            note = {"name": "推介会.md", "mimeType": "text/markdown",
                    "buffer": "# 牦牛产业推介会\n\n2026年9月在坎布拉镇举办牦牛产业推介会。\n".encode()}
            page.locator("#xz-upload input[type=file]").set_input_files([note])
            page.wait_for_timeout(1500)  # the file is sent to the upload route first
            page.click("#xz-admin-controls button:has-text('上传并索引')")
            page.wait_for_function("document.querySelector('#xz-admin-status').innerText.includes('已导入')",
                                   timeout=40000)
            status = page.locator("#xz-admin-status").inner_text()
            assert "共 8 份文档" in status and re.search(r"[A-Za-z]{3,}", status) is None, status
            page.wait_for_function("document.querySelector('#xz-docs').innerText.includes('牦牛产业推介会')",
                                   timeout=30000)
            assert "# 牦牛" not in page.locator("#xz-docs").inner_text()

            _tab(page, "关于")
            assert "征求意见稿" in page.locator("#xz-about-corpus").inner_text()
            assert url in page.locator("#xz-about-method").inner_text()  # the address actually served
            page.screenshot(path=str(shots / "screenshot-about.png"), full_page=True)

            # a phone: the question box, 提问 and the examples fit the first screen
            # (an English browser: Gradio's own words are Chinese too)
            phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US",
                                        device_scale_factor=2, is_mobile=True, has_touch=True).new_page()
            phone.on("pageerror", lambda exc: errors.append(str(exc)))
            phone.goto(url)
            phone.wait_for_selector("#xz-question textarea", timeout=40000)
            phone.wait_for_timeout(800)
            for selector in ("#xz-question", "#xz-ask", ".xz-examples button"):
                box = phone.locator(selector).first.bounding_box()
                assert box and box["y"] + box["height"] <= 844, (selector, box)
            phone.screenshot(path=str(shots / "screenshot-phone.png"))
            assert phone.evaluate("document.documentElement.lang").startswith("zh")
            _ask(phone, "区总工会负责哪些任务")
            labels = phone.evaluate("[...document.querySelectorAll('#xz-chatbot button')].map(b => b.ariaLabel)")
            assert "踩" in labels and "Dislike" not in labels
        finally:
            browser.close()
    assert not errors, errors

    # the named API endpoint returns what `ask --json` prints
    from gradio_client import Client

    got = Client(url, verbose=False).predict("区总工会负责哪些任务", api_name="/answer")
    want = service.ask("区总工会负责哪些任务").to_dict()
    got.pop("ms"), want.pop("ms")
    assert got == want


def demo_feedback(service):
    from app.feedback import FeedbackStore

    return FeedbackStore(service.settings.feedback_path)


def test_onboarding_tab_in_chromium(served, shots):
    """入门: an outline click opens a clause, glossary search finds a term, a starter and a follow-up chip ask."""
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    _, url = served
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1100}, locale="zh-CN")
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(url)
            page.wait_for_selector("#xz-question textarea", timeout=40000)
            _tab(page, "入门")
            assert "征求意见稿" in page.locator("#xz-onb-summary").inner_text()

            # outline: a task opens to its units and clause
            task = page.locator('#xz-outline details[data-item="6"]')
            assert not task.locator(".xz-clause").is_visible()
            task.locator("summary").click()
            clause = task.locator(".xz-clause")
            clause.wait_for(state="visible", timeout=15000)
            assert "疗休养" in clause.inner_text() and "区总工会" in task.locator(".xz-units").inner_text()

            # glossary search
            page.locator("#xz-glossary-q textarea, #xz-glossary-q input").first.fill("心佑")
            page.wait_for_function("document.querySelector('#xz-glossary .xz-term') && "
                                   "document.querySelector('#xz-glossary .xz-term').dataset.term === '心佑工程'",
                                   timeout=30000)
            page.screenshot(path=str(shots / "screenshot-start.png"), full_page=True)

            # a starter question switches to the chat and asks it
            starter = page.locator("#xz-starters button").first
            question = starter.inner_text().strip()
            starter.click()
            page.locator("#xz-chatbot .bot-row").last.wait_for(timeout=40000)
            page.wait_for_function("document.querySelectorAll('#xz-chatbot .xz-meta').length >= 1", timeout=40000)
            assert question in page.locator("#xz-chatbot .user-row").last.inner_text()

            # follow-up chips: shown after an answer, a click asks that question
            page.fill("#xz-question textarea", "区总工会负责哪些任务")
            page.keyboard.press("Enter")
            chip = page.locator("#xz-chip-0")
            page.wait_for_function("document.querySelectorAll('#xz-chatbot .xz-meta').length >= 2", timeout=40000)
            chip.wait_for(state="visible", timeout=30000)
            page.wait_for_function("document.querySelector('#xz-chip-0').innerText.trim().length > 0", timeout=30000)
            # read and click in one step: the chips are replaced when a later answer arrives
            follow = chip.evaluate("el => { const t = el.innerText.trim(); el.click(); return t; }")
            page.wait_for_function("document.querySelectorAll('#xz-chatbot .xz-meta').length >= 3", timeout=40000)
            assert follow in page.locator("#xz-chatbot .user-row").last.inner_text()
            assert "文档中未找到" not in page.locator("#xz-chatbot .bot-row").last.inner_text()
        finally:
            browser.close()
    assert not errors, errors


def test_curated_answer_made_in_admin_view_is_answered_in_chat(served):
    """An unanswered question gets a maintainer's answer in the admin view; a paraphrase then sees it on top."""
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    service, url = served
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(viewport={"width": 1280, "height": 1100}, locale="zh-CN").new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(url)
            page.wait_for_selector("#xz-question textarea", timeout=40000)
            _ask(page, "协作资金总额是多少")
            assert "维护人员补充答复" not in page.locator(BOT).last.inner_text()
            for _ in range(50):  # the answer is logged right after it is shown
                if demo_feedback(service).unanswered():
                    break
                time.sleep(0.1)

            _tab(page, "文档")
            page.fill("#xz-password input", PASSWORD)
            page.click("#xz-unlock")
            page.wait_for_selector("#xz-cur-save", timeout=30000)
            page.click("#xz-cur-source input")
            page.locator("ul[role=listbox] li", has_text="协作资金总额是多少").first.click()
            page.wait_for_function("document.querySelector('#xz-cur-question textarea, #xz-cur-question input')"
                                   ".value === '协作资金总额是多少'", timeout=30000)
            page.locator("#xz-cur-clauses input[type=checkbox]").first.wait_for(timeout=30000)
            page.locator("#xz-cur-clauses input[type=checkbox]").first.check()
            page.fill("#xz-cur-answer textarea", "要点未列总额，以区财政局年度预算为准。")
            page.fill("#xz-cur-author input, #xz-cur-author textarea", "王明")
            page.click("#xz-cur-save")
            page.wait_for_function("document.querySelector('#xz-cur-status').innerText.includes('已保存')",
                                   timeout=30000)
            assert "协作资金总额是多少" in page.locator("#xz-cur-table").inner_text()

            _tab(page, "问答")
            _ask(page, "请问协作资金的总额是多少？")
            text = page.locator(BOT).last.inner_text()
            assert "维护人员补充答复" in text and "王明" in text and "以区财政局年度预算为准" in text
            assert text.index("维护人员补充答复") < text.index("文档中的答复")
        finally:
            browser.close()
    assert not errors, errors
    assert service.curated.all()[0].origin == "未答问题"


@pytest.fixture
def served_versions(tmp_path, corpus_dir):
    """The page over the draft plus a made-up final version."""
    from .planversions import final_version

    (corpus_dir / "2026_tongzhou_final.txt").write_text(final_version(), encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=corpus_dir, _env_file=None)
    demo, _, url = serve_page(settings, concurrency=8)
    try:
        yield f"{url}/"
    finally:
        demo.close()


def test_versions_tab_in_chromium(served_versions):
    """版本对比: the newest plan against the draft, changed words marked, units' gains and losses; the 入门 selector."""
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000}, locale="zh-CN")
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(served_versions)
            page.wait_for_selector("#xz-question textarea", timeout=40000)
            _tab(page, "版本对比")
            view = page.locator("#xz-diff-view")
            view.locator("#xz-diff-summary").wait_for(timeout=30000)
            assert "有变化 5 项" in view.locator("#xz-diff-summary").inner_text()
            assert view.locator('tr[data-change="changed"]').count() == 3
            assert view.locator('tr[data-change="added"]').count() == 1
            assert "林下经济" in view.locator('tr[data-change="changed"] ins').first.inner_text()
            assert "原第7项" in view.locator('tr[data-unit="区总工会"]').inner_text()
            # choosing the same plan on both sides asks for two different ones
            page.locator("#xz-diff-old input").click()
            page.get_by_role("option", name=re.compile("正式稿")).click()
            page.wait_for_function("document.querySelector('#xz-diff-view').innerText.includes('请选择两份不同的要点')",
                                   timeout=30000)
            # 入门: the plan selector switches the summary to another version
            _tab(page, "入门")
            assert "征求意见稿" not in page.locator("#xz-onb-summary").inner_text()  # the newest plan: the final one
            page.locator("#xz-onb-plan input").click()
            page.get_by_role("option", name=re.compile("征求意见稿")).click()
            page.wait_for_function("document.querySelector('#xz-onb-summary').innerText.includes('征求意见稿')",
                                   timeout=30000)
        finally:
            browser.close()
    assert not errors, errors
