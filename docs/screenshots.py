"""Regenerate the review screenshots in docs/img/ from a fresh demo crawl.

Run from the project's root (needs /usr/bin/chromium)::

    .venv/bin/python docs/screenshots.py

It crawls the bundled sample site into a temporary SQLite database (``newsdedup demo``),
adds a throwaway editor account, serves the app on a free port and drives headless
Chromium through the story queue, a story, a side-by-side pair, the dashboard and the
queue at phone width (390 px).
"""

from __future__ import annotations

import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from storage.db import make_engine, make_session_factory  # noqa: E402
from storage.repo.users import add_user  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.browser.live_server import serve  # noqa: E402
from webapp.app import create_app  # noqa: E402
from webapp.review.passwords import hash_password  # noqa: E402

OUT = ROOT / "docs" / "img"


def main() -> int:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'demo.db'}"
        demo = subprocess.run(
            [sys.executable, "-m", "crawler.cli", "--database-url", url, "demo"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if demo.returncode != 0:
            print(demo.stdout, demo.stderr, file=sys.stderr)
            return 1
        password = secrets.token_urlsafe(12)
        engine = make_engine(url)
        with make_session_factory(engine)() as session:
            add_user(session, "maria", hash_password(password), "editor")
            session.commit()
        engine.dispose()
        OUT.mkdir(parents=True, exist_ok=True)
        with serve(create_app(url)) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(base_url=base, viewport={"width": 1360, "height": 860})
            page.goto("/review/login")
            page.fill('input[name="username"]', "maria")
            page.fill('input[name="password"]', password)
            with page.expect_navigation():
                page.click('button[type="submit"]')
            page.keyboard.press("j")
            page.screenshot(path=str(OUT / "review-queue.png"))
            page.goto("/review?kind=syndicated")
            with page.expect_navigation():
                page.click("[data-row] a.row-link")
            page.screenshot(path=str(OUT / "review-story.png"), full_page=True)
            page.goto("/review?kind=within&view=paragraphs")
            with page.expect_navigation():
                page.click("[data-row] a.row-link")
            page.screenshot(path=str(OUT / "review-pair.png"), full_page=True)
            page.goto("/review/dashboard")
            page.screenshot(path=str(OUT / "review-dashboard.png"), full_page=True)
            page.set_viewport_size({"width": 390, "height": 844})
            page.goto("/review")
            page.screenshot(path=str(OUT / "review-queue-phone.png"))
            browser.close()
    names = ("review-queue.png", "review-story.png", "review-pair.png", "review-dashboard.png")
    for name in (*names, "review-queue-phone.png"):
        print(f"wrote {OUT / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
