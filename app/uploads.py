"""Upload names and corpus-folder edits that are undone unless the re-index that follows them succeeds."""

from __future__ import annotations

import logging
import os
import tempfile
import unicodedata
from pathlib import Path

from ingest.loaders import SUPPORTED_SUFFIXES

log = logging.getLogger(__name__)

MAX_NAME_BYTES = 255  # NAME_MAX of ext4, xfs, btrfs and most other file systems
# Characters that look like a path separator; NFKC turns only some of them (e.g. the full-width ／) into "/".
_SLASH_LIKE = set("\u2044\u2215\u29f8\u29f9\u2216\ufe68\uff0f\uff3c\u2571\u2572\u27cb\u27cd\u1735")


class UploadRejected(ValueError):
    """An uploaded file was refused; the message says why. Nothing was changed."""


def check_upload_name(filename: object) -> str:
    """The file name to store an upload under; UploadRejected (in Chinese, with the reason) otherwise."""
    name = filename if isinstance(filename, str) else ""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise UploadRejected(f"不合法的文件名：{filename!r}（不能包含路径或以“.”开头）")
    for ch in name:
        category = unicodedata.category(ch)
        if category in ("Cc", "Cf", "Cs", "Zl", "Zp"):  # controls, bidi overrides, zero-width, surrogates
            raise UploadRejected(f"不合法的文件名：含有不可见或改变文字方向的字符 U+{ord(ch):04X}")
        if ch in _SLASH_LIKE or any(c in "/\\" for c in unicodedata.normalize("NFKC", ch)):
            raise UploadRejected(f"不合法的文件名：含有形似斜杠的字符“{ch}”（U+{ord(ch):04X}）")
    size = len(name.encode("utf-8"))
    if size > MAX_NAME_BYTES:
        raise UploadRejected(f"文件名过长（{size} 字节，上限 {MAX_NAME_BYTES} 字节），请改短后再上传")
    if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
        raise UploadRejected(f"不支持的文件类型：{Path(name).suffix or '无扩展名'}（支持 {'、'.join(SUPPORTED_SUFFIXES)}）")
    return name


def _write_atomic(path: Path, data: bytes) -> None:
    """Write via a temp file in the same folder and rename; the temp file never outlives a failure."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class CorpusEdit:
    """Writes and deletions in the corpus folder, remembered so that `rollback()` restores the folder exactly."""

    def __init__(self) -> None:
        self._undo: list[tuple[Path, bytes | None]] = []

    def write(self, path: Path, data: bytes) -> None:
        old = path.read_bytes() if path.is_file() else None
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_atomic(path, data)
        self._undo.append((path, old))

    def remove(self, path: Path) -> None:
        old = path.read_bytes()
        path.unlink()
        self._undo.append((path, old))

    def rollback(self) -> None:
        for path, old in reversed(self._undo):
            try:
                if old is None:
                    path.unlink(missing_ok=True)
                else:
                    _write_atomic(path, old)
            except OSError:
                log.exception("could not restore %s", path)
        self._undo.clear()
