"""Read .txt/.md/.docx/.pdf files into clean text, detecting text encodings instead of assuming them."""

from __future__ import annotations

import io
import logging
import re
import zipfile
from pathlib import Path

from .models import Document

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".txt", ".md", ".docx", ".pdf")

# Conversion debris left by Word/WPS exports and web copies.
_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_CJK = "\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
_SPACE_BETWEEN_CJK = re.compile(f"(?<=[{_CJK}])[ \u3000\u00a0]+(?=[{_CJK}])")
_HEADER = re.compile(r"^(标题|来源|发布)[：:](.*)$")


class LoadError(Exception):
    """A file that cannot be read; the message names the file and the reason."""

    def __init__(self, path: str | Path, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{Path(path).name}: {reason}")


def _looks_utf16(data: bytes) -> str | None:
    """Spot BOM-less UTF-16 by its zero bytes (ASCII/CJK mix gives many)."""
    if len(data) < 4 or len(data) % 2:
        return None
    even_zero = data[0::2].count(0) / (len(data) / 2)
    odd_zero = data[1::2].count(0) / (len(data) / 2)
    if odd_zero > 0.3 and even_zero < 0.05:
        return "utf-16-le"
    if even_zero > 0.3 and odd_zero < 0.05:
        return "utf-16-be"
    return None


def decode_bytes(data: bytes, name: str = "<bytes>") -> str:
    """Decode text bytes: BOMs, UTF-8, UTF-16, GB18030/GBK, and files mixing UTF-8 and GBK lines."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    utf16 = _looks_utf16(data)
    if utf16:
        try:
            return data.decode(utf16)
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    candidates = [_decode_lines(data)]
    if len(data) % 2 == 0:  # BOM-less UTF-16 of pure CJK has no NUL bytes to give it away
        for enc in ("utf-16-le", "utf-16-be"):
            try:
                candidates.append((data.decode(enc), 0))
            except UnicodeDecodeError:
                pass
    text, bad = max(candidates, key=lambda c: _plausibility(c[0]) - c[1] / max(1, c[0].count("\n") + 1))
    if b"\x00" in data and _plausibility(text) < 0.9:
        raise LoadError(name, "binary data, not text (NUL bytes found)")
    if bad > max(1, (text.count("\n") + 1) // 10) or _plausibility(text) < 0.6:
        raise LoadError(name, "unknown text encoding (tried UTF-8, UTF-16, GB18030/GBK)")
    return text


def _decode_lines(data: bytes) -> tuple[str, int]:
    """Each line as UTF-8 when valid, else GB18030 (a superset of GBK/GB2312); count undecodable lines."""
    lines, bad = [], 0
    for raw in data.split(b"\n"):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            try:
                lines.append(raw.decode("gb18030"))
            except UnicodeDecodeError:
                bad += 1
                lines.append(raw.decode("gb18030", errors="replace"))
    return "\n".join(lines), bad


def _plausibility(text: str) -> float:
    """Share of characters that ordinary Chinese/English text is made of."""
    if not text:
        return 0.0
    good = sum(1 for ch in text if ch.isascii() and (ch.isprintable() or ch in "\n\r\t")
               or "\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef"
               or ch in "“”‘’—…·《》")
    return good / len(text)


def clean_text(text: str) -> str:
    """Remove conversion debris: CRLF, bookmarks, zero-width chars, stray (full-width) spaces."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _BOOKMARK.sub("", text)
    text = _ZERO_WIDTH.sub("", text)
    text = _SPACE_BETWEEN_CJK.sub("", text)
    lines = [ln.strip(" \t\u3000\u00a0") for ln in text.split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _read_docx(data: bytes, name: str) -> str:
    import docx  # python-docx; imported here so text-only use does not need it

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise LoadError(name, f"not a valid .docx file ({exc.__class__.__name__})") from exc
    except Exception as exc:  # python-docx raises assorted errors on damaged packages
        raise LoadError(name, f"damaged .docx file ({exc})") from exc
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def _read_pdf(data: bytes, name: str) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise LoadError(name, f"not a readable PDF ({exc})") from exc
    except Exception as exc:  # pypdf raises many kinds of errors on broken files
        raise LoadError(name, f"damaged PDF ({exc.__class__.__name__}: {exc})") from exc
    text = "\n".join(pages)
    if not text.strip():
        raise LoadError(name, "the PDF has no text layer (scanned image?); OCR it first")
    return text


def read_file_text(path: Path, data: bytes | None = None) -> str:
    """Read one file's text by its suffix; raise LoadError with the reason on any failure."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise LoadError(path, f"unsupported file type '{suffix}' (supported: {', '.join(SUPPORTED_SUFFIXES)})")
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise LoadError(path, f"cannot read file ({exc.strerror})") from exc
    if not data:
        raise LoadError(path, "empty file (0 bytes)")
    if suffix == ".docx":
        raw = _read_docx(data, path.name)
    elif suffix == ".pdf":
        raw = _read_pdf(data, path.name)
    else:
        raw = decode_bytes(data, path.name)
    text = clean_text(raw)
    if not text:
        raise LoadError(path, "no text after cleaning")
    return text


def _split_header(text: str) -> tuple[dict[str, str], int]:
    """Parse leading 标题/来源/发布 lines used by the related documents; return fields and body offset."""
    fields: dict[str, str] = {}
    pos = 0
    for line in text.split("\n"):
        m = _HEADER.match(line)
        if not m:
            if line.strip() or not fields:
                break
        else:
            fields[m.group(1)] = m.group(2).strip()
        pos += len(line) + 1
    return fields, min(pos, len(text))


_DATE = re.compile(r"(\d{4})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})")
_COMPACT_DATE = re.compile(r"(?<!\d)(20\d{2}|19\d{2})(\d{2})(\d{2})(?!\d)")


def load_document(path: Path, data: bytes | None = None) -> Document:
    """Load and clean one file into a Document (title and date from its header when present)."""
    text = read_file_text(path, data)
    fields, body_start = _split_header(text)
    if "标题" in fields:
        title = fields["标题"]
    else:
        lines = [ln for ln in text.split("\n") if ln.strip()]
        title = lines[0] if lines else path.stem
        # a plan title is often followed by a status line such as （征求意见稿）
        if len(lines) > 1 and re.fullmatch(r"[（(][^）)]{1,12}[）)]", lines[1]):
            title += lines[1]
    date = ""
    m = _DATE.search(fields.get("发布", "")) or _COMPACT_DATE.search(path.stem)
    if m:
        date = f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
    return Document(
        doc_id=path.stem, path=str(path), text=text, title=title.strip(), date=date,
        source=fields.get("来源", ""), body_start=body_start,
    )


def discover(corpus_dir: Path) -> list[Path]:
    """All files under the corpus dir in a stable order (unsupported ones too, so they get reported)."""
    return sorted(p for p in corpus_dir.rglob("*") if p.is_file() and not p.name.startswith("."))
