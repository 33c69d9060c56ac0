"""``newsdedup tokens add|list|revoke``."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.cli import main
from storage.db import make_engine, make_session_factory
from storage.repo.tokens import authenticate
from tests.storage.databases import sqlite_url


def test_add_list_revoke(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = sqlite_url(tmp_path)
    assert main(["--database-url", url, "tokens", "add", "newsletter"]) == 0
    captured = capsys.readouterr()
    token = captured.out.strip()
    assert token.startswith("ndt_") and len(token) > 40
    assert "shown only this once" in captured.err

    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            assert authenticate(session, token) is not None
            session.commit()
    finally:
        engine.dispose()

    assert main(["--database-url", url, "tokens", "add", "newsletter"]) == 1
    assert "already exists" in capsys.readouterr().err

    assert main(["--database-url", url, "tokens", "list"]) == 0
    listing = capsys.readouterr().out
    assert "newsletter" in listing and token not in listing

    assert main(["--database-url", url, "tokens", "revoke", "newsletter"]) == 0
    assert "revoked" in capsys.readouterr().out
    assert main(["--database-url", url, "tokens", "revoke", "nobody"]) == 1
    assert "no token called 'nobody'" in capsys.readouterr().err

    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            assert authenticate(session, token) is None
    finally:
        engine.dispose()
