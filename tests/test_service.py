"""Document management through the service: every bad upload is refused with a reason and changes nothing."""

from __future__ import annotations

import io

import pytest

from app.service import Service, UploadRejected
from ingest.pipeline import run_ingest
from ingest.settings import PLAN_DOC_ID, Settings


@pytest.fixture
def service(tmp_path, corpus_dir, store, fake_embedder, aliases):
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=corpus_dir, admin_password="pw", max_upload_mb=1)
    run_ingest(corpus_dir, store, fake_embedder, aliases, settings.plan_doc)
    return Service(settings, store, fake_embedder, aliases)


def _state(service):
    files = sorted((p.relative_to(service.settings.corpus_dir), p.read_bytes())
                   for p in service.settings.corpus_dir.rglob("*") if p.is_file())
    return files, sorted(service.index.snapshot.ids)


@pytest.mark.parametrize("name,data,reason", [
    ("../../x.txt", "正文。".encode(), "不合法的文件名"),
    ("empty.txt", b"", "0 字节"),
    ("big.txt", b"a" * (1024 * 1024 + 1), "文件过大"),
    ("tool.exe", b"MZ", "不支持的文件类型"),
    ("broken.docx", b"PK\x03\x04garbage", "docx"),
    ("broken.pdf", b"%PDF-1.4 garbage", "PDF"),
    (f"{PLAN_DOC_ID}.txt", "这是一篇普通新闻。".encode(), "与工作要点同名"),
])
def test_bad_uploads_are_refused_and_change_nothing(service, name, data, reason):
    before = _state(service)
    with pytest.raises(UploadRejected, match=reason):
        service.add_file(name, data)
    assert _state(service) == before


def test_same_file_twice_changes_nothing_and_new_version_replaces(service):
    text = "标题：冷水鱼推介\n尖扎冷水鱼推介会共签约八个项目。"
    assert "已导入" in service.add_file("fish.txt", text.encode())
    state = _state(service)
    assert "未作改动" in service.add_file("fish.txt", text.encode())
    assert _state(service) == state
    import docx

    d = docx.Document()
    d.add_paragraph("标题：冷水鱼推介")
    d.add_paragraph("尖扎冷水鱼推介会共签约十二个项目。")
    buf = io.BytesIO()
    d.save(buf)
    service.add_file("fish.docx", buf.getvalue())  # a new version in another format replaces the old file
    assert not (service.settings.corpus_dir / "fish.txt").exists()
    texts = [t for t, m in zip(service.index.snapshot.documents, service.index.snapshot.metadatas) if m["doc"] == "fish"]
    assert texts and all("十二个" in t for t in texts)
    ans = service.ask("冷水鱼推介会签约了几个项目")
    assert ans.found and ans.citations[0].doc == "fish"


def test_delete_document(service):
    assert "已删除" in service.delete_document("sxncb_20180103_sushan_quzhongyuan_lianxihui")
    assert all(r["doc"] != "sxncb_20180103_sushan_quzhongyuan_lianxihui" for r in service.documents())
    with pytest.raises(UploadRejected):
        service.delete_document("no_such_doc")


def test_documents_listing_and_admin_check(service):
    rows = service.documents()
    assert rows[0]["doc"] == PLAN_DOC_ID and rows[0]["chunks"] == 29 and rows[0]["indexed_at"]
    assert service.check_admin("pw") and not service.check_admin("PW") and not service.check_admin(None)
