"""The ``newsdedup serve`` application: editors' review pages and the read API.

One FastAPI app on the crawler's database. Routers live in their own modules and are
included here; each request gets its own SQLAlchemy session (see :mod:`webapp.deps`).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from storage.db import make_engine, make_session_factory
from webapp import api_docs, security
from webapp.api import router as api_router
from webapp.metrics import router as metrics_router
from webapp.review.router import router as review_router

HERE = Path(__file__).parent


def create_app(database_url: str, *, session_max_age: int = 8 * 3600) -> FastAPI:
    """Build the app for the database at ``database_url`` (migrated to head by the caller).

    Args:
        database_url: SQLAlchemy URL of the crawler's database.
        session_max_age: seconds a login session lasts.
    """
    app = FastAPI(
        title="newsdedup",
        version="1",
        description="Review of flagged duplicates, and a read API for downstream tools.",
        docs_url=None,  # served from the package by webapp.api_docs (no CDN)
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    engine = make_engine(database_url)
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    app.state.session_max_age = session_max_age
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    # Routers: each feature adds one line here.
    app.include_router(api_router)
    app.include_router(review_router)
    api_docs.install(app)
    security.install(app)
    app.include_router(metrics_router)
    return app
