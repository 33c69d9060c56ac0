"""Two whole articles side by side, with the paragraphs flagged between them marked."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from markupsafe import Markup, escape
from starlette.responses import Response

from storage.repo import review as repo_review
from storage.repo import stories as repo_stories
from storage.repo.review import QueueFilter
from webapp.review.auth import DbSession, LoggedIn
from webapp.review.errors import HtmlRoute, not_found
from webapp.review.highlight import highlight_pair
from webapp.review.pages_queue import DECISIONS, SHORT_LABELS
from webapp.review.params import path_id
from webapp.review.rendering import render

router = APIRouter(route_class=HtmlRoute)


@dataclass(frozen=True)
class ShownParagraph:
    position: int
    html: Markup
    linked: bool


def _shown(
    article: repo_review.ArticleText, partners: dict[int, int], texts: dict[int, str]
) -> list[ShownParagraph]:
    shown = []
    for paragraph_id, position, text in article.paragraphs:
        partner = partners.get(paragraph_id)
        if partner is None or partner not in texts:
            shown.append(ShownParagraph(position, Markup(escape(text)), False))
            continue
        html, _other, _share = highlight_pair(text, texts[partner])
        shown.append(ShownParagraph(position, html, True))
    return shown


@router.get("/review/compare/{left_id}/{right_id}", response_model=None)
def compare(
    left_id: str, right_id: str, request: Request, login: LoggedIn, db: DbSession
) -> Response:
    """Both articles in full; paragraphs flagged between them have their shared words marked."""
    left_number, right_number = path_id(left_id, "article"), path_id(right_id, "article")
    left = repo_review.article_text(db, left_number)
    right = repo_review.article_text(db, right_number)
    if left is None or right is None:
        missing = left_number if left is None else right_number
        raise not_found(f"There is no article with id {missing}.")
    partners = repo_review.links_between(db, left, right)
    pending = QueueFilter()
    story = None
    for copy, original in ((right.id, left.id), (left.id, right.id)):
        count = len(repo_stories.story_link_ids(db, copy, original, pending))
        if count:
            story = (copy, original, count)
            break
    texts = {pid: text for a in (left, right) for pid, _pos, text in a.paragraphs}
    return render(
        request,
        "review/compare.html",
        {
            "login": login,
            "section": "queue",
            "sides": [
                (left, _shown(left, partners, texts)),
                (right, _shown(right, partners, texts)),
            ],
            "story": story,
            "decisions": DECISIONS,
            "short_labels": SHORT_LABELS,
            "here": f"/review/compare/{left.id}/{right.id}",
            "linked": sum(1 for pid, _p, _t in left.paragraphs if pid in partners),
        },
    )
