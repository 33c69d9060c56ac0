"""``newsdedup users``: accounts with Argon2 hashes; passwords never on the command line."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import select

from crawler.cli import main
from storage.db import make_engine, make_session_factory
from storage.models import User
from webapp.review.passwords import verify_password


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'users.db'}"


def users(url: str) -> dict[str, User]:
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        found = {u.name: u for u in session.scalars(select(User))}
    engine.dispose()
    return found


def run(url: str, *argv: str, stdin: str = "", monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(["--database-url", url, "users", *argv])


def test_add_list_disable_enable_passwd(
    url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        run(
            url,
            "add",
            "edna",
            "--role",
            "editor",
            "--password-stdin",
            stdin="long-enough-1\n",
            monkeypatch=monkeypatch,
        )
        == 0
    )
    stored = users(url)["edna"]
    assert stored.role == "editor" and stored.password_hash.startswith("$argon2id$")
    assert verify_password(stored.password_hash, "long-enough-1")
    assert "long-enough-1" not in stored.password_hash

    assert run(url, "list", monkeypatch=monkeypatch) == 0
    assert "edna" in capsys.readouterr().out
    assert run(url, "disable", "edna", monkeypatch=monkeypatch) == 0
    assert users(url)["edna"].disabled
    assert run(url, "enable", "edna", monkeypatch=monkeypatch) == 0
    assert not users(url)["edna"].disabled
    assert (
        run(
            url,
            "passwd",
            "edna",
            "--password-stdin",
            stdin="another-one-2\n",
            monkeypatch=monkeypatch,
        )
        == 0
    )
    assert verify_password(users(url)["edna"].password_hash, "another-one-2")


def test_interactive_prompt(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter(["prompted-pass-3", "prompted-pass-3"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert run(url, "add", "vic", "--role", "viewer", monkeypatch=monkeypatch) == 0
    assert verify_password(users(url)["vic"].password_hash, "prompted-pass-3")


def test_errors_are_clear(
    url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        run(
            url,
            "add",
            "a",
            "--role",
            "editor",
            "--password-stdin",
            stdin="short\n",
            monkeypatch=monkeypatch,
        )
        == 1
    )
    assert "password too short" in capsys.readouterr().err
    answers = iter(["first-pass-1", "other-pass-2"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert run(url, "add", "b", "--role", "editor", monkeypatch=monkeypatch) == 1
    assert "differ" in capsys.readouterr().err
    assert run(url, "disable", "nobody", monkeypatch=monkeypatch) == 1
    assert "no user called 'nobody'" in capsys.readouterr().err
    run(
        url,
        "add",
        "c",
        "--role",
        "editor",
        "--password-stdin",
        stdin="long-enough-1\n",
        monkeypatch=monkeypatch,
    )
    assert (
        run(
            url,
            "add",
            "c",
            "--role",
            "editor",
            "--password-stdin",
            stdin="long-enough-1\n",
            monkeypatch=monkeypatch,
        )
        == 1
    )
    assert "already exists" in capsys.readouterr().err
    assert users(url).keys() == {"c"}


def test_password_is_not_accepted_as_argument(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SystemExit):
        run(
            url,
            "add",
            "d",
            "--role",
            "editor",
            "--password",
            "on-the-command-line",
            monkeypatch=monkeypatch,
        )
    with pytest.raises(SystemExit):
        run(url, "add", "d", "--role", "admin", "--password-stdin", monkeypatch=monkeypatch)
