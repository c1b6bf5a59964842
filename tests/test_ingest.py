"""Indexing into a real Chroma in tmp_path with the fake embedder: idempotent, incremental, atomic."""

from __future__ import annotations

import json

from ingest.chunking import prose_chunks, split_sentences
from ingest.loaders import load_document
from ingest.pipeline import run_ingest
from ingest.settings import PLAN_DOC_ID

from .conftest import CORPUS, FakeEmbedder


def _ingest(settings, store, embedder, aliases):
    return run_ingest(settings.corpus_dir, store, embedder, aliases, settings.plan_doc)


def test_second_run_adds_nothing(settings, store, fake_embedder, aliases):
    first = _ingest(settings, store, fake_embedder, aliases)
    assert first.ok and first.documents == 7
    assert first.added == first.chunks > 29 and first.removed == 0
    generation = store.active_name()
    second = _ingest(settings, store, fake_embedder, aliases)
    assert (second.added, second.removed, second.unchanged) == (0, 0, first.chunks)
    assert store.active_name() == generation  # nothing changed: no new generation written


def test_editing_one_document_reembeds_only_its_chunks(settings, store, fake_embedder, aliases):
    _ingest(settings, store, fake_embedder, aliases)
    path = settings.corpus_dir / "related" / "ndrc_2025_xiaofei_bangfu_xinchun_xingdong.txt"
    path.write_text(path.read_text("utf-8") + "\n补充一句新的内容。", "utf-8")
    before = fake_embedder.embedded
    report = _ingest(settings, store, fake_embedder, aliases)
    assert report.added == 1 and report.removed == 1
    assert fake_embedder.embedded - before == 1
    snap, _ = store.snapshot()
    texts = [d for d, m in zip(snap.documents, snap.metadatas, strict=False) if m["doc"] == path.stem]
    assert any("补充一句新的内容" in t for t in texts)


def test_deleted_document_loses_its_chunks(settings, store, fake_embedder, aliases):
    _ingest(settings, store, fake_embedder, aliases)
    (settings.corpus_dir / "related" / "sxncb_20180103_sushan_quzhongyuan_lianxihui.txt").unlink()
    report = _ingest(settings, store, fake_embedder, aliases)
    assert report.removed == 1 and report.added == 0
    snap, _ = store.snapshot()
    assert all(m["doc"] != "sxncb_20180103_sushan_quzhongyuan_lianxihui" for m in snap.metadatas)


def test_changed_model_reembeds_everything(settings, store, fake_embedder, aliases):
    first = _ingest(settings, store, fake_embedder, aliases)
    other = FakeEmbedder(dim=128, identity="fake/other-128")
    report = _ingest(settings, store, other, aliases)
    assert report.added == first.chunks and other.embedded == first.chunks
    assert store.meta()["model"] == "fake/other-128"
    assert len(store.query(other.embed_query("区总工会"), 3)) == 3  # one dimension in the live collection


def test_bad_file_is_reported_and_its_old_version_kept(settings, store, fake_embedder, aliases):
    _ingest(settings, store, fake_embedder, aliases)
    stem = "mohrss_20200828_dongxibu_xiezuo_wengang_jiuye"
    (settings.corpus_dir / "related" / f"{stem}.txt").rename(settings.corpus_dir / "related" / f"{stem}.docx")
    (settings.corpus_dir / "broken.pdf").write_bytes(b"%PDF-1.4 broken")
    report = _ingest(settings, store, fake_embedder, aliases)
    assert not report.ok and len(report.errors) == 2
    assert any(f"{stem}.docx" in e for e in report.errors) and any("broken.pdf" in e for e in report.errors)
    snap, _ = store.snapshot()
    assert any(m["doc"] == stem for m in snap.metadatas)  # the unreadable new version lost nothing
    assert report.removed == 0


def test_non_plan_named_like_the_plan_is_refused(settings, store, fake_embedder, aliases):
    _ingest(settings, store, fake_embedder, aliases)
    (settings.corpus_dir / f"{PLAN_DOC_ID}.txt").write_text("这是一篇普通新闻。没有任务。", "utf-8")
    report = _ingest(settings, store, fake_embedder, aliases)
    assert any("与工作要点同名" in e for e in report.errors)
    snap, _ = store.snapshot()
    assert sum(1 for m in snap.metadatas if m["kind"] == "task") == 20


def test_chunk_metadata(settings, store, fake_embedder, aliases):
    _ingest(settings, store, fake_embedder, aliases)
    snap, _ = store.snapshot()
    tasks = {m["item"]: (d, m) for d, m in zip(snap.documents, snap.metadatas, strict=False) if m["kind"] == "task"}
    text, meta = tasks[6]
    assert meta["units"].split("、")[-2:] == ["区总工会", "区对口帮扶镇巴联络组"]
    assert meta["lead_unit"] == "区发展和改革委员会" and meta["section"] == "三、消费帮扶增收行动"
    plan_text = load_document(settings.corpus_dir / f"{PLAN_DOC_ID}.txt").text
    assert plan_text[meta["start"]:meta["end"]].startswith("6. 落实政府帮扶机制")
    for key in ("doc", "title", "hash", "indexed_at"):
        assert meta[key]


def test_prose_chunks_respect_sentences_and_bounds(corpus_dir):
    doc = load_document(corpus_dir / "related" / "guobanfa_2018_129_xiaofei_fupin_zhidao_yijian.txt")
    chunks = prose_chunks(doc)
    sentences = {s for s, _, _ in split_sentences(doc.text)}
    for c in chunks:
        assert len(c.text) <= 500 or len(split_sentences(c.text)) == 1
        assert doc.text[c.metadata["start"]:c.metadata["end"]] == c.text
        assert split_sentences(c.text)[0][0] in sentences  # starts at a sentence boundary
    for a, b in zip(chunks, chunks[1:], strict=False):
        assert split_sentences(a.text)[-1][0] == split_sentences(b.text)[0][0]  # one sentence overlap
    # a chunk stops short of 300 chars only when the next sentence would push it past 500
    spans = split_sentences(doc.text)
    for c in chunks[:-1]:
        nxt = next(len(s) for s, start, _ in spans if start >= c.metadata["end"])
        assert len(c.text) >= 300 or len(c.text) + nxt > 500


def test_records_cli_json(capsys):
    from ingest.__main__ import main

    assert main(["records", "--json", "--corpus", str(CORPUS)]) == 0
    records = json.loads(capsys.readouterr().out)
    assert len(records) == 20 and len({r["section"] for r in records}) == 8
    assert set(records[0]) == {"doc", "item", "title", "section", "units", "lead_unit", "plan_title", "plan_year",
                               "plan_version"}
    assert (records[0]["plan_year"], records[0]["plan_version"]) == (2026, "征求意见稿")
