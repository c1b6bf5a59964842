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


def open_client(settings: Settings):
    """Embedded PersistentClient in the data dir, or an HttpClient when a Chroma host is configured."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    try:
        if settings.uses_server:
            return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port,
                                       settings=chroma_settings)
        settings.chroma_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)
    except Exception as exc:  # connection refused, bad path, …
        where = (f"Chroma server at {settings.chroma_host}:{settings.chroma_port}"
                 if settings.uses_server else f"Chroma folder {settings.chroma_dir}")
        raise StoreUnavailable(f"cannot open {where}: {exc}") from exc


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
    """Chunks live in `<name>__g<N>` collections; `<name>__meta` says which generation is active."""

    def __init__(self, client, name: str):
        self.client = client
        self.name = name

    def _call(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (ValueError, KeyError, TypeError):
            raise
        except Exception as exc:  # network errors from the HTTP client
            raise StoreUnavailable(f"vector store error: {exc}") from exc

    def _meta_collection(self):
        return self._call(self.client.get_or_create_collection, f"{self.name}__meta", embedding_function=None)

    def meta(self) -> dict:
        return dict(self._meta_collection().metadata or {})

    def active_name(self) -> str | None:
        return self.meta().get("active")

    def active_collection(self):
        name = self.active_name()
        if not name:
            return None
        try:
            return self._call(self.client.get_collection, name, embedding_function=None)
        except (ValueError, KeyError):  # pointer to a collection that is gone
            log.warning("active collection %s is missing", name)
            return None
        except StoreUnavailable:
            raise
        except Exception:
            return None

    def snapshot(self, with_embeddings: bool = False) -> tuple[Snapshot, list]:
        """Read every chunk of the active generation (paged), optionally with vectors."""
        coll = self.active_collection()
        meta = self.meta()
        snap = Snapshot(collection=coll.name if coll else "", model=meta.get("model", ""))
        vectors: list = []
        if coll is None:
            return snap, vectors
        include = ["documents", "metadatas"] + (["embeddings"] if with_embeddings else [])
        total = self._call(coll.count)
        for offset in range(0, total, _PAGE):
            page = self._call(coll.get, limit=_PAGE, offset=offset, include=include)
            snap.ids += page["ids"]
            snap.documents += page["documents"]
            snap.metadatas += page["metadatas"]
            if with_embeddings:
                vectors += [list(v) for v in page["embeddings"]]
        return snap, vectors

    def new_generation(self, model: str):
        gen = int(self.meta().get("generation", 0)) + 1
        name = f"{self.name}__g{gen}"
        try:
            self.client.delete_collection(name)  # debris of an interrupted run
        except Exception:
            pass
        coll = self._call(self.client.create_collection, name, embedding_function=None,
                          configuration={"hnsw": {"space": "cosine"}}, metadata={"model": model})
        return coll, gen

    def activate(self, coll, generation: int, model: str) -> None:
        """Switch readers to `coll` (one metadata write), then drop the other generations."""
        meta = self.meta()
        meta.update(active=coll.name, generation=generation, model=model)
        self._call(self._meta_collection().modify, metadata=meta)
        self.drop_inactive()

    def drop_inactive(self) -> None:
        active = self.active_name()
        pattern = re.compile(rf"^{re.escape(self.name)}__g\d+$")
        for item in self._call(self.client.list_collections):
            name = item if isinstance(item, str) else item.name
            if pattern.match(name) and name != active:
                log.info("dropping old index generation %s", name)
                self._call(self.client.delete_collection, name)

    def query(self, embedding: list[float], k: int, where: dict | None = None) -> list[tuple[str, float]]:
        """(id, cosine similarity) of the k nearest chunks of the active generation."""
        coll = self.active_collection()
        if coll is None:
            return []
        count = self._call(coll.count)
        if count == 0:
            return []
        res = self._call(coll.query, query_embeddings=[embedding], n_results=min(k, count), where=where,
                         include=["distances"])
        return [(i, 1.0 - d) for i, d in zip(res["ids"][0], res["distances"][0], strict=False)]
