"""The queue of flagged duplicates, and bulk decisions on a filtered set."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from storage.repo import review as repo_review
from webapp.review.auth import DbSession, Editor, LoggedIn
from webapp.review.csrf import check_csrf
from webapp.review.errors import HtmlRoute, PageError
from webapp.review.filters import parse_filter
from webapp.review.params import page_number
from webapp.review.rendering import render

router = APIRouter(route_class=HtmlRoute)

PER_PAGE = 50
DECISIONS = (
    ("duplicate", "Duplicate", "y"),
    ("not_duplicate", "Not a duplicate", "n"),
    ("boilerplate", "Boilerplate", "b"),
)
SHORT_LABELS = {"duplicate": "Dup", "not_duplicate": "Not dup", "boilerplate": "Boiler"}


@router.get("/review", response_model=None)
def queue(request: Request, login: LoggedIn, db: DbSession) -> Response:
    """Flagged duplicates, newest first, filtered and paginated."""
    parsed = parse_filter(request.query_params)
    page = repo_review.queue_page(
        db, parsed.filter, page_number(request.query_params.get("page")), PER_PAGE
    )
    here = "/review" + (f"?{request.url.query}" if request.url.query else "")
    return render(
        request,
        "review/queue.html",
        {
            "login": login,
            "section": "queue",
            "page": page,
            "parsed": parsed,
            "sources": repo_review.list_sources(db),
            "states": repo_review.STATES,
            "decisions": DECISIONS,
            "short_labels": SHORT_LABELS,
            "here": here,
        },
    )


@router.post("/review/bulk", response_model=None)
async def bulk(
    request: Request,
    login: Editor,
    db: DbSession,
    csrf_token: Annotated[str, Form()] = "",
    decision: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    expected: Annotated[str, Form()] = "",
) -> Response:
    """Apply one decision to every flag of the filter sent with the form."""
    check_csrf(login, csrf_token)
    form = await request.form()
    parsed = parse_filter({k: str(v) for k, v in form.items() if isinstance(v, str)})
    if parsed.problems:
        raise PageError(400, "Bad filter", "; ".join(parsed.problems))
    if decision not in repo_review.STATES:
        raise PageError(400, "Bad decision", f"unknown decision {decision!r}")
    total = repo_review.count_queue(db, parsed.filter)
    if expected != str(total):
        raise PageError(
            409,
            "The queue changed",
            f"The filter now matches {total} pairs, not {expected or 'the number shown'}. "
            "Go back, reload and check before deciding them all.",
        )
    if total > repo_review.BULK_MAX:
        raise PageError(
            400, "Too many", f"At most {repo_review.BULK_MAX} pairs at once; narrow the filter."
        )
    repo_review.decide_many(db, parsed.filter, decision, login.user_id, note[:2000])
    db.commit()
    return RedirectResponse("/review?" + parsed.query(), status_code=303)
