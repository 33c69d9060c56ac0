"""The queue's filters, counts and pagination."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Source
from tests.webapp.review.seed import Seeded


def row_ids(html: str) -> set[int]:
    return {int(i) for i in re.findall(r'id="row-(\d+)"', html)}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=within", {"near_within"}),
        ("kind=syndicated", {"near_cross", "exact_cross", "hostile"}),
        ("kind=boilerplate", {"boilerplate"}),
        ("min=0.9", {"near_cross", "exact_cross", "boilerplate"}),
        ("min=0.6&max=0.95", {"near_cross", "near_within"}),
        ("from=2026-11-22&to=2026-11-23", {"near_within", "boilerplate"}),
        ("state=duplicate", set()),
        ("state=all", {"near_cross", "exact_cross", "near_within", "boilerplate", "hostile"}),
    ],
)
def test_filters(
    viewer: tuple[TestClient, str], ids: Seeded, query: str, expected: set[str]
) -> None:
    client, _ = viewer
    html = client.get(f"/review?{query}&view=paragraphs").text
    assert row_ids(html) == {getattr(ids, name) for name in expected}


def test_source_filter_matches_either_side(
    viewer: tuple[TestClient, str], ids: Seeded, db: Session
) -> None:
    client, _ = viewer
    courier = db.scalars(select(Source.id).where(Source.name == "inland-courier")).one()
    assert row_ids(client.get(f"/review?source={courier}&view=paragraphs").text) == {
        ids.near_within,
        ids.hostile,
    }


def test_marked_boilerplate_shows_under_boilerplate_kind(
    editor: tuple[TestClient, str], ids: Seeded
) -> None:
    client, csrf = editor
    client.post(
        f"/review/pair/{ids.near_within}/decide",
        data={"csrf_token": csrf, "decision": "boilerplate"},
    )
    html = client.get("/review?kind=boilerplate&state=all&view=paragraphs").text
    assert row_ids(html) == {ids.boilerplate, ids.near_within}


def test_bad_filter_values_are_reported_not_fatal(viewer: tuple[TestClient, str]) -> None:
    client, _ = viewer
    response = client.get(
        "/review?kind=weird&min=2&from=yesterday&state=maybe&source=x&page=z&view=paragraphs"
    )
    assert response.status_code == 200
    for word in ("ignored kind", "ignored minimum score", "ignored start date", "ignored state"):
        assert word in response.text
    assert len(row_ids(response.text)) == 5


def test_pagination(viewer: tuple[TestClient, str], monkeypatch: pytest.MonkeyPatch) -> None:
    from webapp.review import pages_queue

    monkeypatch.setattr(pages_queue, "PER_PAGE", 2)
    client, _ = viewer
    responses = [client.get(f"/review?page={n}&view=paragraphs") for n in (1, 2, 3, 4)]
    pages = [row_ids(r.text) for r in responses]
    assert [len(p) for p in pages] == [2, 2, 1, 0]
    assert len(set().union(*pages)) == 5
    assert "Page 1 of 3" in client.get("/review?view=paragraphs").text
    # Past the end: a 404 page that says so and links to the last page (not "queue clear").
    assert responses[3].status_code == 404
    assert "No page 4" in responses[3].text and "queue is clear" not in responses[3].text


def test_pair_page_highlights_shared_words_and_shows_cluster(
    viewer: tuple[TestClient, str], ids: Seeded
) -> None:
    client, _ = viewer
    html = client.get(f"/review/pair/{ids.near_cross}").text
    assert "<mark>" in html
    assert "harbour board voted on Tuesday to" in html
    assert "jaccard" in html and "minhash+jaccard" in html
    assert 'href="https://coastline-wire.example/tugs"' in html
    assert 'href="https://harbour-herald.example/2026/tugs"' in html
    assert "Syndication cluster" in html and "Original" in html


def test_dashboard_draws_svg(viewer: tuple[TestClient, str]) -> None:
    client, _ = viewer
    html = client.get("/review/dashboard").text
    assert html.count("<svg") == 3  # the 30-day chart, its 14-day phone version, the graph
    assert "harbour-herald republished 1 story of coastline-wire" in html
    assert "inland-courier (2)" in html  # legend with total
