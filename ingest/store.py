"""Chroma storage with generations: a re-index writes a new collection and switches to it in one step."""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass, field

from .chroma_client import StoreUnavailable, describe_client, open_client, short_reason

__all__ = ["IndexStore", "Snapshot", "StoreUnavailable", "describe_client", "generation_of", "open_client"]

log = logging.getLogger(__name__)

_PAGE = 500


_GENERATION = re.compile(r"__g(\d+)$")


def generation_of(name: str | None) -> int:
    """N of a `<name>__g<N>` collection name; 0 for none."""
    m = _GENERATION.search(name or "")
    return int(m.group(1)) if m else 0


def _is_request_error(exc: BaseException) -> bool:
    """Errors that are about the request, not about reaching the store: let them through unchanged."""
    if isinstance(exc, (ValueError, KeyError, TypeError)):
        return True
    from chromadb.errors import ChromaError

    if isinstance(exc, ChromaError):
        if "already exists" in str(exc).lower():  # two runs creating one collection at once: an InternalError
            return True
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
    way, so `coll.add(...)` in the pipeline is covered too. After such a failure the store is not asked again for
    `retry_after_s` seconds (calls fail at once), so a hung server costs one timeout, not one per question; after
    that the same store object tries again and works once the server answers.
    """

    def __init__(self, client, name: str, retry_after_s: float = 0.0):
        self.client = client
        self.name = name
        self.where = describe_client(client)
        self.retry_after_s = retry_after_s
        self._down_until = 0.0
        self._down_reason = ""
        self._lock = threading.Lock()
        self._held: dict[str, object] = {}

    def _call(self, fn, *args, **kwargs):
        name = getattr(fn, "__name__", "request")
        if self._down_until and time.monotonic() < self._down_until:
            raise StoreUnavailable(f"{self.where} is unavailable ({name} not tried: {self._down_reason})")
        try:
            result = fn(*args, **kwargs)
        except StoreUnavailable:
            raise
        except Exception as exc:
            if _is_request_error(exc):
                raise
            reason = short_reason(exc)
            if self.retry_after_s:
                with self._lock:
                    self._down_until = time.monotonic() + self.retry_after_s
                    self._down_reason = f"failed {self.retry_after_s:.0f} s ago or less: {reason}"
            raise StoreUnavailable(f"{self.where} is unavailable ({name} failed): {reason}") from exc
        self._down_until = 0.0
        return result

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
            if _is_not_found(exc):  # another process re-indexed and dropped it; readers reload within a poll
                log.info("index generation %s is gone", name)
                return None
            raise

    def collection_names(self) -> list[str]:
        """Names of every collection in the store (chromadb 1.x returns Collection objects, 0.6 names)."""
        return [item if isinstance(item, str) else item.name for item in self._call(self.client.list_collections)]

    def snapshot(self, with_embeddings: bool = False) -> tuple[Snapshot, list]:
        """Read every chunk of the active generation (paged), optionally with vectors; when another process
        switches generations and drops this one midway, read the new one."""
        for attempt in range(3):
            try:
                return self._snapshot(with_embeddings)
            except StoreUnavailable:
                raise
            except Exception as exc:
                if not _is_not_found(exc) or attempt == 2:
                    raise
                log.info("index generation dropped while reading it; reading the active one again")
        raise AssertionError("unreachable")

    def chunk_ids(self, doc: str) -> set[str]:
        """Ids of one document's chunks in the active generation (what is indexed, not what is on disk)."""
        coll = self.active_collection()
        return set(coll.get(where={"doc": doc}, include=[])["ids"]) if coll is not None else set()

    def _snapshot(self, with_embeddings: bool) -> tuple[Snapshot, list]:
        meta = self.meta()
        coll = self.collection(meta.get("active"))
        if coll is None and meta.get("active"):  # the pointer names a dropped generation: read the newest one
            coll = self.collection(self._newest_generation())
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

    def _generations(self) -> list[str]:
        pattern = re.compile(rf"^{re.escape(self.name)}__g\d+$")
        return [n for n in self.collection_names() if pattern.match(n)]

    def _newest_generation(self) -> str | None:
        return max(self._generations(), key=generation_of, default=None)

    def new_generation(self, model: str):
        """A fresh, empty `<name>__g<N>` collection (cosine space, no embedding function) and N, numbered above
        every generation present: another process may be writing one right now, so none is reused or deleted."""
        gen = max([int(self.meta().get("generation", 0)), *map(generation_of, self._generations())]) + 1
        for _ in range(20):
            try:
                coll = self._call(self.client.create_collection, f"{self.name}__g{gen}", embedding_function=None,
                                  configuration={"hnsw": {"space": "cosine"}}, metadata={"model": model})
                return self._guard(coll), gen
            except StoreUnavailable:
                raise
            except Exception as exc:
                if "exist" not in str(exc).lower():
                    raise
                gen += 1  # another run took this number a moment ago
        raise StoreUnavailable(f"{self.where}: could not create a new index generation (too many concurrent runs)")

    def superseded(self, generation: int) -> bool:
        """True when a newer generation than `generation` is already active (a later run finished first)."""
        return generation_of(self.active_name()) > generation

    def activate(self, coll, generation: int, model: str) -> bool:
        """Switch readers to `coll` (one metadata write), then drop older generations. When a newer generation
        is already active, `coll` is dropped instead and False is returned."""
        meta = self.meta()
        if generation_of(meta.get("active")) > generation:
            log.info("index generation %s superseded by %s; dropping it", coll.name, meta.get("active"))
            self._drop(coll.name)
            return False
        # marked complete before the pointer moves, so a run whose pointer write is lost can still be found
        try:
            coll.modify(metadata={**(coll.metadata or {}), "model": model, "complete": True})
        except StoreUnavailable:
            raise
        except Exception as exc:
            if not _is_not_found(exc):
                raise
            log.info("index generation %s was dropped by a newer run that finished first", coll.name)
            return False
        meta.update(active=coll.name, generation=max(generation, int(meta.get("generation", 0))), model=model)
        self._meta_collection().modify(metadata=meta)
        self.drop_inactive()
        self._settle()
        return True

    def _complete_generations(self) -> list[str]:
        found = []
        for name in self._generations():
            coll = self.collection(name)
            if coll is not None and (coll.metadata or {}).get("complete"):
                found.append(name)
        return found

    def _settle(self) -> None:
        """Two runs finishing together each read the pointer, then write it: the older run's write can land last
        and leave the newer, complete generation unused, or name a generation the other run dropped. Every run
        settles after its own write, so whichever write lands last is followed by this check: the pointer moves
        to the newest complete generation (or, for stores built before completion was marked, the newest one)."""
        meta = self.meta()
        complete = self._complete_generations()
        best = max(complete, key=generation_of, default=None)
        active = meta.get("active")
        if best is not None and generation_of(best) > generation_of(active):
            log.warning("index pointer names %s but %s is newer and complete; switching to it", active, best)
        elif self.collection(active) is None and (best := best or self._newest_generation()) is not None:
            log.warning("active index generation %s is gone; switching to %s", active, best)
        else:
            return
        meta.update(active=best, generation=max(generation_of(best), int(meta.get("generation", 0))))
        self._meta_collection().modify(metadata=meta)
        self.drop_inactive()

    def drop_inactive(self) -> None:
        """Drop generations older than the active one; newer ones may still be being written by another run
        (debris of a killed run is dropped once a later generation is activated)."""
        active = generation_of(self.active_name())
        for name in self._generations():
            if generation_of(name) < active:
                log.info("dropping old index generation %s", name)
                self._drop(name)

    def _drop(self, name: str) -> None:
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
        return self.query_many([embedding], k, where, collection)[0]

    def query_many(self, embeddings: list[list[float]], k: int, where: dict | None = None,
                   collection: str | None = None) -> list[list[tuple[str, float]]]:
        """`query` for several embeddings in one call (the parts of one question)."""
        if not embeddings:
            return []
        # chroma returns fewer than k results from a small or empty collection; no count() round trip needed
        args = {"query_embeddings": list(embeddings), "n_results": k, "where": where, "include": ["distances"]}
        held = self._held.get(collection) if collection else None
        res = None
        if held is not None:  # the handle of a loaded generation is reused: one lookup less per question
            try:
                res = held.query(**args)
            except StoreUnavailable:
                raise
            except Exception as exc:
                if not _is_not_found(exc):
                    raise
                self._held.pop(collection, None)  # dropped by another process's re-index
        if res is None:
            coll = (self.collection(collection) if collection else None) or self.active_collection()
            if coll is None:
                return [[] for _ in embeddings]
            if collection and coll.name == collection:
                self._held = {collection: coll}  # one generation at a time: readers query the one they loaded
            res = coll.query(**args)
        return [[(i, 1.0 - d) for i, d in zip(ids, dists, strict=False)]
                for ids, dists in zip(res["ids"], res["distances"], strict=False)]
