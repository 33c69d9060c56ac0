"""Article level: which stored articles a new article copies, and which member of a group
of copies is the original. Pure functions over plain dataclasses.

A new article joins a cluster only on direct evidence: a share of its paragraphs
verified as repeats of paragraphs of the cluster's members (:func:`copy_targets`). When
it copies members of two clusters, or articles in none, they all end up in one cluster,
so the clusters are the same whichever of the copies was crawled first. The original is
chosen from what the members say (:func:`choose_original`), never from the crawl order,
and is chosen again whenever a member joins or changes.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
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
class CopyTarget:
    """A group of stored articles that a new article verifiably copies: the members of one
    cluster, or one article in no cluster.

    Attributes:
        cluster: the cluster's id; None for an article in no cluster.
        articles: the stored articles of the group that the new article's paragraphs matched.
        matched: distinct paragraphs of the new article verified as repeats of the group's.
        share: ``matched`` over the smaller of the new article and the group's largest
            matched article (a trimmed copy still scores 1).
    """

    cluster: int | None
    articles: tuple[int, ...]
    matched: int
    share: float


def copy_targets(
    overlaps: Iterable[ArticleOverlap],
    cluster_of: Mapping[int, int],
    new_paragraphs: Mapping[int, frozenset[int]] | None = None,
    min_share: float = 0.5,
    min_matched: int = 2,
) -> list[CopyTarget]:
    """The clusters (and unclustered articles) a new article is a syndicated copy of, best
    first.

    The engine keeps one match per paragraph (the best), so an article crawled after three
    copies of itself may match paragraph 1 to the first copy, paragraph 2 to the second,
    and so on, and reach the share with none of them alone. The evidence is therefore
    summed per cluster: the distinct paragraphs of the new article verified as repeats of
    paragraphs of any member. Each counted paragraph is still a verified repeat of a
    member's paragraph; clusters are not joined because two articles resemble a third.

    Args:
        overlaps: per stored article, the verified matches.
        cluster_of: stored article id -> its cluster id, for the articles in a cluster.
        new_paragraphs: per stored article, which paragraphs of the new article matched it
            (to count a paragraph matched to two members once); without it the matched
            counts are added up.
        min_share: least share, as in :func:`syndicated_copies`.
        min_matched: least matched paragraphs, as in :func:`syndicated_copies`.
    """
    groups: dict[tuple[int, int], list[ArticleOverlap]] = defaultdict(list)
    for o in overlaps:
        cid = cluster_of.get(o.article)
        groups[(0, cid) if cid is not None else (1, o.article)].append(o)
    out: list[CopyTarget] = []
    for (tag, key), members in sorted(groups.items()):
        if new_paragraphs is not None:
            idx: set[int] = set()
            for o in members:
                idx |= new_paragraphs.get(o.article, frozenset())
            matched = len(idx)
        else:
            matched = sum(o.matched for o in members)
        new_n = members[0].new_paragraphs
        stored_n = max(o.stored_paragraphs for o in members)
        smaller = min(new_n, stored_n)
        share = min(1.0, matched / smaller) if smaller > 0 else 0.0
        need = min(min_matched, max(1, smaller))
        if matched >= need and share >= min_share:
            arts = tuple(sorted(o.article for o in members))
            out.append(CopyTarget(key if tag == 0 else None, arts, matched, share))
    out.sort(key=lambda t: (-t.share, t.cluster is None, t.cluster or 0, t.articles))
    return out


def matched_paragraphs(
    matches: Iterable[Match], article_of: Mapping[int, int]
) -> dict[int, frozenset[int]]:
    """Per stored article, the positions of the new article's paragraphs matched to it."""
    seen: dict[int, set[int]] = defaultdict(set)
    for m in matches:
        if m.kind in (EXACT_CROSS, NEAR_CROSS) and m.other in article_of:
            seen[article_of[m.other]].add(m.index)
    return {art: frozenset(idx) for art, idx in seen.items()}


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
        credit_url: the URL the credit line links to or names, if any.
        published: the date the page states, if any.
        first_seen: when the crawler first fetched it (kept for display; never used to
            choose, since it depends on the crawl order).
        text: the article's body text, to tell which member contains the others.
    """

    article: int
    url: str
    first_seen: datetime | None = None
    site: str = ""
    canonical_url: str | None = None
    credit_text: str | None = None
    published: datetime | None = None
    credit_url: str | None = None
    text: str = ""


#: How the original was chosen (stored with each change of a cluster's original).
RULE_ONLY = "only_member"
RULE_CANONICAL = "canonical_link"
RULE_CREDIT = "credit_line"
RULE_PUBLISHED = "published_date"
RULE_CONTAINS = "contains_copies"
RULE_KEY = "stable_key"
RULE_EDITOR = "editor"


@dataclass(frozen=True)
class OriginalChoice:
    """The chosen original of a cluster, why (for editors), and by which rule."""

    article: int
    reason: str
    rule: str


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
    return urlsplit(url.strip()).netloc.lower().removeprefix("www.").split(":")[0]


def _stable_key(m: ArticleEvidence) -> tuple[str, str]:
    """Independent of the crawl order: the canonical URL (or the URL), then the URL."""
    return (_norm_url(m.canonical_url or m.url), _norm_url(m.url) + " " + m.url)


def _earliest(members: Sequence[ArticleEvidence]) -> ArticleEvidence:
    return min(
        members, key=lambda m: (m.published is None, m.published or datetime.max, _stable_key(m))
    )


@dataclass(frozen=True)
class _Pointer:
    """A member's statement that another page is the original: ``target`` a member, or
    ``outside`` a page that is not in the cluster."""

    kind: str  # canonical | credit
    target: int | None
    outside: str | None = None


def _same_host(a: str, b: str) -> bool:
    return bool(a) and bool(b) and (a == b or a.endswith("." + b) or b.endswith("." + a))


def _names(other: ArticleEvidence, text: str) -> bool:
    """Whether a credit line's text names ``other``'s site or host."""
    names = [other.site.lower().strip(), _host(other.url)]
    return any(
        len(name) >= 3 and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text) is not None
        for name in names
    )


def _credit_target(m: ArticleEvidence, order: Sequence[ArticleEvidence]) -> ArticleEvidence | None:
    others = [o for o in order if o.article != m.article]
    if m.credit_url:
        url = _norm_url(m.credit_url)
        for same in (
            [o for o in others if _norm_url(o.url) == url],
            [o for o in others if o.canonical_url and _norm_url(o.canonical_url) == url],
            [o for o in others if _same_host(_host(o.url), _host(m.credit_url))],
        ):
            if same:
                return _earliest(same)
    text = (m.credit_text or "").lower()
    named = [o for o in others if text and _names(o, text)]
    return _earliest(named) if named else None


def _pointer(m: ArticleEvidence, order: Sequence[ArticleEvidence]) -> _Pointer | None:
    """What ``m`` says of its original: canonical link first, then credit line."""
    outside: _Pointer | None = None
    if m.canonical_url and _norm_url(m.canonical_url) != _norm_url(m.url):
        target = [
            o
            for o in order
            if o.article != m.article and _norm_url(o.url) == _norm_url(m.canonical_url)
        ]
        if target:
            return _Pointer("canonical", target[0].article)
        if not _same_host(_host(m.canonical_url), _host(m.url)):
            outside = _Pointer("canonical", None, m.canonical_url)
    if m.credit_text or m.credit_url:
        credited = _credit_target(m, order)
        if credited is not None:
            return _Pointer("credit", credited.article)
        outside = outside or _Pointer("credit", None, m.credit_url or m.credit_text)
    return outside


@dataclass
class _Votes:
    count: int = 0
    kinds: set[str] = field(default_factory=set)
    chained: bool = False


def _follow(pointers: Mapping[int, _Pointer | None], order: Sequence[int]) -> dict[int, _Votes]:
    """Follow each member's pointer to the end of its chain (a member that names no other
    member); that member gets the vote. A chain that runs in a circle gives no vote."""
    votes: dict[int, _Votes] = {}
    for start in order:
        p = pointers.get(start)
        if p is None or p.target is None:
            continue
        path = [start]
        kinds = {p.kind}
        cur = p.target
        while True:
            nxt = pointers.get(cur)
            if nxt is None or nxt.target is None:
                break
            if cur in path:
                cur = -1
                break
            path.append(cur)
            kinds.add(nxt.kind)
            cur = nxt.target
        if cur == -1 or cur == start:
            continue
        v = votes.setdefault(cur, _Votes())
        v.count += 1
        v.kinds |= kinds
        v.chained = v.chained or len(path) > 1
    return votes


def _shingles(text: str) -> frozenset[tuple[str, str, str]]:
    words = re.findall(r"\w+", text.lower())
    return frozenset(zip(words, words[1:], words[2:], strict=False))


#: ``X`` contains ``Y`` when this share of ``Y``'s word trigrams is in ``X`` ...
CONTAINED_SHARE = 0.6
#: ... and this much more of ``Y`` is in ``X`` than of ``X`` in ``Y``.
CONTAINED_MARGIN = 0.15


def _contains(x: frozenset[tuple[str, str, str]], y: frozenset[tuple[str, str, str]]) -> bool:
    if not x or not y:
        return False
    both = len(x & y)
    in_x, in_y = both / len(y), both / len(x)
    return in_x >= CONTAINED_SHARE and in_x - in_y >= CONTAINED_MARGIN


def _same_time(a: datetime, b: datetime) -> bool:
    """Equal, or the same day when one of them carries no time of day (a bare date)."""
    if a == b:
        return True
    midnight = datetime.min.time()
    return a.date() == b.date() and (a.time() == midnight or b.time() == midnight)


def choose_original(members: Sequence[ArticleEvidence]) -> OriginalChoice:
    """Pick the original of a group of copies, with the reason and the rule that decided.

    The choice depends only on what the members say, never on the order they were
    crawled in; each rule narrows the candidates and the first that leaves one decides:

    1. canonical links and credit lines: each member that names another member as its
       source (a ``rel=canonical`` link to its URL; a credit line linking to it, naming its
       host or its site) votes for the end of that chain (a copy of a copy credits the
       copy, which credits the original: the vote goes to the original). A member whose
       chain leaves the cluster (it credits a page not crawled) is still the end of its
       chain inside the cluster. The member with most votes wins.
    2. members that credit some page, in the cluster or not, are copies: they drop out
       when another candidate remains.
    3. the earliest published date (a bare date ties with any time of the same day).
    4. the member that contains the others' text (most of their word trigrams, clearly
       more than they contain of it): a trimmed copy is contained in its original.
    5. a stable key: the smallest canonical URL (or URL when there is none).

    Raises:
        ValueError: for an empty group.
    """
    if not members:
        raise ValueError("choose_original needs at least one article")
    if len(members) == 1:
        return OriginalChoice(members[0].article, "only member", RULE_ONLY)
    order = sorted(members, key=_stable_key)
    pointers = {m.article: _pointer(m, order) for m in order}
    votes = _follow(pointers, [m.article for m in order])
    candidates = list(order)
    notes: list[str] = []

    if votes:
        top = max(v.count for v in votes.values())
        best = [m for m in order if m.article in votes and votes[m.article].count == top]
        if len(best) == 1:
            return _by_votes(best[0], votes[best[0].article], pointers[best[0].article])
        candidates = best
        notes.append(f"credit lines or canonical links name {len(best)} members equally")

    uncredited = [m for m in candidates if pointers[m.article] is None]
    if uncredited and len(uncredited) < len(candidates):
        if len(uncredited) == 1:
            others = len(candidates) - 1
            reason = f"credits no other page ({others} other member(s) credit another page)"
            return OriginalChoice(uncredited[0].article, _join(notes, reason), RULE_CREDIT)
        candidates = uncredited

    dated = [m for m in candidates if m.published is not None]
    if dated:
        first = _earliest(dated)
        assert first.published is not None
        ties = [
            m for m in dated if m.published is not None and _same_time(m.published, first.published)
        ]
        if len(ties) == 1:
            reason = f"earliest published date {first.published:%Y-%m-%d %H:%M}"
            return OriginalChoice(first.article, _join(notes, reason), RULE_PUBLISHED)
        candidates = ties
        notes.append(
            f"{len(ties)} members share the earliest published date {first.published:%Y-%m-%d}"
        )

    if any(m.text for m in members):
        shingles = {m.article: _shingles(m.text) for m in members}
        held = {
            c.article: sum(
                _contains(shingles[c.article], shingles[o.article])
                for o in members
                if o.article != c.article
            )
            for c in candidates
        }
        top_held = max(held.values())
        most = [m for m in candidates if held[m.article] == top_held]
        if top_held > 0 and len(most) == 1:
            reason = f"contains the text of {top_held} other member(s)"
            return OriginalChoice(most[0].article, _join(notes, reason), RULE_CONTAINS)
        if top_held > 0:
            candidates = most

    chosen = candidates[0]  # candidates keep the stable order
    reason = f"no other evidence: first by URL ({chosen.canonical_url or chosen.url})"
    return OriginalChoice(chosen.article, _join(notes, reason), RULE_KEY)


def _join(notes: Sequence[str], reason: str) -> str:
    return "; ".join([*notes, reason])


def _by_votes(best: ArticleEvidence, v: _Votes, own: _Pointer | None) -> OriginalChoice:
    if v.kinds == {"canonical"}:
        label, verb, rule = "canonical link", "point to", RULE_CANONICAL
    elif v.kinds == {"credit"}:
        label, verb, rule = "credit line", "credit", RULE_CREDIT
    else:
        label, verb, rule = "credit line and canonical link", "point to", RULE_CREDIT
    reason = f"{label}: {v.count} member(s) {verb} article {best.article}"
    if v.chained:
        reason += ", some through another copy"
    if own is not None and own.outside:
        what = "canonical link" if own.kind == "canonical" else "credit line"
        reason += f"; its own {what} ({own.outside[:200]}) names a page outside the cluster"
    return OriginalChoice(best.article, reason, rule)
