"""The review queue: stories (flags grouped by article pair, the default) or single
paragraphs; decisions on a story, bulk decisions on selected stories after a preview,
and undo of the editor's last decisions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import Response

from storage.repo import review as repo_review
from storage.repo import stories as repo_stories
from webapp.review.actions import perform
from webapp.review.auth import DbSession, Editor, LoggedIn, Login
from webapp.review.csrf import check_csrf
from webapp.review.errors import HtmlRoute, PageError
from webapp.review.filters import ParsedFilter, parse_filter, safe_next
from webapp.review.params import page_number, path_id
from webapp.review.rendering import render

router = APIRouter(route_class=HtmlRoute)

PER_PAGE = 50
STORIES_PER_PAGE = 25
DECISIONS = (
    ("duplicate", "Duplicate", "y"),
    ("not_duplicate", "Not a duplicate", "n"),
    ("boilerplate", "Boilerplate", "b"),
)
SHORT_LABELS = {"duplicate": "Dup", "not_duplicate": "Not dup", "boilerplate": "Boiler"}
Text = Annotated[str | None, Query(max_length=100)]


def _form_filter(form: dict[str, str]) -> ParsedFilter:
    parsed = parse_filter(form)
    if parsed.problems:
        raise PageError(400, "Bad filter", "; ".join(parsed.problems))
    return parsed


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


async def _stories_of(request: Request) -> list[tuple[int, int]]:
    form = await request.form()
    keys = []
    for value in form.getlist("story"):
        key = repo_stories.parse_key(value) if isinstance(value, str) else None
        if key is None:
            raise PageError(400, "Bad selection", f"not a story: {str(value)[:40]!r}")
        if key not in keys:
            keys.append(key)
    if not keys:
        raise PageError(400, "Nothing selected", "Tick the stories to decide, then try again.")
    if len(keys) > 200:
        raise PageError(400, "Too many", "At most 200 stories at once.")
    return keys


@router.get("/review", response_model=None)
def queue(
    request: Request,
    login: LoggedIn,
    db: DbSession,
    kind: Text = None,
    source: Text = None,
    from_: Annotated[str | None, Query(alias="from", max_length=100)] = None,
    to: Text = None,
    min: Text = None,
    max: Text = None,
    state: Text = None,
    q: Text = None,
    sort: Text = None,
    view: Text = None,
    page: Text = None,
) -> Response:
    """Stories (default) or paragraphs matching the filter, paginated."""
    parsed = parse_filter(request.query_params)
    number = page_number(page)
    here = "/review" + (f"?{request.url.query}" if request.url.query else "")
    context = {
        "login": login,
        "section": "queue",
        "parsed": parsed,
        "sources": repo_review.list_sources(db),
        "states": repo_review.STATES,
        "sorts": repo_review.SORTS,
        "decisions": DECISIONS,
        "short_labels": SHORT_LABELS,
        "here": here,
        "state_counts": repo_review.state_counts(db, parsed.filter),
        "kind_counts": repo_review.kind_counts(db, parsed.filter),
        "recent": _recent(db, login),
    }
    if parsed.view == "paragraphs":
        rows = repo_review.queue_page(db, parsed.filter, number, PER_PAGE)
        context.update(page=rows, total=rows.total, pages=rows.pages, number=number)
    else:
        stories = repo_stories.story_page(db, parsed.filter, number, STORIES_PER_PAGE)
        context.update(
            stories=stories, total=stories.flags, pages=stories.pages, number=number, page=None
        )
    past_end = number > int(str(context["pages"])) and int(str(context["total"])) > 0
    return render(
        request,
        "review/queue.html",
        {**context, "past_end": past_end},
        status_code=404 if past_end else 200,
    )


def _recent(db: DbSession, login: Login) -> list[repo_review.Undoable]:
    return repo_review.undoable(db, login.user_id, limit=5) if login.is_editor else []


@router.post("/review/story/{copy_id}/{original_id}/decide", response_model=None)
async def decide_story(
    copy_id: str,
    original_id: str,
    request: Request,
    login: Editor,
    db: DbSession,
    csrf_token: Annotated[str, Form()] = "",
    decision: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    expected: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/review",
) -> Response:
    """One decision for every flag of a story that matches the filter sent with the form."""
    check_csrf(login, csrf_token)
    copy, original = path_id(copy_id, "article"), path_id(original_id, "article")
    parsed = _form_filter(await _form(request))
    ids = repo_stories.story_link_ids(db, copy, original, parsed.filter)
    if expected and expected != str(len(ids)):
        raise PageError(
            409,
            "The story changed",
            f"It now has {len(ids)} matching paragraphs, not {expected}. Reload and check.",
        )
    return perform(
        db,
        "Cannot record that decision",
        lambda: repo_review.decide_links(
            db,
            ids,
            decision,
            login.user_id,
            note[:2000],
            action="decide_story",
            target_type="article",
            target_id=copy,
            details={"original_article": original},
        ),
        safe_next(next),
    )


@router.post("/review/bulk/preview", response_model=None)
async def bulk_preview(
    request: Request,
    login: Editor,
    db: DbSession,
    csrf_token: Annotated[str, Form()] = "",
    decision: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    """What a bulk decision on the selected stories would change, before it does."""
    check_csrf(login, csrf_token)
    parsed = _form_filter(await _form(request))
    keys = await _stories_of(request)
    if decision not in repo_review.STATES:
        raise PageError(400, "Bad decision", f"unknown decision {decision!r}")
    found = []
    for copy, original in keys:
        story = repo_stories.get_story(db, copy, original, parsed.filter)
        if story is not None:
            found.append(story)
    total = sum(story.flags for story in found)
    return render(
        request,
        "review/bulk_preview.html",
        {
            "login": login,
            "section": "queue",
            "stories": found,
            "total": total,
            "decision": decision,
            "note": note[:2000],
            "parsed": parsed,
            "back": "/review" + (f"?{parsed.query()}" if parsed.query() else ""),
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
    """Apply one decision to the matching flags of the selected stories (after preview):
    one audit row for the whole action, with its count."""
    check_csrf(login, csrf_token)
    parsed = _form_filter(await _form(request))
    keys = await _stories_of(request)
    ids: list[int] = []
    for copy, original in keys:
        ids.extend(repo_stories.story_link_ids(db, copy, original, parsed.filter))
    if expected != str(len(ids)):
        raise PageError(
            409,
            "The queue changed",
            f"The selected stories now have {len(ids)} matching paragraphs, not "
            f"{expected or 'the number previewed'}. Go back, reload and check.",
        )
    query = parsed.query()
    return perform(
        db,
        "Cannot record that decision",
        lambda: repo_review.decide_links(
            db,
            ids,
            decision,
            login.user_id,
            note[:2000],
            action="bulk",
            target_type="stories",
            target_id=None,
            details={"stories": [f"{c}-{o}" for c, o in keys]},
        ),
        "/review" + (f"?{query}" if query else ""),
    )


@router.post("/review/undo/{audit_id}", response_model=None)
def undo(
    audit_id: str,
    login: Editor,
    db: DbSession,
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/review",
) -> Response:
    """Undo one of the editor's own last decisions (single, story or bulk)."""
    check_csrf(login, csrf_token)
    number = path_id(audit_id, "decision")
    return perform(
        db, "Cannot undo that", lambda: repo_review.undo(db, number, login.user_id), safe_next(next)
    )
