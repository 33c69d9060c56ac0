"""Render the sample site: article pages, listings, feeds, sitemaps, robots.txt.

Every text value from :mod:`crawler.demo.content` is escaped for HTML or XML.
:func:`build_routes` returns, per host, a mapping of path to ``(content type, body)``.
"""

from __future__ import annotations

import gzip
from collections.abc import Sequence
from datetime import datetime
from email.utils import format_datetime
from html import escape

from crawler.demo.content import ABOUT, ARTICLES, PUBLISHERS, Article, Publisher

__all__ = ["Page", "Routes", "article_url", "build_routes", "publisher_of"]

Page = tuple[str, bytes]
Routes = dict[str, dict[str, Page]]

HTML = "text/html; charset=utf-8"
XML = "application/xml; charset=utf-8"
_STYLE = (
    "body{font-family:Georgia,serif;margin:0;color:#222}"
    ".site-header,.site-footer{background:#f3f3f3;padding:1em}"
    ".cookie-banner{background:#333;color:#fff;padding:.5em 1em}"
    ".wrap{max-width:44em;margin:auto;padding:1em}"
    ".share a{margin-right:.5em}"
)


def publisher_of(key: str) -> Publisher:
    """The publisher with this key."""
    for publisher in PUBLISHERS:
        if publisher.key == key:
            return publisher
    raise KeyError(key)


def article_url(article: Article) -> str:
    """The absolute URL of an article."""
    publisher = publisher_of(article.publisher)
    return f"http://{publisher.host}{article.path(publisher)}"


def _articles_of(publisher: Publisher) -> list[Article]:
    """The publisher's articles, newest first."""
    own = [a for a in ARTICLES if a.publisher == publisher.key]
    return sorted(own, key=lambda a: a.published, reverse=True)


def _public(publisher: Publisher) -> list[Article]:
    """Articles that robots.txt does not disallow."""
    return [
        a
        for a in _articles_of(publisher)
        if not any(a.path(publisher).startswith(p) for p in publisher.disallow)
    ]


def _e(text: str) -> str:
    return escape(text, quote=True)


def _header(publisher: Publisher) -> str:
    sections = sorted({a.section for a in _public(publisher)})
    items = "".join(
        f'<li><a href="/section/{_e(s.lower().replace(" ", "-"))}">{_e(s)}</a></li>'
        for s in sections
    )
    return (
        '<div class="cookie-banner" id="cookie-consent"><p>We use cookies to count readers '
        "and remember your settings. <button>Accept all</button> <button>Manage choices"
        "</button></p></div>"
        f'<header class="site-header"><a class="logo" href="/">{_e(publisher.name)}</a>'
        f'<p class="tagline">{_e(publisher.tagline)}</p>'
        f'<nav class="main-nav"><ul><li><a href="/">Home</a></li>'
        f'<li><a href="{_e(publisher.listing_path)}">Latest</a></li>{items}'
        '<li><a href="/about">About</a></li></ul></nav></header>'
    )


def _footer(publisher: Publisher) -> str:
    return (
        '<footer class="site-footer"><form class="newsletter" action="/subscribe" '
        'method="post"><label>Get the morning briefing <input type="email" name="email">'
        "</label><button>Subscribe</button></form>"
        '<ul class="footer-links"><li><a href="/about">About us</a></li>'
        '<li><a href="/privacy">Privacy</a></li><li><a href="/contact">Contact</a></li></ul>'
        f"<p>&copy; 2026 {_e(publisher.name)}. A made-up publisher for the newsdedup demo."
        "</p></footer>"
    )


def _page(publisher: Publisher, title: str, head_extra: str, main: str) -> bytes:
    feed_type = {
        "rss": "application/rss+xml",
        "atom": "application/atom+xml",
        "rdf": "application/rdf+xml",
    }[publisher.feed_kind]
    html = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title>{head_extra}"
        f'<link rel="alternate" type="{feed_type}" href="{_e(publisher.feed_path)}">'
        f"<style>{_STYLE}</style></head>\n<body>{_header(publisher)}"
        f'<main class="wrap">{main}</main>{_footer(publisher)}</body></html>\n'
    )
    return html.encode("utf-8")


def _blocks_html(blocks: Sequence[tuple[str, str]]) -> str:
    parts = []
    for kind, text in blocks:
        tag = kind if kind in ("p", "h2", "h3") else "p"
        parts.append(f"<{tag}>{_e(text)}</{tag}>")
    return "\n".join(parts)


def _share(url: str, title: str) -> str:
    return (
        '<div class="share">Share: '
        f'<a href="https://social.example/share?u={_e(url)}">Post</a>'
        f'<a href="https://mail.example/send?subject={_e(title)}">Email</a>'
        '<a href="#" class="copy-link">Copy link</a></div>'
    )


def render_article(article: Article) -> bytes:
    """The HTML page of one article."""
    publisher = publisher_of(article.publisher)
    url = article_url(article)
    date = article.published[:10]
    head = (
        f'<link rel="canonical" href="{_e(url)}">'
        f'<meta name="description" content="{_e(article.summary)}">'
        f'<meta name="author" content="{_e(article.author)}">'
        '<meta property="og:type" content="article">'
        f'<meta property="og:title" content="{_e(article.title)}">'
        f'<meta property="og:url" content="{_e(url)}">'
        f'<meta property="og:site_name" content="{_e(publisher.name)}">'
        f'<meta property="og:description" content="{_e(article.summary)}">'
        f'<meta property="article:published_time" content="{_e(article.published)}">'
        f'<meta property="article:section" content="{_e(article.section)}">'
    )
    byline = (
        f'<p class="byline">By <span class="author">{_e(article.author)}</span> · '
        f'<time datetime="{_e(article.published)}">{_e(date)}</time></p>'
    )
    body = _blocks_html(article.blocks)
    others = [a for a in _public(publisher) if a.slug != article.slug][:3]
    if publisher.semantic:
        related = "".join(
            f'<li><a href="{_e(a.path(publisher))}">{_e(a.title)}</a></li>' for a in others
        )
        main = (
            f'<article class="story"><h1>{_e(article.title)}</h1>{byline}'
            f'<div class="story-body">\n{body}\n</div>{_share(url, article.title)}</article>'
            f'<aside class="related"><h2>More from {_e(publisher.name)}</h2>'
            f"<ul>{related}</ul></aside>"
        )
    else:
        main = (
            f'<div class="post"><h1 class="post-title">{_e(article.title)}</h1>{byline}'
            f'<div class="post-content">\n{body}\n</div>{_share(url, article.title)}</div>'
        )
    return _page(publisher, f"{article.title} | {publisher.name}", head, main)


def render_listing(publisher: Publisher) -> bytes:
    """The listing page: every article (including a disallowed one), newest first."""
    items = []
    for index, article in enumerate(_articles_of(publisher)):
        href = article.path(publisher)
        if index == 0:
            # Tracking parameters and a fragment: the spider must normalise them away.
            href += "?utm_source=homepage&utm_medium=listing#comments"
        items.append(
            f'<li class="teaser"><h2><a href="{_e(href)}">{_e(article.title)}</a></h2>'
            f"<p>{_e(article.summary)}</p></li>"
        )
    main = (
        f"<h1>Latest from {_e(publisher.name)}</h1>"
        f'<ul class="stories">{"".join(items)}</ul>'
        f'<p class="pager"><a href="{_e(publisher.listing_path)}?page=2">Older stories</a></p>'
    )
    return _page(publisher, f"Latest | {publisher.name}", "", main)


def render_about(publisher: Publisher) -> bytes:
    """The /about page (listed in sitemaps; not an article)."""
    main = f"<h1>About {_e(publisher.name)}</h1><p>{_e(ABOUT[publisher.key])}</p>"
    return _page(publisher, f"About | {publisher.name}", "", main)


def render_robots(publisher: Publisher) -> bytes:
    """robots.txt: the publisher's disallowed prefixes and its sitemap."""
    lines = ["User-agent: *"]
    lines += [f"Disallow: {path}" for path in publisher.disallow] or ["Disallow:"]
    sitemap = "/sitemap_index.xml" if publisher.sitemap_layout == "index" else "/sitemap.xml"
    lines.append(f"Sitemap: http://{publisher.host}{sitemap}")
    return ("\n".join(lines) + "\n").encode("ascii")


def _rfc822(iso: str) -> str:
    return format_datetime(datetime.fromisoformat(iso))


def render_feed(publisher: Publisher, limit: int = 3) -> bytes:
    """The publisher's feed (RSS 2.0, Atom or RSS 1.0) with its newest articles."""
    articles = _public(publisher)[:limit]
    home = f"http://{publisher.host}/"
    if publisher.feed_kind == "rss":
        items = "".join(
            f"<item><title>{_e(a.title)}</title><link>{_e(article_url(a))}</link>"
            f'<guid isPermaLink="true">{_e(article_url(a))}</guid>'
            f"<pubDate>{_rfc822(a.published)}</pubDate>"
            f"<description>{_e(a.summary)}</description></item>"
            for a in articles
        )
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
            f"<title>{_e(publisher.name)}</title><link>{home}</link>"
            f"<description>{_e(publisher.tagline)}</description>{items}</channel></rss>\n"
        )
    elif publisher.feed_kind == "atom":
        entries = "".join(
            f"<entry><title>{_e(a.title)}</title>"
            f'<link rel="alternate" type="text/html" href="{_e(article_url(a))}"/>'
            f"<id>{_e(article_url(a))}</id><updated>{_e(a.published)}</updated>"
            f"<author><name>{_e(a.author)}</name></author>"
            f"<summary>{_e(a.summary)}</summary></entry>"
            for a in articles
        )
        updated = articles[0].published if articles else "2026-11-01T00:00:00+00:00"
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>{_e(publisher.name)}</title><id>{home}</id><updated>{updated}</updated>"
            f'<link rel="self" href="http://{publisher.host}{publisher.feed_path}"/>'
            f'<link rel="alternate" href="{home}"/>{entries}</feed>\n'
        )
    else:
        seq = "".join(f'<rdf:li rdf:resource="{_e(article_url(a))}"/>' for a in articles)
        items = "".join(
            f'<item rdf:about="{_e(article_url(a))}"><title>{_e(a.title)}</title>'
            f"<link>{_e(article_url(a))}</link><dc:date>{_e(a.published)}</dc:date>"
            f"<description>{_e(a.summary)}</description></item>"
            for a in articles
        )
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f'<channel rdf:about="{home}"><title>{_e(publisher.name)}</title>'
            f"<link>{home}</link><description>{_e(publisher.tagline)}</description>"
            f"<items><rdf:Seq>{seq}</rdf:Seq></items></channel>{items}</rdf:RDF>\n"
        )
    return xml.encode("utf-8")


_SITEMAP_NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
_NEWS_NS = 'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'


def _urlset(publisher: Publisher, articles: Sequence[Article]) -> bytes:
    """A plain sitemap: the articles plus the home and about pages."""
    urls: list[tuple[str, str | None]] = [
        (f"http://{publisher.host}/", None),
        (f"http://{publisher.host}/about", None),
    ]
    urls += [(article_url(a), a.published) for a in articles]
    body = "".join(
        f"<url><loc>{_e(loc)}</loc>" + (f"<lastmod>{_e(mod)}</lastmod>" if mod else "") + "</url>"
        for loc, mod in urls
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {_SITEMAP_NS}>{body}</urlset>\n'.encode()
    )


def _news_sitemap(publisher: Publisher, articles: Sequence[Article]) -> bytes:
    body = "".join(
        f"<url><loc>{_e(article_url(a))}</loc><news:news><news:publication>"
        f"<news:name>{_e(publisher.name)}</news:name><news:language>en</news:language>"
        f"</news:publication><news:publication_date>{_e(a.published)}"
        f"</news:publication_date><news:title>{_e(a.title)}</news:title></news:news></url>"
        for a in articles
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {_SITEMAP_NS} {_NEWS_NS}>'
        f"{body}</urlset>\n"
    ).encode()


def _sitemap_routes(publisher: Publisher) -> dict[str, Page]:
    public = _public(publisher)
    if publisher.sitemap_layout != "index":
        return {"/sitemap.xml": (XML, _urlset(publisher, public))}
    host = f"http://{publisher.host}"
    index = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex {_SITEMAP_NS}>'
        f"<sitemap><loc>{host}/sitemaps/news.xml</loc></sitemap>"
        f"<sitemap><loc>{host}/sitemaps/pages.xml.gz</loc></sitemap></sitemapindex>\n"
    ).encode()
    return {
        "/sitemap_index.xml": (XML, index),
        "/sitemaps/news.xml": (XML, _news_sitemap(publisher, public[:2])),
        "/sitemaps/pages.xml.gz": (
            "application/gzip",
            gzip.compress(_urlset(publisher, public), mtime=0),
        ),
    }


def build_routes() -> Routes:
    """Every page of the sample site: host -> path -> (content type, body)."""
    routes: Routes = {}
    for publisher in PUBLISHERS:
        pages: dict[str, Page] = {
            "/": (HTML, render_listing(publisher)),
            publisher.listing_path: (HTML, render_listing(publisher)),
            "/about": (HTML, render_about(publisher)),
            "/robots.txt": ("text/plain; charset=utf-8", render_robots(publisher)),
            publisher.feed_path: (XML, render_feed(publisher)),
        }
        pages.update(_sitemap_routes(publisher))
        for article in _articles_of(publisher):
            pages[article.path(publisher)] = (HTML, render_article(article))
        routes[publisher.host] = pages
    return routes
