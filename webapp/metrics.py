"""``GET /metrics``: Prometheus metrics of what the database knows (text format).

No login: like every Prometheus endpoint it is meant for the monitoring network; it shows
counts and times only, never scraped text. See docs/operations.md ("Monitoring").
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from crawler.service.metrics import DatabaseCollector

router = APIRouter()


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    registry = getattr(request.app.state, "metrics_registry", None)
    if registry is None:
        registry = CollectorRegistry(auto_describe=False)
        registry.register(DatabaseCollector(request.app.state.session_factory))
        request.app.state.metrics_registry = registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
