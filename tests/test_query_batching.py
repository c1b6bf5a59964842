"""Several queries of one question are embedded in one encoder call; a reader keeps its generation's handle."""

from __future__ import annotations

import numpy as np

from ingest.embedding import CachingEmbedder
from ingest.pipeline import run_ingest


class CountingEncoder(CachingEmbedder):
    """Deterministic vectors; records the size of every encoder call."""

    identity = "test/counting"

    def __init__(self):
        super().__init__("test/counting")
        self.calls: list[int] = []

    def encode(self, texts):
        self.calls.append(len(texts))
        out = np.zeros((len(texts), 8), dtype=np.float32)
        for i, t in enumerate(texts):
            out[i, len(t) % 8] = 1.0
        return out


def test_parts_are_encoded_in_one_call_and_then_served_from_the_cache():
    enc = CountingEncoder()
    vecs = enc.embed_queries(["劳模疗休养是哪项", "区妇联呢", "劳模疗休养是哪项"])
    assert enc.calls == [2]  # the repeat is encoded once
    assert vecs[0] == vecs[2] == enc.embed_query("劳模疗休养是哪项")
    assert enc.calls == [2]
    enc.embed_query("新的问题")
    assert enc.calls == [2, 1]


def test_a_reader_recovers_when_its_generation_is_dropped(settings, store, aliases, fake_embedder, corpus_dir):
    run_ingest(corpus_dir, store, fake_embedder, aliases, settings.plan_doc)
    loaded = store.active_name()
    vec = fake_embedder.embed_query("劳模疗休养")
    first = store.query(vec, 3, collection=loaded)
    assert first and store.query(vec, 3, collection=loaded) == first  # second query through the held handle
    extra = next((corpus_dir / "related").iterdir())
    extra.write_text(extra.read_text(encoding="utf-8") + "\n补充一句。\n", encoding="utf-8")
    run_ingest(corpus_dir, store, fake_embedder, aliases, settings.plan_doc)  # a new generation; the old is dropped
    assert store.active_name() != loaded and loaded not in store.collection_names()
    assert [i for i, _ in store.query(vec, 3, collection=loaded)] == [i for i, _ in first]
