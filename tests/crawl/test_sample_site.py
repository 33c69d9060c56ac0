"""The bundled sample site: its pages, its special articles and its proxy server."""

from __future__ import annotations

import http.client
import re
from collections.abc import Iterator

import pytest
from lxml import html as lxml_html

from crawler.config import load_sources_text
from crawler.demo.content import PUBLISHERS, SEED_INTRO, SEED_PARAPHRASE, SEED_TEASERS
from crawler.demo.pages import build_routes
from crawler.demo.server import SampleSite, serve_sample_site
from crawler.discovery.links import parse_feed, parse_listing, parse_sitemap
from crawler.discovery.urls import canonical_link

ROUTES = build_routes()


def _page(url: str) -> bytes:
    host, path = re.match(r"http://([^/]+)(/.*)", url).groups()  # type: ignore[union-attr]
    return ROUTES[host][path][1]


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9.]+", text.lower()))


@pytest.fixture(scope="module")
def site() -> Iterator[SampleSite]:
    with serve_sample_site() as running:
        yield running


def _get(site: SampleSite, target: str, host: str | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(site.host, site.port, timeout=5)
    try:
        headers = {"Host": host} if host else {}
        connection.request("GET", target, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.mark.parametrize("publisher", PUBLISHERS, ids=lambda p: p.key)
def test_every_publisher_has_robots_feed_sitemap_and_listing(publisher: object) -> None:
    config = load_sources_text(SampleSite("127.0.0.1", 0, ROUTES).sources_toml(), "sample")
    source = config.get(publisher.key)  # type: ignore[attr-defined]
    pages = ROUTES[publisher.host]  # type: ignore[attr-defined]
    assert b"User-agent: *" in pages["/robots.txt"][1]
    found: set[str] = set()
    for feed in source.feeds:
        found |= {link.url for link in parse_feed(_page(feed), feed).links}
    sitemaps = list(source.sitemaps)
    while sitemaps:
        url = sitemaps.pop()
        result = parse_sitemap(_page(url), url)
        sitemaps += [child.url for child in result.sitemaps]
        found |= {link.url for link in result.links}
    for listing in source.listings:
        found |= {link.url for link in parse_listing(_page(listing.url), listing.url)}
    assert len(found) >= 4


def test_article_pages_look_like_news_pages(site: SampleSite) -> None:
    for url in site.expected_article_urls:
        body = _page(url)
        assert canonical_link(body, url) == url
        for marker in (
            b'property="og:title"',
            b'name="author"',
            b"article:published_time",
            b'class="cookie-banner"',
            b"<nav",
            b"<footer",
            b'class="share"',
        ):
            assert marker in body, (url, marker)


def test_seed_like_article_shape(site: SampleSite) -> None:
    root = lxml_html.fromstring(_page(site.seed_like_url))
    (container,) = root.xpath("//div[@class='post-content']")
    assert not root.xpath("//article | //aside | //section")
    children = [(child.tag, child.text_content()) for child in container]
    assert children[0] == ("p", SEED_INTRO)
    paraphrase_at = children.index(("p", SEED_PARAPHRASE))
    assert children[paraphrase_at - 1][0] == "h2"
    explore_at = children.index(("h2", "Explore more"))
    assert explore_at == paraphrase_at + 1
    teasers = children[explore_at + 1 :]
    assert [tag for tag, _ in teasers] == ["h3", "p"] * 5
    assert [text for tag, text in teasers if tag == "h3"] == [h for h, _ in SEED_TEASERS]
    for _, blurb in SEED_TEASERS:
        assert not blurb.rstrip().endswith((".", "!", "?", '"')), blurb


def test_seed_paraphrase_is_a_real_paraphrase() -> None:
    intro, paraphrase = _words(SEED_INTRO), _words(SEED_PARAPHRASE)
    jaccard = len(intro & paraphrase) / len(intro | paraphrase)
    assert jaccard < 0.35
    for fact in ("2.4", "billion", "crowns", "ninth", "halvorsen", "estmark", "brightline"):
        assert fact in intro and fact in paraphrase, fact


def _paragraphs(url: str) -> list[str]:
    root = lxml_html.fromstring(_page(url))
    return [
        p.text_content()
        for p in root.xpath("//div[contains(@class, '-body') or contains(@class, '-content')]/p")
    ]


def test_syndicated_copy_has_light_edits(site: SampleSite) -> None:
    ((copy, original),) = site.syndicated.items()
    assert copy.split("/")[2] != original.split("/")[2]
    copy_root, original_root = (lxml_html.fromstring(_page(u)) for u in (copy, original))
    assert copy_root.findtext(".//h1") != original_root.findtext(".//h1")
    copy_paras, original_paras = _paragraphs(copy), _paragraphs(original)
    assert copy_paras[-1] == "This article originally appeared on TechWire."
    shared = [p for p in original_paras if p in copy_paras]
    assert len(shared) == len(original_paras) - 1
    (trimmed,) = [p for p in original_paras if p not in copy_paras]
    assert any(trimmed.startswith(p) and len(p) < len(trimmed) for p in copy_paras)
    assert len(copy_paras) == len(original_paras) + 2


def test_other_articles_are_not_copies(site: SampleSite) -> None:
    special = {site.seed_like_url, *site.syndicated, *site.syndicated.values()}
    others = [u for u in site.expected_article_urls if u not in special]
    assert len(others) >= 6
    seen: set[str] = set()
    for url in others:
        for paragraph in _paragraphs(url):
            assert paragraph not in seen
            seen.add(paragraph)


def test_server_routes_absolute_form_requests(site: SampleSite) -> None:
    assert site.proxy_url == f"http://127.0.0.1:{site.port}"
    status, body = _get(site, "http://techwire.example/feed.xml")
    assert status == 200
    assert body.startswith(b'<?xml version="1.0"')
    status, body = _get(site, "http://bytebeat.example/sitemaps/pages.xml.gz")
    assert status == 200
    assert body[:2] == b"\x1f\x8b"


def test_server_routes_by_host_header(site: SampleSite) -> None:
    status, body = _get(site, "/robots.txt", host="circuitdaily.example")
    assert status == 200
    assert b"Sitemap: http://circuitdaily.example/sitemap.xml" in body


def test_server_404s(site: SampleSite) -> None:
    assert _get(site, "http://techwire.example/no/such/page")[0] == 404
    assert _get(site, "http://unknown.example/")[0] == 404
    assert site.requests["http://unknown.example/"] >= 1


def test_disallowed_article_is_linked_and_disallowed(site: SampleSite) -> None:
    (url,) = site.disallowed_urls
    robots = ROUTES["techwire.example"]["/robots.txt"][1].decode()
    path = url.split("techwire.example", 1)[1]
    assert any(
        line.startswith("Disallow: ") and path.startswith(line.split(": ", 1)[1])
        for line in robots.splitlines()
        if line.split(": ", 1)[-1]
    )
    assert path.encode() in ROUTES["techwire.example"]["/news/"][1]
