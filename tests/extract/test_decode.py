from __future__ import annotations

import codecs

from crawler.extract.decode import (
    MAX_BYTES,
    decode,
    decode_bytes,
    header_charset,
    looks_binary,
    meta_charset,
    mime_type,
)

PAGE = "<html><head>{meta}</head><body><p>Größe und Übermaß, naïve café.</p></body></html>"


def test_utf8_declared_and_valid() -> None:
    result = decode(PAGE.format(meta='<meta charset="utf-8">').encode("utf-8"))
    assert result.status == "ok"
    assert result.encoding == "utf-8"
    assert "Größe" in result.text


def test_valid_utf8_wins_over_a_wrong_latin1_label() -> None:
    data = PAGE.format(meta='<meta charset="iso-8859-1">').encode("utf-8")
    text, encoding = decode_bytes(data, "text/html; charset=iso-8859-1")
    assert encoding == "utf-8"
    assert "Übermaß" in text


def test_latin1_bytes_with_a_utf8_header_fall_back_to_the_meta_charset() -> None:
    data = PAGE.format(meta='<meta charset="iso-8859-1">').encode("iso-8859-1")
    text, encoding = decode_bytes(data, "text/html; charset=utf-8")
    assert encoding in ("iso8859-1", "latin-1", "iso-8859-1")
    assert "Größe" in text


def test_undeclared_non_utf8_falls_back_to_cp1252() -> None:
    data = PAGE.format(meta="").replace("café", "café – “quoted”").encode("cp1252")
    text, encoding = decode_bytes(data)
    assert encoding == "cp1252"
    assert "“quoted”" in text


def test_unknown_declared_charset_is_ignored() -> None:
    data = PAGE.format(meta='<meta charset="x-no-such-charset">').encode("utf-8")
    assert decode(data).status == "ok"


def test_bom_decides() -> None:
    data = codecs.BOM_UTF16_LE + PAGE.format(meta="").encode("utf-16-le")
    result = decode(data)
    assert result.status == "ok"
    assert result.encoding == "utf-16-le"
    assert "naïve" in result.text


def test_empty_and_whitespace_bodies() -> None:
    assert decode(b"").status == "empty"
    assert decode(b"  \n\t ").status == "empty"
    assert decode("").status == "empty"


def test_binary_bodies_are_not_html() -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    result = decode(png)
    assert result.status == "not_html"
    assert result.reason is not None and "PNG" in result.reason
    assert decode(b"\x00\x01\x02garbage" * 10).status == "not_html"
    assert looks_binary(b"<html>plain</html>") is None


def test_non_html_content_type() -> None:
    result = decode(b"<html><body>x</body></html>", "application/pdf")
    assert result.status == "not_html"
    assert result.reason == "content type application/pdf is not HTML"


def test_text_without_markup_is_not_html() -> None:
    assert decode(b"just a line of plain text").status == "not_html"


def test_too_large() -> None:
    result = decode(b"<p>" + b"a" * MAX_BYTES)
    assert result.status == "too_large"
    assert result.reason is not None and str(MAX_BYTES) in result.reason


def test_header_helpers() -> None:
    assert mime_type("Text/HTML; charset=UTF-8") == "text/html"
    assert mime_type(None) is None
    assert header_charset('text/html; charset="Windows-1252"') == "windows-1252"
    assert header_charset("text/html") is None
    meta = b'<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-15">'
    assert meta_charset(meta) == "iso-8859-15"


def test_mostly_utf8_with_a_stray_latin1_byte_stays_utf8() -> None:
    body = "<p>" + "Größe, Übermaß und naïve Cafés. " * 20 + "</p>"
    data = PAGE.format(meta='<meta charset="utf-8">').encode("utf-8") + body.encode("utf-8")
    data += "<!-- M\xe4scot -->".encode("latin-1")
    text, encoding = decode_bytes(data)
    assert encoding == "utf-8"
    assert "Übermaß" in text
