from __future__ import annotations

import lxml.html

from crawler.extract.recommend import find_card_lists, find_sections

PROSE = (
    "The council voted on Tuesday to keep the night buses running through the winter, "
    "after a petition signed by several thousand shift workers reached the chamber."
)
BLURB = "A long teaser blurb about another story that goes on and on and is cut off mid"


def _tree(body: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(f"<html><body>{body}</body></html>")


def test_section_in_plain_container_runs_to_the_end() -> None:
    tree = _tree(
        f"<div><h1>Buses</h1><p>{PROSE}</p><h3>Explore more</h3>"
        f'<h4><a href="/1">First teaser title</a></h4><p>{BLURB}</p>'
        f'<h4><a href="/2">Second teaser title</a></h4><p>{BLURB} point</p></div>'
    )
    [section] = find_sections(tree)
    assert section.heading == "Explore more"
    assert section.holds("First teaser title")
    assert section.holds(BLURB)
    assert not section.holds(PROSE)
    assert not section.holds("Buses")


def test_section_stops_at_the_next_article_heading() -> None:
    tree = _tree(
        f'<article><h2>Related</h2><ul><li><a href="/x">Other story</a></li></ul>'
        f"<h2>What comes next</h2><p>{PROSE}</p></article>"
    )
    [section] = find_sections(tree)
    assert section.holds("Other story")
    assert not section.holds("What comes next")
    assert not section.holds(PROSE)


def test_heading_words_in_prose_are_not_headings() -> None:
    tree = _tree(f"<p><b>Related</b> to this, the council said more. {PROSE}</p><p>{PROSE}</p>")
    assert find_sections(tree) == []
    assert find_sections(_tree('<p><a href="/r">Related</a></p>')) == []


def test_german_heading_in_a_box() -> None:
    tree = _tree(
        '<div class="box"><p class="t">Das könnte Sie auch interessieren</p>'
        '<ul><li><a href="/a">Ein anderer Artikel</a></li></ul></div>'
    )
    [section] = find_sections(tree)
    assert section.holds("Ein anderer Artikel")


def test_card_list_without_heading() -> None:
    cards = "".join(
        f'<li><a href="/{i}"><h3>Teaser title number {i}</h3></a><p>{BLURB}</p></li>'
        for i in range(3)
    )
    tree = _tree(f"<p>{PROSE}</p><ul>{cards}</ul>")
    [section] = find_card_lists(tree.find("body"))
    assert section.reason == "teaser-cards"
    assert section.holds(f"Teaser title number 1{BLURB}")
    # a plain list of links to other pages is a recommendation block too
    links = "".join(f'<li><a href="/{i}">Link number {i} here</a></li>' for i in range(5))
    [section] = find_card_lists(_tree(f"<ul>{links}</ul>").find("body"))
    assert section.reason == "recommendation-links"
    assert section.holds("Link number 3 here")
    # ... but not a table of contents (anchors on the page) nor a list with prose items
    anchors = "".join(f'<li><a href="#s{i}">Section number {i} here</a></li>' for i in range(5))
    assert find_card_lists(_tree(f"<ul>{anchors}</ul>").find("body")) == []
    mixed = "".join(f'<li>See <a href="/{i}">the report</a> {BLURB}</li>' for i in range(5))
    assert find_card_lists(_tree(f"<ul>{mixed}</ul>").find("body")) == []
    # ... nor a list of links to other sites (shops, sources)
    shop = "".join(
        f'<li><a href="https://shop.test/{i}">Product number {i} here</a></li>' for i in range(5)
    )
    body = _tree(f"<ul>{shop}</ul>").find("body")
    assert find_card_lists(body, url="https://wire.test/a") == []
    same_site = shop.replace("https://shop.test/", "https://www.wire.test/")
    body = _tree(f"<ul>{same_site}</ul>").find("body")
    assert find_card_lists(body, url="https://wire.test/a")[0].reason == "recommendation-links"
