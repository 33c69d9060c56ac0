"""``/api/v1`` routes: articles, clusters, sources and runs (GET only, token required)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from storage.repo import api as repo
from storage.repo.search import QUERY_MAX, SearchQueryError
from webapp.api.auth import require_token
from webapp.api.cursor import ID_MAX, encode_cursor
from webapp.api.params import NO_NUL, Cursor, Limit, after_id, invalid, naive_utc
from webapp.api.schemas import (
    ArticleDetailOut,
    ArticleOut,
    ArticlePage,
    ClusterDetailOut,
    ClusterOut,
    ClusterPage,
    DuplicateStatus,
    ErrorOut,
    RunOut,
    RunPage,
    RunProblemList,
    RunProblemOut,
    RunStatus,
    SourceOut,
    SourcePage,
)
from webapp.deps import db_session

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "missing, invalid or revoked API token"},
}
_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "no such id"}
}

router = APIRouter(
    prefix="/api/v1",
    tags=["read API"],
    dependencies=[Depends(require_token)],
    responses=_ERRORS,
)

DbSession = Annotated[Session, Depends(db_session)]
Id = Annotated[int, Path(ge=1, le=ID_MAX)]
SourceName = Annotated[
    str | None, Query(max_length=100, pattern=NO_NUL, description="the source's name")
]


def _next(kind: str, page: repo.Page[Any], last_id: int | None) -> str | None:
    return encode_cursor(kind, last_id) if page.has_more and last_id is not None else None


@router.get("/articles", response_model=ArticlePage, summary="List articles")
def list_articles(
    session: DbSession,
    source: SourceName = None,
    published_since: Annotated[
        datetime | None, Query(description="published at or after (ISO 8601; naive = UTC)")
    ] = None,
    published_until: Annotated[
        datetime | None, Query(description="published before (ISO 8601; naive = UTC)")
    ] = None,
    language: Annotated[str | None, Query(max_length=16, pattern=NO_NUL)] = None,
    status: Annotated[
        DuplicateStatus | None,
        Query(
            description="canonical: one per story (no cluster, or the cluster's original); "
            "copy: a non-original cluster member; has_flags / clean: with / without a "
            "live duplicate flag"
        ),
    ] = None,
    q: Annotated[
        str | None,
        Query(
            max_length=QUERY_MAX,
            pattern=NO_NUL,
            description="full-text query on title and text: every word must occur",
        ),
    ] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> ArticlePage:
    """Articles in id order, filtered; ``next_cursor`` is null on the last page."""
    filters = repo.ArticleFilter(
        source=source,
        published_since=naive_utc("published_since", published_since),
        published_until=naive_utc("published_until", published_until),
        language=language,
        status=status,
        q=q,
    )
    start = after_id(cursor, "articles")
    try:
        page = repo.list_articles(session, filters, after_id=start, limit=limit)
    except SearchQueryError as exc:
        raise invalid("q", str(exc), q) from exc
    except OperationalError as exc:  # an FTS5 query the quoting did not tame
        if q is None:
            raise
        raise invalid("q", "full-text query not understood", q) from exc
    items = [ArticleOut.model_validate(item) for item in page.items]
    last = items[-1].id if items else None
    return ArticlePage(items=items, next_cursor=_next("articles", page, last))


@router.get(
    "/articles/{article_id}",
    response_model=ArticleDetailOut,
    responses=_NOT_FOUND,
    summary="One article with its paragraphs and their flags",
)
def get_article(article_id: Id, session: DbSession) -> ArticleDetailOut:
    detail = repo.get_article_detail(session, article_id)
    if detail is None:
        raise HTTPException(status_code=404, detail=f"no article {article_id}")
    return ArticleDetailOut.model_validate(
        {
            **ArticleOut.model_validate(detail.article).model_dump(),
            "text": detail.text,
            "paragraphs": detail.paragraphs,
        }
    )


@router.get("/clusters", response_model=ClusterPage, summary="List syndication clusters")
def list_clusters(session: DbSession, cursor: Cursor = None, limit: Limit = 50) -> ClusterPage:
    page = repo.list_cluster_page(session, after_id=after_id(cursor, "clusters"), limit=limit)
    items = [ClusterOut.model_validate(item) for item in page.items]
    last = items[-1].id if items else None
    return ClusterPage(items=items, next_cursor=_next("clusters", page, last))


@router.get(
    "/clusters/{cluster_id}",
    response_model=ClusterDetailOut,
    responses=_NOT_FOUND,
    summary="One cluster with its members",
)
def get_cluster(cluster_id: Id, session: DbSession) -> ClusterDetailOut:
    cluster = repo.get_cluster(session, cluster_id)
    if cluster is None:
        raise HTTPException(status_code=404, detail=f"no cluster {cluster_id}")
    return ClusterDetailOut.model_validate(cluster)


@router.get("/sources", response_model=SourcePage, summary="List sources")
def list_sources(session: DbSession, cursor: Cursor = None, limit: Limit = 50) -> SourcePage:
    page = repo.list_source_page(session, after_id=after_id(cursor, "sources"), limit=limit)
    items = [SourceOut.model_validate(item) for item in page.items]
    last = items[-1].id if items else None
    return SourcePage(items=items, next_cursor=_next("sources", page, last))


@router.get("/runs", response_model=RunPage, summary="List crawl runs")
def list_runs(
    session: DbSession,
    source: SourceName = None,
    status: Annotated[RunStatus | None, Query()] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> RunPage:
    page = repo.list_run_page(
        session, after_id=after_id(cursor, "runs"), limit=limit, source=source, status=status
    )
    items = [
        RunOut(
            id=run.id,
            source=name,
            started_at=run.started_at,
            finished_at=run.finished_at,
            status=run.status,
            message=run.message,
            trigger=run.trigger,
            pages_fetched=run.pages_fetched,
            articles_new=run.articles_new,
            articles_updated=run.articles_updated,
            articles_unchanged=run.articles_unchanged,
            paragraphs=run.paragraphs,
            duplicates=_counts(run.duplicates),
            errors=_counts(run.errors),
            http_statuses=_counts(run.http_statuses),
        )
        for run, name in page.items
    ]
    last = items[-1].id if items else None
    return RunPage(items=items, next_cursor=_next("runs", page, last))


@router.get(
    "/runs/{run_id}/errors",
    response_model=RunProblemList,
    responses=_NOT_FOUND,
    summary="The bad inputs one run met (feeds, sitemaps, robots.txt, redirects, timeouts)",
)
def run_errors(run_id: Id, session: DbSession) -> RunProblemList:
    from storage.models import CrawlRun
    from storage.repo.problems import run_problems

    if session.get(CrawlRun, run_id) is None:
        raise HTTPException(status_code=404, detail=f"no run {run_id}")
    return RunProblemList(
        run_id=run_id,
        items=[
            RunProblemOut(
                url=p.url,
                kind=p.kind,
                reason=p.reason,
                attempts=p.attempts,
                first_seen_at=p.first_seen_at,
                last_seen_at=p.last_seen_at,
            )
            for p in run_problems(session, run_id)
        ],
    )


def _counts(value: dict[str, Any] | None) -> dict[str, int]:
    """A keyed counter as stored (JSON), with non-numeric values left out."""
    out: dict[str, int] = {}
    for key, count in (value or {}).items():
        try:
            out[str(key)] = int(count)
        except (TypeError, ValueError):
            continue
    return out
