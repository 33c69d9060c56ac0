"""Helpers shared by CLI commands."""

from __future__ import annotations

import argparse

from crawler import settings


def database_url(args: argparse.Namespace) -> str:
    """The database URL: ``--database-url``, else ``NEWSDEDUP_DATABASE_URL``, else the default."""
    url = getattr(args, "database_url", None)
    return str(url) if url else settings.get("NEWSDEDUP_DATABASE_URL")


def sources_path(args: argparse.Namespace) -> str:
    """The sources file: ``--sources``, else ``NEWSDEDUP_SOURCES``, else config/sources.toml."""
    path = getattr(args, "sources", None)
    return str(path) if path else settings.get("NEWSDEDUP_SOURCES")
