"""The dashboard (charts drawn as SVG on the server) and the audit log."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from storage.repo import audit as repo_audit
from storage.repo import review as repo_review
from storage.repo import users as repo_users
from webapp.review.audit_words import describe, facts
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
            # phones: the last 14 days on a narrow canvas, so the labels stay readable
            "daily_chart_small": daily_bars(
                daily.days[-14:],
                {name: series[-14:] for name, series in daily.by_source.items()},
                width=420,
                height=300,
                legend_columns=2,
                css_class="chart chart-small",
            ),
            "graph": republish_graph(edges),
            "edges": sorted(edges.items(), key=lambda item: (-item[1], item[0])),
            "state_counts": repo_review.state_counts(db, everything),
            "kind_counts": repo_review.kind_counts(db, everything),
            "days": daily.days,
        },
    )


@router.get("/review/audit", response_model=None)
def audit(
    request: Request,
    login: LoggedIn,
    db: DbSession,
    page: Annotated[str | None, Query(max_length=20)] = None,
    user: Annotated[str | None, Query(max_length=100)] = None,
    action: Annotated[str | None, Query(max_length=50)] = None,
    from_: Annotated[str | None, Query(alias="from", max_length=20)] = None,
    to: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """Every decision ever recorded, newest first (the log is never rewritten), filtered
    by user, action and day."""
    number = page_number(page)
    problems: list[str] = []
    day_from, day_to = _day(from_, "from", problems), _day(to, "to", problems)
    f = repo_audit.AuditFilter(
        user=(user or "").strip() or None,
        action=(action or "").strip() or None,
        day_from=day_from,
        day_to=day_to,
    )
    raw = {
        k: v
        for k, v in {
            "user": f.user,
            "action": f.action,
            "from": day_from.isoformat() if day_from else None,
            "to": day_to.isoformat() if day_to else None,
        }.items()
        if v
    }
    total = repo_audit.count_audit(db, f)
    pages = max(1, -(-total // AUDIT_PER_PAGE))
    entries = repo_audit.list_audit(
        db, limit=AUDIT_PER_PAGE, offset=(number - 1) * AUDIT_PER_PAGE, f=f
    )
    past_end = number > pages and total > 0
    return render(
        request,
        "review/audit.html",
        {
            "login": login,
            "section": "audit",
            "entries": [(e, describe(e), facts(e)) for e in entries],
            "total": total,
            "page": number,
            "pages": pages,
            "past_end": past_end,
            "raw": raw,
            "query": urlencode(raw),
            "problems": problems,
            "users": [u.name for u in repo_users.list_users(db)],
            "actions": repo_audit.audit_actions(db),
        },
        status_code=404 if past_end else 200,
    )


def _day(value: str | None, label: str, problems: list[str]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(f"ignored {label} {value!r}: expected a date like 2026-01-31")
        return None
