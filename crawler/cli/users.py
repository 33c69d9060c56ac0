"""``newsdedup users add|list|disable|enable|passwd``: accounts of the review web app.

Passwords are never taken from the command line: they come from standard input
(``--password-stdin``, first line) or an interactive prompt, and are stored as Argon2id
hashes.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from crawler.cli.common import database_url


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "users",
        help="manage accounts of the review web app",
        description="Create, list, disable and re-enable review accounts, and set passwords.",
    )
    commands = parser.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    add = commands.add_parser("add", help="create an account (asks for its password)")
    add.add_argument("name", help="login name")
    add.add_argument(
        "--role",
        choices=("editor", "viewer"),
        required=True,
        help="editor: may decide; viewer: may only read",
    )
    _password_option(add)
    add.set_defaults(func=_add)
    listing = commands.add_parser("list", help="list accounts")
    listing.set_defaults(func=_list)
    disable = commands.add_parser("disable", help="disable an account and end its sessions")
    disable.add_argument("name")
    disable.set_defaults(func=_disable, disabled=True)
    enable = commands.add_parser("enable", help="re-enable a disabled account")
    enable.add_argument("name")
    enable.set_defaults(func=_disable, disabled=False)
    passwd = commands.add_parser("passwd", help="set an account's password (ends its sessions)")
    passwd.add_argument("name")
    _password_option(passwd)
    passwd.set_defaults(func=_passwd)


def _password_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input instead of prompting",
    )


class _Abort(Exception):
    """A user error: the message is printed, the exit code is 1."""


def _read_password(args: argparse.Namespace) -> str:
    from webapp.review.passwords import PasswordError, check_new_password

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        try:
            password = getpass.getpass(f"Password for {args.name}: ")
            again = getpass.getpass("Repeat it: ")
        except (EOFError, KeyboardInterrupt) as exc:
            raise _Abort("no password given") from exc
        if password != again:
            raise _Abort("the two passwords differ")
    try:
        check_new_password(password)
    except PasswordError as exc:
        raise _Abort(str(exc)) from exc
    return password


def _run(args: argparse.Namespace, action: Any) -> int:
    from storage.db import describe_error, display_url, make_engine, make_session_factory
    from storage.migrate import upgrade
    from storage.repo.users import UserError

    url = database_url(args)
    try:
        upgrade(url)
        engine = make_engine(url)
        try:
            with make_session_factory(engine)() as session:
                action(session)
                session.commit()
        finally:
            engine.dispose()
    except (_Abort, UserError) as exc:
        print(f"newsdedup users: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # database errors: one clear line, no traceback
        from sqlalchemy.exc import SQLAlchemyError

        if not isinstance(exc, SQLAlchemyError | OSError):
            raise
        print(
            f"newsdedup users: database {display_url(url)}: {describe_error(exc)}", file=sys.stderr
        )
        return 1
    return 0


def _add(args: argparse.Namespace) -> int:
    from sqlalchemy.orm import Session

    from storage.repo import users
    from webapp.review.passwords import hash_password

    def action(session: Session) -> None:
        if users.get_user(session, args.name) is not None:
            raise users.UserError(f"a user called {args.name!r} already exists")
        password = _read_password(args)
        users.add_user(session, args.name, hash_password(password), args.role)
        print(f"added {args.role} {args.name}")

    return _run(args, action)


def _list(args: argparse.Namespace) -> int:
    from sqlalchemy.orm import Session

    from storage.repo import users

    def action(session: Session) -> None:
        rows = users.list_users(session)
        if not rows:
            print("no users yet: add one with `newsdedup users add NAME --role editor`")
        for user in rows:
            state = "disabled" if user.disabled else "active"
            created = user.created_at.strftime("%Y-%m-%d %H:%M")
            print(f"{user.name:<24} {user.role:<8} {state:<9} created {created}")

    return _run(args, action)


def _disable(args: argparse.Namespace) -> int:
    from sqlalchemy.orm import Session

    from storage.repo import users

    def action(session: Session) -> None:
        user = users.require_user(session, args.name)
        users.set_disabled(session, user, args.disabled)
        print(f"{'disabled' if args.disabled else 'enabled'} {user.name}")

    return _run(args, action)


def _passwd(args: argparse.Namespace) -> int:
    from sqlalchemy.orm import Session

    from storage.repo import users
    from webapp.review.passwords import hash_password

    def action(session: Session) -> None:
        user = users.require_user(session, args.name)
        users.set_password_hash(session, user, hash_password(_read_password(args)))
        print(f"password of {user.name} changed; their sessions were ended")

    return _run(args, action)
