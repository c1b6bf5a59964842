"""Question payload hygiene for every front end: anything received becomes clean text, or a clear refusal."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

# Lone surrogates come from JSON escapes ("\ud800") and from undecodable command-line bytes; no tokenizer,
# store or terminal accepts them.
_SURROGATE = re.compile("[\ud800-\udfff]")

NOT_TEXT = "问题必须是一段文字（收到的是 {kind}），请重新输入。"
BAD_CHARS = "问题中有无法识别的字符（编码错误），已略去这些字符。"


def sanitize_question(value: object) -> tuple[str | None, str]:
    """(text, notice): text without invalid characters, or None when the payload is not text at all."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    if not isinstance(value, str):
        return None, NOT_TEXT.format(kind=type(value).__name__)
    cleaned, bad = _SURROGATE.subn("", value)
    return cleaned, BAD_CHARS if bad else ""


def argv_text(arg: str) -> str:
    """A command-line argument whose bytes were not UTF-8 (Python keeps them as surrogates): read them as
    GB18030 when they are that, the usual other encoding of a Chinese terminal; otherwise leave them for
    sanitize_question to drop."""
    if not _SURROGATE.search(arg):
        return arg
    raw = arg.encode("utf-8", errors="surrogateescape")
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return arg


def jsonl_lines(path: str | Path) -> Iterator[tuple[int, str]]:
    """(line number, text) of each non-blank line of a UTF-8 file (BOM allowed); undecodable bytes become U+FFFD
    instead of ending the whole run at the first bad line."""
    with open(path, encoding="utf-8-sig", errors="replace") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                yield n, line

