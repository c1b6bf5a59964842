"""Serve the page as Chinese whatever the browser's language: Gradio words its own buttons by navigator.language."""

from __future__ import annotations

# Must run before Gradio's scripts read the language, so it goes into the served HTML, not Gradio's `head`
# (which Gradio adds to the page only after it has picked its language).
SCRIPT = (b"<script>try { Object.defineProperty(navigator, 'language', {get: () => 'zh-CN'});"
          b" Object.defineProperty(navigator, 'languages', {get: () => ['zh-CN', 'zh']}); } catch (e) {}</script>")


class ChineseLocaleMiddleware:
    """ASGI middleware: puts SCRIPT first in the <head> of every HTML page the server sends."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        start: dict = {}
        parts: list[bytes] = []

        async def wrapped(message):
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers") or [])
                if b"text/html" in headers.get(b"content-type", b"") and b"content-encoding" not in headers:
                    start.update(message)  # hold the headers until the length of the new body is known
                    return
                await send(message)
            elif message["type"] == "http.response.body" and start:
                parts.append(message.get("body", b""))
                if message.get("more_body"):
                    return
                body = b"".join(parts).replace(b"<head>", b"<head>" + SCRIPT, 1)
                headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
                headers.append((b"content-length", str(len(body)).encode()))
                await send({**start, "headers": headers})
                await send({"type": "http.response.body", "body": body})
            else:
                await send(message)

        await self.app(scope, receive, wrapped)
