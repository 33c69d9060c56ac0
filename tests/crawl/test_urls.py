"""URL normalisation, domain checks and <link rel=canonical>."""

from __future__ import annotations

import pytest

from crawler.discovery.urls import canonical_link, in_domains, normalize_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://TechWire.Example/News/a", "http://techwire.example/News/a"),
        ("http://techwire.example:80/a", "http://techwire.example/a"),
        ("https://techwire.example:443/a", "https://techwire.example/a"),
        ("http://techwire.example:8080/a", "http://techwire.example:8080/a"),
        ("http://techwire.example/a#comments", "http://techwire.example/a"),
        ("http://techwire.example", "http://techwire.example/"),
        ("http://techwire.example/a?", "http://techwire.example/a"),
        ("http://techwire.example/a?b=2&a=1", "http://techwire.example/a?a=1&b=2"),
        (
            "http://techwire.example/a?utm_source=x&UTM_Medium=y&id=7&fbclid=z&gclid=q",
            "http://techwire.example/a?id=7",
        ),
        (
            "http://techwire.example/a?mc_cid=1&mc_eid=2&ref=home&ocid=3&cmpid=4&_ga=5",
            "http://techwire.example/a",
        ),
        ("http://techwire.example/a?q=&p=1", "http://techwire.example/a?p=1&q="),
        ("http://techwire.example./a", "http://techwire.example/a"),
        ("  http://techwire.example/a  ", "http://techwire.example/a"),
    ],
)
def test_normalize_url(url: str, expected: str) -> None:
    assert normalize_url(url) == expected


def test_normalize_relative_against_base() -> None:
    base = "http://techwire.example/news/2026/x?page=2"
    assert normalize_url("../y?utm_campaign=z#top", base) == "http://techwire.example/news/y"
    assert normalize_url("//cdn.techwire.example/i", base) == "http://cdn.techwire.example/i"


def test_normalize_is_idempotent() -> None:
    once = normalize_url("HTTP://A.example:80/p?z=1&utm_term=t&a=2#f")
    assert normalize_url(once) == once


@pytest.mark.parametrize(
    ("url", "result"),
    [
        ("http://techwire.example/a", True),
        ("https://www.techwire.example/a", True),
        ("http://TECHWIRE.example./a", True),
        ("http://faketechwire.example/a", False),
        ("http://techwire.example.evil.example/a", False),
        ("not a url", False),
        ("http://[::1/", False),
    ],
)
def test_in_domains(url: str, result: bool) -> None:
    assert in_domains(url, ["techwire.example"]) is result


def test_canonical_link_absolute_and_relative() -> None:
    page = (
        b"<!DOCTYPE html><html><head><title>t</title>"
        b'<link rel="stylesheet" href="/s.css"><link rel="Canonical" href="/news/a?x=1">'
        b"</head><body><link rel=canonical href=/wrong></body></html>"
    )
    assert canonical_link(page, "http://techwire.example/amp/a") == (
        "http://techwire.example/news/a?x=1"
    )


def test_canonical_link_missing_or_unusable() -> None:
    base = "http://techwire.example/a"
    assert canonical_link(b"<html><head></head><body>x</body></html>", base) is None
    assert canonical_link(b"", base) is None
    assert canonical_link(b'<head><link rel="canonical" href=""></head>', base) is None
    assert canonical_link(b'<head><link rel="canonical" href="javascript:x"></head>', base) is None
    assert canonical_link(b"\x00\xff\xfe garbage", base) is None
