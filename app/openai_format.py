"""OpenAI chat-completions wire format: request checks, the cited reply text, response and stream chunk objects."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from .models import Answer, Citation

MODEL_ID = "xiezuo-qa"
# an earlier turn only matters through the turn after it, so a few turns rebuild any follow-up chain
MAX_REPLAYED_TURNS = 4
_ROLES = {"system", "developer", "user", "assistant", "tool", "function"}
_LLM_CITE = re.compile(r"【来源(\d+)】")
_HAN = re.compile(r"[\u4e00-\u9fff]")


class BadRequest(Exception):
    """A payload this endpoint cannot answer; `message` is shown to the client (Chinese)."""

    def __init__(self, message: str, param: str | None = None, status: int = 400, code: str = "invalid_request"):
        super().__init__(message)
        self.message, self.param, self.status, self.code = message, param, status, code

    def body(self) -> dict:
        return {"error": {"message": self.message, "type": "invalid_request_error", "param": self.param,
                          "code": self.code}}


@dataclass
class ChatRequest:
    """What a chat request asks: the question, the earlier user turns (oldest first) and how to reply."""

    question: str
    earlier: list[str] = field(default_factory=list)
    stream: bool = False
    include_usage: bool = False
    prompt_chars: int = 0


def _text_of(content: object, where: str) -> str | None:
    """A message's text: a string, or the text parts of a content-part list; None when it has no text."""
    if content is None:
        return None
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = []
        for part in content:
            if not isinstance(part, dict) or not isinstance(part.get("type"), str):
                raise BadRequest(f"{where}.content 的每一项都必须是带 type 字段的对象", where)
            if part["type"] == "text":
                if not isinstance(part.get("text"), str):
                    raise BadRequest(f"{where}.content 中 type 为 text 的项缺少字符串 text 字段", where)
                texts.append(part["text"])
        return "\n".join(texts) if texts else None
    raise BadRequest(f"{where}.content 必须是字符串或内容数组", where)


def parse_request(body: object) -> ChatRequest:
    """Check a /v1/chat/completions payload; raises BadRequest with a Chinese message."""
    if not isinstance(body, dict):
        raise BadRequest("请求体必须是 JSON 对象")
    model = body.get("model")
    if model is None:
        raise BadRequest(f"缺少 model 字段（可用模型：{MODEL_ID}）", "model")
    if model != MODEL_ID:
        raise BadRequest(f"模型“{str(model)[:80]}”不存在，可用模型：{MODEL_ID}", "model", 404, "model_not_found")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise BadRequest("messages 必须是非空数组，例如 [{\"role\": \"user\", \"content\": \"区总工会负责哪些任务\"}]",
                         "messages")
    user_turns: list[str] = []
    prompt_chars = 0
    for i, msg in enumerate(messages):
        where = f"messages[{i}]"
        if not isinstance(msg, dict):
            raise BadRequest(f"{where} 必须是对象（含 role 和 content）", where)
        role = msg.get("role")
        if role not in _ROLES:
            raise BadRequest(f"{where}.role 无效：应为 user、assistant 或 system", where)
        text = _text_of(msg.get("content"), where)
        prompt_chars += len(text or "")
        if role == "user":
            if text is None:
                raise BadRequest(f"{where} 是用户消息，但没有文字内容", where)
            user_turns.append(text)
    if not user_turns:
        raise BadRequest("messages 中没有用户消息（role 为 user），不知道要回答什么", "messages")
    stream = body.get("stream", False)
    if stream is None:
        stream = False
    if not isinstance(stream, bool):
        raise BadRequest("stream 必须是 true 或 false", "stream")
    n = body.get("n", 1)
    if n not in (None, 1):
        raise BadRequest("只支持 n=1（每个问题一个回答）", "n")
    options = body.get("stream_options") or {}
    if not isinstance(options, dict):
        raise BadRequest("stream_options 必须是对象", "stream_options")
    return ChatRequest(question=user_turns[-1], earlier=user_turns[:-1][-MAX_REPLAYED_TURNS:], stream=stream,
                       include_usage=bool(options.get("include_usage")), prompt_chars=prompt_chars)


def escape_markup(text: str) -> str:
    """Escape & and < so markup from a document or a question is never live in a client that renders markdown or
    HTML; > stays, it opens the answer's quoted clauses and cannot start a tag."""
    return text.replace("&", "&amp;").replace("<", "&lt;")


def _keys(c: Citation) -> list[str]:
    """Strings that identify where a citation's block or list line starts in the answer text."""
    if c.item:
        return [f"第{c.item}项"]
    return [k for k in (c.section, f"《{c.title}》" if c.title else "") if k]


def _find(lines: list[str], keys: list[str], start: int) -> int | None:
    return next((i for i in range(start, len(lines)) if any(k in lines[i] for k in keys)), None)


def _quoted(lines: list[str], at: int) -> int:
    """The line of the clause quoted right under a heading (it is what was cited), else the heading itself."""
    nxt = at + 1
    while nxt < len(lines) and not lines[nxt].strip():
        nxt += 1
    return nxt if nxt < len(lines) and lines[nxt].startswith(">") else at


def mark_citations(text: str, citations: Sequence[Citation]) -> str:
    """The answer text with 【n】 after what citation n supports.

    A task is marked wherever the answer names it in bold (a multi-part answer may name it twice); other citations
    are looked for in citation order, each after the previous one, since the answers list or quote them in that
    order. A citation the text does not show is left to the sources list.
    """
    if not citations:
        return text
    if _LLM_CITE.search(text):  # reworded by the LLM: its 【来源N】 numbers the kept citations in ascending order
        used = sorted({int(n) for n in _LLM_CITE.findall(text)})
        return _LLM_CITE.sub(lambda m: f"【{used.index(int(m.group(1))) + 1}】", text)
    lines = text.split("\n")
    marks: dict[int, list[int]] = {}
    cursor = 0
    for n, c in enumerate(citations, 1):
        found = [i for i, line in enumerate(lines) if f"**第{c.item}项" in line] if c.item else []
        if not found:
            keys = _keys(c)
            at = _find(lines, keys, cursor) if keys else None
            if at is None and keys:
                at = _find(lines, keys, 0)
            found = [at] if at is not None else []
        for at in found:
            at = _quoted(lines, at)
            if n not in marks.setdefault(at, []):
                marks[at].append(n)
            cursor = max(cursor, at + 1)
    for i, ns in marks.items():
        lines[i] = lines[i].rstrip() + "".join(f"【{n}】" for n in ns)
    return "\n".join(lines)


def source_line(n: int, c: Citation) -> str:
    where = "，".join(x for x in (c.section, f"第{c.item}项" if c.item else "", c.date) if x)
    return f"- 【{n}】《{c.title}》{('，' + where) if where else ''}"


def reply_text(ans: Answer) -> str:
    """What a chat client shows: the answer with 【n】 markers, then the numbered sources (plain clients keep them)."""
    parts = []
    if ans.notice and _HAN.search(ans.notice):  # the English notices are codes for answers that already say it
        parts.append(f"（提示：{ans.notice}）")
    parts.append(mark_citations(ans.answer, ans.citations))
    if ans.citations:
        parts.append("来源：\n" + "\n".join(source_line(n, c) for n, c in enumerate(ans.citations, 1)))
    return escape_markup("\n\n".join(parts))


def citations_field(ans: Answer) -> list[dict]:
    """The extra `citations` field: each citation's JSON (as in `ask --json`) with its marker number."""
    out = []
    for n, c in enumerate(ans.citations, 1):
        d = {k: escape_markup(v) if isinstance(v, str) else v for k, v in c.to_dict().items()}
        d["units"] = [escape_markup(u) for u in d["units"]]
        d["highlights"] = [escape_markup(h) for h in d["highlights"]]
        out.append({"index": n, **d})
    return out


def new_id() -> str:
    return f"chatcmpl-{uuid.uuid4().hex}"


def usage(req: ChatRequest, reply: str) -> dict:
    """Counted in characters (there is no tokenizer behind this model)."""
    return {"prompt_tokens": req.prompt_chars, "completion_tokens": len(reply),
            "total_tokens": req.prompt_chars + len(reply)}


def completion(req: ChatRequest, ans: Answer) -> dict:
    """A `chat.completion` object for a non-streamed request."""
    reply = reply_text(ans)
    return {"id": new_id(), "object": "chat.completion", "created": int(time.time()), "model": MODEL_ID,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": reply, "refusal": None},
                         "finish_reason": "stop", "logprobs": None}],
            "usage": usage(req, reply), "citations": citations_field(ans)}


def _pieces(text: str, size: int = 24) -> Iterator[str]:
    """Line by line, long lines in slices, so a client can render as it goes."""
    for line in text.splitlines(keepends=True):
        for i in range(0, len(line), size):
            yield line[i:i + size]


def chunks(req: ChatRequest, ans: Answer) -> Iterator[dict]:
    """The `chat.completion.chunk` objects of a streamed reply: role, content pieces, then the stop chunk carrying
    the citations (and a usage chunk when stream_options.include_usage asked for one)."""
    cid, created = new_id(), int(time.time())
    reply = reply_text(ans)

    def chunk(delta: dict, finish: str | None = None, **extra) -> dict:
        return {"id": cid, "object": "chat.completion.chunk", "created": created, "model": MODEL_ID,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}], **extra}

    yield chunk({"role": "assistant", "content": ""})
    for piece in _pieces(reply):
        yield chunk({"content": piece})
    yield chunk({}, "stop", citations=citations_field(ans))
    if req.include_usage:
        yield {"id": cid, "object": "chat.completion.chunk", "created": created, "model": MODEL_ID, "choices": [],
               "usage": usage(req, reply)}


def models_list() -> dict:
    return {"object": "list", "data": [model_card()]}


def model_card() -> dict:
    return {"id": MODEL_ID, "object": "model", "created": 1767225600, "owned_by": "xiezuo-qa"}
