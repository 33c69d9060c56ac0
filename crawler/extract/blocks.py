"""Turn trafilatura's output tree (its XML body: p, head, list/item, quote, table, code)
into typed blocks in reading order."""

from __future__ import annotations

import unicodedata

from lxml.etree import _Element

from crawler.extract.model import Block, BlockKind

_KINDS: dict[str, BlockKind] = {
    "p": "paragraph",
    "head": "heading",
    "quote": "quote",
    "code": "code",
    "table": "table",
    "item": "list_item",
}


def _inline_text(element: _Element, skip: frozenset[str] = frozenset()) -> str:
    """The element's text with ``<lb/>`` as newlines; sub-elements in ``skip`` left out."""
    parts: list[str] = [element.text or ""]
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "lb":
            parts.append("\n")
        elif tag not in skip:
            parts.append(_inline_text(child, skip))
        parts.append(child.tail or "")
    return "".join(parts)


def clean_text(text: str, keep_lines: bool = False) -> str:
    """NFC-normalised text without invisible characters (soft hyphens, zero-width and
    control characters), spaces collapsed; line breaks kept only if ``keep_lines``."""
    if not text.isprintable():
        text = "".join(c for c in text if c.isprintable() or c.isspace())
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ")
    if keep_lines:
        return "\n".join(line.rstrip() for line in text.strip("\n").split("\n")).strip()
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _table_text(table: _Element) -> str:
    rows: list[str] = []
    for row in table.iter("row"):
        cells = [" ".join(_inline_text(cell, frozenset({"row"})).split()) for cell in row]
        line = " | ".join(c for c in cells if c)
        if line:
            rows.append(line)
    return "\n".join(rows)


def _list_blocks(element: _Element, out: list[Block]) -> None:
    """One list_item block per item; nested lists follow their parent item."""
    for item in element:
        if item.tag == "list":
            _list_blocks(item, out)
            continue
        text = clean_text(_inline_text(item, frozenset({"list"})))
        if text:
            out.append(Block("list_item", text))
        for sub in item:
            if sub.tag == "list":
                _list_blocks(sub, out)


_BLOCK_TAGS = frozenset({"p", "head", "list", "quote", "code", "table", "div"})


def _is_container(element: _Element, tag: str) -> bool:
    """A wrapper of blocks (trafilatura keeps some ``div`` levels of the page): its
    children are blocks of their own, not inline text."""
    if tag in _KINDS or tag in ("list", "lb"):
        return False
    return any(isinstance(child.tag, str) and child.tag in _BLOCK_TAGS for child in element)


def _children_blocks(element: _Element, out: list[Block]) -> None:
    """The element's leading text, its children and the text between them, in order."""
    leading = clean_text(element.text or "")
    if leading:
        out.append(Block("paragraph", leading))
    for child in element:
        _element_blocks(child, out)
        tail = clean_text(child.tail or "")
        if tail:
            out.append(Block("paragraph", tail))


def _element_blocks(element: _Element, out: list[Block]) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag == "list":
        _list_blocks(element, out)
        return
    if _is_container(element, tag):
        _children_blocks(element, out)
        return
    kind: BlockKind
    if tag == "table":
        text = clean_text(_table_text(element))
        kind = "table"
    elif tag == "code":
        text = clean_text(_inline_text(element), keep_lines=True)
        kind = "code"
    else:
        text = clean_text(_inline_text(element))
        kind = _KINDS.get(tag, "paragraph")
    if text:
        out.append(Block(kind, text))


def blocks_from_body(body: _Element | None) -> list[Block]:
    """Typed blocks of a trafilatura body element, in document order.

    Loose text between blocks (kept by trafilatura as an element's tail) becomes a
    paragraph of its own. Wrappers that trafilatura keeps from the page (a ``div``
    holding paragraphs, headings and lists) are opened: their blocks are blocks of
    the body, not one paragraph of glued text.

    Args:
        body: ``Document.body`` of ``trafilatura.bare_extraction`` (None gives []).
    """
    out: list[Block] = []
    if body is None:
        return out
    _children_blocks(body, out)
    return out
