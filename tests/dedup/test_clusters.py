from __future__ import annotations

import itertools
from datetime import datetime

import pytest

from crawler.dedup import Match
from crawler.dedup.clusters import (
    RULE_CANONICAL,
    RULE_CONTAINS,
    RULE_CREDIT,
    RULE_KEY,
    RULE_ONLY,
    RULE_PUBLISHED,
    ArticleEvidence,
    ArticleOverlap,
    CopyTarget,
    choose_original,
    copy_targets,
    find_credit_line,
    matched_paragraphs,
    overlaps_from_matches,
    syndicated_copies,
)

T0 = datetime(2026, 3, 1, 8, 0)


def _m(index: int, other: int, kind: str = "near_cross") -> Match:
    return Match(index, other, kind, "test", 1.0, {})


def test_overlaps_count_distinct_paragraphs_per_article() -> None:
    matches = [_m(0, 11), _m(1, 12, "exact_cross"), _m(1, 13), _m(2, 21), _m(3, 0, "near_within")]
    article_of = {11: 1, 12: 1, 13: 1, 21: 2}
    got = overlaps_from_matches(
        matches, article_of, new_paragraphs=4, stored_paragraphs={1: 6, 2: 4}
    )
    assert got == [ArticleOverlap(1, 2, 4, 6), ArticleOverlap(2, 1, 4, 4)]
    assert got[0].share == 0.5


def test_syndicated_copies_need_share_and_two_paragraphs() -> None:
    overlaps = [
        ArticleOverlap(1, 4, 5, 5),  # 0.8
        ArticleOverlap(2, 1, 5, 5),  # one quoted paragraph
        ArticleOverlap(3, 2, 5, 2),  # trimmed 2-paragraph copy: share 1.0
        ArticleOverlap(4, 2, 8, 8),  # 0.25
        ArticleOverlap(5, 1, 1, 9),  # one-paragraph article fully matched
    ]
    assert syndicated_copies(overlaps) == [(3, 1.0), (5, 1.0), (1, 0.8)]
    assert syndicated_copies([ArticleOverlap(6, 0, 0, 0)]) == []


def test_copy_targets_sum_the_evidence_of_a_cluster() -> None:
    # Six paragraphs, each best-matched to one of three stored copies of the same story
    # (cluster 7): two each, a third of the article per copy, all of it per cluster.
    matches = [_m(i, 100 + i) for i in range(6)]
    article_of = {100 + i: 1 + i % 3 for i in range(6)}
    stored = {1: 6, 2: 6, 3: 6}
    overlaps = overlaps_from_matches(matches, article_of, 6, stored)
    assert syndicated_copies(overlaps) == []  # no single copy reaches half
    got = copy_targets(overlaps, {1: 7, 2: 7, 3: 7}, matched_paragraphs(matches, article_of))
    assert got == [CopyTarget(7, (1, 2, 3), 6, 1.0)]
    # the same matches to three articles in no cluster: none is copied
    assert copy_targets(overlaps, {}, matched_paragraphs(matches, article_of)) == []


def test_copy_targets_keep_clusters_and_loose_articles_apart() -> None:
    # first half matched to article 1 (no cluster), second half to articles 2 and 3
    # (cluster 9): the share of a cluster is over its largest matched member (5 paragraphs)
    matches = [_m(0, 10), _m(1, 11), _m(2, 20), _m(3, 21), _m(3, 22)]
    article_of = {10: 1, 11: 1, 20: 2, 21: 2, 22: 3}
    overlaps = overlaps_from_matches(matches, article_of, 4, {1: 2, 2: 2, 3: 5})
    got = copy_targets(overlaps, {2: 9, 3: 9}, matched_paragraphs(matches, article_of))
    assert got == [CopyTarget(None, (1,), 2, 1.0), CopyTarget(9, (2, 3), 2, 0.5)]


def _ev(article: int, url: str, **kw: object) -> ArticleEvidence:
    return ArticleEvidence(article=article, url=url, **kw)  # type: ignore[arg-type]


def _all_orders(members: list[ArticleEvidence]) -> set[tuple[int, str, str]]:
    """The choice for every order of the members (it must not depend on it)."""
    out = set()
    for perm in itertools.permutations(members):
        c = choose_original(perm)
        out.add((c.article, c.rule, c.reason))
    return out


def test_canonical_link_wins() -> None:
    members = [
        _ev(1, "https://a.example/x", published=datetime(2026, 1, 1)),
        _ev(2, "https://www.b.example/story/", canonical_url="https://b.example/story"),
        _ev(3, "https://c.example/copy", canonical_url="https://b.example/story"),
    ]
    assert _all_orders(members) == {
        (2, RULE_CANONICAL, "canonical link: 1 member(s) point to article 2")
    }


def test_credit_line_names_site() -> None:
    members = [
        _ev(1, "https://a.example/x"),
        _ev(2, "https://techwire.example/p/9", site="TechWire"),
        _ev(3, "https://c.example/y", credit_text="This article originally appeared on TechWire."),
    ]
    (got,) = _all_orders(members)
    assert got[:2] == (2, RULE_CREDIT) and got[2].startswith("credit line")


def test_credit_chain_is_followed_to_its_end() -> None:
    # c credits b, b credits a: a copy of a copy. Votes go to a, not one each to a and b.
    members = [
        _ev(1, "http://a.example/n/1", site="Alpha"),
        _ev(
            2,
            "http://b.example/n/2",
            site="Beta",
            credit_text="This article originally appeared on Alpha: http://a.example/n/1",
            credit_url="http://a.example/n/1",
        ),
        _ev(
            3,
            "http://c.example/n/3",
            credit_text="This article originally appeared on Beta: http://b.example/n/2",
            credit_url="http://b.example/n/2",
        ),
    ]
    assert _all_orders(members) == {
        (1, RULE_CREDIT, "credit line: 2 member(s) credit article 1, some through another copy")
    }


def test_original_that_credits_a_site_outside_the_cluster() -> None:
    members = [
        _ev(
            1,
            "http://g.example/n/1",
            site="Gamma News",
            credit_text="This story was first published by Wire Service.",
            published=datetime(2026, 3, 7, 10),
        ),
        _ev(
            2,
            "http://a.example/n/2",
            credit_text="This article originally appeared on Gamma News.",
            published=datetime(2026, 3, 7, 9),  # states an earlier time: credit lines win
        ),
        _ev(3, "http://d.example/n/3", credit_text="Originally published by Gamma News."),
    ]
    ((article, rule, reason),) = _all_orders(members)
    assert (article, rule) == (1, RULE_CREDIT)
    assert "2 member(s)" in reason and "outside the cluster" in reason
    # A member that credits some other page is a copy; the one that credits none is chosen.
    copy_of_wire = _ev(4, "http://e.example/n/4", credit_text="Originally published by Wire.")
    plain = _ev(5, "http://f.example/n/5", published=datetime(2026, 3, 9))
    assert {a for a, _, _ in _all_orders([copy_of_wire, plain])} == {5}


def test_ambiguous_credit_votes_fall_through_to_dates() -> None:
    members = [
        _ev(1, "http://a.example/1", site="Alpha", published=datetime(2026, 2, 3)),
        _ev(2, "http://b.example/2", site="Beta", published=datetime(2026, 2, 1)),
        _ev(3, "http://c.example/3", credit_text="Originally published by Alpha."),
        _ev(4, "http://d.example/4", credit_text="Originally published by Beta."),
    ]
    ((article, rule, reason),) = _all_orders(members)
    assert (article, rule) == (2, RULE_PUBLISHED)
    assert reason.startswith("credit lines or canonical links name 2 members equally")


def test_earliest_published_date() -> None:
    members = [
        _ev(1, "https://a.example/1", published=datetime(2026, 2, 3)),
        _ev(2, "https://b.example/2", published=datetime(2026, 2, 1)),
        _ev(3, "https://c.example/3"),
    ]
    assert _all_orders(members) == {(2, RULE_PUBLISHED, "earliest published date 2026-02-01 00:00")}
    # A bare date ties with any time of the same day.
    bare = _ev(4, "https://d.example/4", published=datetime(2026, 2, 1))
    timed = _ev(5, "https://e.example/5", published=datetime(2026, 2, 1, 9, 30))
    assert {r for _, r, _ in _all_orders([bare, timed])} == {RULE_KEY}


ORIGINAL_TEXT = " ".join(
    f"Paragraph {i} tells how the council voted {i + 3} to {i} on the plan for route {i}."
    for i in range(12)
)


def test_the_member_that_contains_the_others_text() -> None:
    trimmed = ORIGINAL_TEXT[: len(ORIGINAL_TEXT) // 2]
    members = [
        _ev(1, "http://a.example/copy", text=trimmed),
        _ev(2, "http://z.example/original", text=ORIGINAL_TEXT),
        _ev(3, "http://b.example/copy", text=trimmed.replace("council", "city council")),
    ]
    assert _all_orders(members) == {(2, RULE_CONTAINS, "contains the text of 2 other member(s)")}


def test_no_evidence_falls_back_to_a_stable_key_never_the_crawl_order() -> None:
    same = datetime(2026, 3, 1, 12)
    members = [
        _ev(1, "http://zeta.example/a", first_seen=T0, published=same, text=ORIGINAL_TEXT),
        _ev(2, "http://beta.example/b", first_seen=T0.replace(hour=9), published=same),
        _ev(3, "http://gamma.example/c", first_seen=T0.replace(hour=7), published=same),
    ]
    ((article, rule, reason),) = _all_orders(members)
    assert (article, rule) == (2, RULE_KEY)
    assert reason == (
        "3 members share the earliest published date 2026-03-01; "
        "no other evidence: first by URL (http://beta.example/b)"
    )


def test_one_member_and_none() -> None:
    only = choose_original([_ev(1, "https://a.example/1")])
    assert (only.article, only.reason, only.rule) == (1, "only member", RULE_ONLY)
    with pytest.raises(ValueError):
        choose_original([])


def test_find_credit_line() -> None:
    paras = ["Body text here.", "This story was first published by TechWire.", "More."]
    assert find_credit_line(paras) == paras[1]
    assert find_credit_line(["Nothing to see."]) is None
