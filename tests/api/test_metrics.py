"""``GET /metrics`` of ``newsdedup serve``: Prometheus text built from the database."""

from __future__ import annotations

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def test_metrics_page_counts_what_the_database_holds(anon: TestClient) -> None:
    response = anon.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples = _samples(response.text)
    assert samples[("newsdedup_database_up", ())] == 1.0
    assert samples[("newsdedup_articles", ())] >= 3
    assert samples[("newsdedup_runs_total", (("source", "lowmere-ledger"), ("status", "ok")))] == 1
    assert samples[("newsdedup_runs_total", (("source", "harbourline"), ("status", "failed")))] == 1
    # the last success is known for the source whose run was ok, and only for it
    assert (
        "newsdedup_source_last_success_timestamp_seconds",
        (("source", "lowmere-ledger"),),
    ) in samples
    assert (
        "newsdedup_source_last_success_timestamp_seconds",
        (("source", "harbourline"),),
    ) not in samples
    kinds = {labels for name, labels in samples if name == "newsdedup_duplicate_flags"}
    assert kinds, "the seeded flags are counted by kind"
