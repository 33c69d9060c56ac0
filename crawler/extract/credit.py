"""Credit lines ("This article originally appeared on X") found in the page.

The line is kept as metadata (the dedup layer uses it to find the original) and
removed from the body. The URL is the line's link if it has one, else a URL or
domain name written in the line, else None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

from lxml.html import HtmlElement

from crawler.extract.dom import text_of
from crawler.extract.patterns import CREDIT

MAX_CREDIT_CHARS = 300
_URL = re.compile(r"https?://[^\s<>\"')\]]+", re.I)
_DOMAIN = re.compile(
    r"\b((?:[a-z0-9-]+\.)+(?:com|org|net|news|io|co|de|uk|fr|eu|info|tech))\b", re.I
)
_BLOCK_TAGS = ("p", "div", "li", "footer", "section", "aside", "figcaption", "blockquote")
_INLINE_TAGS = ("em", "i", "span", "small", "strong", "b")


@dataclass(frozen=True)
class Credit:
    """A credit line and the URL it names (None if it names none)."""

    text: str
    url: str | None


def credit_from_text(text: str) -> Credit | None:
    """A credit from one block of text, if the block is a credit line."""
    line = " ".join(text.split())
    if not line or len(line) > MAX_CREDIT_CHARS or CREDIT.match(line) is None:
        return None
    match = _URL.search(line)
    if match:
        return Credit(line, match.group(0).rstrip(".,;:"))
    domain = _DOMAIN.search(line)
    return Credit(line, f"https://{domain.group(1).lower()}" if domain else None)


def _starts_credit(text: str) -> bool:
    return CREDIT.match(text.lstrip()[:120]) is not None


def find_credit(tree: HtmlElement, url: str | None = None) -> Credit | None:
    """The page's credit line, with the URL of its link when it has one.

    Args:
        tree: the parsed page.
        url: the page's URL, to resolve a relative link.
    """
    for element in tree.iter(*_BLOCK_TAGS, *_INLINE_TAGS):
        own = element.text
        if not own or not _starts_credit(own):
            continue
        while element.tag not in _BLOCK_TAGS and element.getparent() is not None:
            element = element.getparent()  # the line's block, e.g. <p> around <em>
        text = text_of(element)
        credit = credit_from_text(text)
        if credit is None:
            continue
        for link in element.iter("a"):
            href = (link.get("href") or "").strip()
            if href and not href.startswith(("#", "javascript:", "mailto:")):
                resolved = urljoin(url, href) if url else href
                if resolved.startswith(("http://", "https://")):
                    return Credit(credit.text, resolved)
        return credit
    return None
