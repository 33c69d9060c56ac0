from __future__ import annotations

from datetime import datetime

import pytest

from crawler.dedup import Match
from crawler.dedup.clusters import (
    ArticleEvidence,
    ArticleOverlap,
    choose_original,
    find_credit_line,
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


def _ev(article: int, url: str, seen_min: int, **kw: object) -> ArticleEvidence:
    return ArticleEvidence(
        article=article,
        url=url,
        first_seen=T0.replace(minute=seen_min),
        **kw,  # type: ignore[arg-type]
    )


def test_canonical_link_wins() -> None:
    members = [
        _ev(1, "https://a.example/x", 0, published=datetime(2026, 1, 1)),
        _ev(2, "https://www.b.example/story/", 5, canonical_url="https://b.example/story"),
        _ev(3, "https://c.example/copy", 9, canonical_url="https://b.example/story"),
    ]
    assert choose_original(members) == (2, "canonical link: 1 member(s) point to article 2")


def test_credit_line_names_site() -> None:
    members = [
        _ev(1, "https://a.example/x", 0),
        _ev(2, "https://techwire.example/p/9", 5, site="TechWire"),
        _ev(
            3, "https://c.example/y", 1, credit_text="This article originally appeared on TechWire."
        ),
    ]
    original, reason = choose_original(members)
    assert original == 2 and reason.startswith("credit line")


def test_earliest_published_then_first_seen() -> None:
    members = [
        _ev(1, "https://a.example/1", 0, published=datetime(2026, 2, 3)),
        _ev(2, "https://b.example/2", 9, published=datetime(2026, 2, 1)),
        _ev(3, "https://c.example/3", 1),
    ]
    assert choose_original(members) == (2, "earliest published date 2026-02-01 00:00")
    undated = [_ev(1, "https://a.example/1", 7), _ev(2, "https://b.example/2", 3)]
    assert choose_original(undated) == (2, "earliest first seen 2026-03-01 08:03:00")
    assert choose_original(undated[:1]) == (1, "only member")
    with pytest.raises(ValueError):
        choose_original([])


def test_find_credit_line() -> None:
    paras = ["Body text here.", "This story was first published by TechWire.", "More."]
    assert find_credit_line(paras) == paras[1]
    assert find_credit_line(["Nothing to see."]) is None
