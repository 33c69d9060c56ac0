"""The article's structure read back from the page, after trafilatura.

trafilatura's output loses structure on some layouts: section headings vanish when it
falls back to its paragraph-only extraction (article text directly in ``<body>``, a
heading wrapped in a ``<span>`` or an anchor link), and list items whose text sits in
a ``<p>`` come out as paragraphs. Each output block is located in the page (by its
text, in document order), and then:

- a page heading (``<h1>``-``<h6>``) that lies between two consecutive located blocks
  and directly introduces the second (its next sibling with text holds that block) is
  put back as a ``heading`` block;
- the article's lead (or standfirst), which trafilatura leaves out when it sits in its
  own wrapper before the body (an intro ``<div>``, the article's ``<header>``), is put
  back before the first paragraph that is not a caption: text elements just before it
  in the same container (at most ``LEAD_MAX_DEPTH`` levels up, or the common ancestor
  of that paragraph and the ``<h1>`` before it), after the ``<h1>``, of
  ``LEAD_MIN_WORDS`` words or more, not links, navigation, sidebars, captions or bylines;
- a paragraph that is the text of an ``<li>`` becomes a ``list_item``;
- the title is never a body block: a heading (or a paragraph among the first blocks)
  whose text is the page's title, its headline part, or the page's ``<h1>`` is removed
  (reason ``title``), on every layout.

Example:
    >>> from crawler.extract.model import Block
    >>> drop_title([Block("heading", "Ferry Hulls"), Block("paragraph", "Text.")], "Ferry hulls")
    ([Block(kind='paragraph', text='Text.')], [RemovedBlock(text='Ferry Hulls', reason='title')])
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from lxml.html import HtmlElement

from crawler.extract.clean import caption_reason
from crawler.extract.dom import HEADING_TAGS, SKIP_TAGS, text_of
from crawler.extract.model import Block, RemovedBlock
from crawler.extract.patterns import CAPTION_CREDIT, is_rec_heading
from crawler.extract.recommend import Section, squeeze

TITLE_REASON = "title"
MAX_HEADING_CHARS = 200
MAX_HEADING_LINK_SHARE = 0.5
_LOCATED_TAGS = frozenset({"p", "li", "blockquote", "pre", "dd", "dt", "figcaption", *HEADING_TAGS})
_TITLE_SEPARATORS = re.compile(r"\s+[|–—-]\s+|\s+[·•]\s+")
_H1_SKIP = frozenset({"nav", "footer", "aside", "a"})
_SKIP_ANCESTORS = frozenset({"nav", "header", "footer", "aside", "form", "button", "select"})


def _own_link_share(element: HtmlElement, text: str) -> float:
    """Share of the heading's text inside links to other pages (anchor links do not count)."""
    if not text:
        return 0.0
    linked = 0
    for link in element.iter("a"):
        href = (link.get("href") or "").strip()
        if href and not href.startswith("#"):
            linked += len(text_of(link))
    if element.tag == "a":
        href = (element.get("href") or "").strip()
        if href and not href.startswith("#"):
            linked = len(text)
    return min(1.0, linked / len(text))


def _skipped(element: HtmlElement) -> bool:
    node: HtmlElement | None = element
    while node is not None:
        tag = node.tag
        if isinstance(tag, str) and (tag in _SKIP_ANCESTORS or tag in SKIP_TAGS or tag == "a"):
            return True
        node = node.getparent()
    return False


class _Page:
    """The page's text elements in document order, keyed by their squeezed text."""

    def __init__(self, tree: HtmlElement) -> None:
        self.elements: list[HtmlElement] = []
        self.keys: list[str] = []
        self.by_key: dict[str, list[int]] = {}
        for element in tree.iter(*_LOCATED_TAGS):
            try:
                key = "".join(element.text_content().split())
            except ValueError:
                continue
            if not key:
                continue
            self.by_key.setdefault(key, []).append(len(self.elements))
            self.elements.append(element)
            self.keys.append(key)

    def locate(self, blocks: Sequence[Block]) -> list[int | None]:
        """The document position of each block (None when not found), in increasing order."""
        positions: list[int | None] = []
        last = -1
        for block in blocks:
            found = None
            for position in self.by_key.get(squeeze(block.text), ()):
                if position > last:
                    found = position
                    break
            positions.append(found)
            if found is not None:
                last = found
        return positions


def _is_ancestor(node: HtmlElement, of: HtmlElement) -> bool:
    parent: HtmlElement | None = of
    while parent is not None:
        if parent is node:
            return True
        parent = parent.getparent()
    return False


def _heading_unit(element: HtmlElement) -> HtmlElement:
    text = text_of(element)
    unit = element
    parent = unit.getparent()
    while parent is not None and parent.tag not in ("body", "html") and text_of(parent) == text:
        unit = parent
        parent = unit.getparent()
    return unit


def _introduces(unit: HtmlElement, following: HtmlElement) -> bool:
    """Whether the next sibling with text after the heading unit is (or holds) ``following``."""
    for sibling in unit.itersiblings():
        if not isinstance(sibling.tag, str) or not text_of(sibling):
            continue
        return _is_ancestor(sibling, following)
    return False


def _restorable(heading: HtmlElement, following: HtmlElement, sections: Sequence[Section]) -> bool:
    text = text_of(heading)
    if not text or len(text) > MAX_HEADING_CHARS or is_rec_heading(text):
        return False
    if CAPTION_CREDIT.search(text):
        return False  # a picture's caption set as a heading ("... Bild: NAME")
    if _own_link_share(heading, text) >= MAX_HEADING_LINK_SHARE or _skipped(heading):
        return False
    if any(section.holds(text) for section in sections):
        return False
    return _introduces(_heading_unit(heading), following)


LEAD_MAX_ELEMENTS = 4
LEAD_MAX_DEPTH = 5
LEAD_MIN_WORDS = 8
LEAD_HEADING_MIN_WORDS = 6
LEAD_HEADING_MAX_CHARS = 400  # a standfirst is a sentence or two, longer than a heading
LEAD_MAX_LINK_SHARE = 0.3
_LEAD_TAGS = frozenset({"p", "blockquote", "h2", "h3", "h4", "div"})
_BLOCK_CHILDREN = frozenset(
    {
        "p",
        "div",
        "ul",
        "ol",
        "table",
        "section",
        "article",
        "blockquote",
        "figure",
        "form",
        "header",
        "footer",
        "nav",
        "aside",
        *HEADING_TAGS,
    }
)
_LEAD_SKIP = frozenset({"nav", "footer", "aside", "form", "button", "select", "a", "figure"})
_CAPTION_CLASS = re.compile(r"caption|credit|copyright|byline|author|meta|sidebar|widget", re.I)


def _lead_skipped(element: HtmlElement, container: HtmlElement) -> bool:
    """Inside navigation, a form, a link or a figure below ``container``: not a lead. A
    ``<header>`` below the container is the article's own (where leads often sit)."""
    node: HtmlElement | None = element
    while node is not None and node is not container:
        tag = node.tag
        if isinstance(tag, str) and (tag in _LEAD_SKIP or tag in SKIP_TAGS):
            return True
        if _CAPTION_CLASS.search(f"{node.get('class') or ''} {node.get('id') or ''}"):
            return True
        node = node.getparent()
    return False


def _lead_text(element: HtmlElement, container: HtmlElement) -> str | None:
    """The element's text if it reads as the article's lead (or standfirst), else None."""
    if element.tag not in _LEAD_TAGS or _lead_skipped(element, container):
        return None
    text = " ".join(text_of(element).split())
    words = len(text.split())
    if element.tag in HEADING_TAGS:
        if words < LEAD_HEADING_MIN_WORDS or len(text) > LEAD_HEADING_MAX_CHARS:
            return None
    elif words < LEAD_MIN_WORDS:
        return None
    if is_rec_heading(text) or _own_link_share(element, text) >= LEAD_MAX_LINK_SHARE:
        return None
    if CAPTION_CREDIT.search(text):
        return None  # a picture's caption or credit line
    return text


def _text_div(element: HtmlElement) -> bool:
    """A ``<div>`` that holds its text itself (an intro box without a ``<p>``)."""
    if element.tag != "div" or not (element.text or "").strip():
        return False
    return not any(isinstance(c.tag, str) and c.tag in _BLOCK_CHILDREN for c in element)


def _lead_candidates(container: HtmlElement, element: HtmlElement) -> list[HtmlElement]:
    """The text elements of ``container`` before ``element``, in document order."""
    found: list[HtmlElement] = []
    for candidate in container.iter(*_LOCATED_TAGS, "div"):
        if candidate is element:
            break
        if candidate.tag != "div" or _text_div(candidate):
            found.append(candidate)
    return found


def _title_before(page: _Page, first: int) -> HtmlElement | None:
    """The nearest ``<h1>`` before the element at ``first``, outside navigation."""
    for position in range(first - 1, -1, -1):
        element = page.elements[position]
        if element.tag == "h1" and not any(a.tag in _H1_SKIP for a in element.iterancestors()):
            return element
    return None


def _lead_blocks(
    page: _Page, first: int, present: set[str], sections: Sequence[Section]
) -> list[Block]:
    """Paragraphs just before the first located block, inside the same article container
    (an ancestor at most ``LEAD_MAX_DEPTH`` levels up, below ``<body>``): the lead or
    standfirst that trafilatura left out when it sits in its own wrapper (a header, an
    intro box). At most ``LEAD_MAX_ELEMENTS`` text elements are looked at; the title's
    ``<h1>`` ends the search."""
    element = page.elements[first]
    ancestors = [a for a in element.iterancestors() if a.tag not in ("body", "html")]
    if not ancestors:
        return []
    container = ancestors[:LEAD_MAX_DEPTH][-1]
    title = _title_before(page, first)
    if title is not None:
        common = next((a for a in element.iterancestors() if _is_ancestor(a, title)), None)
        if common is not None and _is_ancestor(common, container):
            container = common  # the title's header and the body in separate wrappers
    found: list[Block] = []
    taken: list[HtmlElement] = []
    looked = 0
    for candidate in reversed(_lead_candidates(container, element)):
        if _is_ancestor(candidate, element):
            continue
        if candidate.tag == "h1":
            break
        if len(text_of(candidate).split()) < LEAD_HEADING_MIN_WORDS:
            continue  # crumbs, share buttons, a byline: not a lead, and not counted
        looked += 1
        if looked > LEAD_MAX_ELEMENTS:
            break
        if any(_is_ancestor(candidate, t) for t in taken):
            continue
        text = _lead_text(candidate, container)
        if text is None:
            continue
        key = squeeze(text)
        if key in present or any(section.holds(text) for section in sections):
            continue
        found.append(Block("paragraph", text))
        taken.append(candidate)
        present.add(key)
    found.reverse()
    return found


def restore_structure(
    tree: HtmlElement, blocks: Sequence[Block], sections: Sequence[Section] = ()
) -> list[Block]:
    """``blocks`` with the page's dropped section headings put back and paragraphs that
    are list items typed ``list_item`` (see the module docstring).

    Args:
        tree: the parsed page (not modified).
        blocks: trafilatura's output as typed blocks, in order.
        sections: recommendation sections of the page (their headings are not restored).
    """
    page = _Page(tree)
    positions = page.locate(blocks)
    present = {squeeze(b.text) for b in blocks}
    out: list[Block] = []
    lead_at = next(
        (
            i
            for i, (b, p) in enumerate(zip(blocks, positions, strict=True))
            if p is not None
            and b.kind == "paragraph"
            and page.elements[p].tag == "p"
            and caption_reason(b) is None
        ),
        None,
    )
    previous: int | None = None
    for index, (block, position) in enumerate(zip(blocks, positions, strict=True)):
        if index == lead_at and position is not None:
            out.extend(_lead_blocks(page, position, present, sections))
        if position is not None:
            element = page.elements[position]
            if previous is not None:
                for between in range(previous + 1, position):
                    heading = page.elements[between]
                    key = page.keys[between]
                    if (
                        heading.tag in HEADING_TAGS
                        and key not in present
                        and _restorable(heading, element, sections)
                    ):
                        out.append(Block("heading", " ".join(text_of(heading).split())))
                        present.add(key)
            if block.kind == "paragraph" and element.tag == "li":
                block = replace(block, kind="list_item")
            previous = position
        out.append(block)
    return out


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold().strip(" .:") == " ".join(b.split()).casefold().strip(
        " .:"
    )


def drop_title(
    blocks: Sequence[Block], title: str | None, h1: str | None = None
) -> tuple[list[Block], list[RemovedBlock]]:
    """Remove the title from the body: heading blocks with the title's text (or its
    headline, without a `` | Site`` part), a paragraph with it among the first blocks,
    and headings with the text of the page's ``<h1>``.

    Args:
        blocks: the body, in order.
        title: the article's title (metadata), if known.
        h1: the text of the page's first ``<h1>``, if any.
    """
    kept: list[Block] = []
    removed: list[RemovedBlock] = []
    names = [t for t in (title, h1) if t]
    if title:
        parts = [p for p in _TITLE_SEPARATORS.split(title) if p.strip()]
        if len(parts) > 1:  # "Headline | Site": the headline (and the site's name)
            names.extend(p for p in parts if len(p.split()) >= 2)
    for index, block in enumerate(blocks):
        leading = not kept
        is_title = any(_same(block.text, name) for name in names) and (
            block.kind == "heading" or (block.kind == "paragraph" and leading and index < 3)
        )
        if is_title:
            removed.append(RemovedBlock(block.text, TITLE_REASON))
        else:
            kept.append(block)
    return kept, removed


def first_h1(tree: HtmlElement) -> str | None:
    """The text of the page's first non-empty ``<h1>`` outside navigation, or None."""
    for element in tree.iter("h1"):
        text = " ".join(text_of(element).split())
        if text and not any(a.tag in _H1_SKIP for a in element.iterancestors()):
            return text
    return None
