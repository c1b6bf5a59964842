"""Loaders: encodings are detected, debris is cleaned, bad files fail with a named reason."""

from __future__ import annotations

import io

import pytest

from ingest.loaders import LoadError, clean_text, decode_bytes, load_document, read_file_text

SAMPLE = "区总工会负责落实政府帮扶机制。\n组织劳模赴镇巴县疗休养。"


@pytest.mark.parametrize("enc", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16", "utf-16-le", "utf-16-be"])
def test_decode_detects_encoding(enc):
    assert decode_bytes(SAMPLE.encode(enc)) == SAMPLE


def test_gb18030_only_characters():
    text = "㐀䶵 扩展字符与€符号"
    assert decode_bytes(text.encode("gb18030")) == text


def test_mixed_utf8_and_gbk_lines():
    data = "第一行是UTF-8编码。\n".encode() + "第二行是GBK编码。".encode("gbk")
    assert decode_bytes(data) == "第一行是UTF-8编码。\n第二行是GBK编码。"


def test_binary_is_rejected():
    with pytest.raises(LoadError, match="不是文本文件"):
        decode_bytes(b"\x00\x01\x02\x03\xff\xfe\x00" * 3 + b"\x00")


def test_clean_text_removes_debris():
    raw = "16. [bookmark: _GoBack]共同服务\r\n\u3000\u3000两端空格\u3000\r\n区　总工会\u200b负责"
    assert clean_text(raw) == "16. 共同服务\n两端空格\n区总工会负责"


def test_zero_byte_and_unsupported(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(LoadError, match="empty.txt: 文件为空"):
        read_file_text(empty)
    exe = tmp_path / "tool.exe"
    exe.write_bytes(b"MZ")
    with pytest.raises(LoadError, match="不支持的文件类型"):
        read_file_text(exe)


def test_corrupt_docx_and_pdf(tmp_path):
    bad_docx = tmp_path / "bad.docx"
    bad_docx.write_bytes(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(LoadError, match="bad.docx"):
        read_file_text(bad_docx)
    bad_pdf = tmp_path / "bad.pdf"
    bad_pdf.write_bytes(b"%PDF-1.4\n garbage without objects")
    with pytest.raises(LoadError, match="bad.pdf"):
        read_file_text(bad_pdf)


def test_docx_paragraphs_and_tables(tmp_path):
    import docx

    d = docx.Document()
    d.add_paragraph("标题：测试文件")
    d.add_paragraph("第一段内容。")
    table = d.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "单位"
    table.rows[0].cells[1].text = "区妇联"
    buf = io.BytesIO()
    d.save(buf)
    path = tmp_path / "memo.docx"
    path.write_bytes(buf.getvalue())
    doc = load_document(path)
    assert doc.title == "测试文件"
    assert "第一段内容。" in doc.text and "区妇联" in doc.text


def _tiny_pdf(text: str) -> bytes:
    """A one-page PDF with ASCII text in Helvetica, written by hand."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def test_pdf_text_layer(tmp_path):
    path = tmp_path / "note.pdf"
    path.write_bytes(_tiny_pdf("Hello plan"))
    assert "Hello plan" in read_file_text(path)


def test_related_header_gives_title_and_date(tmp_path):
    path = tmp_path / "news_20200828_x.txt"
    path.write_text("标题：稳岗就业座谈会\n来源：http://example.org\n发布：人社部，时间：2020-08-28\n\n正文第一句。", "utf-8")
    doc = load_document(path)
    assert (doc.title, doc.date, doc.source) == ("稳岗就业座谈会", "2020-08-28", "http://example.org")
    assert doc.text[doc.body_start:].startswith("正文第一句")
