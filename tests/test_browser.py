"""End to end in Debian's headless Chromium: ask, read sources, download the matrix CSV, screenshot every tab."""

from __future__ import annotations

import csv
import io
import re
import socket
import time
from pathlib import Path

import pytest

from ingest.pipeline import run_ingest
from ingest.settings import Settings
from ingest.units import AliasTable

from .conftest import ROOT, FakeEmbedder

CHROMIUM = Path("/usr/bin/chromium")
DOCS = ROOT / "docs"
PASSWORD = "browser-test"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore:.*no_silent_downcasting:DeprecationWarning"),  # gradio vs pandas 3
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (/usr/bin/chromium): "
                                                     "apt-get install -y chromium"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(tmp_path, corpus_dir):
    from app.service import Service
    from app.ui import build_demo
    from ingest.store import IndexStore, open_client

    settings = Settings(data_dir=tmp_path / "data", corpus_dir=corpus_dir, admin_password=PASSWORD, _env_file=None)
    store = IndexStore(open_client(settings), settings.collection)
    emb = FakeEmbedder()
    run_ingest(settings.corpus_dir, store, emb, AliasTable.load(), settings.plan_doc)
    service = Service(settings, store, emb)
    demo = build_demo(service)
    port = _free_port()
    demo.queue(default_concurrency_limit=8).launch(server_name="127.0.0.1", server_port=port,
                                                   prevent_thread_lock=True, quiet=True)
    assert demo.max_file_size == settings.max_upload_mb * 1024 * 1024  # uploads are capped before the admin check
    try:
        yield service, f"http://127.0.0.1:{port}/"
    finally:
        demo.close()


def _tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()
    page.wait_for_timeout(400)


def test_chat_page_in_chromium(served):
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    service, url = served
    started = time.monotonic()
    DOCS.mkdir(exist_ok=True)
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1100}, locale="zh-CN", accept_downloads=True)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(url)
            page.wait_for_selector("#xz-question textarea", timeout=20000)

            # ask; the answer lists tasks 6 and 7 and its sources render as a collapsible list
            page.fill("#xz-question textarea", "区总工会负责哪些任务")
            page.keyboard.press("Enter")
            sources = page.locator("#xz-chatbot details.xz-sources").last
            sources.wait_for(timeout=20000)
            bot = page.locator("#xz-chatbot .bot-row").last
            text = bot.inner_text()
            assert "第6项" in text and "第7项" in text and "落实政府帮扶机制" in text
            sources.locator("summary").click()
            cites = sources.locator("li.xz-cite")
            assert cites.count() == 2
            assert "责任单位" in cites.first.inner_text() and "第6项" in cites.first.inner_text()
            page.screenshot(path=str(DOCS / "screenshot-chat.png"), full_page=True)

            # matrix: click a cell to open the clause, then download the CSV
            _tab(page, "责任分工")
            page.locator("#xz-matrix [data-testid=cell-0-1]").wait_for(timeout=10000)
            row = service.index.records.units.index("区总工会")
            page.click(f"#xz-matrix [data-testid=cell-{row}-6]")
            page.wait_for_function("document.querySelector('#xz-clause-view').innerText.includes('第6项')",
                                   timeout=10000)
            page.screenshot(path=str(DOCS / "screenshot-matrix.png"), full_page=True)
            with page.expect_download(timeout=10000) as download:
                page.click("#xz-csv")
            raw = Path(download.value.path()).read_bytes()
            assert download.value.suggested_filename.endswith(".csv") and raw.startswith(b"\xef\xbb\xbf")
            rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
            assert len([h for h in rows[0] if re.match(r"第\d+项", h)]) == 20
            assert {r[0] for r in rows[1:]} == set(service.index.records.units)

            # documents: the table, and the admin area after the password is checked
            _tab(page, "文档")
            assert page.locator("#xz-docs").inner_text().count("相关文件") == 6
            page.fill("#xz-password input", PASSWORD)
            page.click("#xz-unlock")
            page.wait_for_selector("#xz-upload", timeout=10000)
            page.screenshot(path=str(DOCS / "screenshot-docs.png"), full_page=True)

            _tab(page, "关于")
            assert "征求意见稿" in page.locator("#xz-about-corpus").inner_text()
            page.screenshot(path=str(DOCS / "screenshot-about.png"), full_page=True)
        finally:
            browser.close()
    assert not errors, errors

    # the named API endpoint returns what `ask --json` prints
    from gradio_client import Client

    got = Client(url, verbose=False).predict("区总工会负责哪些任务", api_name="/answer")
    want = service.ask("区总工会负责哪些任务").to_dict()
    got.pop("ms"), want.pop("ms")
    assert got == want
    assert time.monotonic() - started < 60


def test_onboarding_tab_in_chromium(served, screenshots):
    """入门: an outline click opens a clause, glossary search finds a term, a starter and a follow-up chip ask."""
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    _, url = served
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1100}, locale="zh-CN")
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(url)
            page.wait_for_selector("#xz-question textarea", timeout=20000)
            _tab(page, "入门")
            assert "征求意见稿" in page.locator("#xz-onb-summary").inner_text()

            # outline: a task opens to its units and clause
            task = page.locator('#xz-outline details[data-item="6"]')
            assert not task.locator(".xz-clause").is_visible()
            task.locator("summary").click()
            clause = task.locator(".xz-clause")
            clause.wait_for(state="visible", timeout=5000)
            assert "疗休养" in clause.inner_text() and "区总工会" in task.locator(".xz-units").inner_text()

            # glossary search
            page.locator("#xz-glossary-q textarea, #xz-glossary-q input").first.fill("心佑")
            page.wait_for_function("document.querySelector('#xz-glossary .xz-term') && "
                                   "document.querySelector('#xz-glossary .xz-term').dataset.term === '心佑工程'",
                                   timeout=10000)
            if screenshots:
                page.screenshot(path=str(DOCS / "screenshot-start.png"), full_page=True)

            # a starter question switches to the chat and asks it
            starter = page.locator("#xz-starters button").first
            question = starter.inner_text().strip()
            starter.click()
            page.locator("#xz-chatbot .bot-row").last.wait_for(timeout=20000)
            page.wait_for_function("document.querySelectorAll('#xz-chatbot .xz-meta').length >= 1", timeout=20000)
            assert question in page.locator("#xz-chatbot .user-row").last.inner_text()

            # follow-up chips: shown after an answer, a click asks that question
            page.fill("#xz-question textarea", "区总工会负责哪些任务")
            page.keyboard.press("Enter")
            chip = page.locator("#xz-chip-0")
            page.wait_for_function("document.querySelectorAll('#xz-chatbot .xz-meta').length >= 2", timeout=20000)
            chip.wait_for(state="visible", timeout=10000)
            page.wait_for_function("document.querySelector('#xz-chip-0').innerText.trim().length > 0", timeout=10000)
            follow = chip.inner_text().strip()
            chip.click()
            page.wait_for_function("document.querySelectorAll('#xz-chatbot .xz-meta').length >= 3", timeout=20000)
            assert follow in page.locator("#xz-chatbot .user-row").last.inner_text()
            assert "文档中未找到" not in page.locator("#xz-chatbot .bot-row").last.inner_text()
        finally:
            browser.close()
    assert not errors, errors


@pytest.fixture
def served_versions(tmp_path, corpus_dir):
    """The page over the draft plus a made-up final version."""
    from .planversions import final_version

    (corpus_dir / "2026_tongzhou_final.txt").write_text(final_version(), encoding="utf-8")
    from app.service import Service
    from app.ui import build_demo
    from ingest.store import IndexStore, open_client

    settings = Settings(data_dir=tmp_path / "data", corpus_dir=corpus_dir, _env_file=None)
    store = IndexStore(open_client(settings), settings.collection)
    emb = FakeEmbedder()
    run_ingest(settings.corpus_dir, store, emb, AliasTable.load(), settings.plan_doc)
    demo = build_demo(Service(settings, store, emb))
    port = _free_port()
    demo.queue(default_concurrency_limit=8).launch(server_name="127.0.0.1", server_port=port,
                                                   prevent_thread_lock=True, quiet=True)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        demo.close()


def test_versions_tab_in_chromium(served_versions):
    """版本对比: the newest plan against the draft, changed words marked, units' gains and losses; the 入门 selector."""
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000}, locale="zh-CN")
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(served_versions)
            page.wait_for_selector("#xz-question textarea", timeout=20000)
            _tab(page, "版本对比")
            view = page.locator("#xz-diff-view")
            view.locator("#xz-diff-summary").wait_for(timeout=10000)
            assert "有变化 5 项" in view.locator("#xz-diff-summary").inner_text()
            assert view.locator('tr[data-change="changed"]').count() == 3
            assert view.locator('tr[data-change="added"]').count() == 1
            assert "林下经济" in view.locator('tr[data-change="changed"] ins').first.inner_text()
            assert "原第7项" in view.locator('tr[data-unit="区总工会"]').inner_text()
            # choosing the same plan on both sides asks for two different ones
            page.locator("#xz-diff-old input").click()
            page.get_by_role("option", name=re.compile("正式稿")).click()
            page.wait_for_function("document.querySelector('#xz-diff-view').innerText.includes('请选择两份不同的要点')",
                                   timeout=10000)
            # 入门: the plan selector switches the summary to another version
            _tab(page, "入门")
            assert "征求意见稿" not in page.locator("#xz-onb-summary").inner_text()  # the newest plan: the final one
            page.locator("#xz-onb-plan input").click()
            page.get_by_role("option", name=re.compile("征求意见稿")).click()
            page.wait_for_function("document.querySelector('#xz-onb-summary').innerText.includes('征求意见稿')",
                                   timeout=10000)
        finally:
            browser.close()
    assert not errors, errors
