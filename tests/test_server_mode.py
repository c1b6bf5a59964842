"""Chroma server mode: ingest and answers through a `chroma run` server; a server that is down gives
StoreUnavailable naming host:port, and the same store works again once the server is back.

Runs only when XZQA_CHROMA_HOST (and XZQA_CHROMA_PORT) point at a running server, e.g.

    scripts/chroma_server.sh start && XZQA_CHROMA_HOST=127.0.0.1 XZQA_CHROMA_PORT=8765 pytest tests/test_server_mode.py

`.ci/run` does exactly that. The recovery test starts (and always stops) a second, private server of its own.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from app.models import Answer
from app.service import Service, UploadRejected
from ingest.pipeline import run_ingest
from ingest.settings import Settings
from ingest.store import IndexStore, StoreUnavailable, open_client
from retriever.index import KnowledgeIndex

from .conftest import ROOT, FakeEmbedder

HOST = os.environ.get("XZQA_CHROMA_HOST") or None
PORT = int(os.environ.get("XZQA_CHROMA_PORT") or 8000)

pytestmark = [
    pytest.mark.server,
    pytest.mark.skipif(not HOST, reason="no Chroma server: set XZQA_CHROMA_HOST/XZQA_CHROMA_PORT "
                                        "(scripts/chroma_server.sh start) to run the server-mode tests"),
]

RETRIEVAL_Q = "劳模疗休养是哪项工作"
LOOKUP_Q = "区总工会负责哪些任务"


def items(ans) -> list[int]:
    return [c.item for c in ans.citations]


def server_settings(tmp_path: Path, corpus_dir: Path, host: str | None = None, port: int | None = None) -> Settings:
    """Explicit settings for one test: its own data dir and a collection name no other test uses."""
    return Settings(data_dir=tmp_path / "data", corpus_dir=corpus_dir, chroma_host=host or HOST,
                    chroma_port=port or PORT, collection=f"xzqa_t{uuid.uuid4().hex[:12]}", _env_file=None)


def drop_collections(store: IndexStore) -> None:
    """Remove the test's collections from the shared server (best effort)."""
    try:
        for name in store.collection_names():
            if name.startswith(f"{store.name}__"):
                store.client.delete_collection(name)
    except Exception:
        pass


@pytest.fixture
def srv_settings(tmp_path, corpus_dir) -> Settings:
    return server_settings(tmp_path, corpus_dir)


@pytest.fixture
def srv_store(srv_settings):
    store = IndexStore(open_client(srv_settings), srv_settings.collection)
    yield store
    drop_collections(store)


def test_client_is_an_http_client_to_the_server(srv_settings, srv_store):
    assert srv_settings.uses_server
    assert srv_store.where == f"Chroma server at {HOST}:{PORT}"
    assert srv_store.client.heartbeat() > 0
    assert not (srv_settings.data_dir / "chroma").exists()  # nothing is written locally


def test_ingest_twice_and_answer(srv_settings, srv_store, aliases):
    first = run_ingest(srv_settings.corpus_dir, srv_store, FakeEmbedder(), aliases, srv_settings.plan_doc)
    assert first.ok and first.added == first.chunks > 0
    assert srv_store.active_name() == f"{srv_settings.collection}__g1"

    emb = FakeEmbedder()
    again = run_ingest(srv_settings.corpus_dir, srv_store, emb, aliases, srv_settings.plan_doc)
    assert again.ok and again.added == 0 and again.removed == 0 and again.unchanged == first.chunks
    assert emb.embedded == 0 and srv_store.active_name() == f"{srv_settings.collection}__g1"

    service = Service(srv_settings, srv_store, FakeEmbedder(), aliases)
    assert len(service.index) == first.chunks
    assert items(service.ask(LOOKUP_Q)) == [6, 7]
    ret = service.ask(RETRIEVAL_Q)
    assert ret.mode == "retrieval" and ret.found and ret.citations and ret.citations[0].item == 6
    assert service.index.dense_run(RETRIEVAL_Q, 5)  # the dense run really went to the server


def test_edit_reembeds_only_that_document(srv_settings, srv_store, aliases):
    first = run_ingest(srv_settings.corpus_dir, srv_store, FakeEmbedder(), aliases, srv_settings.plan_doc)
    related = sorted((srv_settings.corpus_dir / "related").glob("*.txt"))[0]
    related.write_text(related.read_text("utf-8") + "\n新增一句测试文字。", "utf-8")
    emb = FakeEmbedder()
    report = run_ingest(srv_settings.corpus_dir, srv_store, emb, aliases, srv_settings.plan_doc)
    assert report.ok and 0 < report.added < first.chunks and emb.embedded == report.added
    assert srv_store.active_name() == f"{srv_settings.collection}__g2"
    gens = [n for n in srv_store.collection_names() if n.startswith(f"{srv_settings.collection}__g")]
    assert gens == [f"{srv_settings.collection}__g2"]  # the old generation was dropped on the server


CHILD = textwrap.dedent("""
    import json, sys
    sys.path.insert(0, {root!r})
    from tests.conftest import FakeEmbedder
    from app.service import Service, UploadRejected
    from ingest.pipeline import run_ingest
    from ingest.settings import Settings
    from ingest.store import IndexStore, open_client

    s = Settings()  # everything from XZQA_* in the environment, as the entry points do
    store = IndexStore(open_client(s), s.collection)
    service = Service(s, store, FakeEmbedder())
    report = run_ingest(s.corpus_dir, store, FakeEmbedder(), service.aliases, s.plan_doc)
    print(json.dumps({{"where": store.where, "active": store.active_name(), "chunks": len(service.index),
                      "lookup": [c.item for c in service.ask({lookup!r}).citations],
                      "retrieval": [c.item for c in service.ask({retrieval!r}).citations],
                      "added": report.added}}))
""")


def test_new_process_and_client_see_the_same_index(srv_settings, srv_store, aliases, tmp_path):
    """A restarted app (fresh process, fresh HttpClient, settings from the environment) finds everything."""
    first = run_ingest(srv_settings.corpus_dir, srv_store, FakeEmbedder(), aliases, srv_settings.plan_doc)
    script = tmp_path / "child.py"
    script.write_text(CHILD.format(root=str(ROOT), lookup=LOOKUP_Q, retrieval=RETRIEVAL_Q), "utf-8")
    env = dict(os.environ, XZQA_CHROMA_HOST=HOST, XZQA_CHROMA_PORT=str(PORT),
               XZQA_COLLECTION=srv_settings.collection, XZQA_CORPUS_DIR=str(srv_settings.corpus_dir),
               XZQA_DATA_DIR=str(tmp_path / "child-data"), ANONYMIZED_TELEMETRY="False")
    out = subprocess.run([sys.executable, str(script)], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["where"] == f"Chroma server at {HOST}:{PORT}"
    assert got["active"] == srv_store.active_name() and got["chunks"] == first.chunks
    assert got["lookup"] == [6, 7] and got["retrieval"][:1] == [6] and got["added"] == 0
    # and a second client in this process agrees
    again = IndexStore(open_client(srv_settings), srv_settings.collection)
    snap, _ = again.snapshot()
    assert len(snap) == first.chunks and snap.collection == srv_store.active_name()


# --- server down ----------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_open_on_a_closed_port_is_a_clear_error(tmp_path, corpus_dir):
    port = free_port()  # nothing listens there
    settings = server_settings(tmp_path, corpus_dir, host="127.0.0.1", port=port)
    started = time.perf_counter()
    with pytest.raises(StoreUnavailable, match=f"127.0.0.1:{port}") as err:
        open_client(settings)
    assert time.perf_counter() - started < 10
    assert "Traceback" not in str(err.value)
    with pytest.raises(StoreUnavailable, match=f"127.0.0.1:{port}"):
        Service.create(settings)


def _chroma_cli() -> str | None:
    local = Path(sys.executable).parent / "chroma"
    return str(local) if local.exists() else shutil.which("chroma")


def _heartbeat(port: int) -> bool:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).read()
        return True
    except OSError:
        return False


class PrivateServer:
    """A short-lived `chroma run` for one test; stop() is always called (see the fixture)."""

    def __init__(self, path: Path, port: int, log: Path):
        self.path, self.port, self.log = path, port, log
        self.proc: subprocess.Popen | None = None

    def start(self, wait_s: float = 30.0) -> None:
        cli = _chroma_cli()
        assert cli, "chroma CLI not found"
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen([cli, "run", "--path", str(self.path), "--host", "127.0.0.1",
                                          "--port", str(self.port)], stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, env=dict(os.environ, ANONYMIZED_TELEMETRY="False"))
        deadline = time.monotonic() + wait_s
        while not _heartbeat(self.port):
            if self.proc.poll() is not None:
                raise RuntimeError(f"chroma run exited with {self.proc.returncode}: {self.log.read_text()[-2000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"chroma run did not answer within {wait_s} s")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)


@pytest.fixture
def private_server(tmp_path):
    if not _chroma_cli():
        pytest.skip("the chroma CLI is not installed")
    server = PrivateServer(tmp_path / "server-data", free_port(), tmp_path / "server.log")
    try:
        yield server
    finally:
        server.stop()


def test_server_down_then_back(private_server, tmp_path, corpus_dir, aliases):
    private_server.start()
    port = private_server.port
    where = f"127.0.0.1:{port}"
    settings = server_settings(tmp_path, corpus_dir, host="127.0.0.1", port=port)
    store = IndexStore(open_client(settings), settings.collection)
    first = run_ingest(settings.corpus_dir, store, FakeEmbedder(), aliases, settings.plan_doc)
    assert first.ok and first.added > 0
    service = Service(settings, store, FakeEmbedder(), aliases)
    assert items(service.ask(RETRIEVAL_Q))[:1] == [6]
    before, _ = store.snapshot()

    private_server.stop()
    assert not _heartbeat(port)
    for call in (store.snapshot, store.meta, lambda: store.query([0.1] * 256, 3),
                 lambda: store.new_generation("x"), lambda: KnowledgeIndex.load(store, FakeEmbedder(), aliases),
                 lambda: run_ingest(settings.corpus_dir, store, FakeEmbedder(), aliases, settings.plan_doc),
                 lambda: open_client(settings)):
        with pytest.raises(StoreUnavailable, match=where):
            call()
    # the running service keeps its loaded index: record lookups still answer; a question that needs the
    # server fails with the clear error, never with a raw connection error
    assert items(service.ask(LOOKUP_Q)) == [6, 7]
    try:
        ans = service.ask(RETRIEVAL_Q)
    except StoreUnavailable as exc:
        assert where in str(exc)
    else:
        assert isinstance(ans, Answer)

    private_server.start()  # same port, same data folder
    snap, _ = store.snapshot()  # the very same store object recovers
    assert snap.ids == before.ids and snap.collection == before.collection
    assert store.query(FakeEmbedder().embed_query(RETRIEVAL_Q), 3)
    assert items(service.ask(RETRIEVAL_Q))[:1] == [6]
    service.reload()
    assert items(service.ask(LOOKUP_Q)) == [6, 7]
    again = run_ingest(settings.corpus_dir, store, FakeEmbedder(), aliases, settings.plan_doc)
    assert again.ok and again.added == 0


def test_hung_server_times_out_instead_of_hanging(private_server, tmp_path, corpus_dir):
    """chromadb's HTTP client waits forever by default; open_client gives it the settings' finite timeout."""
    private_server.start()
    settings = server_settings(tmp_path, corpus_dir, host="127.0.0.1", port=private_server.port)
    settings.store_timeout_s = 4.0  # lookups must not wait this long; generous for a loaded CI machine
    store = IndexStore(open_client(settings), settings.collection)
    assert store.meta() == {}
    os.kill(private_server.proc.pid, signal.SIGSTOP)  # accepts connections (kernel backlog) but never answers
    try:
        started = time.perf_counter()
        with pytest.raises(StoreUnavailable, match=f"127.0.0.1:{private_server.port}"):
            store.snapshot()
        assert time.perf_counter() - started < 10
    finally:
        os.kill(private_server.proc.pid, signal.SIGCONT)
    assert store.meta() == {}  # answers again once the server runs


def test_hung_server_questions_fall_back_fast_and_lookups_never_wait(private_server, tmp_path, corpus_dir, aliases):
    """10 questions in flight against a SIGSTOPped server: each retrieval answer falls back to keywords with the
    notice within about one store timeout, record lookups answer at once, and all recover after SIGCONT."""
    private_server.start()
    settings = server_settings(tmp_path, corpus_dir, host="127.0.0.1", port=private_server.port)
    settings.store_timeout_s, settings.store_retry_s, settings.generation_poll_s = 3.0, 30.0, 0.0
    store = IndexStore(open_client(settings), settings.collection, retry_after_s=settings.store_retry_s)
    run_ingest(settings.corpus_dir, store, FakeEmbedder(), aliases, settings.plan_doc)
    service = Service(settings, store, FakeEmbedder(), aliases)
    assert not service.ask(RETRIEVAL_Q).notice
    os.kill(private_server.proc.pid, signal.SIGSTOP)
    try:
        results: dict[str, list] = {"retrieval": [], "lookup": []}

        def ask(kind: str, question: str) -> None:
            started = time.perf_counter()
            ans = service.ask(question)
            results[kind].append((time.perf_counter() - started, ans))

        threads = [threading.Thread(target=ask, args=("retrieval", RETRIEVAL_Q)) for _ in range(10)]
        for t in threads:
            t.start()
        time.sleep(0.3)  # the retrieval questions are now waiting on the hung server
        for _ in range(5):
            ask("lookup", LOOKUP_Q)
        for t in threads:
            t.join(60)
        assert all(s < 3.0 and items(a) == [6, 7] for s, a in results["lookup"]), results["lookup"]
        assert len(results["retrieval"]) == 10
        for seconds, ans in results["retrieval"]:
            assert seconds < settings.store_timeout_s + 5 and "只按关键词检索" in ans.notice
            assert ans.citations and ans.citations[0].item == 6
        started = time.perf_counter()  # the store is now known to be down: no more waiting at all
        assert "只按关键词检索" in service.ask(RETRIEVAL_Q).notice and time.perf_counter() - started < 3.0
    finally:
        os.kill(private_server.proc.pid, signal.SIGCONT)
    store._down_until = 0.0  # skip the 30 s pause instead of sleeping through it in the test
    ans = service.ask(RETRIEVAL_Q)
    assert not ans.notice and items(ans)[:1] == [6]


# --- data loss and stale readers --------------------------------------------------------------------------------

NOTE = "标题：冷水鱼推介\n尖扎冷水鱼推介会共签约八个项目。".encode()


def test_upload_while_server_is_down_changes_nothing_and_a_retry_indexes(private_server, tmp_path, corpus_dir,
                                                                           aliases):
    private_server.start()
    settings = server_settings(tmp_path, corpus_dir, host="127.0.0.1", port=private_server.port)
    store = IndexStore(open_client(settings), settings.collection)
    run_ingest(settings.corpus_dir, store, FakeEmbedder(), aliases, settings.plan_doc)
    service = Service(settings, store, FakeEmbedder(), aliases)
    before = sorted(p.name for p in corpus_dir.rglob("*"))
    private_server.stop()
    with pytest.raises(UploadRejected, match="向量库暂不可用，未作任何改动"):
        service.add_file("fish.txt", NOTE)
    assert sorted(p.name for p in corpus_dir.rglob("*")) == before  # nothing written, no temp debris
    private_server.start()
    assert "已导入" in service.add_file("fish.txt", NOTE)
    ans = service.ask("冷水鱼推介会签约了几个项目")
    assert ans.found and ans.citations[0].doc == "fish"
    assert "未作改动" in service.add_file("fish.txt", NOTE)


READER = textwrap.dedent("""
    import json, sys, time
    sys.path.insert(0, {root!r})
    from tests.conftest import FakeEmbedder
    from app.service import Service, UploadRejected
    from ingest.settings import Settings
    from ingest.store import IndexStore, open_client

    s = Settings(generation_poll_s=0.2)
    service = Service(s, IndexStore(open_client(s), s.collection), FakeEmbedder())
    print(json.dumps(len(service.ask("区妇联负责哪些任务").citations)), flush=True)
    for line in sys.stdin:  # one question per line from the test; answers as JSON lines
        time.sleep(0.5)  # the previous question's background check has finished by now
        ans = service.ask(line.strip())
        print(json.dumps({{"docs": [c.doc for c in ans.citations], "gen": service.index.snapshot.collection}}),
              flush=True)
""")


def test_another_process_sees_a_reindex_and_concurrent_reindexes_succeed(srv_settings, srv_store, aliases, tmp_path):
    run_ingest(srv_settings.corpus_dir, srv_store, FakeEmbedder(), aliases, srv_settings.plan_doc)
    script = tmp_path / "reader.py"
    script.write_text(READER.format(root=str(ROOT)), "utf-8")
    env = dict(os.environ, XZQA_CHROMA_HOST=HOST, XZQA_CHROMA_PORT=str(PORT), ANONYMIZED_TELEMETRY="False",
               XZQA_COLLECTION=srv_settings.collection, XZQA_CORPUS_DIR=str(srv_settings.corpus_dir),
               XZQA_DATA_DIR=str(tmp_path / "reader-data"))
    reader = subprocess.Popen([sys.executable, str(script)], cwd=ROOT, env=env, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert json.loads(reader.stdout.readline()) > 0
        (srv_settings.corpus_dir / "fish.txt").write_bytes(NOTE)
        errors, reports = [], []

        def reindex() -> None:  # two writers at once, each with its own client
            try:
                own = IndexStore(open_client(srv_settings), srv_settings.collection)
                reports.append(run_ingest(srv_settings.corpus_dir, own, FakeEmbedder(), aliases,
                                          srv_settings.plan_doc, batch=8))
            except Exception as exc:  # noqa: BLE001 (reported by the assertion)
                errors.append(repr(exc))

        writers = [threading.Thread(target=reindex) for _ in range(2)]
        for t in writers:
            t.start()
        for t in writers:
            t.join(120)
        assert not errors and len(reports) == 2 and all(r.ok for r in reports), errors
        active = srv_store.active_name()
        got = {}
        for _ in range(20):  # the reader picks the new generation up within a question or two
            reader.stdin.write("冷水鱼推介会签约了几个项目\n")
            reader.stdin.flush()
            got = json.loads(reader.stdout.readline())
            if got["gen"] == active and got["docs"][:1] == ["fish"]:
                break  # a reload can land during an answer: the answer after it is the one that must see the note
        assert got["gen"] == active and got["docs"][:1] == ["fish"], got
    finally:
        reader.stdin.close()
        reader.terminate()
        reader.wait(timeout=10)
