"""Opening a Chroma client (embedded folder or server) with finite timeouts, and naming it in error messages."""

from __future__ import annotations

import logging

from .settings import Settings

log = logging.getLogger(__name__)


class StoreUnavailable(RuntimeError):
    """The vector store cannot be reached (e.g. the Chroma server is down)."""


def _chroma_settings():
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False)


def describe_client(client) -> str:
    """'Chroma server at host:port' or 'Chroma folder <path>', for error messages."""
    try:
        cs = client.get_settings()
        if cs.chroma_server_host:
            return f"Chroma server at {cs.chroma_server_host}:{cs.chroma_server_http_port}"
        if cs.persist_directory:
            return f"Chroma folder {cs.persist_directory}"
    except Exception:  # a stand-in client in a test, or an unusual client type
        pass
    return "vector store"


def _set_http_timeout(client, settings: Settings) -> None:
    """Give the HttpClient's httpx session a finite timeout (chromadb's own is none at all, so a hung server would
    hold every question forever); best effort, through a private attribute."""
    try:
        import httpx

        session = client._server._session
        session.timeout = httpx.Timeout(settings.store_timeout_s, connect=settings.store_connect_timeout_s)
    except Exception:  # another chromadb layout: keep its default
        log.debug("could not set the Chroma HTTP timeout", exc_info=True)


def open_client(settings: Settings):
    """Embedded PersistentClient in the data dir, or an HttpClient when a Chroma host is configured.

    chromadb's HttpClient talks to the server while it is built (identity, tenant and database checks), so a
    server that is down fails here, as StoreUnavailable naming host:port.
    """
    import chromadb

    try:
        if settings.uses_server:
            client = chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port,
                                         settings=_chroma_settings())
            _set_http_timeout(client, settings)
            return client
        settings.chroma_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=_chroma_settings())
    except Exception as exc:  # connection refused, bad path, …
        where = (f"Chroma server at {settings.chroma_host}:{settings.chroma_port}"
                 if settings.uses_server else f"Chroma folder {settings.chroma_dir}")
        raise StoreUnavailable(f"cannot open {where}: {short_reason(exc)}") from exc


def short_reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= 300 else text[:300] + "…"
