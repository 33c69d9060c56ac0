"""Scraped text is shown as text: script and onerror payloads are escaped everywhere."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.webapp.review.seed import IMG_PAYLOAD, SCRIPT_PAYLOAD, Seeded
from webapp.review.charts import daily_bars
from webapp.review.graph import republish_graph


def test_payloads_are_escaped_in_queue_and_pair(
    viewer: tuple[TestClient, str], ids: Seeded
) -> None:
    client, _ = viewer
    for path in ("/review", f"/review/pair/{ids.hostile}"):
        html = client.get(path).text
        assert SCRIPT_PAYLOAD not in html
        assert IMG_PAYLOAD not in html
        assert "onerror=alert(1)>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    pair = client.get(f"/review/pair/{ids.hostile}").text
    assert "&lt;img src=x onerror=alert(1)&gt;" in pair
    assert "Letters &lt;script&gt;" in pair  # the title too


def test_javascript_url_is_never_a_link(viewer: tuple[TestClient, str], ids: Seeded) -> None:
    client, _ = viewer
    html = client.get(f"/review/pair/{ids.hostile}").text
    assert 'href="javascript:' not in html
    assert "javascript:alert(1)" in html  # shown as text


def test_svg_labels_are_escaped() -> None:
    from datetime import date

    bars = str(daily_bars([date(2026, 1, 1)], {"<script>x</script>": [3]}))
    assert "<script>" not in bars and "&lt;script&gt;x&lt;/script&gt;" in bars
    graph = str(republish_graph({("<img src=x onerror=alert(1)>", "wire"): 2}))
    assert "<img" not in graph and "&lt;img src=x onerror=alert(1)&gt;" in graph
