"""The core function: statuses for bad input, never an exception."""

from __future__ import annotations

import pytest

from crawler.extract import extract
from crawler.extract.decode import MAX_BYTES
from crawler.extract.model import STATUSES

PARAGRAPH = (
    "The regional council published its plan for night buses on Monday, and the unions "
    "said the timetable finally matches the shifts at the hospital and the port."
)
ARTICLE = (
    "<html lang='en'><head><title>Night buses</title></head><body><article>"
    "<h1>Night buses</h1>" + f"<p>{PARAGRAPH}</p>" * 5 + "</article></body></html>"
)


def test_ok_article() -> None:
    result = extract(ARTICLE.encode(), url="https://wire.test/buses")
    assert result.status == "ok"
    assert result.reason is None
    assert result.url == "https://wire.test/buses"
    assert result.language == "en"
    assert PARAGRAPH in result.text
    assert result.text == "\n".join(b.text for b in result.blocks)


@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    [
        (b"", None, "empty"),
        (b"   ", "text/html", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(200)), None, "not_html"),
        (b"%PDF-1.7\n...", None, "not_html"),
        (ARTICLE.encode(), "application/json", "not_html"),
        (b"<html><body></body></html>", None, "no_article"),
        (b"<html><body><p>Page not found</p></body></html>", None, "no_article"),
        (b"<<<>>>&&&<div", None, "no_article"),
    ],
)
def test_bad_input_gives_a_status(data: bytes, content_type: str | None, status: str) -> None:
    result = extract(data, content_type=content_type)
    assert result.status == status
    assert result.reason
    assert result.blocks == []


def test_ten_megabyte_page_is_rejected() -> None:
    page = ARTICLE.encode() + b"<!--" + b"x" * MAX_BYTES + b"-->"
    result = extract(page)
    assert result.status == "too_large"
    assert result.reason is not None and "limit" in result.reason


def test_page_just_under_the_limit_is_not_rejected_for_size() -> None:
    page = ARTICLE.encode()
    page = page.replace(b"</body>", b"<!--" + b"x" * (MAX_BYTES - len(page) - 20) + b"--></body>")
    assert len(page) <= MAX_BYTES
    assert extract(page).status == "ok"


def test_deep_nesting() -> None:
    page = "<html><body>" + "<div>" * 5000 + f"<p>{PARAGRAPH}</p>" + "</div>" * 5000
    result = extract(page + "</body></html>")
    assert result.status in STATUSES
    assert result.reason or result.ok


def test_wrong_charset_header() -> None:
    page = ARTICLE.replace("night buses", "Nachtbusse für Größere Städte").encode("iso-8859-1")
    result = extract(page, content_type="text/html; charset=utf-8")
    assert result.status == "ok"
    assert "Nachtbusse für Größere Städte" in result.text


def test_str_input_and_garbage_types_never_raise() -> None:
    assert extract(ARTICLE).status == "ok"
    assert extract("\x00\x01 binary in text").status == "not_html"
    assert extract(None).status == "error"  # type: ignore[arg-type]


def test_to_json_contract() -> None:
    data = extract(ARTICLE.encode()).to_json()
    assert list(data) == [
        "status",
        "reason",
        "url",
        "title",
        "authors",
        "published",
        "updated",
        "language",
        "site_name",
        "canonical_url",
        "credit",
        "credit_url",
        "blocks",
        "removed",
        "text",
    ]
    assert data["title"] == "Night buses"
    assert data["blocks"][0] == {"kind": "paragraph", "text": PARAGRAPH}
    assert data["removed"][0] == {"text": "Night buses", "reason": "title"}


def test_article_that_broken_markup_puts_inside_an_aside_is_found_by_the_recall_pass() -> None:
    """An unclosed widget leaves the whole article inside <aside class="sidebar">:
    trafilatura's default pass discards it and finds nothing; the second pass, which
    favours recall, is cleaned like the first and gives the article."""
    import trafilatura

    sentence = (
        "The harbour authority said on Monday that the night ferries will return in April"
        " after eleven years, with two operators sharing the route to the islands."
    )
    paragraphs = "".join(f"<p>{sentence} Part {i}.</p>" for i in range(5))
    html = (
        "<html><head><title>Night ferries return</title></head><body>"
        '<aside class="sidebar"><div class="sidebar-sticky"><div class="main-content">'
        '<article><h1>Night ferries return</h1><div class="article-content">'
        f"{paragraphs}</div></article></div></div></aside>"
        "<footer><p>Your most important touchpoint for the digital trade.</p></footer>"
        "</body></html>"
    )
    assert not trafilatura.extract(html)
    result = extract(html.encode(), url="https://example-wire.test/ferries")
    assert result.ok, result.reason
    assert [b.text for b in result.blocks] == [f"{sentence} Part {i}." for i in range(5)]
    assert result.title == "Night ferries return"
