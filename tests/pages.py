"""The chat page served for a test: a real Chroma index in the settings' data folder, the fake embedder, a free port."""

from __future__ import annotations

import socket

from ingest.pipeline import run_ingest
from ingest.settings import Settings
from ingest.units import AliasTable

from .conftest import FakeEmbedder


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_page(settings: Settings, concurrency: int = 4):
    """Ingest the settings' corpus and launch the page as `python -m app` would; returns (demo, service, root URL).

    The caller closes the demo."""
    from app.service import Service
    from app.ui import build_demo
    from ingest.store import IndexStore, open_client

    store = IndexStore(open_client(settings), settings.collection)
    emb = FakeEmbedder()
    run_ingest(settings.corpus_dir, store, emb, AliasTable.load(), settings.plan_doc)
    service = Service(settings, store, emb)
    demo = build_demo(service)
    port = free_port()
    demo.queue(default_concurrency_limit=concurrency).launch(server_name="127.0.0.1", server_port=port,
                                                             prevent_thread_lock=True, quiet=True)
    return demo, service, f"http://127.0.0.1:{port}"
