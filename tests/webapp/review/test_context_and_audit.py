"""The pair page's context and plain-words reasons, the audit log's filters and readable
details, the dashboard's single Boilerplate card."""

from __future__ import annotations

from fastapi.testclient import TestClient
from markupsafe import escape

from tests.webapp.review.seed import COURIER, HERALD, WIRE, Seeded
from webapp.review.explain import Member, cluster_reason, method_words, score_words


def test_pair_page_shows_neighbouring_paragraphs_and_reasons(
    viewer: tuple[TestClient, str], ids: Seeded
) -> None:
    client, _ = viewer
    html = client.get(f"/review/pair/{ids.near_cross}").text
    assert str(escape(WIRE[1])) in html and str(escape(HERALD[1])) in html  # the next ones
    assert 'class="context after"' in html
    assert "Why this was flagged" in html
    assert "share of all distinct words that both sides use" in html  # jaccard, in words
    assert f"/review/story/{ids.herald_article}/{ids.wire_article}" in html
    within = client.get(f"/review/pair/{ids.near_within}").text
    assert str(escape(COURIER[1])) in within  # between the repeat and the paragraph it repeats


def test_method_and_score_words() -> None:
    assert "every sentence of one side" in method_words("minhash+verify:sentence-containment")
    assert "30%" in method_words("minhash+verify:idf-novelty+immutables")
    assert method_words("something-new") == "Flagged by something-new."
    explained = {e.name: e for e in score_words({"name_conflict": 1.0, "novelty": 0.12})}
    assert explained["name_conflict"].value == "yes"
    assert explained["name_conflict"].label == "Different names"
    assert explained["novelty"].value == "12%"


def test_cluster_reason_names_the_articles() -> None:
    members = [Member(3, "techwire", "Regional chip plants"), Member(4, "gadgetdaily", "Chips")]
    credit = cluster_reason("credit line: 1 member(s) credit article 3", members)
    assert credit == "1 copy credits techwire's article “Regional chip plants” in a credit line."
    canonical = cluster_reason("canonical link: 2 member(s) point to article 3", members)
    assert "2 copies point to techwire's article" in canonical
    earliest = cluster_reason("earliest published date 2026-01-05 09:00", members, 4)
    assert earliest.startswith("Gadgetdaily's article “Chips” was published first (2026-01-05")
    assert cluster_reason(None, members) == "No reason recorded."


def test_audit_filters_and_readable_details(editor: tuple[TestClient, str], ids: Seeded) -> None:
    client, csrf = editor
    client.post(
        f"/review/pair/{ids.near_cross}/decide", data={"csrf_token": csrf, "decision": "duplicate"}
    )
    client.post(
        f"/review/story/{ids.courier_article}/{ids.courier_article}/decide",
        data={"csrf_token": csrf, "decision": "not_duplicate", "expected": "1"},
    )
    html = client.get("/review/audit").text
    assert f"Marked flag #{ids.near_cross} as duplicate (was pending)." in html
    assert f"Marked 1 paragraph of article #{ids.courier_article} inside the article" in html
    assert "{'" not in html and "previous=" not in html  # no Python dicts
    only_story = client.get("/review/audit?action=decide_story").text
    assert "Marked flag #" not in only_story and "Marked 1 paragraph" in only_story
    assert "Marked flag" in client.get("/review/audit?user=edna").text
    assert "No entries match" in client.get("/review/audit?user=nobody").text
    assert "No entries match" in client.get("/review/audit?from=2001-01-01&to=2001-01-02").text
    bad = client.get("/review/audit?from=yesterday")
    assert bad.status_code == 200 and "ignored from" in bad.text
    past = client.get("/review/audit?page=9")
    assert past.status_code == 404 and "No page 9" in past.text


def test_dashboard_has_one_boilerplate_card(viewer: tuple[TestClient, str]) -> None:
    client, _ = viewer
    html = client.get("/review/dashboard").text
    section = html[html.index('<section class="stats">') :]
    section = section[: section.index("</section>")]
    assert section.count("Boilerplate") == 1
