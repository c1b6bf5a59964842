"""Smoke tests of the scale benchmark: the synthetic corpus is deterministic and parseable; the core runs end to end."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval.bench_scale import question_sets, run_scale
from eval.load import pick_questions, summarize
from eval.scale_report import render
from eval.synth import BaseMaterial, ReusingEmbedder, generate_corpus, synth_plan, template_key
from ingest.loaders import discover, load_document
from ingest.pipeline import load_corpus
from ingest.plan_parser import parse_plan
from ingest.settings import PLAN_DOC_ID

from .conftest import FakeEmbedder


@pytest.fixture(scope="module")
def base() -> BaseMaterial:
    return BaseMaterial.load()


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in discover(root)}


def test_generator_is_deterministic(tmp_path, base):
    a = generate_corpus(tmp_path / "a", 20, seed=3, base=base)
    b = generate_corpus(tmp_path / "b", 20, seed=3, base=base)
    generate_corpus(tmp_path / "c", 20, seed=4, base=base)
    assert a.documents == b.documents == 20 and a.real == 7 and a.plans + a.prose == 13
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert _files(tmp_path / "a") != _files(tmp_path / "c")


def test_synthetic_plans_parse(base, aliases):
    for i in range(12):
        text = synth_plan(base, seed=11, index=i)
        plan = parse_plan(text, f"synth_{i}", aliases)
        assert "东西部协作工作要点" in plan.title
        assert 6 <= len(plan.tasks) <= 12 and 3 <= len(plan.sections) <= 6
        assert [t.item for t in plan.tasks] == list(range(1, len(plan.tasks) + 1))
        assert all(t.units for t in plan.tasks)
        assert "镇巴" not in text and "尖扎" not in text
        if "不再列出" in text:  # the liaison group named once is inherited by every later task
            liaison = next(u for u in plan.tasks[0].units if u.endswith("联络组"))
            assert all(liaison in t.units for t in plan.tasks)


def test_corpus_loads_without_errors(tmp_path, base, aliases):
    info = generate_corpus(tmp_path / "c", 20, seed=5, base=base)
    corpus = load_corpus(info.path, aliases, PLAN_DOC_ID)
    assert not corpus.errors and len(corpus.documents) == 20
    assert len(corpus.plans) == 1 + info.plans  # the real plan and every synthetic one
    prose = [load_document(p) for p in discover(info.path / "synth") if "prose" in p.name]
    assert all(d.title and d.date for d in prose)


def test_reusing_embedder_counts_and_templates():
    emb = ReusingEmbedder(FakeEmbedder(), limit=2)
    texts = ["一、特色产业提升行动 第1项 助推特色产业全链发展。甲", "一、x 第3项 助推特色产业全链发展。乙", "丙", "丁"]
    vecs = emb.embed_passages(texts)
    assert (emb.real_n, emb.reused_n) == (2, 2) and len(vecs) == 4
    assert template_key(texts[0]) == template_key(texts[1]) == "task:助推特色产业全链发展"
    assert abs(sum(x * x for x in vecs[3]) - 1.0) < 1e-4
    assert emb.embed_passages(texts) == emb.embed_passages(texts)  # reuse is deterministic


def test_run_scale_end_to_end(tmp_path, base, aliases, store):
    info = generate_corpus(tmp_path / "corpus20", 20, seed=7, base=base)
    questions, warm = question_sets()
    emb = ReusingEmbedder(FakeEmbedder())
    r = run_scale(info.path, store, emb, aliases, PLAN_DOC_ID, questions[:8], warm[:2])
    assert r["docs"] == 20 and r["chunks"] == r["real_n"] > 20 and r["load_errors"] == 0
    assert len(r["search_ms"]) == len(r["ask_ms"]) == 8 and 0 <= r["correct"] <= 8
    r |= {"size": 20, "store": "embedded", "batch": 128, "rss_model_mb": 1.0, "load_avg": [0.0, 0.0]}
    meta = {"date": "-", "model": "fake", "cpus": 2, "seed": 7, "commands": ["test"]}
    text = render([r], meta, {"ingest_cps": 50.0, "p95_ms_10k": 150.0, "rss_mb": 1536.0})
    assert "| 20 (" in text and "## Targets" in text


def test_load_plan_and_summary_without_a_server():
    rows = [{"q": f"问题{i}"} for i in range(5)]
    plan = pick_questions(rows, users=3, per_user=4)
    assert [len(p) for p in plan] == [4, 4, 4] and plan[1][0]["q"] == "问题4" and plan[1][1]["q"] == "问题0"
    from eval.load import Result, Run

    run = Run(results=[Result(0, rows[0], ok=True, correct=True, latency_ms=10, signature="a"),
                       Result(1, rows[0], ok=True, latency_ms=30, signature="b"),
                       Result(2, rows[1], error="TimeoutError")], seconds=1.0)
    s = summarize(run, users=3, per_user=1)
    assert s["answered"] == 2 and s["errors"] == 1 and s["correct"] == 1
    assert s["inconsistent_questions"] == ["问题0"]
