"""Sources as operator data: load and validate ``config/sources.toml``.

Plain Python (no Scrapy). A file is read with :mod:`tomllib` and every source is
checked; all problems are collected and raised together as one :class:`ConfigError`
whose lines name the file, the source and the key, e.g.::

    config/sources.toml: source "techwire": key "schedule": invalid cron expression "61 * * * *"

Example:
    >>> cfg = load_sources_text('''
    ... [[sources]]
    ... name = "techwire"
    ... domains = ["techwire.example"]
    ... feeds = ["http://techwire.example/feed.xml"]
    ... ''', "inline")
    >>> cfg.sources[0].name, cfg.sources[0].concurrency
    ('techwire', 2)
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from croniter import croniter

from crawler.discovery.urls import in_domains

__all__ = [
    "DEFAULTS",
    "ConfigError",
    "ListingConfig",
    "SourceConfig",
    "SourcesConfig",
    "UnknownSourceError",
    "load_sources",
    "load_sources_text",
]

_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9-]{1,63}$")

#: Built-in defaults; the file's ``[defaults]`` table overrides them per key.
DEFAULTS: Mapping[str, Any] = MappingProxyType(
    {
        "enabled": True,
        "schedule": "0 * * * *",
        "max_pages": 500,
        "concurrency": 2,
        "download_delay": None,
        "user_agent": None,
        "max_failure_share": None,
        "robots_sitemaps": None,
    }
)

_DEFAULT_KEYS = frozenset(DEFAULTS)
_SOURCE_KEYS = frozenset(
    {"name", "domains", "feeds", "sitemaps", "listings", "article_pattern"} | _DEFAULT_KEYS
)
_LISTING_KEYS = frozenset({"url", "article_pattern"})
_TOP_KEYS = frozenset({"defaults", "sources"})


class UnknownSourceError(KeyError):
    """No source of that name in the file; the message lists the known ones."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown source"


class ConfigError(ValueError):
    """The sources file is invalid. ``errors`` holds one line per problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = list(errors)


@dataclass(frozen=True)
class ListingConfig:
    """A listing page and the regex its article links must match (``re.search``)."""

    url: str
    article_pattern: str

    @property
    def pattern(self) -> re.Pattern[str]:
        """The compiled ``article_pattern``."""
        return re.compile(self.article_pattern)


@dataclass(frozen=True)
class SourceConfig:
    """One configured source.

    Attributes:
        name: unique short name (lower-case letters, digits, ``-``, ``_``).
        domains: allowed domains; subdomains of each are allowed too.
        feeds: RSS 2.0, RSS 1.0/RDF or Atom feed URLs.
        sitemaps: XML sitemap, sitemap index or news sitemap URLs (``.gz`` allowed).
        listings: listing pages with a regex for their article links.
        article_pattern: optional regex that feed and sitemap links must match.
        enabled: whether ``crawl`` without names includes this source.
        schedule: cron expression (five fields) for scheduled crawls.
        max_pages: most article pages requested per run.
        concurrency: most concurrent requests for this source.
        download_delay: seconds between requests to one domain; None keeps the setting.
        user_agent: User-Agent for this source; None keeps the setting.
        max_failure_share: most share (0..1) of fetched pages whose extraction may fail
            before a run counts as failed; None keeps ``NEWSDEDUP_MAX_FAILURE_SHARE``.
        robots_sitemaps: read the ``Sitemap:`` lines of the robots.txt of the source's
            sites and crawl those sitemaps too; None (the key unset) means "when no
            ``sitemaps`` are configured" (see :attr:`uses_robots_sitemaps`).
    """

    name: str
    domains: tuple[str, ...]
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    listings: tuple[ListingConfig, ...] = ()
    article_pattern: str | None = None
    enabled: bool = True
    schedule: str = "0 * * * *"
    max_pages: int = 500
    concurrency: int = 2
    download_delay: float | None = None
    user_agent: str | None = None
    max_failure_share: float | None = None
    robots_sitemaps: bool | None = None

    @property
    def entry_points(self) -> tuple[str, ...]:
        """Every configured entry point URL: feeds, then sitemaps, then listings."""
        return self.feeds + self.sitemaps + tuple(item.url for item in self.listings)

    @property
    def uses_robots_sitemaps(self) -> bool:
        """Whether the sitemaps listed in robots.txt are crawled: ``robots_sitemaps`` if
        set, else only when the source configures no ``sitemaps`` of its own."""
        if self.robots_sitemaps is not None:
            return self.robots_sitemaps
        return not self.sitemaps

    @property
    def robots_urls(self) -> tuple[str, ...]:
        """The robots.txt URLs read for sitemaps: one per site (scheme and host) of the
        entry points, then ``https://DOMAIN/robots.txt`` for each domain no entry point
        is on. Empty when :attr:`uses_robots_sitemaps` is false."""
        if not self.uses_robots_sitemaps:
            return ()
        urls: list[str] = []
        hosts: set[str] = set()
        for url in self.entry_points:
            parts = urlsplit(url)
            robots = f"{parts.scheme}://{parts.netloc}/robots.txt"
            if robots not in urls:
                urls.append(robots)
            hosts.add((parts.hostname or "").lower())
        for domain in self.domains:
            if domain not in hosts:
                urls.append(f"https://{domain}/robots.txt")
        return tuple(urls)

    def article_regex(self) -> re.Pattern[str] | None:
        """The compiled source-level ``article_pattern``, if any."""
        return re.compile(self.article_pattern) if self.article_pattern else None


@dataclass(frozen=True)
class SourcesConfig:
    """The whole sources file: the sources and the defaults they were filled from."""

    sources: tuple[SourceConfig, ...]
    defaults: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType(dict(DEFAULTS)))
    origin: str = "<text>"

    def get(self, name: str) -> SourceConfig:
        """The source called ``name``.

        Raises:
            UnknownSourceError: (a ``KeyError``) naming the file and the known sources.
        """
        for source in self.sources:
            if source.name == name:
                return source
        known = ", ".join(s.name for s in self.sources) or "none"
        raise UnknownSourceError(f"{self.origin}: no source named {name!r} (known: {known})")

    @property
    def enabled(self) -> tuple[SourceConfig, ...]:
        """The enabled sources."""
        return tuple(s for s in self.sources if s.enabled)


def load_sources(path: str | Path) -> SourcesConfig:
    """Load and validate a sources file.

    Args:
        path: the TOML file.

    Raises:
        ConfigError: the file is unreadable, not TOML, or has invalid values.
    """
    origin = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{origin}: cannot read file: {exc}"]) from exc
    return load_sources_text(text, origin)


def load_sources_text(text: str, origin: str = "<text>") -> SourcesConfig:
    """Validate sources from TOML text; ``origin`` names it in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{origin}: invalid TOML: {exc}"]) from exc
    return _Validator(origin).document(data)


class _Validator:
    """Collects errors while turning parsed TOML into config objects."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.errors: list[str] = []

    def error(self, where: str, key: str | None, message: str) -> None:
        parts = [self.origin]
        if where:
            parts.append(where)
        if key is not None:
            parts.append(f'key "{key}"')
        parts.append(message)
        self.errors.append(": ".join(parts))

    def document(self, data: dict[str, Any]) -> SourcesConfig:
        for key in sorted(set(data) - _TOP_KEYS):
            self.error("", key, "unknown key (expected [defaults] and [[sources]])")
        defaults = self.defaults(data.get("defaults", {}))
        raw_sources = data.get("sources", [])
        sources: list[SourceConfig] = []
        if not isinstance(raw_sources, list) or not all(isinstance(s, dict) for s in raw_sources):
            self.error("", "sources", "must be an array of tables ([[sources]])")
        else:
            if not raw_sources:
                self.error("", "sources", "no sources defined")
            seen: set[str] = set()
            for index, raw in enumerate(raw_sources, start=1):
                source = self.source(raw, index, defaults)
                if source is None:
                    continue
                if source.name in seen:
                    self.error(f'source "{source.name}"', "name", "duplicate source name")
                seen.add(source.name)
                sources.append(source)
        if self.errors:
            raise ConfigError(self.errors)
        return SourcesConfig(
            sources=tuple(sources), defaults=MappingProxyType(defaults), origin=self.origin
        )

    def defaults(self, raw: Any) -> dict[str, Any]:
        values = dict(DEFAULTS)
        if not isinstance(raw, dict):
            self.error("", "defaults", "must be a table")
            return values
        for key in sorted(set(raw) - _DEFAULT_KEYS):
            self.error("defaults", key, "unknown key")
        for key in _DEFAULT_KEYS & set(raw):
            if self.check_scalar("defaults", key, raw[key]):
                values[key] = raw[key]
        return values

    def check_scalar(self, where: str, key: str, value: Any) -> bool:
        """Check one of the keys that may appear in [defaults] and in a source."""
        if key in ("enabled", "robots_sitemaps"):
            return self.expect(where, key, value, bool, "a boolean")
        if key == "schedule":
            if not self.expect(where, key, value, str, "a string"):
                return False
            fields = value.split()
            shape_ok = len(fields) == 5 or (len(fields) == 1 and value.startswith("@"))
            if not shape_ok or not croniter.is_valid(value):
                self.error(where, key, f'invalid cron expression "{value}"')
                return False
            return True
        if key in ("max_pages", "concurrency"):
            if isinstance(value, bool) or not isinstance(value, int):
                self.error(where, key, f"must be an integer, got {_kind(value)}")
                return False
            if value < 1:
                self.error(where, key, f"must be at least 1, got {value}")
                return False
            return True
        if key == "download_delay":
            if isinstance(value, bool) or not isinstance(value, int | float):
                self.error(where, key, f"must be a number of seconds, got {_kind(value)}")
                return False
            if value < 0:
                self.error(where, key, f"must not be negative, got {value}")
                return False
            return True
        if key == "max_failure_share":
            if isinstance(value, bool) or not isinstance(value, int | float):
                self.error(where, key, f"must be a number from 0 to 1, got {_kind(value)}")
                return False
            if not 0 <= value <= 1:
                self.error(where, key, f"must be from 0 to 1, got {value}")
                return False
            return True
        if key == "user_agent":
            if not self.expect(where, key, value, str, "a string"):
                return False
            if not value.strip() or "\n" in value or "\r" in value:
                self.error(where, key, "must be a non-empty single line")
                return False
            return True
        raise AssertionError(key)  # pragma: no cover

    def expect(self, where: str, key: str, value: Any, kind: type, label: str) -> bool:
        if not isinstance(value, kind):
            self.error(where, key, f"must be {label}, got {_kind(value)}")
            return False
        return True

    def source(
        self, raw: dict[str, Any], index: int, defaults: dict[str, Any]
    ) -> SourceConfig | None:
        name = raw.get("name")
        where = f'source "{name}"' if isinstance(name, str) and name else f"source #{index}"
        before = len(self.errors)
        if name is None:
            self.error(where, "name", "missing")
        elif not isinstance(name, str) or not _NAME_RE.match(name):
            self.error(where, "name", "must be lower-case letters, digits, '-' or '_' (at most 64)")
        for key in sorted(set(raw) - _SOURCE_KEYS):
            self.error(where, key, "unknown key")

        domains = self.domains(where, raw.get("domains"))
        feeds = self.urls(where, "feeds", raw.get("feeds", []), domains)
        sitemaps = self.urls(where, "sitemaps", raw.get("sitemaps", []), domains)
        listings = self.listings(where, raw.get("listings", []), domains)
        article_pattern = raw.get("article_pattern")
        if article_pattern is not None:
            self.regex(where, "article_pattern", article_pattern)
        robots = raw.get("robots_sitemaps", defaults["robots_sitemaps"])
        no_entry = not feeds and not sitemaps and not listings and robots is False
        if no_entry and len(self.errors) == before:
            self.error(
                where,
                "feeds",
                "no entry points: give feeds, sitemaps or listings, or leave robots_sitemaps on",
            )

        values = dict(defaults)
        for key in _DEFAULT_KEYS & set(raw):
            if self.check_scalar(where, key, raw[key]):
                values[key] = raw[key]
        if len(self.errors) != before:
            return None
        delay = values["download_delay"]
        return SourceConfig(
            name=str(name),
            domains=domains,
            feeds=feeds,
            sitemaps=sitemaps,
            listings=listings,
            article_pattern=article_pattern,
            enabled=values["enabled"],
            schedule=values["schedule"],
            max_pages=values["max_pages"],
            concurrency=values["concurrency"],
            download_delay=None if delay is None else float(delay),
            user_agent=values["user_agent"],
            max_failure_share=(
                None if values["max_failure_share"] is None else float(values["max_failure_share"])
            ),
            robots_sitemaps=values["robots_sitemaps"],
        )

    def domains(self, where: str, raw: Any) -> tuple[str, ...]:
        if raw is None:
            self.error(where, "domains", "missing")
            return ()
        if not isinstance(raw, list) or not raw:
            self.error(where, "domains", "must be a non-empty array of domain names")
            return ()
        result: list[str] = []
        for value in raw:
            if not isinstance(value, str) or not _DOMAIN_RE.match(value.lower().strip(".")):
                self.error(where, "domains", f"invalid domain name {value!r}")
                continue
            result.append(value.lower().strip("."))
        return tuple(result)

    def urls(self, where: str, key: str, raw: Any, domains: tuple[str, ...]) -> tuple[str, ...]:
        if not isinstance(raw, list):
            self.error(where, key, f"must be an array of URLs, got {_kind(raw)}")
            return ()
        result: list[str] = []
        for value in raw:
            if self.url(where, key, value, domains):
                result.append(value)
        return tuple(result)

    def url(self, where: str, key: str, value: Any, domains: tuple[str, ...]) -> bool:
        if not isinstance(value, str):
            self.error(where, key, f"must be a URL string, got {_kind(value)}")
            return False
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018 - raises ValueError on a bad port
        except ValueError:
            self.error(where, key, f'invalid URL "{value}"')
            return False
        if parts.scheme not in ("http", "https") or not parts.hostname:
            self.error(where, key, f'invalid URL "{value}" (need http:// or https:// and a host)')
            return False
        if domains and not in_domains(value, domains):
            self.error(where, key, f'URL "{value}" is outside the domains {", ".join(domains)}')
            return False
        return True

    def regex(self, where: str, key: str, value: Any) -> bool:
        if not isinstance(value, str) or not value:
            self.error(where, key, f"must be a non-empty regex string, got {_kind(value)}")
            return False
        try:
            re.compile(value)
        except re.error as exc:
            self.error(where, key, f'invalid regex "{value}": {exc}')
            return False
        return True

    def listings(self, where: str, raw: Any, domains: tuple[str, ...]) -> tuple[ListingConfig, ...]:
        if not isinstance(raw, list):
            self.error(where, "listings", f"must be an array of tables, got {_kind(raw)}")
            return ()
        result: list[ListingConfig] = []
        for index, item in enumerate(raw, start=1):
            key = f"listings[{index}]"
            if not isinstance(item, dict):
                self.error(where, key, "must be a table with url and article_pattern")
                continue
            for extra in sorted(set(item) - _LISTING_KEYS):
                self.error(where, f"{key}.{extra}", "unknown key")
            ok = "url" in item and "article_pattern" in item
            for missing in sorted(_LISTING_KEYS - set(item)):
                self.error(where, f"{key}.{missing}", "missing")
            if "url" in item:
                ok = self.url(where, f"{key}.url", item["url"], domains) and ok
            if "article_pattern" in item:
                ok = self.regex(where, f"{key}.article_pattern", item["article_pattern"]) and ok
            if ok:
                result.append(ListingConfig(item["url"], item["article_pattern"]))
        return tuple(result)


def _kind(value: Any) -> str:
    """A TOML-ish name for a value's type, for messages."""
    names = {bool: "boolean", int: "integer", float: "float", str: "string", list: "array"}
    return names.get(type(value), "table" if isinstance(value, dict) else type(value).__name__)
