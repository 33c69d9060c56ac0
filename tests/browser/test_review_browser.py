"""End to end in headless Chromium: log in, review pairs with the keyboard, check the
database, and check that a scraped script payload runs nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from storage.db import make_engine, make_session_factory
from storage.models import AuditLog, DuplicateLink, SuppressedPair
from tests.webapp.review.seed import EDITOR, IMG_PAYLOAD, SCRIPT_PAYLOAD, VIEWER, Seeded


def log_in(page: Any, name: str, password: str) -> None:
    page.goto("/review")
    assert "/review/login" in page.url
    page.fill('input[name="username"]', name)
    page.fill('input[name="password"]', password)
    with page.expect_navigation():
        page.click('button[type="submit"]')
    assert page.url.endswith("/review")


def current_row(page: Any) -> int:
    return int(page.get_attribute("[data-row].is-current", "data-id"))


def stored(db_url: str, link_id: int) -> tuple[str, int | None, int]:
    engine = make_engine(db_url)
    try:
        with make_session_factory(engine)() as session:
            link = session.get(DuplicateLink, link_id)
            assert link is not None
            audits = session.scalars(select(AuditLog).where(AuditLog.target_id == link_id)).all()
            return link.review_state, link.reviewed_by, len(audits)
    finally:
        engine.dispose()


def test_review_in_queue_with_j_k_and_y(page: Any, db_url: str, ids: Seeded) -> None:
    log_in(page, *EDITOR)
    page.goto("/review?view=paragraphs")
    order = [ids.hostile, ids.boilerplate, ids.near_within, ids.exact_cross, ids.near_cross]
    assert current_row(page) == order[0]
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    assert current_row(page) == order[1]
    with page.expect_navigation():
        page.keyboard.press("y")
    assert stored(db_url, order[1]) == ("duplicate", ids.editor_id, 1)
    assert page.locator(f"#row-{order[1]}").count() == 0
    assert page.locator("[data-row]").count() == 4
    assert page.inner_text("#queue-total") == "4"
    # The selection stays in place: the row that moved up is now current.
    assert current_row(page) == order[2]


def test_review_on_pair_page_with_o_and_n(page: Any, db_url: str, ids: Seeded) -> None:
    log_in(page, *EDITOR)
    page.goto("/review?view=paragraphs")
    page.keyboard.press("j")  # second row: the boilerplate flag
    page.keyboard.press("j")  # third row: the within-article flag
    with page.expect_navigation():
        page.keyboard.press("o")
    assert f"/review/pair/{ids.near_within}" in page.url
    assert page.locator("mark").count() > 0
    page.fill('textarea[name="note"]', "different sentences")
    page.locator("textarea").blur()
    with page.expect_navigation():
        page.keyboard.press("n")
    assert stored(db_url, ids.near_within) == ("not_duplicate", ids.editor_id, 1)
    engine = make_engine(db_url)
    with make_session_factory(engine)() as session:
        assert len(session.scalars(select(SuppressedPair)).all()) == 1
        link = session.get(DuplicateLink, ids.near_within)
        assert link is not None and link.review_note == "different sentences"
    engine.dispose()
    # On to the next pending pair of the queue, and back to the queue without it.
    assert f"/review/pair/{ids.exact_cross}" in page.url
    page.goto("/review?view=paragraphs")
    assert page.locator(f"#row-{ids.near_within}").count() == 0


def test_viewer_keys_decide_nothing(page: Any, db_url: str, ids: Seeded) -> None:
    log_in(page, *VIEWER)
    page.keyboard.press("y")
    assert page.url.endswith("/review")
    assert stored(db_url, ids.hostile) == ("pending", None, 0)


def test_script_payload_is_shown_as_text_and_runs_nothing(page: Any, ids: Seeded) -> None:
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    log_in(page, *EDITOR)
    page.goto("/review?view=paragraphs")
    row_text = page.inner_text(f"#row-{ids.hostile}")
    assert SCRIPT_PAYLOAD in row_text
    page.goto(f"/review/pair/{ids.hostile}")
    body = page.inner_text(".sides")
    assert SCRIPT_PAYLOAD in body and IMG_PAYLOAD in body
    assert page.locator(".sides img").count() == 0
    assert page.locator(".sides script").count() == 0
    assert page.evaluate("document.querySelectorAll('script:not([src])').length") == 0
    assert dialogs == []
