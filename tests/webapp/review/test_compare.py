"""Two whole articles side by side."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.webapp.review.seed import SCRIPT_PAYLOAD, Seeded


def test_compare_marks_flagged_paragraphs(viewer: tuple[TestClient, str], ids: Seeded) -> None:
    client, _ = viewer
    pair = client.get(f"/review/pair/{ids.near_cross}").text
    url = f"/review/compare/{ids.wire_article}/{ids.herald_article}"
    assert f'href="{url}"' in pair
    response = client.get(url)
    assert response.status_code == 200
    html = response.text
    assert html.count('class="para linked"') == 4  # two flagged pairs, both sides
    assert "<mark>" in html and "Sign up to the Harbour Herald" in html
    assert "2 paragraphs of the left article flagged" in html


def test_compare_escapes_and_404s(viewer: tuple[TestClient, str], ids: Seeded) -> None:
    client, _ = viewer
    pair = client.get(f"/review/pair/{ids.hostile}").text
    start = pair.index('href="/review/compare/') + len('href="')
    url = pair[start : pair.index('"', start)]
    html = client.get(url).text
    assert SCRIPT_PAYLOAD not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert client.get(f"/review/compare/{ids.wire_article}/99999").status_code == 404


def test_compare_needs_login(client: TestClient, ids: Seeded) -> None:
    response = client.get(f"/review/compare/{ids.wire_article}/{ids.herald_article}")
    assert response.status_code == 303
