"""Every review page over HTTP: anonymous users go to login, logged-in users read."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.webapp.review.seed import Seeded

PAGES = ["/review", "/review/dashboard", "/review/audit", "/review/pair/{near_cross}"]


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_is_sent_to_login(client: TestClient, ids: Seeded, path: str) -> None:
    url = path.format(near_cross=ids.near_cross)
    response = client.get(url)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/review/login?next=")


@pytest.mark.parametrize("path", PAGES)
def test_pages_render_for_viewer_with_security_headers(
    viewer: tuple[TestClient, str], ids: Seeded, path: str
) -> None:
    client, _ = viewer
    response = client.get(path.format(near_cross=ids.near_cross))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "<script>" not in response.text  # only <script src=...> tags
    assert '<script src="/static/review.js" defer></script>' in response.text


def test_root_redirects_to_queue(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 303 and response.headers["location"] == "/review"


def test_login_page_renders_and_static_files_serve(client: TestClient) -> None:
    page = client.get("/review/login")
    assert page.status_code == 200 and 'name="password"' in page.text
    assert client.get("/static/review.css").status_code == 200
    js = client.get("/static/review.js")
    assert js.status_code == 200 and "keydown" in js.text


def test_queue_lists_pending_newest_first_with_counts(
    viewer: tuple[TestClient, str], ids: Seeded
) -> None:
    client, _ = viewer
    html = client.get("/review?view=paragraphs").text
    order = [
        html.index(f'id="row-{i}"')
        for i in (ids.hostile, ids.boilerplate, ids.near_within, ids.exact_cross, ids.near_cross)
    ]
    assert order == sorted(order)
    assert '<span class="count" id="queue-total">5</span>' in html
    assert 'Pending <span class="count">5</span>' in html


def test_viewer_sees_no_decision_buttons(viewer: tuple[TestClient, str], ids: Seeded) -> None:
    client, _ = viewer
    assert "/decide" not in client.get("/review").text
    assert "only editors can decide" in client.get(f"/review/pair/{ids.near_cross}").text


def test_unknown_pair_is_404_page(viewer: tuple[TestClient, str]) -> None:
    client, _ = viewer
    response = client.get("/review/pair/99999")
    assert response.status_code == 404 and "no flagged pair" in response.text
