"""Small helpers over lxml elements: text, link density, headings."""

from __future__ import annotations

from lxml.html import HtmlElement

HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "title", "head"})


def text_of(element: HtmlElement) -> str:
    """The element's text, whitespace collapsed (script and style text included by lxml)."""
    try:
        return " ".join(element.text_content().split())
    except ValueError:
        return ""


def link_text_length(element: HtmlElement) -> int:
    """Characters of text inside links, the element itself included if it is a link."""
    if element.tag == "a":
        return len(text_of(element))
    return sum(len(text_of(a)) for a in element.iter("a"))


def link_density(element: HtmlElement, text: str | None = None) -> float:
    """Share of the element's text that is link text (0 for an element without text)."""
    text = text_of(element) if text is None else text
    if not text:
        return 0.0
    return min(1.0, link_text_length(element) / len(text))


def heading_level(element: HtmlElement) -> int:
    """1-6 for ``<h1>``-``<h6>`` (or an element whose first heading descendant is one), else 7."""
    tag = element.tag
    if isinstance(tag, str) and tag in HEADING_TAGS:
        return int(tag[1])
    for child in element.iter(*HEADING_TAGS):
        return int(str(child.tag)[1])
    return 7


def inside_link(element: HtmlElement) -> bool:
    """Whether the element is an ``<a>`` or inside one."""
    node: HtmlElement | None = element
    while node is not None:
        if node.tag == "a":
            return True
        node = node.getparent()
    return False
