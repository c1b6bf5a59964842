"""OpenAI-compatible `POST /v1/chat/completions` and `GET /v1/models`, mounted on the chat page's server."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from .models import Answer, DialogueContext
from .openai_format import MODEL_ID, BadRequest, ChatRequest, chunks, completion, model_card, models_list, parse_request
from .service import Service

log = logging.getLogger(__name__)

__all__ = ["make_openai_router", "answer_turns"]

# a chat payload is a few questions; anything this large is not one
MAX_BODY_BYTES = 1024 * 1024


def answer_turns(service: Service, req: ChatRequest) -> Answer:
    """Answer the last user turn, with the earlier user turns replayed first to rebuild the follow-up context
    (the answerer reads a follow-up against the previous answer only, which it derives from its own turn)."""
    context: DialogueContext | None = None
    for earlier in req.earlier:
        context = service.ask(earlier, context).context
    return service.ask(req.question, context)


def _error(exc: BadRequest) -> JSONResponse:
    return JSONResponse(exc.body(), status_code=exc.status)


async def _read_json(request: Request) -> object:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise BadRequest(f"请求体过大（上限 {MAX_BODY_BYTES // 1024} KB）", status=413, code="payload_too_large")
    body = bytearray()
    async for part in request.stream():
        body += part
        if len(body) > MAX_BODY_BYTES:
            raise BadRequest(f"请求体过大（上限 {MAX_BODY_BYTES // 1024} KB）", status=413, code="payload_too_large")
    try:
        return json.loads(bytes(body).decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadRequest(f"请求体不是有效的 UTF-8 JSON（{exc}）", code="invalid_json") from exc


def _sse(objects, done: bool = True) -> AsyncIterator[str]:
    async def events() -> AsyncIterator[str]:
        for obj in objects:
            yield f"data: {json.dumps(obj, ensure_ascii=False)}\n\n"
        if done:
            yield "data: [DONE]\n\n"

    return events()


def make_openai_router(service: Service) -> APIRouter:
    """The /v1 routes for one Service (nothing global); include them in the FastAPI app that serves the page."""
    router = APIRouter(prefix="/v1", tags=["openai"])

    @router.get("/models")
    async def list_models() -> JSONResponse:
        return JSONResponse(models_list())

    @router.get("/models/{model_id}")
    async def get_model(model_id: str) -> JSONResponse:
        if model_id != MODEL_ID:
            return _error(BadRequest(f"模型“{model_id[:80]}”不存在，可用模型：{MODEL_ID}", "model", 404,
                                     "model_not_found"))
        return JSONResponse(model_card())

    @router.post("/chat/completions")
    async def chat_completions(request: Request):
        try:
            req = parse_request(await _read_json(request))
        except BadRequest as exc:
            log.info("chat completion refused: %s", exc.message)
            return _error(exc)
        try:  # answering may embed the question and query the store: off the event loop
            ans = await run_in_threadpool(answer_turns, service, req)
        except Exception:  # the client gets an OpenAI-style error, the log gets the traceback
            log.exception("chat completion failed for %r", req.question[:60])
            return JSONResponse({"error": {"message": "内部错误，未能回答这个问题，请稍后再试", "type": "server_error",
                                           "param": None, "code": "internal_error"}}, status_code=500)
        log.info("chat completion %r mode=%s stream=%s turns=%d", req.question[:60], ans.mode, req.stream,
                 len(req.earlier) + 1)
        if not req.stream:
            return JSONResponse(completion(req, ans))
        # no buffering by proxies: the client renders the pieces as they come
        return StreamingResponse(_sse(chunks(req, ans)), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    return router
