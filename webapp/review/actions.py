"""What every decision form does once its input is checked: run the repository action,
turn a refused action into a 400 page, commit, and go on to the next page."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse

from storage.repo import review as repo_review
from webapp.review.errors import PageError


def perform(db: Session, refused: str, action: Callable[[], object], then: str) -> RedirectResponse:
    """Run ``action`` and commit, then redirect (303) to ``then``.

    Raises:
        PageError: 400 titled ``refused`` with the repository's reason, when the action
            is refused (nothing is committed then).
    """
    try:
        action()
    except repo_review.ReviewError as exc:
        raise PageError(400, refused, str(exc)) from exc
    db.commit()
    return RedirectResponse(then, status_code=303)
