"""Faults that used to lose data, crash or mislead: uploads are all or nothing, bad bytes and names are refused
with a reason, readers follow another process's re-index, hostile files are bounded."""

from __future__ import annotations

import io
import json
import logging
import os
import threading
import time
import zipfile

import pytest

from app.service import Service, UploadRejected
from app.ui.documents import DocumentsPanel
from app.ui.export import write_xlsx
from ingest.loaders import LoadError, read_file_text
from ingest.pipeline import load_corpus, run_ingest
from ingest.settings import LoadLimits, Settings
from ingest.store import IndexStore, StoreUnavailable, open_client

from .conftest import FakeEmbedder

NOTE = "标题：冷水鱼推介\n尖扎冷水鱼推介会共签约八个项目。".encode()


@pytest.fixture
def service(tmp_path, corpus_dir, store, fake_embedder, aliases):
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=corpus_dir, admin_password="pw", _env_file=None)
    run_ingest(corpus_dir, store, fake_embedder, aliases, settings.plan_doc)
    return Service(settings, store, fake_embedder, aliases)


def _corpus(service) -> dict:
    root = service.settings.corpus_dir
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _docs(service) -> set[str]:
    return {m["doc"] for m in service.index.snapshot.metadatas}


# --- 1. uploads are all or nothing; "unchanged" means "indexed" ---------------------------------------------
def test_upload_while_store_is_down_changes_nothing_and_a_retry_indexes(service, monkeypatch):
    before = _corpus(service)

    def down(*_a, **_k):
        raise StoreUnavailable("Chroma server at 127.0.0.1:1 is unavailable (test)")

    with monkeypatch.context() as m:
        m.setattr(service.store, "new_generation", down)
        with pytest.raises(UploadRejected, match="向量库暂不可用，未作任何改动"):
            service.add_file("fish.txt", NOTE)
    assert _corpus(service) == before and "fish" not in _docs(service)
    assert "已导入" in service.add_file("fish.txt", NOTE)  # not "unchanged": it was never indexed
    assert "fish" in _docs(service)
    assert "未作改动" in service.add_file("fish.txt", NOTE)


def test_file_on_disk_but_not_indexed_is_indexed_by_an_upload(service):
    (service.settings.corpus_dir / "fish.txt").write_bytes(NOTE)  # e.g. left by a re-index that failed
    assert "fish" not in _docs(service)
    assert "已导入" in service.add_file("fish.txt", NOTE)
    assert "fish" in _docs(service)


def test_failed_delete_restores_the_file(service, monkeypatch):
    before = _corpus(service)
    doc = "sxncb_20180103_sushan_quzhongyuan_lianxihui"
    monkeypatch.setattr(service.store, "new_generation",
                        lambda *a, **k: (_ for _ in ()).throw(StoreUnavailable("down")))
    with pytest.raises(UploadRejected, match="未作任何改动"):
        service.delete_document(doc)
    assert _corpus(service) == before and doc in _docs(service)


# --- 2. readers follow a re-index by another process; concurrent re-indexes both succeed -----------------------
def test_second_service_on_the_same_store_reloads_after_another_reindex(tmp_path, corpus_dir, aliases):
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=corpus_dir, generation_poll_s=0.0, _env_file=None)
    writer_store = IndexStore(open_client(settings), settings.collection)
    run_ingest(corpus_dir, writer_store, FakeEmbedder(), aliases, settings.plan_doc)
    reader = Service(settings, IndexStore(open_client(settings), settings.collection), FakeEmbedder(), aliases)
    writer = Service(settings, writer_store, FakeEmbedder(), aliases)
    assert not reader.ask("冷水鱼推介会签约了几个项目").citations or reader.ask("冷水鱼推介会签约了几个项目").citations[0].doc != "fish"
    old = reader.index.snapshot.collection
    writer.add_file("fish.txt", NOTE)
    deadline = time.monotonic() + 10
    while reader.index.snapshot.collection == old and time.monotonic() < deadline:
        reader.ask("区妇联负责哪些任务")  # each question may start a background check
        time.sleep(0.05)
    assert reader.index.snapshot.collection == writer_store.active_name() != old
    ans = reader.ask("冷水鱼推介会签约了几个项目")
    assert ans.found and ans.citations[0].doc == "fish"


def test_two_concurrent_reindexes_both_succeed(settings, store, aliases):
    run_ingest(settings.corpus_dir, store, FakeEmbedder(), aliases, settings.plan_doc)
    for path in (settings.corpus_dir / "related").glob("*.txt"):
        path.write_text(path.read_text("utf-8") + "\n新增一句。", "utf-8")

    class Slow(FakeEmbedder):
        def embed_passages(self, texts):
            time.sleep(0.02)
            return super().embed_passages(texts)

    results, errors = [], []

    def run():
        try:
            own = IndexStore(open_client(settings), settings.collection)
            results.append(run_ingest(settings.corpus_dir, own, Slow(), aliases, settings.plan_doc, batch=4))
        except Exception as exc:  # noqa: BLE001 (the test reports any failure)
            errors.append(repr(exc))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors and len(results) == 2 and all(r.ok for r in results)
    snap, _ = store.snapshot()
    assert len(snap) == results[0].chunks
    gens = [n for n in store.collection_names() if n.startswith(f"{settings.collection}__g")]
    assert gens == [store.active_name()]


# --- 4. damaged UTF-16 is named with a reason; the rest is indexed -------------------------------------------
TRUNCATED = "标题：测试\n截断的文件。".encode("utf-16")[:-1]
LONE = b"\xff\xfe" + "标题：测试\n孤立".encode("utf-16-le") + b"\x00\xd8" + "代理项。".encode("utf-16-le")


@pytest.mark.parametrize("data", [TRUNCATED, LONE], ids=["truncated", "lone-surrogate"])
def test_damaged_utf16_is_reported_and_the_rest_indexed(settings, store, aliases, data, capsys):
    bad = settings.corpus_dir / "related" / "damaged_u16.txt"
    bad.write_bytes(data)
    with pytest.raises(LoadError, match="无法按 UTF-16"):
        read_file_text(bad)
    report = run_ingest(settings.corpus_dir, store, FakeEmbedder(), aliases, settings.plan_doc)
    assert len(report.errors) == 1 and "damaged_u16.txt" in report.errors[0] and report.documents == 7
    from ingest.__main__ import main

    assert main(["records", "--corpus", str(settings.corpus_dir)]) == 1
    assert "damaged_u16.txt" in capsys.readouterr().err


def test_damaged_utf16_upload_is_refused(service):
    with pytest.raises(UploadRejected, match="无法按 UTF-16"):
        service.add_file("u16.txt", LONE)


# --- 5. questions with invalid characters or of the wrong type --------------------------------------------------
def test_service_takes_any_payload(service):
    ans = service.ask("\ud800区总工会负责哪些任务\udcff")
    assert [c.item for c in ans.citations] == [6, 7] and "无法识别的字符" in ans.notice
    json.dumps(ans.to_dict(), ensure_ascii=False).encode("utf-8")  # printable and storable
    for payload in ([123], 123, None, {"q": 1}):
        out = service.ask(payload)
        assert out.mode == "refusal" and "文字" in out.answer


def test_chat_echoes_no_invalid_characters(service):
    from app.ui.chat import ChatPanel

    steps = list(ChatPanel(service, stream_delay=0).respond("\ud800区总工会负责哪些任务", [], None))
    _, history, *_ = steps[-1]
    json.dumps(history, ensure_ascii=False).encode("utf-8")  # what the page sends back must be valid UTF-8
    assert "第6项" in history[-1]["content"]
    assert list(ChatPanel(service, stream_delay=0).respond([123], [], None))  # not text: no crash


@pytest.fixture
def cli_env(tmp_path, monkeypatch, corpus_dir):
    import ingest.factory

    monkeypatch.setenv("XZQA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XZQA_CORPUS_DIR", str(corpus_dir))
    monkeypatch.setattr(ingest.factory, "make_embedder", lambda settings: FakeEmbedder())


def test_batch_survives_lone_surrogates_and_bad_bytes(cli_env, tmp_path, capsys):
    from app.cli import main

    batch = tmp_path / "q.jsonl"
    batch.write_bytes(b'{"q": "\\ud800\xe5\x8c\xba\xe6\x80\xbb\xe5\xb7\xa5\xe4\xbc\x9a\xe8\xb4\x9f\xe8\xb4\xa3'
                      b'\xe5\x93\xaa\xe4\xba\x9b\xe4\xbb\xbb\xe5\x8a\xa1"}\n'
                      b'{"q": "\xff\xfe bad bytes"}\n[1, 2]\n{"q": [123]}\n'
                      + '{"q": "第7项由谁负责"}\n'.encode())
    assert main(["ask", "--batch", str(batch)]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.strip().splitlines()]
    assert len(lines) == 5
    assert [c["item"] for c in lines[0]["citations"]] == [6, 7]
    assert lines[2]["error"] and lines[3]["mode"] == "refusal"
    assert [c["item"] for c in lines[4]["citations"]] == [7]


def test_ask_json_with_undecodable_argument(cli_env, capsys):
    from app.cli import main

    arg = "区总工会负责哪些任务".encode("gbk").decode("utf-8", "surrogateescape")  # a GBK terminal's argv
    assert main(["ask", arg, "--json"]) == 0
    assert [c["item"] for c in json.loads(capsys.readouterr().out)["citations"]] == [6, 7]
    junk = b"\xff\xfe\xfd".decode("utf-8", "surrogateescape") + "区妇联"
    assert main(["ask", junk, "--json"]) == 0
    json.loads(capsys.readouterr().out)


# --- 6 and 13. upload names --------------------------------------------------------------------------------
@pytest.mark.parametrize("name,reason", [
    ("长" * 90 + ".txt", "文件名过长"),
    ("a" * 252 + ".txt", "文件名过长"),
    ("report\u202etxt.exe.txt", "改变文字方向"),
    ("a\u2066b.txt", "改变文字方向"),
    ("x／..／y.txt", "形似斜杠"),
    ("a\u2215b.txt", "形似斜杠"),
    ("a\u2044b.txt", "形似斜杠"),
    ("a＼b.txt", "形似斜杠"),
])
def test_bad_upload_names_are_refused_and_leave_no_debris(service, name, reason):
    before = _corpus(service)
    with pytest.raises(UploadRejected, match=reason):
        service.add_file(name, NOTE)
    assert _corpus(service) == before
    assert not list(service.settings.corpus_dir.glob(".upload-*"))


def test_write_failure_leaves_no_debris(service, monkeypatch):
    before = _corpus(service)

    def full(*_a):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(UploadRejected, match="无法写入"):
        service.add_file("fish.txt", NOTE)
    monkeypatch.undo()
    assert _corpus(service) == before and not list(service.settings.corpus_dir.glob(".upload-*"))


# --- 9. admin password throttling ---------------------------------------------------------------------------
def test_wrong_passwords_lock_out_that_address_only(service, caplog):
    panel = DocumentsPanel(service)
    caplog.set_level(logging.WARNING)
    for _ in range(service.settings.admin_max_failures):
        assert "密码错误" in panel.unlock("guess", client="203.0.113.7")[0]
    status = panel.unlock("pw", client="203.0.113.7")[0]  # even the right password waits now
    assert "次数过多" in status
    assert "次数过多" in panel.reindex("pw", client="203.0.113.7")[0]
    assert "203.0.113.7" in caplog.text
    assert "已验证" in panel.unlock("pw", client="198.51.100.2")[0]


# --- 10. hostile documents are bounded ------------------------------------------------------------------------
def _docx_bomb(chars: int) -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph("标题：炸弹")
    buf = io.BytesIO()
    d.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "word/document.xml":
                para = "<w:p><w:r><w:t>" + "啊" * 1000 + "</w:t></w:r></w:p>"
                data = data.replace(b"<w:sectPr", (para * (chars // 1000)).encode() + b"<w:sectPr", 1)
            z.writestr(item, data)
    return out.getvalue()


def test_docx_zip_bomb_is_refused_before_unpacking(tmp_path):
    bomb = _docx_bomb(3_000_000)  # ~9 MB of XML, ~30 KB on disk
    assert len(bomb) < 200_000
    path = tmp_path / "bomb.docx"
    path.write_bytes(bomb)
    started = time.perf_counter()
    with pytest.raises(LoadError, match="解压后 .* MB"):
        read_file_text(path, limits=LoadLimits(max_unzipped_mb=4))
    assert time.perf_counter() - started < 2


def test_too_many_characters_and_chunks_are_refused(tmp_path, aliases):
    path = tmp_path / "long.txt"
    path.write_text("标题：长文\n" + "这是一句话。" * 5000, "utf-8")
    with pytest.raises(LoadError, match="文字过多"):
        read_file_text(path, limits=LoadLimits(max_doc_chars=10_000))
    corpus = load_corpus(tmp_path, aliases, "plan", LoadLimits(max_doc_chunks=5))
    assert not corpus.documents and "分块过多" in corpus.errors[0]


def test_upload_over_the_limits_is_refused(tmp_path, corpus_dir, store, fake_embedder, aliases):
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=corpus_dir, max_unzipped_mb=2, _env_file=None)
    service = Service(settings, store, fake_embedder, aliases)
    with pytest.raises(UploadRejected, match="解压后"):
        service.add_file("bomb.docx", _docx_bomb(1_000_000))


# --- 11. spreadsheet cells are text, never formulas ------------------------------------------------------------
def test_xlsx_writes_formula_like_text_as_text(tmp_path):
    from openpyxl import load_workbook

    path = write_xlsx(tmp_path / "m.xlsx", ["单位", "第1项"], [["=1+2*3", "牵头"], ["@SUM(A1)", "=HYPERLINK(\"x\")"]],
                      notes=["=cmd|' /C calc'!A0"])
    wb = load_workbook(path)
    ws = wb["责任分工"]
    assert ws["A2"].value == "=1+2*3" and ws["A2"].data_type == "s"
    assert ws["B3"].data_type == "s" and wb["说明"]["A1"].data_type == "s"


# --- 13. links in the corpus ------------------------------------------------------------------------------------
def test_links_out_of_the_corpus_are_not_followed_and_reported(settings, store, aliases, tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("标题：机密\n这是语料文件夹以外的机密文字。", "utf-8")
    related = settings.corpus_dir / "related"
    (related / "leak.txt").symlink_to(outside)
    (related / "gone.txt").symlink_to(tmp_path / "missing.txt")
    (related / "linked_dir").symlink_to(tmp_path, target_is_directory=True)
    (related / "inside.txt").symlink_to(related / "sxncb_20180103_sushan_quzhongyuan_lianxihui.txt")
    report = run_ingest(settings.corpus_dir, store, FakeEmbedder(), aliases, settings.plan_doc)
    text = "\n".join(report.errors)
    assert "leak.txt: 链接指向语料文件夹以外" in text and "gone.txt: 链接目标不存在" in text
    assert "linked_dir: 指向文件夹的链接" in text
    snap, _ = store.snapshot()
    assert not any("机密" in d for d in snap.documents)
    assert "inside" in {m["doc"] for m in snap.metadatas}  # a link that stays inside the corpus is fine
