"""Shared fixtures: a deterministic fake embedder, temp corpora and a real Chroma in tmp_path."""

from __future__ import annotations

import hashlib
import math
import os
import shutil
from pathlib import Path

import pytest

from ingest.settings import PLAN_DOC_ID, Settings
from ingest.units import AliasTable

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
PLAN_PATH = CORPUS / f"{PLAN_DOC_ID}.txt"


class FakeEmbedder:
    """Hashes character unigrams and bigrams into a fixed-size vector: deterministic, lexical, no model."""

    def __init__(self, dim: int = 256, identity: str = "fake/bigram-256"):
        self.dim = dim
        self.identity = identity
        self.calls = 0
        self.embedded = 0

    def _vec(self, text: str) -> list[float]:
        v = [0.0] * self.dim
        grams = list(text) + [text[i:i + 2] for i in range(len(text) - 1)]
        for g in grams:
            if not g.strip():
                continue
            h = int.from_bytes(hashlib.md5(g.encode("utf-8")).digest()[:4], "little")
            v[h % self.dim] += 1.0 if len(g) == 1 else 2.0
        norm = math.sqrt(sum(x * x for x in v)) or 1.0
        return [x / norm for x in v]

    def embed_passages(self, texts):
        self.calls += 1
        self.embedded += len(texts)
        return [self._vec(t) for t in texts]

    def embed_query(self, text):
        return self._vec(text)


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture(scope="session")
def aliases() -> AliasTable:
    return AliasTable.load()


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    """A private copy of the shipped corpus that a test may edit."""
    dst = tmp_path / "corpus"
    shutil.copytree(CORPUS, dst)
    return dst


@pytest.fixture
def settings(tmp_path: Path, corpus_dir: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", corpus_dir=corpus_dir, _env_file=None)


@pytest.fixture
def store(settings: Settings):
    from ingest.store import IndexStore, open_client

    return IndexStore(open_client(settings), settings.collection)


@pytest.fixture(scope="session", autouse=True)
def _chroma_server_only_for_server_tests():
    """XZQA_CHROMA_HOST/PORT are for tests/test_server_mode.py (read at import); all other tests use a temp dir."""
    saved = {k: os.environ.pop(k) for k in ("XZQA_CHROMA_HOST", "XZQA_CHROMA_PORT") if k in os.environ}
    yield
    os.environ.update(saved)


@pytest.fixture(scope="session")
def plan_answerer(tmp_path_factory, aliases):
    """An Answerer over the shipped corpus: real Chroma in a temp folder, the fake embedder (built once a session)."""
    from app.answerer import Answerer
    from ingest.pipeline import run_ingest
    from ingest.store import IndexStore, open_client
    from retriever.index import KnowledgeIndex

    settings = Settings(data_dir=tmp_path_factory.mktemp("plan-data"), corpus_dir=CORPUS, _env_file=None)
    store = IndexStore(open_client(settings), settings.collection)
    emb = FakeEmbedder()
    run_ingest(settings.corpus_dir, store, emb, aliases, settings.plan_doc)
    return Answerer(KnowledgeIndex.load(store, emb, aliases, settings.plan_doc))

