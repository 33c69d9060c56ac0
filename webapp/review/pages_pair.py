"""One flagged pair side by side, and the decisions taken on it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from storage.models import User
from storage.repo import review as repo_review
from webapp.review.actions import perform
from webapp.review.auth import DbSession, Editor, LoggedIn
from webapp.review.csrf import check_csrf
from webapp.review.errors import HtmlRoute, PageError, not_found
from webapp.review.explain import Member, cluster_reason, method_words, score_words
from webapp.review.filters import parse_filter, safe_next
from webapp.review.highlight import highlight_pair
from webapp.review.pages_queue import DECISIONS
from webapp.review.params import form_id, path_id
from webapp.review.rendering import render

router = APIRouter(route_class=HtmlRoute)


@router.get("/review/pair/{link_id}", response_model=None)
def pair(link_id: str, request: Request, login: LoggedIn, db: DbSession) -> Response:
    """Both paragraphs side by side with shared words marked, scores, and the cluster."""
    number = path_id(link_id, "flagged pair")
    row = repo_review.get_row(db, number)
    if row is None:
        raise not_found(f"There is no flagged pair with id {link_id}.")
    parsed = parse_filter(request.query_params)
    query = parsed.query()
    ids = repo_review.queue_ids(db, parsed.filter)
    index = ids.index(number) if number in ids else None
    prev_id = ids[index - 1] if index is not None and index > 0 else None
    if index is not None:
        next_id = ids[index + 1] if index + 1 < len(ids) else None
    else:
        next_id = ids[0] if ids else None
    suffix = f"?{query}" if query else ""
    queue_url = "/review" + suffix
    next_url = f"/review/pair/{next_id}{suffix}" if next_id is not None else queue_url
    left, right, shared = highlight_pair(row.flagged.text, row.matched.text)
    cluster = repo_review.cluster_for_articles(db, [row.flagged.article_id, row.matched.article_id])
    members = [Member(m.article_id, m.source, m.title) for m in cluster.members] if cluster else []
    return render(
        request,
        "review/pair.html",
        {
            "login": login,
            "section": "queue",
            "row": row,
            "left": left,
            "right": right,
            "shared": shared,
            "cluster": cluster,
            "cluster_reason": cluster_reason(
                cluster.original_reason, members, cluster.original_article_id
            )
            if cluster
            else None,
            "method_words": method_words(row.method),
            "score_words": score_words(row.scores),
            "context": {
                "flagged": repo_review.neighbours(db, row.flagged.article_id, row.flagged.position),
                "matched": repo_review.neighbours(db, row.matched.article_id, row.matched.position),
            },
            "story_url": f"/review/story/{row.flagged.article_id}/{row.matched.article_id}{suffix}",
            "decisions": DECISIONS,
            "position": None if index is None else index + 1,
            "queue_total": len(ids),
            "prev_url": f"/review/pair/{prev_id}{suffix}" if prev_id is not None else None,
            "next_pair_url": f"/review/pair/{next_id}{suffix}" if next_id is not None else None,
            "after_url": next_url,
            "queue_url": queue_url,
            "here": f"/review/pair/{number}{suffix}",
        },
    )


@router.post("/review/pair/{link_id}/decide", response_model=None)
def decide(
    link_id: str,
    login: Editor,
    db: DbSession,
    csrf_token: Annotated[str, Form()] = "",
    decision: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/review",
) -> Response:
    """Record a decision on one pair (and the audit row); go on to ``next``."""
    check_csrf(login, csrf_token)
    number = path_id(link_id, "flagged pair")
    return perform(
        db,
        "Cannot record that decision",
        lambda: repo_review.decide(db, number, decision, login.user_id, note[:2000]),
        safe_next(next),
    )


@router.post("/review/clusters/{cluster_id}/original", response_model=None)
def choose_original(
    cluster_id: str,
    login: Editor,
    db: DbSession,
    csrf_token: Annotated[str, Form()] = "",
    article_id: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/review",
) -> Response:
    """Make another member the cluster's original (kept against automatic choice)."""
    check_csrf(login, csrf_token)
    cluster = path_id(cluster_id, "cluster")
    article = form_id(article_id, "article")
    user = db.get(User, login.user_id)
    if user is None:  # pragma: no cover - the login was just checked
        raise PageError(403, "Not allowed", "unknown user")
    return perform(
        db,
        "Cannot choose that original",
        lambda: repo_review.choose_original(db, cluster, article, user, note[:2000]),
        safe_next(next),
    )
