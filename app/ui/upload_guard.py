"""Guard for Gradio's public upload route: refused while admin actions are off, bounded in size and count, pruned."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

UPLOAD_PATH = "/gradio_api/upload"


class UploadCache:
    """The files this page's upload route has stored: bounded by total size and count, each kept `ttl_s`."""

    def __init__(self, enabled: bool, max_bytes: int, max_files: int, ttl_s: float,
                 clock: Callable[[], float] = time.monotonic):
        self.enabled = enabled
        self.max_bytes = max_bytes
        self.max_files = max_files
        self.ttl_s = ttl_s
        self._clock = clock
        self._files: dict[str, tuple[int, float]] = {}  # path -> (bytes, stored at)
        self._lock = threading.Lock()
        self._pruned_at = clock()

    def prune_now_and_then(self, every_s: float = 60.0) -> None:
        """Prune at most every `every_s` seconds: called on any request, so expired uploads go even when no
        further upload arrives."""
        if self._files and self._clock() - self._pruned_at >= every_s:
            self.prune()

    def add(self, path: str, estimate: int) -> None:
        """Register a stored upload; Gradio may move it into place just after replying, so its size is estimated
        from the request until the file is there."""
        with self._lock:
            self._files[path] = (estimate, self._clock())

    @staticmethod
    def _size(path: str, estimate: int) -> int:
        try:
            return Path(path).stat().st_size
        except OSError:
            return estimate

    def discard(self, path: str) -> None:
        """Delete one upload now (the admin handler has read it)."""
        with self._lock:
            known = self._files.pop(path, None) is not None
        if known:
            _remove(path)

    def prune(self) -> None:
        """Delete uploads older than ttl_s, and forget files something else already removed."""
        now = self._clock()
        self._pruned_at = now
        with self._lock:
            old = [p for p, (_, at) in self._files.items()
                   if now - at > self.ttl_s or (now - at > 60 and not Path(p).exists())]
            for p in old:
                self._files.pop(p, None)
        for p in old:
            _remove(p)

    def usage(self) -> tuple[int, int]:
        with self._lock:
            files = list(self._files.items())
        return sum(self._size(p, est) for p, (est, _) in files), len(files)

    def refusal(self, incoming: int) -> tuple[int, str] | None:
        """(HTTP status, reason) when an upload of `incoming` bytes must be refused, else None."""
        if not self.enabled:
            return 403, "上传已停用：未设置管理员密码（XZQA_ADMIN_PASSWORD）。"
        self.prune()
        used, count = self.usage()
        if count >= self.max_files or used + incoming > self.max_bytes:
            return 429, (f"上传缓存已满（{count} 个文件，{used / 1048576:.1f} MB），"
                         f"请在 {self.ttl_s / 60:.0f} 分钟内再试。")
        return None


def _remove(path: str) -> None:
    p = Path(path)
    try:
        p.unlink(missing_ok=True)
        p.parent.rmdir()  # Gradio puts each upload in a folder of its own
    except OSError:
        pass


class UploadGuardMiddleware:
    """ASGI middleware in front of Gradio's upload route (Gradio's own route has no such limits)."""

    def __init__(self, app, cache: UploadCache):
        self.app = app
        self.cache = cache

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") != "POST" or not scope["path"].endswith(UPLOAD_PATH):
            if scope["type"] == "http":
                self.cache.prune_now_and_then()
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        try:
            incoming = int(headers.get(b"content-length", b"0"))
        except ValueError:
            incoming = 0
        refused = self.cache.refusal(incoming)
        if refused:
            status, reason = refused
            client = (scope.get("client") or ("?",))[0]
            log.warning("upload from %s refused (%d): %s", client, status, reason)
            body = reason.encode("utf-8")
            await send({"type": "http.response.start", "status": status,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                    (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, self._recording(send, incoming))

    def _recording(self, send, incoming: int):
        """Wrap `send` to read the stored paths from Gradio's JSON reply and register them."""
        parts: list[bytes] = []
        ok = {"value": False}

        async def wrapped(message):
            if message["type"] == "http.response.start":
                ok["value"] = message.get("status") == 200
            elif message["type"] == "http.response.body" and ok["value"]:
                parts.append(message.get("body", b""))
                if not message.get("more_body"):
                    try:
                        paths = json.loads(b"".join(parts))
                    except ValueError:
                        paths = []
                    stored = [p for p in paths if isinstance(p, str)] if isinstance(paths, list) else []
                    for path in stored:
                        self.cache.add(path, incoming // len(stored))
            await send(message)

        return wrapped
