"""In headless Chromium: the story queue, a story decision with the keyboard, undo, bulk
with its preview, no horizontal scrolling at 390 px, and the throttled login.

Screenshots go to ``NEWSDEDUP_SHOTS`` when that is set (a folder; nothing otherwise).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from storage.db import make_engine, make_session_factory
from storage.models import AuditLog, DuplicateLink
from tests.browser.test_review_browser import log_in
from tests.webapp.review.seed import EDITOR, VIEWER, Seeded

PHONE = {"width": 390, "height": 844}


def shot(page: Any, name: str) -> None:
    folder = os.environ.get("NEWSDEDUP_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def states_and_actions(db_url: str) -> tuple[dict[int, str], list[str]]:
    engine = make_engine(db_url)
    try:
        with make_session_factory(engine)() as session:
            rows = session.execute(select(DuplicateLink.id, DuplicateLink.review_state)).all()
            states = {int(k): str(v) for k, v in rows}
            actions = list(session.scalars(select(AuditLog.action).order_by(AuditLog.id)))
            return states, actions
    finally:
        engine.dispose()


def test_story_queue_decide_a_story_with_the_keyboard_then_undo(
    page: Any, db_url: str, ids: Seeded
) -> None:
    log_in(page, *EDITOR)
    herald = f"{ids.herald_article}-{ids.wire_article}"
    assert page.locator("tr.story-row").count() == 4
    assert "2 of 3 paragraphs · 67% copied" in page.inner_text(f"#story-{herald}")
    shot(page, "browser-queue-desktop")
    # j moves to the story; y decides all of its paragraphs at once.
    for _ in range(3):
        page.keyboard.press("j")
    assert page.get_attribute("[data-row].is-current", "data-id") == herald
    with page.expect_navigation():
        page.keyboard.press("y")
    states, actions = states_and_actions(db_url)
    assert states[ids.near_cross] == states[ids.exact_cross] == "duplicate"
    assert states[ids.hostile] == "pending"
    assert actions == ["decide_story:duplicate"]
    assert page.locator(f"#story-{herald}").count() == 0
    assert "Duplicate on 2 paragraphs of one story" in page.inner_text("#recent")
    with page.expect_navigation():
        page.click("#recent button.undo")
    states, actions = states_and_actions(db_url)
    assert states[ids.near_cross] == states[ids.exact_cross] == "pending"
    assert actions == ["decide_story:duplicate", "undo"]
    assert page.locator(f"#story-{herald}").count() == 1
    assert page.locator("#recent").count() == 0


def test_bulk_on_selected_stories_shows_a_preview_first(
    page: Any, db_url: str, ids: Seeded
) -> None:
    log_in(page, *EDITOR)
    page.check("#select-all")
    page.select_option('select[name="decision"]', "boilerplate")
    with page.expect_navigation():
        page.click("#bulk-preview")
    assert "for 5 paragraphs of 4 stories" in page.inner_text("#bulk-summary")
    shot(page, "browser-bulk-preview")
    assert states_and_actions(db_url)[1] == []
    with page.expect_navigation():
        page.click("#bulk-confirm")
    states, actions = states_and_actions(db_url)
    assert set(states.values()) == {"boilerplate"} and actions == ["bulk:boilerplate"]
    assert "queue is clear" in page.inner_text("main")


@pytest.mark.parametrize(
    "path",
    [
        "/review",
        "/review?view=paragraphs",
        "/review/pair/{near_cross}",
        "/review/story/{herald}/{wire}",
        "/review/cluster/{cluster}",
        "/review/compare/{wire}/{herald}",
        "/review/dashboard",
        "/review/audit",
    ],
)
def test_no_horizontal_scrolling_at_390_px(
    browser: Any, base_url: str, ids: Seeded, path: str
) -> None:
    context = browser.new_context(base_url=base_url, viewport=PHONE)
    try:
        tab = context.new_page()
        log_in(tab, *EDITOR)
        # something in the audit log, so its table is laid out too
        tab.goto(f"/review/pair/{ids.near_within}")
        with tab.expect_navigation():
            tab.click('button[value="duplicate"]')
        url = path.format(
            near_cross=ids.near_cross,
            herald=ids.herald_article,
            wire=ids.wire_article,
            cluster=ids.cluster,
        )
        tab.goto(url)
        width = tab.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{url} lays out at {width} px"
        assert tab.is_visible(".who .user") and tab.is_visible(".who button")  # name, Log out
        name = url.strip("/").split("?")[0].replace("/", "-").replace("review-", "") or "queue"
        shot(tab, f"browser-{name}-390")
    finally:
        context.close()


def test_throttled_login_in_the_browser(page: Any) -> None:
    page.goto("/review/login")
    for _ in range(5):
        page.fill('input[name="username"]', VIEWER[0])
        page.fill('input[name="password"]', "not-the-password")
        with page.expect_navigation():
            page.click('button[type="submit"]')
        assert "Wrong name or password" in page.inner_text(".alert")
    page.fill('input[name="username"]', VIEWER[0])
    page.fill('input[name="password"]', VIEWER[1])
    with page.expect_navigation() as navigation:
        page.click('button[type="submit"]')
    response = navigation.value
    assert response.status == 429 and int(response.headers["retry-after"]) > 0
    assert "Too many failed logins" in page.inner_text(".alert")
    assert "/review/login" in page.url
    shot(page, "browser-login-throttled")
