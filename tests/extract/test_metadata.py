from __future__ import annotations

import json

import lxml.html

from crawler.extract.dates import to_iso
from crawler.extract.metadata import extract_metadata, language_code, split_authors


def _tree(head: str, body: str = "<p>text</p>", lang: str = "") -> lxml.html.HtmlElement:
    attr = f' lang="{lang}"' if lang else ""
    return lxml.html.document_fromstring(
        f"<html{attr}><head>{head}</head><body>{body}</body></html>"
    )


def test_json_ld_article_wins() -> None:
    ld = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "name": "Ignored"},
            {
                "@type": ["NewsArticle"],
                "headline": "Ferries Become Batteries",
                "author": [{"name": "Ada Lind"}, {"name": "Bo Kerr"}],
                "datePublished": "2025-01-02T03:04:05Z",
                "dateModified": "2025-01-03",
                "publisher": {"name": "Harbour Post"},
            },
        ],
    }
    head = (
        '<meta property="og:title" content="Other title">'
        f'<script type="application/ld+json">{json.dumps(ld)}</script>'
        '<link rel="canonical" href="/a/ferries">'
    )
    meta = extract_metadata(_tree(head, lang="en-GB"), "https://post.test/x?utm=1")
    assert meta.title == "Ferries Become Batteries"
    assert meta.authors == ["Ada Lind", "Bo Kerr"]
    assert meta.published == "2025-01-02T03:04:05+00:00"
    assert meta.updated == "2025-01-03"
    assert meta.site_name == "Harbour Post"
    assert meta.language == "en"
    assert meta.canonical_url == "https://post.test/a/ferries"


def test_meta_tags_fallback_and_site_suffix_stripped() -> None:
    head = (
        "<title>Lab Sharing | Valley Times</title>"
        '<meta property="og:site_name" content="Valley Times">'
        '<meta name="author" content="By Ines Paz and Ola Berg">'
        '<meta property="article:published_time" content="2024-11-05T10:00:00+0100">'
        '<meta http-equiv="content-language" content="de-DE">'
    )
    meta = extract_metadata(_tree(head, body="<h1>A</h1><h1>B</h1>"))
    assert meta.title == "Lab Sharing"
    assert meta.authors == ["Ines Paz", "Ola Berg"]
    assert meta.published == "2024-11-05T10:00:00+01:00"
    assert meta.language == "de"


def test_unknown_values_stay_empty() -> None:
    meta = extract_metadata(_tree('<meta name="date" content="sometime last week">'))
    assert meta.title is None
    assert meta.authors == []
    assert meta.published is None
    assert meta.updated is None
    assert meta.language is None
    assert meta.site_name is None
    assert meta.canonical_url is None


def test_broken_json_ld_is_ignored() -> None:
    head = '<script type="application/ld+json">{not json</script><title>T</title>'
    assert extract_metadata(_tree(head)).title == "T"


def test_dates() -> None:
    assert to_iso("2024-03-05") == "2024-03-05"
    assert to_iso("2024-03-05 10:20") == "2024-03-05T10:20:00"
    assert to_iso("5 March 2024") == "2024-03-05"
    assert to_iso("Tue, 05 Mar 2024 10:20:00 +0000") == "2024-03-05T10:20:00+00:00"
    assert to_iso("yesterday") is None
    assert to_iso("1850-01-01") is None
    assert to_iso(None) is None


def test_language_codes_and_authors() -> None:
    assert language_code("pt_BR") == "pt"
    assert language_code("english") is None
    assert split_authors(["https://x.test/me", "Jo Lee; Kim Ha", "jo lee"]) == ["Jo Lee", "Kim Ha"]
