from __future__ import annotations

from lxml import etree

from crawler.extract.blocks import blocks_from_body, clean_text
from crawler.extract.model import Block


def test_kinds_order_and_tails() -> None:
    body = etree.fromstring(
        "<body><head rend='h2'>Title</head>loose tail text"
        "<p>One <hi>two</hi><lb/>three</p>"
        "<list><item>first</item><item>second<list><item>nested</item></list></item></list>"
        "<quote>Quoted words.</quote>"
        "<table><row><cell>a</cell><cell>b</cell></row><row><cell>c</cell></row></table>"
        "<code>x = 1\ny = 2</code><p>   </p></body>"
    )
    assert blocks_from_body(body) == [
        Block("heading", "Title"),
        Block("paragraph", "loose tail text"),
        Block("paragraph", "One two\nthree"),
        Block("list_item", "first"),
        Block("list_item", "second"),
        Block("list_item", "nested"),
        Block("quote", "Quoted words."),
        Block("table", "a | b\nc"),
        Block("code", "x = 1\ny = 2"),
    ]


def test_none_body() -> None:
    assert blocks_from_body(None) == []


def test_clean_text_drops_invisible_characters() -> None:
    assert clean_text("Ver\u00adschlüs\u200bselung  und\u00a0mehr") == "Verschlüsselung und mehr"
