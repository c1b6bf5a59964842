"""Chroma storage with generations: a re-index writes a new collection and switches to it in one step."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from .settings import Settings

log = logging.getLogger(__name__)

_PAGE = 500


class StoreUnavailable(RuntimeError):
    """The vector store cannot be reached (e.g. the Chroma server is down)."""


# A request to a Chroma server that stops answering fails after this long instead of hanging
# (chromadb's HTTP client has no timeout of its own).
HTTP_TIMEOUT_S = 60.0
HTTP_CONNECT_TIMEOUT_S = 5.0


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


def _set_http_timeout(client) -> None:
    """Give the HttpClient's httpx session a finite timeout (best effort: a private attribute)."""
    try:
        import httpx

        session = client._server._session
        session.timeout = httpx.Timeout(HTTP_TIMEOUT_S, connect=HTTP_CONNECT_TIMEOUT_S)
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
            _set_http_timeout(client)
            return client
        settings.chroma_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=_chroma_settings())
    except Exception as exc:  # connection refused, bad path, …
        where = (f"Chroma server at {settings.chroma_host}:{settings.chroma_port}"
                 if settings.uses_server else f"Chroma folder {settings.chroma_dir}")
        raise StoreUnavailable(f"cannot open {where}: {_reason(exc)}") from exc


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= 300 else text[:300] + "…"


def _is_request_error(exc: BaseException) -> bool:
    """Errors that are about the request, not about reaching the store: let them through unchanged."""
    if isinstance(exc, (ValueError, KeyError, TypeError)):
        return True
    from chromadb.errors import ChromaError

    if isinstance(exc, ChromaError):
        try:
            return int(exc.code()) < 500  # not found, invalid argument, already exists, …
        except Exception:
            return False
    return False


def _is_not_found(exc: BaseException) -> bool:
    from chromadb.errors import NotFoundError

    return isinstance(exc, (NotFoundError, ValueError, KeyError))


class _GuardedCollection:
    """A Chroma collection whose calls (add, get, count, query, …) report network failures as StoreUnavailable."""

    def __init__(self, coll, store: IndexStore):
        self._coll = coll
        self._store = store

    def __getattr__(self, attr):
        value = getattr(self._coll, attr)
        if callable(value):
            return lambda *args, **kwargs: self._store._call(value, *args, **kwargs)
        return value

    def __repr__(self) -> str:
        return f"<guarded {self._coll!r}>"


@dataclass
class Snapshot:
    """All chunks of the active generation: parallel lists as Chroma returns them."""

    collection: str = ""
    model: str = ""
    ids: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    metadatas: list[dict] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.ids)


class IndexStore:
    """Chunks live in `<name>__g<N>` collections; `<name>__meta` says which generation is active.

    Every call that reaches the store goes through `_call`: a store that cannot be reached (server down,
    connection reset, timeout, server-side failure) raises StoreUnavailable naming the server or folder; request
    errors (missing collection, bad argument) pass through unchanged. Collections handed out are wrapped the same
    way, so `coll.add(...)` in the pipeline is covered too. Nothing is cached between calls, so once the server
    answers again the same store works again.
    """

    def __init__(self, client, name: str):
        self.client = client
        self.name = name
        self.where = describe_client(client)

    def _call(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except StoreUnavailable:
            raise
        except Exception as exc:
            if _is_request_error(exc):
                raise
            name = getattr(fn, "__name__", "request")
            raise StoreUnavailable(f"{self.where} is unavailable ({name} failed): {_reason(exc)}") from exc

    def _guard(self, coll):
        return coll if coll is None or isinstance(coll, _GuardedCollection) else _GuardedCollection(coll, self)

    def _meta_collection(self):
        return self._guard(self._call(self.client.get_or_create_collection, f"{self.name}__meta",
                                      embedding_function=None))

    def meta(self) -> dict:
        return dict(self._meta_collection().metadata or {})

    def active_name(self) -> str | None:
        return self.meta().get("active")

    def active_collection(self):
        return self.collection(self.active_name())

    def collection(self, name: str | None):
        """The named generation (guarded), or None when there is no such collection."""
        if not name:
            return None
        try:
            return self._guard(self._call(self.client.get_collection, name, embedding_function=None))
        except StoreUnavailable:
            raise
        except Exception as exc:
            if _is_not_found(exc):  # pointer to a collection that is gone
                log.warning("active collection %s is missing", name)
                return None
            raise

    def collection_names(self) -> list[str]:
        """Names of every collection in the store (chromadb 1.x returns Collection objects, 0.6 names)."""
        return [item if isinstance(item, str) else item.name for item in self._call(self.client.list_collections)]

    def snapshot(self, with_embeddings: bool = False) -> tuple[Snapshot, list]:
        """Read every chunk of the active generation (paged), optionally with vectors."""
        meta = self.meta()
        coll = self.collection(meta.get("active"))
        snap = Snapshot(collection=coll.name if coll else "", model=meta.get("model", ""))
        vectors: list = []
        if coll is None:
            return snap, vectors
        include = ["documents", "metadatas"] + (["embeddings"] if with_embeddings else [])
        total = coll.count()
        for offset in range(0, total, _PAGE):
            page = coll.get(limit=_PAGE, offset=offset, include=include)
            snap.ids += page["ids"]
            snap.documents += page["documents"]
            snap.metadatas += page["metadatas"]
            if with_embeddings:
                vectors += [list(v) for v in page["embeddings"]]
        return snap, vectors

    def new_generation(self, model: str):
        """A fresh, empty `<name>__g<N+1>` collection (cosine space, no embedding function) and N+1."""
        gen = int(self.meta().get("generation", 0)) + 1
        name = f"{self.name}__g{gen}"
        try:
            self._call(self.client.delete_collection, name)  # debris of an interrupted run
        except StoreUnavailable:
            raise
        except Exception as exc:
            if not _is_not_found(exc):
                raise
        coll = self._call(self.client.create_collection, name, embedding_function=None,
                          configuration={"hnsw": {"space": "cosine"}}, metadata={"model": model})
        return self._guard(coll), gen

    def activate(self, coll, generation: int, model: str) -> None:
        """Switch readers to `coll` (one metadata write), then drop the other generations."""
        meta = self.meta()
        meta.update(active=coll.name, generation=generation, model=model)
        self._meta_collection().modify(metadata=meta)
        self.drop_inactive()

    def drop_inactive(self) -> None:
        active = self.active_name()
        pattern = re.compile(rf"^{re.escape(self.name)}__g\d+$")
        for name in self.collection_names():
            if pattern.match(name) and name != active:
                log.info("dropping old index generation %s", name)
                try:
                    self._call(self.client.delete_collection, name)
                except StoreUnavailable:
                    raise
                except Exception as exc:
                    if not _is_not_found(exc):  # already gone (another process cleaned up): fine
                        raise

    def query(self, embedding: list[float], k: int, where: dict | None = None,
              collection: str | None = None) -> list[tuple[str, float]]:
        """(id, cosine similarity) of the k nearest chunks of `collection` (a generation a reader loaded; one
        round trip less per question) or, when it is not given or gone, of the active generation."""
        coll = (self.collection(collection) if collection else None) or self.active_collection()
        if coll is None:
            return []
        # chroma returns fewer than k results from a small or empty collection; no count() round trip needed
        res = coll.query(query_embeddings=[embedding], n_results=k, where=where, include=["distances"])
        return [(i, 1.0 - d) for i, d in zip(res["ids"][0], res["distances"][0], strict=False)]
