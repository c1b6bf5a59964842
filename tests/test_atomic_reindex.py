"""A re-index killed midway (SIGKILL) leaves the previous index answering; the next run completes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

from app.answerer import Answerer
from ingest.pipeline import run_ingest
from ingest.store import IndexStore, open_client
from retriever.index import KnowledgeIndex

from .conftest import ROOT, FakeEmbedder

CHILD = textwrap.dedent("""
    import sys, time, pathlib
    sys.path.insert(0, {root!r})
    from tests.conftest import FakeEmbedder
    from ingest.settings import Settings
    from ingest.store import IndexStore, open_client
    from ingest.units import AliasTable
    from ingest.pipeline import run_ingest

    class Slow(FakeEmbedder):
        def embed_passages(self, texts):
            pathlib.Path({flag!r}).write_text("embedding")
            time.sleep(0.5)
            return super().embed_passages(texts)

    s = Settings(data_dir={data!r}, corpus_dir={corpus!r})
    run_ingest(s.corpus_dir, IndexStore(open_client(s), s.collection), Slow(), AliasTable.load(), s.plan_doc, batch=2)
""")


def test_killed_reindex_keeps_previous_index(settings, store, aliases, tmp_path):
    first = run_ingest(settings.corpus_dir, store, FakeEmbedder(), aliases, settings.plan_doc)
    before = store.active_name()
    # change every related document so the re-index has many batches to embed
    for path in (settings.corpus_dir / "related").glob("*.txt"):
        path.write_text(path.read_text("utf-8") + "\n新增一句。", "utf-8")
    flag = tmp_path / "started"
    script = tmp_path / "child.py"
    script.write_text(CHILD.format(root=str(ROOT), flag=str(flag), data=str(settings.data_dir),
                                   corpus=str(settings.corpus_dir)), "utf-8")
    child = subprocess.Popen([sys.executable, str(script)], cwd=ROOT)
    deadline = time.time() + 60
    while not flag.exists() and child.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(0.7)  # let it write at least one batch into the new generation
    assert child.poll() is None, "re-index finished before it could be killed"
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=10)

    reopened = IndexStore(open_client(settings), settings.collection)
    assert reopened.active_name() == before
    index = KnowledgeIndex.load(reopened, FakeEmbedder(), aliases, settings.plan_doc)
    assert len(index) == first.chunks
    ans = Answerer(index).answer("区总工会负责哪些任务")
    assert [c.item for c in ans.citations] == [6, 7]

    report = run_ingest(settings.corpus_dir, reopened, FakeEmbedder(), aliases, settings.plan_doc)
    assert report.ok and report.added > 0
    names = [c if isinstance(c, str) else c.name for c in reopened.client.list_collections()]
    generations = [n for n in names if n.startswith(f"{settings.collection}__g")]
    assert generations == [reopened.active_name()]  # the interrupted generation was cleaned up


def test_an_active_pointer_to_a_dropped_generation_is_repaired_and_never_read_as_empty(settings, store, aliases):
    """Two runs finishing together: one drops the generation the other has just named active."""
    run_ingest(settings.corpus_dir, store, FakeEmbedder(), aliases, settings.plan_doc)  # generation 1
    run_ingest(settings.corpus_dir, store, FakeEmbedder(), aliases, settings.plan_doc)  # generation 2, active
    newest = store.active_name()
    meta = store.meta()
    meta.update(active=f"{store.name}__g1")  # the losing run's write lands after its generation was dropped
    store._meta_collection().modify(metadata=meta)
    snapshot, _ = store.snapshot()
    assert snapshot.collection == newest and snapshot.ids  # readers read the newest generation, not nothing
    store._settle()
    assert store.active_name() == newest


def test_a_lost_pointer_write_is_settled_on_the_newest_complete_generation(settings, store, aliases):
    """The newer run marked its generation complete and moved the pointer; the older run's pointer write landed
    last, naming its own generation (still there, since the newer run dropped only what was older than that)."""
    run_ingest(settings.corpus_dir, store, FakeEmbedder(), aliases, settings.plan_doc)
    older = store.active_name()
    coll, _ = store.new_generation("fake")
    coll.add(ids=["x"], documents=["新增一句。"], embeddings=[[0.1] * 8], metadatas=[{"doc": "x"}])
    coll.modify(metadata={**(coll.metadata or {}), "complete": True})
    assert store.active_name() == older
    store._settle()
    assert store.active_name() == coll.name
    assert [n for n in store.collection_names() if n.startswith(f"{store.name}__g")] == [coll.name]


def test_settling_never_switches_to_a_generation_still_being_written(settings, store, aliases):
    run_ingest(settings.corpus_dir, store, FakeEmbedder(), aliases, settings.plan_doc)
    active = store.active_name()
    writing, _ = store.new_generation("fake")  # another run's, not finished
    store._settle()
    assert store.active_name() == active and writing.name in store.collection_names()


def test_a_collection_created_by_another_run_a_moment_ago_is_a_request_error_not_an_outage():
    from chromadb.errors import InternalError

    from ingest.store import _is_request_error

    assert _is_request_error(InternalError("Collection [xiezuo__g2] already exists"))  # what a racing create raises
    assert not _is_request_error(InternalError("database is locked"))
