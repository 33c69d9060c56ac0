"""The dashboard (charts drawn as SVG on the server) and the audit log."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from storage.repo import audit as repo_audit
from storage.repo import review as repo_review
from webapp.review.auth import DbSession, LoggedIn
from webapp.review.charts import daily_bars
from webapp.review.errors import HtmlRoute
from webapp.review.filters import parse_filter
from webapp.review.graph import republish_graph
from webapp.review.params import page_number
from webapp.review.rendering import render

router = APIRouter(route_class=HtmlRoute)
AUDIT_PER_PAGE = 100


@router.get("/review/dashboard", response_model=None)
def dashboard(request: Request, login: LoggedIn, db: DbSession) -> Response:
    """Duplicates per source per day, and who republishes whom."""
    daily = repo_review.daily_counts(db, days=30)
    edges = repo_review.republish_edges(db)
    everything = parse_filter({"state": "all"}).filter
    return render(
        request,
        "review/dashboard.html",
        {
            "login": login,
            "section": "dashboard",
            "daily_chart": daily_bars(daily.days, daily.by_source),
            "graph": republish_graph(edges),
            "edges": sorted(edges.items(), key=lambda item: (-item[1], item[0])),
            "state_counts": repo_review.state_counts(db, everything),
            "kind_counts": repo_review.kind_counts(db, everything),
            "days": daily.days,
        },
    )


@router.get("/review/audit", response_model=None)
def audit(request: Request, login: LoggedIn, db: DbSession, page: str = "1") -> Response:
    """Every decision ever recorded, newest first (the log is never rewritten)."""
    number = page_number(page)
    total = repo_audit.count_audit(db)
    entries = repo_audit.list_audit(db, limit=AUDIT_PER_PAGE, offset=(number - 1) * AUDIT_PER_PAGE)
    return render(
        request,
        "review/audit.html",
        {
            "login": login,
            "section": "audit",
            "entries": entries,
            "total": total,
            "page": number,
            "pages": max(1, -(-total // AUDIT_PER_PAGE)),
        },
    )
