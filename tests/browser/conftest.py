"""Real headless Chromium (Debian's /usr/bin/chromium) driven by Playwright, against the
app served on a free port. Skipped with a reason without the browser, except under CI."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.live_server import serve
from tests.webapp.review.seed import (
    Seeded,
    build_seeded_database,
    copy_database,
    fast_password_hashing,
)
from webapp.app import create_app

CHROMIUM = Path(os.environ.get("NEWSDEDUP_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = f"Chromium is not installed at {CHROMIUM}"
    if os.environ.get("CI"):
        pytest.fail(f"{message}, and CI is set: browser tests must run", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Seeded]:
    return build_seeded_database(tmp_path_factory.mktemp("browser"))


@pytest.fixture
def db_url(template_db: tuple[Path, Seeded], tmp_path: Path) -> str:
    return copy_database(template_db[0], tmp_path / "browser.db")


@pytest.fixture
def ids(template_db: tuple[Path, Seeded]) -> Seeded:
    return template_db[1]


@pytest.fixture
def base_url(db_url: str) -> Iterator[str]:
    with serve(create_app(db_url)) as url:
        yield url


@pytest.fixture
def page(browser: Any, base_url: str) -> Iterator[Any]:
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15000)
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing() -> Iterator[None]:
    with fast_password_hashing():
        yield
