"""Turn raw response bytes into text: content-type and binary checks, charset detection.

Charset order: byte-order mark; then UTF-8 (a page whose bytes are UTF-8 and contain
non-ASCII is UTF-8 whatever it declares, the commonest mislabelling; a few stray invalid
bytes among many valid multi-byte characters become U+FFFD); then the charset of the HTTP
``Content-Type`` header; then the one declared in the page's ``<meta>`` or XML
declaration; then windows-1252, the web's default for undeclared legacy pages. A
declared charset is used only if it exists and decodes strictly.

The bytes decide when they contradict the label: a single-byte decoding that reads as
mojibake (most accented letters in runs of three or more, as "Íîâîñòè" is Cyrillic
windows-1251 read as windows-1252) is replaced by what charset-normalizer detects among
the web's legacy encodings, if that reads cleanly. Text that was already double-encoded
("CafÃ©": UTF-8 read as windows-1252 and stored again as UTF-8) is repaired sequence by
sequence. What stays mis-decoded (many U+FFFD, mojibake no candidate explains) is flagged
``bad_encoding``, never passed on as clean text.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from crawler.extract.model import (
    STATUS_BAD_ENCODING,
    STATUS_EMPTY,
    STATUS_NOT_HTML,
    STATUS_OK,
    STATUS_TOO_LARGE,
)

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
_XML_CHARSET = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']\s*([A-Za-z0-9_.:-]+)""")
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


def xml_charset(head: bytes) -> str | None:
    """The encoding an XML declaration (``<?xml ... encoding="..."?>``) at the start names."""
    match = _XML_CHARSET.search(head)
    return match.group(1).decode("ascii", "replace").lower() if match else None


#: The legacy encodings the WHATWG Encoding Standard keeps for the web (Python codec names):
#: charset detection chooses among these only.
WEB_LEGACY_ENCODINGS = (
    "cp1250",
    "cp1251",
    "cp1252",
    "cp1253",
    "cp1254",
    "cp1255",
    "cp1256",
    "cp1257",
    "cp1258",
    "cp874",
    "cp866",
    "koi8_r",
    "koi8_u",
    "iso8859_2",
    "iso8859_5",
    "iso8859_7",
    "iso8859_15",
    "shift_jis",
    "euc_jp",
    "iso2022_jp",
    "gb18030",
    "big5",
    "euc_kr",
)

# Latin-1 letters (À-ÿ without × and ÷): Cyrillic, Greek, Hebrew or Arabic bytes read as
# windows-1252 or ISO-8859-1 come out as runs of these ("Íîâîñòè"); real Western text has
# its accented letters one or two at a time between ASCII letters.
_LATIN1_LETTER = re.compile("[\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff]")
_LATIN1_RUN = re.compile("[\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff]{3,}")
#: Fewest Latin-1 letters before the run test is trusted.
MOJIBAKE_MIN_LETTERS = 8
#: Share of Latin-1 letters in runs of three or more above which text reads as mojibake.
MOJIBAKE_RUN_SHARE = 0.5


def _byte_of(char: str) -> int | None:
    """The byte windows-1252 (or, for its five holes, ISO-8859-1) reads as ``char``."""
    try:
        return char.encode("cp1252")[0]
    except UnicodeEncodeError:
        return ord(char) if 0x80 <= ord(char) <= 0x9F else None


_AS_BYTE: dict[str, int] = {}
for _code in range(0x80, 0x100):
    for _char in (chr(_code), bytes([_code]).decode("cp1252", "ignore")):
        if _char and (_value := _byte_of(_char)) is not None:
            _AS_BYTE[_char] = _value


def _chars(low: int, high: int) -> str:
    return "".join(re.escape(c) for c, b in sorted(_AS_BYTE.items()) if low <= b <= high)


_CONT = f"[{_chars(0x80, 0xBF)}]"
# UTF-8 sequences read as windows-1252: a lead byte C2-DF, E0-EF or F0-F4 and its
# continuation bytes, e.g. "Ã©" for "é" or "â€™" for "’".
_DOUBLE_ENCODED = re.compile(
    f"[{_chars(0xC2, 0xDF)}]{_CONT}"
    f"|[{_chars(0xE0, 0xEF)}]{_CONT}{{2}}"
    f"|[{_chars(0xF0, 0xF4)}]{_CONT}{{3}}"
)


#: Code point ranges whose UTF-8, read as windows-1252, is the mojibake seen in practice.
_DOUBLE_ENCODED_TARGETS = (
    (0x00A0, 0x017F),  # Latin-1 Supplement, Latin Extended-A: "Ã©" -> "é", "Â " -> nbsp
    (0x0391, 0x03C9),  # Greek
    (0x0400, 0x045F),  # Cyrillic
    (0x2010, 0x206F),  # general punctuation: "â€™" -> "’"
    (0x20AC, 0x20AC),  # euro sign
    (0x2122, 0x2122),  # trade mark sign
    (0x1F300, 0x1FAFF),  # emoji
)


def repair_double_encoding(text: str) -> tuple[str, int]:
    """Undo UTF-8 that was read as windows-1252 and stored again ("CafÃ©" -> "Café").

    Each sequence is repaired on its own (a page may mix clean and double-encoded parts),
    only if it is valid UTF-8 and decodes to a character that is commonly double-encoded
    (Latin-1 and Latin Extended-A letters, Greek, Cyrillic, general punctuation, the euro
    and trade mark signs, emoji); with fewer than two such sequences the text is returned
    unchanged (one could be real text). Measured on real pages: without the character
    check, German "ß" before a soft hyphen or a closing quote ("Groß\xadtheoretiker",
    "ließ“") and "NESCAFÉ®" were "repaired" into NKo and IPA letters.

    Returns:
        the text and how many sequences were repaired.

    Example:
        >>> repair_double_encoding("CafÃ© au lait, crÃ¨me brÃ»lÃ©e")
        ('Café au lait, crème brûlée', 4)
    """
    count = 0

    def fix(match: re.Match[str]) -> str:
        nonlocal count
        raw = bytes(_AS_BYTE[c] for c in match.group())
        try:
            fixed = raw.decode("utf-8")
        except UnicodeDecodeError:
            return match.group()
        if not any(low <= ord(fixed) <= high for low, high in _DOUBLE_ENCODED_TARGETS):
            return match.group()
        count += 1
        return fixed

    repaired = _DOUBLE_ENCODED.sub(fix, text)
    return (repaired, count) if count >= 2 else (text, 0)


def reads_as_mojibake(text: str) -> bool:
    """Whether ``text`` looks like non-Latin bytes decoded as windows-1252 or ISO-8859-1.

    Example:
        >>> reads_as_mojibake("Íîâîñòè òåõíîëîãèé"), reads_as_mojibake("Größe, naïve café")
        (True, False)
    """
    letters = len(_LATIN1_LETTER.findall(text))
    if letters < MOJIBAKE_MIN_LETTERS:
        return False
    in_runs = sum(len(run) for run in _LATIN1_RUN.findall(text))
    return in_runs >= MOJIBAKE_RUN_SHARE * letters


def _undecodable(text: str) -> int:
    """The number of U+FFFD in ``text`` if they outnumber a tenth of the other non-ASCII
    characters (at least three), else 0: the rule :func:`_mostly_utf8` applies to bytes."""
    replaced = text.count("\ufffd")
    if replaced < 3:
        return 0
    others = sum(1 for c in text if ord(c) > 0x7F) - replaced
    return replaced if 10 * replaced > others else 0


def _detect(data: bytes) -> tuple[str, str] | None:
    """What charset-normalizer makes of ``data`` among the web's legacy encodings."""
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=list(WEB_LEGACY_ENCODINGS)).best()
    if best is None:
        return None
    return str(best), best.encoding


@dataclass(frozen=True)
class Charset:
    """How bytes became text.

    Attributes:
        text: the decoded (and, where needed, repaired) text.
        encoding: the Python codec name used.
        source: what chose it: ``bom``, ``utf-8`` (the bytes are UTF-8), ``header``,
            ``meta``, ``xml`` (a declaration), ``default`` (windows-1252), ``detected``
            (the bytes contradicted the label and charset-normalizer chose).
        repaired: double-encoded sequences repaired.
        problem: set when the text is still mis-decoded: it must not be used as clean.
    """

    text: str
    encoding: str
    source: str
    repaired: int = 0
    problem: str | None = None


def _by_label(data: bytes, content_type: str | None) -> tuple[str, str, str]:
    """``(text, codec, source)`` from the BOM, UTF-8 validity, the labels, or the default."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, "replace"), encoding, "bom"
    if not data.isascii():
        as_utf8 = _mostly_utf8(data)
        if as_utf8 is not None:
            return as_utf8, "utf-8", "utf-8"
    head = data[:SNIFF_BYTES]
    labels = (
        ("header", header_charset(content_type)),
        ("meta", meta_charset(head)),
        ("xml", xml_charset(head)),
    )
    for source, declared in labels:
        codec = _codec(declared)
        if codec is None or codec.startswith(("utf-16", "utf-32")):
            continue  # UTF-16/32 without a BOM in an ASCII-compatible page is a false label
        if codec == "iso8859-1" and re.search(rb"[\x80-\x9f]", data):
            codec = "cp1252"  # as browsers do: ISO-8859-1 labels mean windows-1252
        as_declared = _try(data, codec)
        if as_declared is not None:
            return as_declared, codec, source
    as_utf8 = _try(data, "utf-8")
    if as_utf8 is not None:
        return as_utf8, "utf-8", "utf-8"
    return data.decode("cp1252", "replace"), "cp1252", "default"


def detect_charset(data: bytes, content_type: str | None = None) -> Charset:
    """Decode ``data``, letting the bytes overrule a label they contradict. Never raises.

    Args:
        data: the raw body.
        content_type: the HTTP Content-Type header value, if known.

    Example:
        >>> page = "<p>Новости технологий и науки</p>".encode("cp1251")
        >>> found = detect_charset(page, "text/html; charset=utf-8")
        >>> found.text, found.encoding, found.source
        ('<p>Новости технологий и науки</p>', 'cp1251', 'detected')
    """
    text, encoding, source = _by_label(data, content_type)
    if text.isascii():
        return Charset(text, encoding, source)
    text, repaired = repair_double_encoding(text)
    if reads_as_mojibake(text):
        if source in ("bom", "utf-8"):
            # the bytes were UTF-8 but hold mojibake: the text was mis-decoded before
            # it was stored; its windows-1252 bytes are what was mis-read
            raw: bytes | None = _encode(text, "cp1252") or _encode(text, "latin-1")
        else:
            raw = data
        found = _detect(raw) if raw else None
        if found is not None and not reads_as_mojibake(found[0]) and not _undecodable(found[0]):
            return Charset(found[0], found[1], "detected", repaired)
        return Charset(
            text,
            encoding,
            source,
            repaired,
            problem=f"text reads as mojibake in {encoding} ({source}) and no other "
            "encoding reads cleanly",
        )
    replaced = _undecodable(text)
    if replaced:
        return Charset(
            text,
            encoding,
            source,
            repaired,
            problem=f"{replaced} characters could not be decoded (U+FFFD) in {encoding} ({source})",
        )
    return Charset(text, encoding, source, repaired)


def _encode(text: str, encoding: str) -> bytes | None:
    try:
        return text.encode(encoding)
    except UnicodeEncodeError:
        return None


def decode_bytes(data: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode page bytes to text, returning ``(text, encoding)``. Never raises.

    The text is :func:`detect_charset`'s, also when it names a problem.

    Args:
        data: the raw body.
        content_type: the HTTP Content-Type header value, if known.
    """
    found = detect_charset(data, content_type)
    return found.text, found.encoding


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
        found = detect_charset(data, content_type)
        if found.problem is not None:
            return Decoded(STATUS_BAD_ENCODING, reason=found.problem, encoding=found.encoding)
        text, encoding = found.text, found.encoding
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
