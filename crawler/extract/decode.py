"""Turn raw response bytes into text: content-type and binary checks, charset detection.

Charset order: byte-order mark; then UTF-8 (a page whose bytes are UTF-8 and contain
non-ASCII is UTF-8 whatever it declares, the commonest mislabelling; a few stray invalid
bytes among many valid multi-byte characters become U+FFFD); then the
charset of the HTTP ``Content-Type`` header; then the one declared in the page's
``<meta>``; then UTF-8; and last windows-1252, which decodes any byte (undefined bytes
become U+FFFD). A declared charset is used only if it exists and decodes strictly.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from crawler.extract.model import STATUS_EMPTY, STATUS_NOT_HTML, STATUS_OK, STATUS_TOO_LARGE

MAX_BYTES = 10 * 1024 * 1024
"""Pages larger than this (in bytes, or characters for text input) are rejected as too_large.

Rejecting rather than truncating: a cut page has broken markup and a partial article,
and a real article page is far below 10 MB, so a larger body is a dump or an attack."""

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", "application/xml", "text/xml"})
SNIFF_BYTES = 4096

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_MAGIC = (
    (b"%PDF", "PDF document"),
    (b"\x89PNG", "PNG image"),
    (b"GIF8", "GIF image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"\x1f\x8b", "gzip data"),
    (b"RIFF", "RIFF media"),
    (b"OggS", "Ogg media"),
    (b"\x00\x00\x00", "binary data"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_TAG = re.compile(r"<\s*[a-zA-Z!?/]")


@dataclass(frozen=True)
class Decoded:
    """The outcome of decoding: ``text`` is set only when ``status`` is ok."""

    status: str
    text: str = ""
    encoding: str | None = None
    reason: str | None = None


def mime_type(content_type: str | None) -> str | None:
    """The lower-case MIME type of a Content-Type value, without parameters."""
    if not content_type:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None


def header_charset(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type value, if any."""
    if not content_type:
        return None
    match = _HEADER_CHARSET.search(content_type)
    return match.group(1).lower() if match else None


def meta_charset(head: bytes) -> str | None:
    """The charset a page declares in a ``<meta>`` tag within ``head`` (its first bytes)."""
    match = _META_CHARSET.search(head)
    return match.group(1).decode("ascii", "replace").lower() if match else None


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _try(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _mostly_utf8(data: bytes) -> str | None:
    """``data`` as UTF-8 if it is UTF-8, allowing a few stray bytes (pages pasted together
    from sources in other encodings): the valid multi-byte characters must outnumber the
    invalid bytes ten to one. A page in a single-byte encoding has almost no valid
    multi-byte sequences, so it is not mistaken for UTF-8."""
    strict = _try(data, "utf-8")
    if strict is not None:
        return strict
    text = data.decode("utf-8", "replace")
    invalid = text.count("\ufffd")
    valid = sum(1 for c in text if ord(c) > 0x7F) - invalid
    return text if valid >= 10 * invalid else None


def looks_binary(data: bytes) -> str | None:
    """A description of the binary format ``data`` starts with, or None if it looks like text."""
    head = data[:SNIFF_BYTES]
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    controls = len(_CONTROL.findall(head))
    if b"\x00" in head or controls > max(8, len(head) // 100):
        return "binary data"
    return None


def decode_bytes(data: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode page bytes to text, returning ``(text, encoding)``. Never raises.

    Args:
        data: the raw body.
        content_type: the HTTP Content-Type header value, if known.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, "replace"), encoding
    if not data.isascii():
        as_utf8 = _mostly_utf8(data)
        if as_utf8 is not None:
            return as_utf8, "utf-8"
    for declared in (header_charset(content_type), meta_charset(data[:SNIFF_BYTES])):
        codec = _codec(declared)
        if codec is None or codec.startswith(("utf-16", "utf-32")):
            continue  # UTF-16/32 without a BOM in an ASCII-compatible page is a false label
        as_declared = _try(data, codec)
        if as_declared is not None:
            return as_declared, codec
    as_utf8 = _try(data, "utf-8")
    if as_utf8 is not None:
        return as_utf8, "utf-8"
    return data.decode("cp1252", "replace"), "cp1252"


def decode(data: bytes | str, content_type: str | None = None) -> Decoded:
    """Check and decode a page body; the status tells why a page cannot be extracted.

    Args:
        data: the body, raw bytes or already-decoded text.
        content_type: the HTTP Content-Type header value, if known. A type that is
            not HTML or XML gives ``not_html``; none means "sniff the body".
    """
    if len(data) > MAX_BYTES:
        unit = "bytes" if isinstance(data, bytes) else "characters"
        return Decoded(
            STATUS_TOO_LARGE, reason=f"body of {len(data)} {unit} exceeds the {MAX_BYTES} limit"
        )
    mime = mime_type(content_type)
    if mime is not None and mime not in HTML_TYPES:
        return Decoded(STATUS_NOT_HTML, reason=f"content type {mime} is not HTML")
    if isinstance(data, bytes):
        if not data.strip():
            return Decoded(STATUS_EMPTY, reason="empty body")
        if not data.startswith(tuple(bom for bom, _ in _BOMS)):
            binary = looks_binary(data)
            if binary is not None:
                return Decoded(STATUS_NOT_HTML, reason=f"body is {binary}, not HTML")
        text, encoding = decode_bytes(data, content_type)
    else:
        text, encoding = data, None
        if "\x00" in text[:SNIFF_BYTES]:
            return Decoded(STATUS_NOT_HTML, reason="body is binary data, not HTML")
    text = text.replace("\x00", "")
    if not text.strip():
        return Decoded(STATUS_EMPTY, reason="empty body", encoding=encoding)
    if not _TAG.search(text[: 64 * 1024]):
        return Decoded(STATUS_NOT_HTML, reason="body has no HTML markup", encoding=encoding)
    return Decoded(STATUS_OK, text=text, encoding=encoding)
