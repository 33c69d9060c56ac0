"""All review pages in one router, included by :func:`webapp.app.create_app`."""

from __future__ import annotations

from fastapi import APIRouter

from webapp.review import (
    pages_auth,
    pages_compare,
    pages_dashboard,
    pages_pair,
    pages_queue,
    pages_story,
)

router = APIRouter(tags=["review pages (HTML, login required)"])
router.include_router(pages_auth.router)
router.include_router(pages_queue.router)
router.include_router(pages_pair.router)
router.include_router(pages_story.router)
router.include_router(pages_dashboard.router)
router.include_router(pages_compare.router)
