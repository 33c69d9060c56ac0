"""Bad input never gives a server error: ids and page numbers that are not ASCII digits
within range, for HTML pages (4xx HTML) and for the API (JSON)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.webapp.review.seed import Seeded

HUGE = "9223372036854775808"


@pytest.mark.parametrize(
    "path",
    [
        "/review/pair/" + HUGE,
        "/review/pair/1.5",
        "/review/pair/%C2%B2",
        "/review/pair/-1",
        "/review/compare/13/" + HUGE,
        "/review/compare/%D9%A1/1",
        "/review/story/1/" + HUGE,
        "/review/cluster/" + HUGE,
        "/review/no-such-page",
    ],
)
def test_bad_path_ids_are_404_html_pages(viewer: tuple[TestClient, str], path: str) -> None:
    client, _ = viewer
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>Not found</h1>" in response.text
    assert "content-security-policy" in response.headers


@pytest.mark.parametrize(
    "query",
    ["page=%C2%B2", "source=%C2%B2", "page=" + HUGE, "source=" + HUGE, "to=9999-12-31", "min=nan"],
)
def test_bad_query_values_are_reported_not_fatal(
    viewer: tuple[TestClient, str], query: str
) -> None:
    client, _ = viewer
    for path in ("/review", "/review?view=paragraphs", "/review/audit"):
        joiner = "&" if "?" in path else "?"
        response = client.get(path + joiner + query)
        assert response.status_code < 500, (path, query)
        assert response.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("value", [HUGE, "²", "1.5", ""])
def test_bad_cluster_and_article_ids_in_posts_are_4xx(
    editor: tuple[TestClient, str], ids: Seeded, value: str
) -> None:
    client, csrf = editor
    response = client.post(
        f"/review/clusters/{ids.cluster}/original",
        data={"csrf_token": csrf, "article_id": value},
    )
    assert response.status_code == 400 and "text/html" in response.headers["content-type"]
    response = client.post(
        f"/review/clusters/{value or 'x'}/original",
        data={"csrf_token": csrf, "article_id": str(ids.herald_article)},
    )
    assert response.status_code == 404
    response = client.post(f"/review/pair/{value or 'x'}/decide", data={"csrf_token": csrf})
    assert response.status_code == 404


def test_unknown_api_path_is_json_with_security_headers(client: TestClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code in (401, 404)
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_api_json_carries_security_headers(client: TestClient) -> None:
    response = client.get("/api/v1/articles")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "default-src 'none'" in response.headers["content-security-policy"]
    openapi = client.get("/api/v1/openapi.json")
    assert openapi.status_code == 200
    assert openapi.headers["x-content-type-options"] == "nosniff"


def test_api_docs_are_served_from_the_package(client: TestClient) -> None:
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.text
    assert "http://" not in html and "https://" not in html  # nothing from another origin
    assert "<script>" not in html  # no inline script
    assert '<script src="/static/api-docs.js" defer></script>' in html
    assert "script-src 'self'" in page.headers["content-security-policy"]
    bundle = client.get("/api/v1/docs/assets/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and len(bundle.content) > 100_000
    assert bundle.headers["x-content-type-options"] == "nosniff"
    assert client.get("/api/v1/docs/assets/swagger-ui.css").status_code == 200
    assert "SwaggerUIBundle" in client.get("/static/api-docs.js").text
