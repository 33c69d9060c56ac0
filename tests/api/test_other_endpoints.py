"""GET /api/v1/clusters, /clusters/{id}, /sources and /runs."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import SeededDb


def test_clusters_list_and_pages(client: TestClient, seeded: SeededDb) -> None:
    body = client.get("/api/v1/clusters").json()
    assert [c["id"] for c in body["items"]] == sorted(seeded.ids.clusters.values())
    assert body["next_cursor"] is None
    cranes = body["items"][0]
    assert cranes["member_count"] == 2
    assert cranes["original_article_id"] == seeded.ids.articles["cranes"]
    assert cranes["original_reason"] == "published first"
    assert cranes["created_at"].endswith("Z")

    first = client.get("/api/v1/clusters", params={"limit": 1}).json()
    assert len(first["items"]) == 1 and first["next_cursor"]
    second = client.get(
        "/api/v1/clusters", params={"limit": 1, "cursor": first["next_cursor"]}
    ).json()
    assert [c["id"] for c in first["items"] + second["items"]] == [c["id"] for c in body["items"]]
    assert second["next_cursor"] is None


def test_cluster_detail(client: TestClient, seeded: SeededDb) -> None:
    a = seeded.ids.articles
    body = client.get(f"/api/v1/clusters/{seeded.ids.clusters['tram']}").json()
    assert body["original_article_id"] is None
    members = {m["article_id"]: m for m in body["members"]}
    assert set(members) == {a["tram_a"], a["tram_b"]}
    assert members[a["tram_a"]]["source"] == "quayside-daily"
    assert members[a["tram_a"]]["share_matched"] == 1.0
    cranes = client.get(f"/api/v1/clusters/{seeded.ids.clusters['cranes']}").json()
    originals = [m["article_id"] for m in cranes["members"] if m["is_original"]]
    assert originals == [a["cranes"]]


def test_cluster_not_found_and_bad_cursor(client: TestClient) -> None:
    assert client.get("/api/v1/clusters/424242").status_code == 404
    assert client.get("/api/v1/clusters", params={"cursor": "@@"}).status_code == 422


def test_sources(client: TestClient, seeded: SeededDb) -> None:
    body = client.get("/api/v1/sources").json()
    by_name = {s["name"]: s for s in body["items"]}
    assert set(by_name) == set(seeded.ids.sources)
    assert by_name["harbourline"]["domains"] == ["harbourline.example"]
    assert by_name["harbourline"]["article_count"] == 3
    assert by_name["lowmere-ledger"]["article_count"] == 3 + 20
    assert client.get("/api/v1/sources", params={"limit": 500}).status_code == 422


def test_runs_and_filters(client: TestClient, seeded: SeededDb) -> None:
    body = client.get("/api/v1/runs").json()
    assert [r["id"] for r in body["items"]] == seeded.ids.runs
    ok, failed = body["items"]
    assert ok["source"] == "lowmere-ledger" and ok["status"] == "ok"
    assert failed["message"] == "proxy refused the connection"
    assert ok["finished_at"].endswith("Z") and ok["duplicates"] == {}
    statuses = client.get("/api/v1/runs", params={"status": "failed"}).json()["items"]
    assert [r["id"] for r in statuses] == [failed["id"]]
    by_source = client.get("/api/v1/runs", params={"source": "harbourline"}).json()["items"]
    assert [r["id"] for r in by_source] == [failed["id"]]
    assert client.get("/api/v1/runs", params={"status": "exploded"}).status_code == 422


def test_run_errors_lists_each_bad_input_once(client: TestClient, seeded: SeededDb) -> None:
    from storage.db import make_engine, make_session_factory, session_scope
    from storage.repo.problems import record_problem

    failed = seeded.ids.runs[1]
    engine = make_engine(seeded.url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            url = "https://harbourline.example/feed.xml"
            assert record_problem(session, failed, url, "feed", "not well-formed XML")
            assert not record_problem(session, failed, url, "feed", "still not XML")
    finally:
        engine.dispose()
    body = client.get(f"/api/v1/runs/{failed}/errors").json()
    assert body["run_id"] == failed
    assert [(p["url"], p["kind"], p["attempts"]) for p in body["items"]] == [
        ("https://harbourline.example/feed.xml", "feed", 2)
    ]
    assert body["items"][0]["reason"] == "still not XML"
    assert body["items"][0]["first_seen_at"].endswith("Z")
    assert client.get(f"/api/v1/runs/{seeded.ids.runs[0]}/errors").json()["items"] == []
    assert client.get("/api/v1/runs/999999/errors").status_code == 404
