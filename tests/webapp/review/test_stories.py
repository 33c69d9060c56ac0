"""The story queue: flags grouped by article pair, one decision per story, single
paragraphs still overrulable, search and sort, and the story and cluster pages."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import AuditLog, DuplicateLink
from storage.repo import stories
from storage.repo.review import QueueFilter
from tests.webapp.review.seed import Seeded


def story_keys(html: str) -> list[str]:
    return re.findall(r'id="story-(\d+-\d+)"', html)


def test_queue_groups_flags_by_article_pair(viewer: tuple[TestClient, str], ids: Seeded) -> None:
    client, _ = viewer
    html = client.get("/review").text
    keys = story_keys(html)
    herald = f"{ids.herald_article}-{ids.wire_article}"
    assert len(keys) == 4 and herald in keys  # five flags, four stories
    assert '<span class="count" id="queue-total">5</span>' in html
    row = html[html.index(f'id="story-{herald}"') :]
    row = row[: row.index("</tr>")]
    assert "<strong>2</strong> flagged" in row
    assert "2 of 3 paragraphs · 67% copied" in row
    assert "harbour-herald" in row and "coastline-wire" in row
    assert 'datetime="2026-11-20T08:00:00Z"' in row  # published, with year, in UTC for JS


def test_story_repository_counts(db: Session, ids: Seeded) -> None:
    page = stories.story_page(db, QueueFilter(), per_page=2)
    assert page.total == 4 and page.flags == 5 and page.pages == 2 and len(page.stories) == 2
    story = stories.get_story(db, ids.herald_article, ids.wire_article, QueueFilter())
    assert story is not None and story.flags == 2 and not story.within
    assert story.kinds == {"near_cross": 1, "exact_cross": 1}
    assert round(story.share_copied, 2) == 0.67
    biggest = stories.story_page(db, QueueFilter(sort="size")).stories[0]
    assert biggest.key == story.key
    assert stories.parse_key(story.key) == (ids.herald_article, ids.wire_article)
    assert stories.parse_key("1-²") is None and stories.parse_key("12") is None


def test_one_decision_for_the_story_and_single_paragraphs_overrule(
    editor: tuple[TestClient, str], ids: Seeded, db: Session
) -> None:
    client, csrf = editor
    url = f"/review/story/{ids.herald_article}/{ids.wire_article}"
    page = client.get(url).text
    assert "One decision for the 2" in page and f'id="flag-{ids.near_cross}"' in page
    response = client.post(
        url + "/decide",
        data={"csrf_token": csrf, "decision": "duplicate", "expected": "2", "note": "wire"},
    )
    assert response.status_code == 303
    states = dict(db.execute(select(DuplicateLink.id, DuplicateLink.review_state)).all())
    assert states[ids.near_cross] == states[ids.exact_cross] == "duplicate"
    assert states[ids.hostile] == "pending"
    audit = db.scalars(select(AuditLog)).one()
    assert audit.action == "decide_story:duplicate" and audit.details["count"] == 2
    assert audit.target_id == ids.herald_article
    assert audit.details["original_article"] == ids.wire_article
    # The story is gone from the pending queue ...
    assert f"story-{ids.herald_article}-{ids.wire_article}" not in client.get("/review").text
    # ... and one paragraph of it can still be overruled.
    db.rollback()
    overrule = client.post(
        f"/review/pair/{ids.exact_cross}/decide",
        data={"csrf_token": csrf, "decision": "not_duplicate"},
    )
    assert overrule.status_code == 303
    link = db.get(DuplicateLink, ids.exact_cross)
    assert link is not None and link.review_state == "not_duplicate"
    # A stale count is refused (the pending part of the story is empty now).
    stale = client.post(
        url + "/decide", data={"csrf_token": csrf, "decision": "boilerplate", "expected": "2"}
    )
    assert stale.status_code == 409


def test_search_and_sort(viewer: tuple[TestClient, str], ids: Seeded) -> None:
    client, _ = viewer
    farmers = story_keys(client.get("/review?q=farmers").text)
    assert farmers == [story_keys(client.get("/review?kind=within").text)[0]]
    assert story_keys(client.get("/review?q=farmers+nowhere").text) == []
    assert "The queue is clear" not in client.get("/review?q=nowhere").text
    both = story_keys(client.get("/review?q=ELECTRIC").text)  # titles too, any case
    assert f"{ids.herald_article}-{ids.wire_article}" in both
    assert story_keys(client.get("/review?q=100%25").text) == []  # % is not a wildcard
    oldest = story_keys(client.get("/review?sort=oldest").text)
    newest = story_keys(client.get("/review?sort=newest").text)
    assert oldest == list(reversed(newest))
    rows = re.findall(r'id="row-(\d+)"', client.get("/review?view=paragraphs&sort=score").text)
    assert int(rows[-1]) == ids.hostile  # lowest score last
    bad = client.get("/review?sort=sideways&view=grid")
    assert bad.status_code == 200 and "ignored sort" in bad.text and "ignored view" in bad.text


def test_cluster_page_decides_per_copy_and_names_the_original(
    editor: tuple[TestClient, str], ids: Seeded, db: Session
) -> None:
    client, csrf = editor
    html = client.get(f"/review/cluster/{ids.cluster}").text
    assert "coastline-wire" in html and "Original" in html
    assert f'action="/review/story/{ids.herald_article}/{ids.wire_article}/decide"' in html
    response = client.post(
        f"/review/story/{ids.herald_article}/{ids.wire_article}/decide",
        data={
            "csrf_token": csrf,
            "decision": "duplicate",
            "expected": "2",
            "next": f"/review/cluster/{ids.cluster}",
        },
    )
    assert response.headers["location"] == f"/review/cluster/{ids.cluster}"
    assert client.get(f"/review/cluster/{ids.cluster}").status_code == 200


def test_compare_page_can_decide(editor: tuple[TestClient, str], ids: Seeded) -> None:
    client, _ = editor
    html = client.get(f"/review/compare/{ids.wire_article}/{ids.herald_article}").text
    assert "Decide from here" in html
    assert f'action="/review/story/{ids.herald_article}/{ids.wire_article}/decide"' in html


def test_viewer_cannot_decide_stories_or_bulk(
    viewer: tuple[TestClient, str], ids: Seeded, db: Session
) -> None:
    client, csrf = viewer
    key = f"{ids.herald_article}-{ids.wire_article}"
    posts = [
        (f"/review/story/{ids.herald_article}/{ids.wire_article}/decide", {}),
        ("/review/bulk/preview", {"story": key}),
        ("/review/bulk", {"story": key, "expected": "2"}),
        ("/review/undo/1", {}),
    ]
    for url, extra in posts:
        data = {"csrf_token": csrf, "decision": "duplicate", **extra}
        assert client.post(url, data=data).status_code == 403, url
    assert db.scalars(select(AuditLog)).all() == []
    assert 'name="story"' not in client.get("/review").text
