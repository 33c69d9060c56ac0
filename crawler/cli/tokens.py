"""``newsdedup tokens add|list|revoke``: read-only API tokens for downstream tools."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from crawler.cli.common import database_url


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "tokens",
        help="create, list and revoke read-only API tokens",
        description="Tokens for the read API (/api/v1): send `Authorization: Bearer TOKEN`. "
        "Only a token's SHA-256 is stored; `add` prints the token once.",
    )
    actions = parser.add_subparsers(dest="tokens_command", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="create a token and print it (shown only once)")
    add.add_argument("name", help="who uses it, e.g. newsletter")
    add.set_defaults(func=_add)
    listing = actions.add_parser("list", help="list tokens: name, created, last used, revoked")
    listing.set_defaults(func=_list)
    revoke = actions.add_parser("revoke", help="revoke a token: it stops working at once")
    revoke.add_argument("name")
    revoke.set_defaults(func=_revoke)


def _add(args: argparse.Namespace) -> int:
    from storage.repo.tokens import add_token

    created: list[str] = []
    code = _with_session(args, "add", lambda session: created.append(add_token(session, args.name)))
    if code == 0:  # printed only once committed
        print(created[0])
        print(
            f"token {args.name!r} created; it is shown only this once: store it now",
            file=sys.stderr,
        )
    return code


def _list(args: argparse.Namespace) -> int:
    from storage.repo.tokens import list_tokens

    def action(session: Any) -> None:
        tokens = list_tokens(session)
        if not tokens:
            print("no tokens (create one with `newsdedup tokens add NAME`)")
            return
        print(f"{'name':<24} {'created':<20} {'last used':<20} revoked")
        for t in tokens:
            print(
                f"{t.name:<24} {_when(t.created_at):<20} {_when(t.last_used_at):<20} "
                f"{_when(t.revoked_at)}"
            )

    return _with_session(args, "list", action)


def _revoke(args: argparse.Namespace) -> int:
    from storage.repo.tokens import revoke_token

    def action(session: Any) -> None:
        token = revoke_token(session, args.name)
        print(f"token {token.name!r} revoked at {_when(token.revoked_at)} UTC")

    return _with_session(args, "revoke", action)


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value is not None else "-"


def _with_session(args: argparse.Namespace, command: str, action: Any) -> int:
    """Run ``action(session)`` on the migrated database and commit; one-line errors."""
    from sqlalchemy.exc import SQLAlchemyError

    from storage.db import (
        DatabaseURLError,
        describe_error,
        display_url,
        make_engine,
        make_session_factory,
        session_scope,
    )
    from storage.migrate import upgrade
    from storage.repo.tokens import TokenError

    url = database_url(args)
    try:
        upgrade(url)
        engine = make_engine(url)
        try:
            with session_scope(make_session_factory(engine)) as session:
                action(session)
        finally:
            engine.dispose()
    except TokenError as exc:
        print(f"newsdedup tokens {command}: {exc}", file=sys.stderr)
        return 1
    except (DatabaseURLError, SQLAlchemyError, OSError) as exc:
        print(
            f"newsdedup tokens {command}: {display_url(url)}: {describe_error(exc)}",
            file=sys.stderr,
        )
        return 1
    return 0
