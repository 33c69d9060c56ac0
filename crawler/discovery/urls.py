"""URL handling: normalisation, domain checks and ``<link rel="canonical">``.

Plain Python plus lxml; no Scrapy.

Example:
    >>> normalize_url("HTTP://Example.COM:80/a/b?utm_source=x&b=2&a=1#top")
    'http://example.com/a/b?a=1&b=2'
    >>> in_domains("https://news.example.com/x", ["example.com"])
    True
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from lxml import etree

__all__ = ["TRACKING_PARAMS", "canonical_link", "in_domains", "normalize_url"]

#: Query parameters that only track clicks; dropped by :func:`normalize_url`.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "ref",
        "ref_src",
        "ref_url",
        "ocid",
        "cmpid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "spm",
        "soc_src",
        "soc_trk",
        "ito",
        "icid",
        "s_kwcid",
        "ncid",
        "sr_share",
    }
)
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "oly_")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_HEAD_END = re.compile(rb"</head\s*>", re.IGNORECASE)


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(_TRACKING_PREFIXES)


def normalize_url(url: str, base: str | None = None) -> str:
    """Normalise a URL so that one page has one spelling.

    Lower-cases scheme and host, drops the default port, the fragment and tracking
    parameters (``utm_*``, ``fbclid``, ``gclid``, ``mc_cid``, ``ref`` ...), sorts the
    remaining query parameters and removes an empty query. An empty path becomes ``/``.

    Args:
        url: the URL, absolute or relative to ``base``.
        base: the page the URL was found on, to resolve relative URLs.

    Raises:
        ValueError: the URL has an invalid port.
    """
    url = url.strip()
    if base:
        url = urljoin(base, url)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    port = parts.port
    netloc = host
    if ":" in host:  # IPv6 literal
        netloc = f"[{host}]"
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        netloc = f"{netloc}:{port}"
    if parts.username is not None:
        userinfo = parts.username + (f":{parts.password}" if parts.password is not None else "")
        netloc = f"{userinfo}@{netloc}"
    path = parts.path or ("/" if netloc else "")
    pairs = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not _is_tracking(key)
    ]
    pairs.sort()
    query = urlencode(pairs, doseq=True)
    return urlunsplit((scheme, netloc, path, query, ""))


def in_domains(url: str, domains: Iterable[str]) -> bool:
    """Whether ``url``'s host is one of ``domains`` or a subdomain of one."""
    try:
        host = (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return False
    if not host:
        return False
    for domain in domains:
        domain = domain.lower().strip(".")
        if host == domain or host.endswith("." + domain):
            return True
    return False


def canonical_link(html: bytes, base_url: str) -> str | None:
    """The absolute URL of the page's ``<link rel="canonical">``, or None.

    Only the ``<head>`` is parsed when its end can be found.

    Args:
        html: the page's raw bytes.
        base_url: the page's URL, to resolve a relative canonical.
    """
    match = _HEAD_END.search(html)
    head = html[: match.end()] if match else html
    if not head.strip():
        return None
    parser = etree.HTMLParser(no_network=True, recover=True, remove_comments=True)
    try:
        root = etree.fromstring(head, parser)
    except (etree.LxmlError, ValueError):
        return None
    if root is None:
        return None
    for link in root.iter("link"):
        rel = str(link.get("rel") or "").lower().split()
        href = str(link.get("href") or "").strip()
        if "canonical" in rel and href:
            try:
                absolute: str = urljoin(base_url, href)
                if urlsplit(absolute).scheme in ("http", "https"):
                    return absolute
            except ValueError:
                return None
    return None
