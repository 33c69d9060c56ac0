"""GET /api/v1/articles and /articles/{id}: pages, filters, search, details, errors."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from storage.db import make_engine
from tests.api.conftest import SeededDb
from webapp.api.cursor import encode_cursor


def _all_ids(client: TestClient, limit: int, **params: Any) -> list[int]:
    ids: list[int] = []
    cursor = None
    for _ in range(100):
        query = {**params, "limit": limit}
        if cursor:
            query["cursor"] = cursor
        response = client.get("/api/v1/articles", params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        assert len(body["items"]) <= limit
        ids.extend(item["id"] for item in body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return ids
    raise AssertionError("pagination did not end")


def _ids(client: TestClient, **params: Any) -> set[int]:
    return set(_all_ids(client, 200, **params))


def test_pagination_is_complete_and_stable(client: TestClient, seeded: SeededDb) -> None:
    everything = sorted(seeded.ids.articles.values())
    for limit in (1, 7, 28, 200):
        assert _all_ids(client, limit) == everything
    first = client.get("/api/v1/articles", params={"limit": 7}).json()
    again = client.get("/api/v1/articles", params={"limit": 7}).json()
    assert first == again
    assert first["next_cursor"] is not None
    last = client.get("/api/v1/articles", params={"limit": 200}).json()
    assert last["next_cursor"] is None


def test_item_fields(client: TestClient, seeded: SeededDb) -> None:
    a = seeded.ids.articles
    items = {
        i["id"]: i for i in client.get("/api/v1/articles", params={"limit": 200}).json()["items"]
    }
    cranes, copy = items[a["cranes"]], items[a["cranes_copy"]]
    assert cranes["source"] == "lowmere-ledger"
    assert cranes["published_at"] == "2026-11-01T09:00:00Z"
    assert cranes["authors"] == ["M. Tern"]
    assert cranes["is_canonical"] is True and copy["is_canonical"] is False
    assert cranes["cluster_id"] == copy["cluster_id"] == seeded.ids.clusters["cranes"]
    assert copy["paragraph_count"] == 3 and copy["duplicate_paragraphs"] == 3
    assert cranes["duplicate_paragraphs"] == 0
    assert items[a["wind"]]["duplicate_paragraphs"] == 1
    assert items[a["ferry"]]["duplicate_paragraphs"] == 0  # its flag was rejected
    assert items[a["note"]]["published_at"] is None
    assert "text" not in cranes


def test_filters(client: TestClient, seeded: SeededDb) -> None:
    a = seeded.ids.articles
    ledger = {v for k, v in a.items() if k in ("cranes", "wind", "note") or "bulletin" in k}
    assert _ids(client, source="lowmere-ledger") == ledger
    assert _ids(client, source="no-such-source") == set()
    assert _ids(client, language="de") == {a["wind"]}
    assert _ids(client, published_since="2026-11-05T08:00:00Z") == {
        a["ferry"],
        a["operators"],
        a["tram_a"],
        a["tram_b"],
    }
    assert _ids(
        client, published_since="2026-11-01T00:00:00", published_until="2026-11-03T12:00:00Z"
    ) == {a["cranes"], a["cranes_copy"]}
    # an offset is converted to UTC: 10:00+01:00 is 09:00Z
    assert a["cranes"] in _ids(client, published_since="2026-11-01T10:00:00+01:00")
    assert _ids(client, published_since="2026-11-01", source="harbourline", language="en") == {
        a["cranes_copy"],
        a["ferry"],
        a["operators"],
    }


def test_duplicate_status_filters(client: TestClient, seeded: SeededDb) -> None:
    a = seeded.ids.articles
    everything = set(a.values())
    assert _ids(client, status="canonical") == seeded.ids.canonical
    assert _ids(client, status="copy") == {a["cranes_copy"], a["tram_b"]}
    flagged = {a["cranes_copy"], a["wind"], a["tram_b"]}
    assert _ids(client, status="has_flags") == flagged
    assert _ids(client, status="clean") == everything - flagged
    assert _ids(client, status="canonical", source="quayside-daily") == {a["tram_a"]}


def test_canonical_filter_agrees_with_the_view(client: TestClient, seeded: SeededDb) -> None:
    engine = make_engine(seeded.url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT article_id FROM canonical_articles")).scalars()
            view = set(rows)
    finally:
        engine.dispose()
    assert view == seeded.ids.canonical == _ids(client, status="canonical")


def test_full_text_search(client: TestClient, seeded: SeededDb) -> None:
    a = seeded.ids.articles
    assert _ids(client, q="dockworkers") == {a["cranes"], a["cranes_copy"]}
    assert _ids(client, q="Harbour cranes") == {a["cranes"], a["cranes_copy"]}
    assert _ids(client, q="cranes ferry") == set()  # every word must occur
    assert _ids(client, q="Windpark") == {a["wind"]}  # title and text
    assert _ids(client, q="lighthouse") == {a["note"]}
    assert _ids(client, q="LIGHTHOUSE") == {a["note"]}
    bulletins = {v for k, v in a.items() if "bulletin" in k}
    assert set(_all_ids(client, 5, q="tide")) == bulletins  # paged search
    assert _ids(client, q="dockworkers", status="copy") == {a["cranes_copy"]}
    assert _ids(client, q="zeppelin") == set()


@pytest.mark.parametrize(
    "query",
    [
        "NEAR(pump valve)",
        '"quoted * terms"',
        "title: OR",
        '"',
        "pump AND valve",
        "*",
        "a' OR 1=1 --",
        "(((",
        "^start -minus",
        "Küste",
    ],
)
def test_search_syntax_never_errors(client: TestClient, query: str) -> None:
    response = client.get("/api/v1/articles", params={"q": query})
    assert response.status_code == 200, response.text


def test_search_operators_are_words(client: TestClient, seeded: SeededDb) -> None:
    assert _ids(client, q="NEAR(pump valve)") == {seeded.ids.articles["operators"]}


def test_article_detail(client: TestClient, seeded: SeededDb) -> None:
    a = seeded.ids.articles
    body = client.get(f"/api/v1/articles/{a['wind']}").json()
    assert body["id"] == a["wind"] and body["language"] == "de"
    assert body["text"].startswith("Vor der Küste")
    assert [p["position"] for p in body["paragraphs"]] == [0, 1, 2]
    assert body["paragraphs"][0]["flags"] == []
    (flag,) = body["paragraphs"][2]["flags"]
    assert flag["kind"] == "exact_within"
    assert flag["matched_article_id"] == a["wind"] and flag["matched_position"] == 0
    assert flag["review_state"] == "pending"

    ferry = client.get(f"/api/v1/articles/{a['ferry']}").json()
    (rejected,) = ferry["paragraphs"][1]["flags"]
    assert rejected["review_state"] == "not_duplicate"
    assert rejected["matched_article_id"] == a["note"]
    assert ferry["duplicate_paragraphs"] == 0


def test_article_not_found(client: TestClient) -> None:
    response = client.get("/api/v1/articles/999999")
    assert response.status_code == 404
    assert response.json() == {"detail": "no article 999999"}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"status": "original"}, "status"),
        ({"published_since": "last tuesday"}, "published_since"),
        ({"published_until": "2026-13-01"}, "published_until"),
        ({"published_since": "0001-01-01T00:00:00+05:00"}, "published_since"),
        ({"cursor": "not a cursor"}, "cursor"),
        ({"cursor": "bm90LWpzb24"}, "cursor"),  # base64 of "not-json"
        ({"cursor": encode_cursor("clusters", 3)}, "cursor"),  # another list's
        ({"cursor": "eyJrIjoiYXJ0aWNsZXMiLCJhIjotMX0"}, "cursor"),  # after -1
        ({"q": "   "}, "q"),
        ({"q": "x" * 501}, "q"),
        ({"q": "nul\x00byte"}, "q"),
        ({"source": "a\x00b"}, "source"),
    ],
)
def test_bad_parameters_422_with_reason(
    client: TestClient, params: dict[str, Any], field: str
) -> None:
    response = client.get("/api/v1/articles", params=params)
    assert response.status_code == 422, response.text
    errors = response.json()["detail"]
    assert any(e["loc"][-1] == field and e["msg"] for e in errors), errors


@pytest.mark.parametrize(
    "path", ["/api/v1/articles/0", "/api/v1/articles/abc", "/api/v1/articles/99999999999"]
)
def test_bad_ids_422(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 422
