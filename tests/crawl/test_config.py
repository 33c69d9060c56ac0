"""Sources config: a good file loads; each kind of bad value names file, source and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.config import ConfigError, SourceConfig, load_sources, load_sources_text

ROOT = Path(__file__).resolve().parents[2]

GOOD = """
[defaults]
schedule = "*/15 * * * *"
concurrency = 3

[[sources]]
name = "techwire"
domains = ["techwire.example"]
feeds = ["http://techwire.example/feed.xml"]
sitemaps = ["http://www.techwire.example/sitemap.xml"]
article_pattern = '/news/\\d{4}/'
max_pages = 20
download_delay = 0.5
user_agent = "test-agent/1.0"

[[sources.listings]]
url = "http://techwire.example/news/"
article_pattern = '/news/\\d{4}/[a-z-]+$'

[[sources]]
name = "bytebeat"
domains = ["bytebeat.example"]
feeds = ["https://bytebeat.example/atom.xml"]
enabled = false
"""


def _source(**overrides: str) -> str:
    """A one-source file with some keys replaced by raw TOML values."""
    keys = {
        "name": '"techwire"',
        "domains": '["techwire.example"]',
        "feeds": '["http://techwire.example/feed.xml"]',
    }
    keys.update(overrides)
    lines = "\n".join(f"{key} = {value}" for key, value in keys.items())
    return f"[[sources]]\n{lines}\n"


def _errors(text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_sources_text(text, "conf/s.toml")
    return info.value.errors


def test_good_file_loads_with_defaults_applied() -> None:
    config = load_sources_text(GOOD, "good.toml")
    techwire, bytebeat = config.sources
    assert techwire == SourceConfig(
        name="techwire",
        domains=("techwire.example",),
        feeds=("http://techwire.example/feed.xml",),
        sitemaps=("http://www.techwire.example/sitemap.xml",),
        listings=techwire.listings,
        article_pattern="/news/\\d{4}/",
        enabled=True,
        schedule="*/15 * * * *",
        max_pages=20,
        concurrency=3,
        download_delay=0.5,
        user_agent="test-agent/1.0",
    )
    assert techwire.listings[0].url == "http://techwire.example/news/"
    assert techwire.listings[0].pattern.search("http://techwire.example/news/2026/a-b")
    assert techwire.entry_points[-1] == "http://techwire.example/news/"
    assert bytebeat.enabled is False
    assert bytebeat.max_pages == 500
    assert bytebeat.concurrency == 3
    assert [s.name for s in config.enabled] == ["techwire"]
    assert config.get("bytebeat") is bytebeat


def test_unknown_source_name_lists_known_ones() -> None:
    config = load_sources_text(GOOD, "good.toml")
    with pytest.raises(KeyError) as info:
        config.get("nope")
    assert str(info.value) == "good.toml: no source named 'nope' (known: techwire, bytebeat)"


def test_cron_aliases_are_accepted() -> None:
    config = load_sources_text(_source(schedule='"@daily"'), "s.toml")
    assert config.sources[0].schedule == "@daily"
    assert config.defaults["max_pages"] == 500


def test_example_config_file_loads() -> None:
    config = load_sources(ROOT / "config" / "sources.toml")
    assert len(config.sources) >= 2
    for source in config.sources:
        assert all(domain.endswith(".example") for domain in source.domains)
        assert source.entry_points


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            {"schedule": '"61 * * * *"'},
            'conf/s.toml: source "techwire": key "schedule": invalid cron expression "61 * * * *"',
        ),
        (
            {"schedule": '"0 0 * * * * *"'},
            'key "schedule": invalid cron expression "0 0 * * * * *"',
        ),
        ({"schedule": '"@sometimes"'}, 'key "schedule": invalid cron expression "@sometimes"'),
        ({"schedule": "5"}, 'key "schedule": must be a string, got integer'),
        ({"max_pages": '"10"'}, 'key "max_pages": must be an integer, got string'),
        ({"max_pages": "0"}, 'key "max_pages": must be at least 1, got 0'),
        ({"concurrency": "true"}, 'key "concurrency": must be an integer, got boolean'),
        ({"enabled": '"yes"'}, 'key "enabled": must be a boolean, got string'),
        ({"download_delay": "-1"}, 'key "download_delay": must not be negative'),
        ({"user_agent": '""'}, 'key "user_agent": must be a non-empty single line'),
        ({"colour": '"red"'}, 'source "techwire": key "colour": unknown key'),
        ({"article_pattern": "'(unclosed'"}, 'key "article_pattern": invalid regex "(unclosed"'),
        ({"feeds": '["ftp://techwire.example/feed"]'}, 'key "feeds": invalid URL'),
        ({"feeds": '["http://techwire.example:99999/"]'}, 'key "feeds": invalid URL'),
        ({"feeds": '"http://techwire.example/feed.xml"'}, 'key "feeds": must be an array'),
        (
            {"feeds": '["http://elsewhere.example/feed.xml"]'},
            'key "feeds": URL "http://elsewhere.example/feed.xml" is outside the domains '
            "techwire.example",
        ),
        (
            {"sitemaps": '["http://faketechwire.example/s.xml"]'},
            'key "sitemaps": URL "http://faketechwire.example/s.xml" is outside the domains',
        ),
        ({"domains": "[]"}, 'key "domains": must be a non-empty array'),
        ({"domains": '["not a domain"]'}, "key \"domains\": invalid domain name 'not a domain'"),
        ({"name": '"Tech Wire"'}, 'key "name": must be lower-case letters'),
        ({"feeds": "[]", "robots_sitemaps": "false"}, 'key "feeds": no entry points'),
        ({"robots_sitemaps": '"yes"'}, 'key "robots_sitemaps": must be a boolean, got string'),
    ],
)
def test_bad_value_names_file_source_and_key(overrides: dict[str, str], expected: str) -> None:
    errors = _errors(_source(**overrides))
    assert len(errors) == 1, errors
    assert expected in errors[0]
    assert errors[0].startswith("conf/s.toml: source ")


def test_bad_listing_entries() -> None:
    text = _source() + (
        '[[sources.listings]]\nurl = "http://techwire.example/news/"\narticle_pattern = "["\n'
        '[[sources.listings]]\nurl = "http://other.example/"\n'
    )
    errors = _errors(text)
    assert any('key "listings[1].article_pattern": invalid regex "["' in e for e in errors)
    assert any('key "listings[2].url": URL "http://other.example/" is outside' in e for e in errors)
    assert any('key "listings[2].article_pattern": missing' in e for e in errors)


def test_all_errors_are_collected_in_one_message() -> None:
    text = _source(schedule='"61 * * * *"', max_pages='"x"') + _source(
        name='"techwire"', concurrency="0"
    )
    with pytest.raises(ConfigError) as info:
        load_sources_text(text, "conf/s.toml")
    message = str(info.value)
    assert 'key "schedule"' in message
    assert 'key "max_pages"' in message
    assert 'key "concurrency": must be at least 1' in message
    assert len(info.value.errors) == 3
    assert message.count("\n") == 2


def test_duplicate_names() -> None:
    errors = _errors(_source() + _source())
    assert errors == ['conf/s.toml: source "techwire": key "name": duplicate source name']


def test_missing_name_uses_position() -> None:
    errors = _errors('[[sources]]\ndomains = ["a.example"]\nfeeds = ["http://a.example/f"]\n')
    assert errors == ['conf/s.toml: source #1: key "name": missing']


def test_defaults_are_validated() -> None:
    errors = _errors('[defaults]\nschedule = "bad"\nspeed = 3\n' + _source())
    assert 'conf/s.toml: defaults: key "schedule": invalid cron expression "bad"' in errors
    assert 'conf/s.toml: defaults: key "speed": unknown key' in errors


def test_top_level_and_syntax_errors() -> None:
    assert _errors("[[source]]\nname = 'x'\n")[0].startswith('conf/s.toml: key "source"')
    assert _errors("")[-1] == 'conf/s.toml: key "sources": no sources defined'
    syntax = _errors("[[sources]\n")
    assert syntax[0].startswith("conf/s.toml: invalid TOML:")


def test_unreadable_file(tmp_path: Path) -> None:
    missing = tmp_path / "none.toml"
    with pytest.raises(ConfigError, match=f"{missing}: cannot read file"):
        load_sources(missing)
