"""Article level: which stored articles a new article copies, and which member of a group
of copies is the original. Pure functions over plain dataclasses.

A new article joins a stored article only on direct evidence between the two (a share of
its paragraphs verified as repeats of that article's paragraphs), never because both
resemble a third article: clusters are not grown by transitive closure.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from crawler.dedup.engine import EXACT_CROSS, NEAR_CROSS, Match

CREDIT_LINE = re.compile(
    r"\b(originally\s+(appeared|published|posted)|first\s+(appeared|published)|"
    r"republished\s+(from|with)|reprinted\s+(from|with)|syndicated\s+from|"
    r"this\s+(article|story)\s+(was|is)\s+(from|by|courtesy))\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ArticleOverlap:
    """Verified paragraph matches between a new article and one stored article.

    Attributes:
        article: the stored article's id.
        matched: paragraphs of the new article verified as repeats of this article's.
        new_paragraphs: paragraphs of the new article that can match (not too short).
        stored_paragraphs: the same count for the stored article.
    """

    article: int
    matched: int
    new_paragraphs: int
    stored_paragraphs: int

    @property
    def share(self) -> float:
        """Matched paragraphs over the smaller article (a trimmed copy still scores 1)."""
        smaller = min(self.new_paragraphs, self.stored_paragraphs)
        return min(1.0, self.matched / smaller) if smaller > 0 else 0.0


def overlaps_from_matches(
    matches: Iterable[Match],
    article_of: Mapping[int, int],
    new_paragraphs: int,
    stored_paragraphs: Mapping[int, int],
) -> list[ArticleOverlap]:
    """Count, per stored article, the distinct paragraphs of the new article matched to it.

    Args:
        matches: the engine's matches for the new article (within-article ones ignored).
        article_of: stored paragraph key -> its article id.
        new_paragraphs: paragraphs of the new article that can match.
        stored_paragraphs: stored article id -> its count of paragraphs that can match.
    """
    seen: dict[int, set[int]] = defaultdict(set)
    for m in matches:
        if m.kind in (EXACT_CROSS, NEAR_CROSS) and m.other in article_of:
            seen[article_of[m.other]].add(m.index)
    return [
        ArticleOverlap(art, len(idx), new_paragraphs, stored_paragraphs.get(art, 0))
        for art, idx in sorted(seen.items())
    ]


def syndicated_copies(
    overlaps: Iterable[ArticleOverlap], min_share: float = 0.5, min_matched: int = 2
) -> list[tuple[int, float]]:
    """Stored articles the new article is a syndicated copy of: ``(article, share)``, best
    first. Each pair stands on its own verified paragraph matches.

    Args:
        overlaps: per stored article, the verified matches.
        min_share: least share of the smaller article's paragraphs matched.
        min_matched: least matched paragraphs (one shared paragraph is a quote, not a copy),
            lowered to the smaller article's size for one- or two-paragraph articles.
    """
    out = []
    for o in overlaps:
        need = min(min_matched, max(1, min(o.new_paragraphs, o.stored_paragraphs)))
        if o.matched >= need and o.share >= min_share:
            out.append((o.article, o.share))
    out.sort(key=lambda t: (-t[1], t[0]))
    return out


@dataclass(frozen=True)
class ArticleEvidence:
    """What a cluster member tells about who published first.

    Attributes:
        article: the article's id.
        url: where it was fetched.
        site: the publisher's name (as in a credit line), may be empty.
        canonical_url: the page's ``rel=canonical`` link, if any.
        credit_text: a credit line found in the article ("originally appeared on ..."),
            see :func:`find_credit_line`.
        published: the date the page states, if any.
        first_seen: when the crawler first fetched it.
    """

    article: int
    url: str
    first_seen: datetime
    site: str = ""
    canonical_url: str | None = None
    credit_text: str | None = None
    published: datetime | None = None


def find_credit_line(paragraphs: Iterable[str]) -> str | None:
    """The first paragraph that reads like a syndication credit line, if any."""
    for p in paragraphs:
        if len(p) <= 400 and CREDIT_LINE.search(p):
            return p
    return None


def _norm_url(url: str) -> str:
    parts = urlsplit(url.strip())
    host = parts.netloc.lower().removeprefix("www.")
    return f"{host}{parts.path.rstrip('/')}"


def _host(url: str) -> str:
    return urlsplit(url.strip()).netloc.lower().removeprefix("www.")


def choose_original(members: Sequence[ArticleEvidence]) -> tuple[int, str]:
    """Pick the original of a group of copies, with the reason.

    Evidence, strongest first: canonical links of other members pointing at a member;
    credit lines naming a member's site, host or URL; the earliest stated publication
    date; the earliest first-seen time; the lowest id.

    Raises:
        ValueError: for an empty group.
    """
    if not members:
        raise ValueError("choose_original needs at least one article")
    if len(members) == 1:
        return members[0].article, "only member"
    by_url = {_norm_url(m.url): m for m in members}

    votes: Counter[int] = Counter()
    for m in members:
        if m.canonical_url:
            target = by_url.get(_norm_url(m.canonical_url))
            if target is not None and target.article != m.article:
                votes[target.article] += 1
    if votes:
        (best, n), *rest = votes.most_common()
        if not rest or rest[0][1] < n:
            return best, f"canonical link: {n} member(s) point to article {best}"

    credits: Counter[int] = Counter()
    for m in members:
        if not m.credit_text:
            continue
        text = m.credit_text.lower()
        for other in members:
            if other.article == m.article:
                continue
            names = [other.site.lower(), _host(other.url), _norm_url(other.url)]
            if any(name and name in text for name in names):
                credits[other.article] += 1
    if credits:
        (best, n), *rest = credits.most_common()
        if not rest or rest[0][1] < n:
            return best, f"credit line: {n} member(s) credit article {best}"

    dated = [m for m in members if m.published is not None]
    if dated:
        first = min(dated, key=lambda m: (m.published, m.first_seen, m.article))
        ties = [m for m in dated if m.published == first.published]
        if len(ties) == 1:
            return first.article, f"earliest published date {first.published:%Y-%m-%d %H:%M}"
    first = min(members, key=lambda m: (m.first_seen, m.article))
    return first.article, f"earliest first seen {first.first_seen:%Y-%m-%d %H:%M:%S}"
