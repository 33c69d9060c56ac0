"""Page metadata from explicit markup only: JSON-LD, ``<meta>``, ``<link>``, ``<html lang>``.

Every field is either declared by the page or None: no guessing from the URL, from
free text or from the first date-like string. Dates are normalised to ISO 8601.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from lxml.html import HtmlElement

from crawler.extract.dates import to_iso

ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "blogposting",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "techarticle",
        "scholarlyarticle",
        "report",
        "webpage",
        "posting",
        "socialmediaposting",
    }
)
_LANG = re.compile(r"^([a-zA-Z]{2})(?:[-_][a-zA-Z0-9]+)*$")
_BY = re.compile(r"^(?:by|von|par|por|di|door)\s+", re.I)
_AUTHOR_SPLIT = re.compile(r"\s*(?:;|\band\b|\bund\b|&|\|)\s*", re.I)
_MAX_AUTHOR_LEN = 80


@dataclass
class Metadata:
    """Metadata of one page. None (or empty) where the page does not declare it."""

    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    updated: str | None = None
    language: str | None = None
    site_name: str | None = None
    canonical_url: str | None = None


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    return text or None


def _meta(tree: HtmlElement) -> dict[str, str]:
    """``<meta>`` values by lower-case name/property/itemprop (first occurrence wins)."""
    found: dict[str, str] = {}
    for element in tree.iter("meta"):
        key = element.get("property") or element.get("name") or element.get("itemprop")
        if not key:
            http_equiv = element.get("http-equiv")
            key = f"http-equiv:{http_equiv}" if http_equiv else None
        content = _clean(element.get("content"))
        if key and content:
            found.setdefault(key.strip().lower(), content)
    return found


def _json_objects(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, list):
        for item in value:
            yield from _json_objects(item)
    elif isinstance(value, dict):
        yield value
        graph = value.get("@graph")
        if graph is not None:
            yield from _json_objects(graph)


def _types(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {k.lower() for k in kinds if isinstance(k, str)}


def json_ld_article(tree: HtmlElement) -> dict[str, Any] | None:
    """The first JSON-LD object of an article type (news article, blog posting, ...)."""
    fallback: dict[str, Any] | None = None
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            data = json.loads(script.text or "")
        except (ValueError, RecursionError):
            continue
        for obj in _json_objects(data):
            kinds = _types(obj)
            if kinds & (ARTICLE_TYPES - {"webpage"}):
                return obj
            if "webpage" in kinds and fallback is None:
                fallback = obj
    return fallback


def _names(value: Any) -> list[str]:
    if isinstance(value, list):
        return [name for item in value for name in _names(item)]
    if isinstance(value, dict):
        name = _clean(value.get("name"))
        return [name] if name else []
    name = _clean(value)
    return [name] if name else []


def split_authors(raw: list[str]) -> list[str]:
    """Author names from raw bylines: "By A and B" -> ["A", "B"]; URLs dropped, order kept."""
    authors: list[str] = []
    for line in raw:
        for part in _AUTHOR_SPLIT.split(_BY.sub("", line)):
            name = part.strip(" ,.")
            if (
                not name
                or len(name) > _MAX_AUTHOR_LEN
                or "://" in name
                or "@" in name
                or not any(c.isalpha() for c in name)
            ):
                continue
            if name.lower() not in (a.lower() for a in authors):
                authors.append(name)
    return authors


def language_code(raw: str | None) -> str | None:
    """The ISO 639-1 code of a language tag such as ``en-US`` or ``de_DE``, else None."""
    if not raw:
        return None
    match = _LANG.match(raw.strip())
    return match.group(1).lower() if match else None


def _strip_site_suffix(title: str, site_name: str | None) -> str:
    if not site_name:
        return title
    for sep in (" | ", " - ", " – ", " — ", " :: ", " · "):
        suffix = f"{sep}{site_name}"
        if title.endswith(suffix) and len(title) > len(suffix):
            return title[: -len(suffix)].strip()
    return title


def _first(*values: str | None) -> str | None:
    for value in values:
        if value:
            return value
    return None


def _time_itemprop(tree: HtmlElement, name: str) -> str | None:
    """``<time itemprop=NAME datetime=...>`` (``<meta itemprop>`` is in the meta map)."""
    for element in tree.iter("time"):
        if element.get("itemprop") == name:
            value = _clean(element.get("datetime"))
            if value:
                return value
    return None


def extract_metadata(tree: HtmlElement, url: str | None = None) -> Metadata:
    """Read the declared metadata of a parsed page.

    Args:
        tree: the page, parsed by lxml.
        url: the page's URL, used to resolve a relative canonical link.
    """
    meta = _meta(tree)
    ld = json_ld_article(tree) or {}
    publisher = ld.get("publisher")
    site_name = _first(
        meta.get("og:site_name"),
        _names(publisher)[0] if _names(publisher) else None,
        meta.get("application-name"),
    )

    title_element = tree.find(".//title")
    h1s = tree.xpath("//body//h1")
    title = _first(
        _clean(ld.get("headline")),
        meta.get("og:title"),
        meta.get("twitter:title"),
        meta.get("citation_title"),
        _clean(h1s[0].text_content()) if len(h1s) == 1 else None,
        _clean(title_element.text_content()) if title_element is not None else None,
    )
    if title:
        title = _strip_site_suffix(title, site_name)

    raw_authors = _names(ld.get("author"))
    if not raw_authors:
        for key in ("author", "article:author", "citation_author", "dc.creator", "parsely-author"):
            value = meta.get(key)
            if value and "://" not in value:
                raw_authors = [value]
                break
    if not raw_authors:
        raw_authors = [
            text
            for element in tree.xpath('//*[@rel="author"] | //*[@itemprop="author"]')[:5]
            if (text := _clean(element.text_content()))
        ]

    published = None
    for raw in (
        _clean(ld.get("datePublished")),
        meta.get("article:published_time"),
        meta.get("og:published_time"),
        meta.get("citation_publication_date"),
        meta.get("dc.date.issued"),
        meta.get("dcterms.created"),
        meta.get("dc.date"),
        meta.get("date"),
        meta.get("pubdate"),
        meta.get("publishdate"),
        meta.get("sailthru.date"),
        meta.get("datepublished"),
        _time_itemprop(tree, "datePublished"),
    ):
        published = to_iso(raw)
        if published:
            break
    updated = None
    for raw in (
        _clean(ld.get("dateModified")),
        meta.get("article:modified_time"),
        meta.get("og:updated_time"),
        meta.get("dcterms.modified"),
        meta.get("datemodified"),
        _time_itemprop(tree, "dateModified"),
    ):
        updated = to_iso(raw)
        if updated:
            break

    html = tree if tree.tag == "html" else tree.getroottree().getroot()
    language = _first(
        language_code(html.get("lang") or html.get("{http://www.w3.org/XML/1998/namespace}lang")),
        language_code(meta.get("http-equiv:content-language")),
        language_code(meta.get("og:locale")),
        language_code(_clean(ld.get("inLanguage"))),
    )

    canonical = None
    for link in tree.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        href = _clean(link.get("href"))
        if "canonical" in rel and href:
            canonical = urljoin(url, href) if url else href
            break
    if canonical is None:
        og_url = meta.get("og:url")
        if og_url and og_url.startswith(("http://", "https://")):
            canonical = og_url
    if canonical is not None and not canonical.startswith(("http://", "https://")):
        canonical = None

    return Metadata(
        title=title,
        authors=split_authors(raw_authors),
        published=published,
        updated=updated,
        language=language,
        site_name=site_name,
        canonical_url=canonical,
    )
