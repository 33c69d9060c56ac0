from __future__ import annotations

import lxml.html
import pytest

from crawler.extract.credit import credit_from_text, find_credit


@pytest.mark.parametrize(
    "line",
    [
        "This article originally appeared on Harbour Tech Review.",
        "This story was first published by The Valley Ledger.",
        "Originally published at northwind.example.com",
        "Republished with permission from Example Weekly.",
        "Dieser Artikel erschien zuerst bei Beispiel Kurier.",
    ],
)
def test_credit_lines(line: str) -> None:
    credit = credit_from_text(line)
    assert credit is not None
    assert credit.text == line


def test_not_credit_lines() -> None:
    assert credit_from_text("The mayor originally appeared reluctant to sign.") is None
    assert credit_from_text("Originally published at x. " + "Long text. " * 50) is None


def test_credit_url_from_named_url_or_domain() -> None:
    named = credit_from_text("Originally published at https://blog.test/post-1.")
    assert named is not None and named.url == "https://blog.test/post-1"
    domain = credit_from_text("Originally published at northwind.example.com")
    assert domain is not None and domain.url == "https://northwind.example.com"
    plain = credit_from_text("Republished with permission from Example Weekly.")
    assert plain is not None and plain.url is None


def test_credit_url_from_link() -> None:
    tree = lxml.html.document_fromstring(
        "<html><body><article><p>Body.</p><p><em>This article originally appeared on "
        '<a href="/orig">Harbour Tech Review</a>.</em></p></article></body></html>'
    )
    credit = find_credit(tree, "https://wire.test/story")
    assert credit is not None
    assert credit.text == "This article originally appeared on Harbour Tech Review."
    assert credit.url == "https://wire.test/orig"


def test_no_credit() -> None:
    tree = lxml.html.document_fromstring("<html><body><p>Nothing here.</p></body></html>")
    assert find_credit(tree) is None
