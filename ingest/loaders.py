"""Read .txt/.md/.docx/.pdf files into clean text, detecting text encodings instead of assuming them."""

from __future__ import annotations

import io
import logging
import os
import re
import zipfile
from pathlib import Path

from .models import Document
from .settings import LoadLimits

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


# Candidates for charset-normalizer: what Chinese government text arrives in. Without this list it reads short GBK
# text as Thai (cp874) or Cyrillic; with it, every encoding test passes.
_CANDIDATES = ["utf_8", "gb18030", "utf_16_le", "utf_16_be"]
_SURROGATE = re.compile("[\ud800-\udfff]")


_WHAT = {"truncated": "内容被截断", "illegal encoding": "编码非法", "illegal UTF-16 surrogate": "UTF-16 代理字符非法",
         "unexpected end of data": "内容被截断", "invalid start byte": "起始字节无效",
         "invalid continuation byte": "后续字节无效"}


def _decode_bom(data: bytes, name: str) -> str | None:
    """Text with a byte-order mark, decoded strictly; a truncated file or a lone surrogate is a LoadError."""
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(enc)
            except UnicodeDecodeError as exc:
                what = "truncated" if exc.reason == "truncated data" else exc.reason
                where = exc.start + len(bom)
                raise LoadError(name, f"文件已损坏，无法按 {enc.upper()} 读取（{_WHAT.get(what, what)}，"
                                      f"位于第 {where} 字节）") from exc
    return None


def decode_bytes(data: bytes, name: str = "<bytes>") -> str:
    """Decode text bytes: BOMs, UTF-8, then charset-normalizer (GB18030/GBK, BOM-less UTF-16), then line by line
    for files mixing UTF-8 and GBK lines."""
    text = _decode_bom(data, name)
    if text is not None:
        return text
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=_CANDIDATES).best()
    if best is not None:
        return str(best)
    if b"\x00" in data:
        raise LoadError(name, "不是文本文件（含有空字节，可能是二进制文件或已损坏的 UTF-16 文本）")
    # Hand-written on purpose: charset-normalizer finds no encoding at all for a file whose lines mix UTF-8 and
    # GBK (it returns None), so such files are decoded line by line.
    text, bad = _decode_lines(data)
    if bad:
        raise LoadError(name, f"无法识别文字编码（{bad} 行既不是 UTF-8 也不是 GB18030/GBK，UTF-16 等编码也已尝试）")
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
    return "\n".join(lines), bad


def clean_text(text: str) -> str:
    """Remove conversion debris: CRLF, bookmarks, zero-width chars, stray (full-width) spaces."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _BOOKMARK.sub("", text)
    text = _ZERO_WIDTH.sub("", text)
    text = _SPACE_BETWEEN_CJK.sub("", text)
    lines = [ln.strip(" \t\u3000\u00a0") for ln in text.split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _check_unzipped_size(data: bytes, name: str, limits: LoadLimits) -> None:
    """Refuse a .docx whose parts would expand beyond the limit (a zip bomb), before anything is unpacked."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            total = sum(info.file_size for info in package.infolist())
    except (zipfile.BadZipFile, ValueError) as exc:
        raise LoadError(name, "不是有效的 .docx 文件（无法按 Word 文档解压，可能已损坏或改了扩展名）") from exc
    if total > limits.max_unzipped_mb * 1024 * 1024:
        raise LoadError(name, f"解压后过大，已拒绝（解压后 {total / 1048576:.0f} MB，上限 {limits.max_unzipped_mb} MB）")


def _read_docx(data: bytes, name: str, limits: LoadLimits) -> str:
    import docx  # python-docx; imported here so text-only use does not need it

    _check_unzipped_size(data, name, limits)
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise LoadError(name, "不是有效的 .docx 文件（缺少 Word 文档的组成部分）") from exc
    except Exception as exc:  # python-docx raises assorted errors on damaged packages
        raise LoadError(name, ".docx 文件已损坏，无法读取") from exc
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def _read_pdf(data: bytes, name: str, limits: LoadLimits) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages, chars = [], 0
        for page in reader.pages:  # stop as soon as the text is over the limit
            pages.append(page.extract_text() or "")
            chars += len(pages[-1])
            if chars > limits.max_doc_chars:
                raise LoadError(name, _too_long(chars, limits, "at least "))
    except LoadError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise LoadError(name, "无法读取的 PDF 文件（格式错误或已加密）") from exc
    except Exception as exc:  # pypdf raises many kinds of errors on broken files
        raise LoadError(name, "PDF 文件已损坏，无法读取") from exc
    text = "\n".join(pages)
    if not text.strip():
        raise LoadError(name, "PDF 中没有文字层（可能是扫描图片），请先做文字识别（OCR）再上传")
    return text


def _too_long(chars: int, limits: LoadLimits, prefix: str = "") -> str:
    return f"文字过多，已拒绝（{prefix}{chars:,} 个字符，上限 {limits.max_doc_chars:,}）"


def read_file_text(path: Path, data: bytes | None = None, limits: LoadLimits | None = None) -> str:
    """Read one file's text by its suffix; raise LoadError with the reason on any failure."""
    limits = limits or LoadLimits()
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise LoadError(path, f"不支持的文件类型“{suffix or '无扩展名'}”（支持 {'、'.join(SUPPORTED_SUFFIXES)}）")
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise LoadError(path, f"无法读取文件（{exc.strerror}）") from exc
    if not data:
        raise LoadError(path, "文件为空（0 字节）")
    if suffix == ".docx":
        raw = _read_docx(data, path.name, limits)
    elif suffix == ".pdf":
        raw = _read_pdf(data, path.name, limits)
    else:
        raw = decode_bytes(data, path.name)
    if len(raw) > limits.max_doc_chars:
        raise LoadError(path, _too_long(len(raw), limits))
    bad = _SURROGATE.search(raw)
    if bad:  # cannot be stored or tokenised; refusing names the problem instead of failing later
        raise LoadError(path, f"含有无效字符，已拒绝（孤立代理字符 U+{ord(bad.group()):04X}，位于第 {bad.start()} 个字符）")
    text = clean_text(raw)
    if not text:
        raise LoadError(path, "清理后没有任何文字")
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


def load_document(path: Path, data: bytes | None = None, limits: LoadLimits | None = None) -> Document:
    """Load and clean one file into a Document (title and date from its header when present)."""
    text = read_file_text(path, data, limits)
    fields, body_start = _split_header(text)
    if "标题" in fields:
        title = fields["标题"]
    else:
        lines = [ln for ln in text.split("\n") if ln.strip()]
        title = lines[0] if lines else path.stem
        if path.suffix.lower() == ".md":  # a Markdown heading: the title is the text, not the "#"
            title = re.sub(r"^#{1,6}\s*", "", title).strip() or path.stem
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


def scan_corpus(corpus_dir: Path) -> tuple[list[Path], list[LoadError]]:
    """Files under the corpus dir in a stable order (unsupported ones too, so they get reported), and the links
    that were not followed: links leaving the corpus, dangling links and links to folders."""
    root = corpus_dir.resolve()
    files: list[Path] = []
    skipped: list[LoadError] = []
    for folder, dirs, names in os.walk(corpus_dir):  # followlinks=False: a linked folder is never entered
        base = Path(folder)
        for d in sorted(dirs):
            if (base / d).is_symlink():
                skipped.append(LoadError(base / d, "指向文件夹的链接，未读取"))
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not (base / d).is_symlink())
        for name in names:
            path = base / name
            if name.startswith("."):
                continue
            if path.is_symlink():
                target = path.resolve()
                if not target.exists():
                    skipped.append(LoadError(path, "链接目标不存在，已跳过"))
                    continue
                if not target.is_relative_to(root):
                    skipped.append(LoadError(path, "链接指向语料文件夹以外，未读取"))
                    continue
            if path.is_file():
                files.append(path)
    return sorted(files), skipped


def discover(corpus_dir: Path) -> list[Path]:
    """All files under the corpus dir in a stable order; links out of the corpus are left out (see scan_corpus)."""
    return scan_corpus(corpus_dir)[0]
