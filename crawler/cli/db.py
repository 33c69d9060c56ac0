"""`newsdedup db upgrade|current|check`: apply and inspect the schema migrations."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from crawler.cli.common import database_url


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "db",
        help="create or upgrade the database schema, show its revision, check for drift",
        description="Manage the database schema (Alembic migrations shipped with newsdedup).",
    )
    commands = parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    upgrade = commands.add_parser(
        "upgrade", help="migrate the database to the latest schema (creates it if missing)"
    )
    upgrade.add_argument(
        "--revision", default="head", help="target revision (default: %(default)s)"
    )
    upgrade.set_defaults(func=_upgrade)
    current = commands.add_parser("current", help="print the database's schema revision")
    current.set_defaults(func=_current)
    check = commands.add_parser(
        "check", help="compare the database with the models; exit 1 if they differ"
    )
    check.set_defaults(func=_check)


def _upgrade(args: argparse.Namespace) -> int:
    from storage import migrate
    from storage.db import display_url

    url = database_url(args)
    try:
        before = migrate.current(url)
        migrate.upgrade(url, args.revision)
        after = migrate.current(url)
    except _errors() as exc:
        return _fail("upgrade", url, exc)
    head = " (head)" if after == migrate.head() else ""
    if before == after:
        print(f"database {display_url(url)} is already at revision {after}{head}")
    else:
        print(f"database {display_url(url)} upgraded from {before or 'empty'} to {after}{head}")
    return 0


def _current(args: argparse.Namespace) -> int:
    from storage import migrate

    url = database_url(args)
    try:
        revision = migrate.current(url)
    except _errors() as exc:
        return _fail("current", url, exc)
    if revision is None:
        print("none (not migrated: run `newsdedup db upgrade`)")
    elif revision == migrate.head():
        print(f"{revision} (head)")
    else:
        print(f"{revision} (head is {migrate.head()}: run `newsdedup db upgrade`)")
    return 0


def _check(args: argparse.Namespace) -> int:
    from storage import migrate
    from storage.db import display_url

    url = database_url(args)
    try:
        differences = migrate.check(url)
    except _errors() as exc:
        return _fail("check", url, exc)
    if not differences:
        print(f"database {display_url(url)} matches the models (revision {migrate.head()})")
        return 0
    print(f"database {display_url(url)} differs from the models:")
    for difference in differences:
        print(f"  {difference}")
    return 1


def _errors() -> tuple[type[Exception], ...]:
    """The failures reported in one line: bad URL, database or migration errors."""
    from alembic.util import CommandError
    from sqlalchemy.exc import SQLAlchemyError

    from storage.db import DatabaseURLError

    return (DatabaseURLError, SQLAlchemyError, CommandError, OSError)


def _fail(action: str, url: str, exc: Exception) -> int:
    from storage.db import DatabaseURLError, describe_error, display_url

    if isinstance(exc, DatabaseURLError):
        print(f"newsdedup db {action}: {exc}", file=sys.stderr)
        return 1
    print(
        f"newsdedup db {action}: {display_url(url)}: {describe_error(exc)}",
        file=sys.stderr,
    )
    return 1
