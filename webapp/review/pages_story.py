"""One story (the flags between two articles, or inside one), and one syndication
cluster with a decision per copy."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from storage.repo import review as repo_review
from storage.repo import stories as repo_stories
from storage.repo.review import QueueFilter
from webapp.review.auth import DbSession, LoggedIn
from webapp.review.errors import HtmlRoute, not_found
from webapp.review.explain import Member, cluster_reason, method_words
from webapp.review.filters import parse_filter
from webapp.review.pages_queue import DECISIONS, SHORT_LABELS
from webapp.review.params import path_id
from webapp.review.rendering import render

router = APIRouter(route_class=HtmlRoute)
EVERY_STATE = QueueFilter(state=None)


@router.get("/review/story/{copy_id}/{original_id}", response_model=None)
def story(
    copy_id: str, original_id: str, request: Request, login: LoggedIn, db: DbSession
) -> Response:
    """Every flag of the story with its state; one decision for the ones the filter shows."""
    copy, original = path_id(copy_id, "article"), path_id(original_id, "article")
    found = repo_stories.get_story(db, copy, original, EVERY_STATE)
    if found is None:
        raise not_found(f"No paragraph of article {copy} is flagged against article {original}.")
    parsed = parse_filter(request.query_params)
    to_decide = repo_stories.story_link_ids(db, copy, original, parsed.filter)
    rows = repo_review.get_rows(db, repo_stories.story_link_ids(db, copy, original, EVERY_STATE))
    query = parsed.query()
    suffix = f"?{query}" if query else ""
    cluster = repo_review.cluster_for_articles(db, [copy, original])
    return render(
        request,
        "review/story.html",
        {
            "login": login,
            "section": "queue",
            "story": found,
            "rows": rows,
            "to_decide": len(to_decide),
            "parsed": parsed,
            "decisions": DECISIONS,
            "short_labels": SHORT_LABELS,
            "methods": sorted({(row.method, method_words(row.method)) for row in rows}),
            "cluster": cluster,
            "queue_url": "/review" + suffix,
            "here": f"/review/story/{copy}/{original}{suffix}",
            "suffix": suffix,
        },
    )


@router.get("/review/cluster/{cluster_id}", response_model=None)
def cluster(cluster_id: str, request: Request, login: LoggedIn, db: DbSession) -> Response:
    """A story and all its copies: the original, why, and one decision per copy."""
    number = path_id(cluster_id, "cluster")
    detail = repo_review.cluster_detail(db, number)
    if detail is None:
        raise not_found(f"There is no cluster with id {number}.")
    members = [Member(m.article_id, m.source, m.title) for m in detail.members]
    pending = QueueFilter()
    copies: list[tuple[repo_review.MemberView, tuple[int, int] | None, int]] = []
    for member in detail.members:
        if member.is_original or detail.original_article_id is None:
            copies.append((member, None, 0))
            continue
        key = (member.article_id, detail.original_article_id)
        ids = repo_stories.story_link_ids(db, *key, pending)
        if not ids:
            reverse = (detail.original_article_id, member.article_id)
            if repo_stories.story_link_ids(db, *reverse, EVERY_STATE):
                key = reverse
                ids = repo_stories.story_link_ids(db, *key, pending)
        copies.append((member, key, len(ids)))
    return render(
        request,
        "review/cluster.html",
        {
            "login": login,
            "section": "queue",
            "cluster": detail,
            "copies": copies,
            "reason": cluster_reason(detail.original_reason, members, detail.original_article_id),
            "decisions": DECISIONS,
            "short_labels": SHORT_LABELS,
            "here": f"/review/cluster/{number}",
        },
    )
