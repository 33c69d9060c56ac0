"""``/api/v1/docs``: Swagger UI served from the pinned ``swagger-ui-bundle-v2`` package.

No file comes from another origin and no script is inline: the page loads the bundle's
files from ``/api/v1/docs/assets/`` and starts it with ``/static/api-docs.js``, under the
same Content-Security-Policy as every other page.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response
from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]

from webapp.review.rendering import render

ASSETS = Path(str(swagger_ui_path))
ASSETS_URL = "/api/v1/docs/assets"

router = APIRouter(include_in_schema=False)


@router.get("/api/v1/docs", response_model=None)
def docs(request: Request) -> Response:
    """The interactive API reference (reads ``/api/v1/openapi.json``)."""
    return render(request, "api_docs.html", {"assets": ASSETS_URL, "login": None})


def install(app: FastAPI) -> None:
    """Serve the page and the bundle's files."""
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="api-docs-assets")
    app.include_router(router)
