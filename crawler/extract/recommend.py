"""Recommendation sections found in the page's DOM, to drop their text from the output.

A recommendation heading ("Explore more", "Related articles", "Mehr zum Thema", ...)
starts a section of teasers. The section is the heading and the siblings that follow
it, up to the next heading of the same or a higher level that is not itself a link,
or a sibling that reads as article prose. This catches teasers in the same plain
container as the article, where trafilatura keeps them.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml.html import HtmlElement

from crawler.extract.dom import (
    HEADING_TAGS,
    SKIP_TAGS,
    heading_level,
    inside_link,
    link_density,
    text_of,
)
from crawler.extract.patterns import ends_sentence, is_rec_heading

REASON = "recommendation-section"
CARD_REASON = "teaser-cards"
CARD_CONTAINERS = ("ul", "ol")  # div grids too would cost a tenth of the extraction time
MIN_SUBSTRING_CHARS = 35
CARD_MIN_ITEMS = 3
CARD_MAX_WORDS = 120
CARD_TITLE_MIN_WORDS = 3
CARD_TITLE_MAX_WORDS = 20
CARD_MAX_LINKS = 3
CARD_BLURB_MIN_WORDS = 8
LINKS_REASON = "recommendation-links"
LINK_ITEM_MIN_SHARE = 0.8
MAX_HEADING_CHARS = 80
PROSE_MIN_WORDS = 25
PROSE_MAX_LINK_DENSITY = 0.5
CONTAINER_PROSE_PARAGRAPHS = 3
MAX_CLIMB = 3
CLIMB_BELOW_CHARS = 40
_NOT_HEADINGS = frozenset({"a", "button", "option", "label", "input", "select", "textarea"})


def _heading_unit(element: HtmlElement) -> HtmlElement:
    """The outermost ancestor whose whole text is the heading's text."""
    text = text_of(element)
    unit = element
    parent = unit.getparent()
    while parent is not None and parent.tag not in ("body", "html") and text_of(parent) == text:
        unit = parent
        parent = unit.getparent()
    return unit


def _is_prose(element: HtmlElement) -> bool:
    text = text_of(element)
    return (
        len(text.split()) >= PROSE_MIN_WORDS
        and ends_sentence(text)
        and link_density(element, text) < PROSE_MAX_LINK_DENSITY
    )


def _is_link_title(element: HtmlElement) -> bool:
    text = text_of(element)
    return bool(text) and len(text) <= 200 and link_density(element, text) >= 0.5


def _stops_section(sibling: HtmlElement, level: int, previous: HtmlElement | None) -> bool:
    """Whether ``sibling`` ends the recommendation section (article content resumes)."""
    text = text_of(sibling)
    if not text:
        return False
    if sibling.tag in HEADING_TAGS or (
        heading_level(sibling) < 7 and len(text) <= MAX_HEADING_CHARS
    ):
        return (
            heading_level(sibling) <= level
            and link_density(sibling, text) < 0.5
            and not is_rec_heading(text)
        )
    if sibling.tag == "p":
        return _is_prose(sibling) and (previous is None or not _is_link_title(previous))
    prose = [p for p in sibling.iter("p") if _is_prose(p)]
    return len(prose) >= CONTAINER_PROSE_PARAGRAPHS and link_density(sibling, text) < 0.1


def _candidates(body: HtmlElement) -> list[HtmlElement]:
    found: list[HtmlElement] = []
    for element in body.iter(etree.Element):  # elements only: no comments
        own = element.text
        if not own or len(own) > MAX_HEADING_CHARS * 2 or own.isspace():
            continue
        if not is_rec_heading(own):
            continue
        tag = element.tag
        if tag in SKIP_TAGS or tag in _NOT_HEADINGS:
            continue
        if not is_rec_heading(text_of(element)) or inside_link(element):
            continue
        found.append(element)
    return found


def _following(anchor: HtmlElement, level: int) -> list[HtmlElement]:
    members: list[HtmlElement] = []
    previous: HtmlElement | None = None
    for sibling in anchor.itersiblings():
        if not isinstance(sibling.tag, str):
            continue
        if _stops_section(sibling, level, previous):
            break
        members.append(sibling)
        previous = sibling
    return members


def _text_length(elements: list[HtmlElement]) -> int:
    return sum(len(text_of(e)) for e in elements)


def _section(unit: HtmlElement) -> list[HtmlElement]:
    """The heading unit's following siblings; when they hold (almost) nothing, as in a
    header row with a "See all" link, the parent's following siblings too."""
    level = heading_level(unit)
    members = _following(unit, level)
    anchor = unit
    for _ in range(MAX_CLIMB):
        if _text_length(members) >= CLIMB_BELOW_CHARS:
            break
        parent = anchor.getparent()
        if parent is None or parent.tag in ("body", "html"):
            break
        outer = _following(parent, level)
        if _text_length(outer) <= _text_length(members):
            break
        members += outer
        anchor = parent
    return members


@dataclass(frozen=True)
class Section:
    """A recommendation section found in the page: its heading and the texts under it."""

    heading: str
    texts: frozenset[str]  # squeezed texts of every element in the section
    joined: str  # squeezed texts of the section's top elements, newline-separated
    reason: str = REASON

    def holds(self, text: str) -> bool:
        """Whether a block of output text came from this section (spacing ignored)."""
        key = squeeze(text)
        if not key:
            return False
        if key in self.texts:
            return True
        return len(key) >= MIN_SUBSTRING_CHARS and key in self.joined


def squeeze(text: str) -> str:
    """``text`` without any whitespace: extractors differ in where they put spaces."""
    return "".join(text.split())


def _texts(elements: list[HtmlElement]) -> set[str]:
    texts: set[str] = set()
    for member in elements:
        for element in member.iter():
            if isinstance(element.tag, str) and element.tag not in SKIP_TAGS:
                text = squeeze(text_of(element))
                if text:
                    texts.add(text)
    return texts


def find_sections(tree: HtmlElement, url: str | None = None) -> list[Section]:
    """Recommendation sections of a parsed page (the tree is not modified).

    Trafilatura then runs on the whole page, and the output blocks that came from a
    section are dropped: changing the page before trafilatura would change its own
    choices (container, recall retry) in ways that lose article text.

    Args:
        tree: the parsed page.
        url: the page's URL, if known (see :func:`find_card_lists`).
    """
    body = tree.find("body") if tree.tag == "html" else tree
    if body is None:
        body = tree
    sections: list[Section] = []
    seen: set[HtmlElement] = set()
    for candidate in _candidates(body):
        if candidate in seen:
            continue
        unit = _heading_unit(candidate)
        if unit.tail and unit.tail.strip():
            continue  # a word in running prose, not a heading
        members = [unit, *_section(unit)]
        for member in members:
            seen.update(member.iter())
        heading = text_of(unit)
        texts = _texts(members)
        sections.append(
            Section(heading, frozenset(texts), "\n".join(squeeze(text_of(m)) for m in members))
        )
    sections.extend(find_card_lists(body, seen, url))
    return sections


def _is_card(item: HtmlElement, text: str) -> bool:
    """A teaser card: it opens with a linked title of a few words, then a short blurb."""
    words = len(text.split())
    if words > CARD_MAX_WORDS:
        return False
    links = [t for a in item.iter("a") if (t := text_of(a))]
    if not links or len(links) > CARD_MAX_LINKS or not text.startswith(links[0]):
        return False
    title_words = len(links[0].split())
    blurb_words = words - sum(len(t.split()) for t in links)
    return (
        CARD_TITLE_MIN_WORDS <= title_words <= CARD_TITLE_MAX_WORDS
        and blurb_words >= CARD_BLURB_MIN_WORDS
    )


def _items_with_text(container: HtmlElement) -> list[tuple[HtmlElement, str]] | None:
    """The container's children with their text (empty children skipped), or None when
    it has fewer than ``CARD_MIN_ITEMS`` of them or a child holds no link (a card and a
    link item both do): the check both kinds of list share, made once."""
    children = [c for c in container if isinstance(c.tag, str)]
    if len(children) < CARD_MIN_ITEMS:
        return None
    for child in children:
        if child.tag != "a" and next(child.iter("a"), None) is None:
            return None
    items = [(c, text) for c in children if (text := text_of(c))]
    return items if len(items) >= CARD_MIN_ITEMS else None


def _card_items(items: list[tuple[HtmlElement, str]]) -> list[HtmlElement] | None:
    """The items if they are all cards, else None."""
    if all(_is_card(item, text) for item, text in items):
        return [item for item, _ in items]
    return None


def _site(host: str) -> str:
    return host.lower().removeprefix("www.")


def _page_link(element: HtmlElement, url: str | None) -> str | None:
    """The target of a link to another page of the same site (another article), else
    None: anchors on this page, other sites (shops, sources) and non-page links are not.
    Without the page's URL only relative links count."""
    href = str(element.get("href") or "").strip()
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
        return None
    if url is None:
        relative = urlsplit(href)
        return href if not relative.netloc and not relative.scheme else None
    target = urlsplit(urljoin(url, href))
    base = urlsplit(url)
    if _site(target.netloc) != _site(base.netloc) or target.path == base.path:
        return None
    return target.path + ("?" + target.query if target.query else "")


def _link_items(items: list[tuple[HtmlElement, str]], url: str | None) -> list[HtmlElement] | None:
    """The list's items if each is a title-sized link to another page of the site (a
    list of links to other articles), else None."""
    targets: set[str] = set()
    for item, text in items:
        words = len(text.split())
        if not CARD_TITLE_MIN_WORDS <= words <= CARD_TITLE_MAX_WORDS:
            return None
        links = [(a, target) for a in item.iter("a") if (target := _page_link(a, url))]
        if not links:
            return None
        linked = sum(len(text_of(a)) for a, _ in links)
        if linked < LINK_ITEM_MIN_SHARE * len(text):
            return None
        targets.update(target for _, target in links)
    return [item for item, _ in items] if len(targets) >= len(items) else None


def find_card_lists(
    body: HtmlElement, seen: set[HtmlElement] | None = None, url: str | None = None
) -> list[Section]:
    """Lists of teaser cards without a heading: a ``<ul>``/``<ol>`` whose items, at
    least three, are all cards (linked title and short blurb), or all title-sized links
    to other pages (a recommendation block; a list of anchors on the page is kept).

    Args:
        body: the page's body element.
        seen: elements already inside a recommendation section (skipped).
        url: the page's URL (which links are to other pages of the same site).
    """
    seen = set() if seen is None else seen
    sections: list[Section] = []
    for container in body.iter(*CARD_CONTAINERS):
        if len(container) < CARD_MIN_ITEMS or container in seen:
            continue
        candidates = _items_with_text(container)
        if candidates is None:
            continue
        reason = CARD_REASON
        items = _card_items(candidates)
        if items is None:
            items, reason = _link_items(candidates, url), LINKS_REASON
        if items is None:
            continue
        seen.update(container.iter())
        sections.append(
            Section(
                "",
                frozenset(_texts([container])),
                "\n".join(squeeze(text_of(item)) for item in items),
                reason,
            )
        )
    return sections
