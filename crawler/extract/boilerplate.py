"""Site boilerplate learned from a crawl: paragraphs that recur on many pages of one site.

A paragraph that appears on many distinct pages of the same site is that site's
boilerplate (a newsletter box, a disclaimer, a teaser that sits on every page), not
syndicated content: syndication repeats an article across sites, not one paragraph
across a site's own pages. The ingest layer counts, per site, on how many distinct
pages each normalised paragraph hash occurs (the hash function is the dedup layer's
``norm_hash``) and calls these pure functions.

Example:
    >>> counts = {"h-newsletter": 40, "h-story": 1}
    >>> sorted(boilerplate_hashes(counts, total_pages=50, min_pages=5, min_share=0.2))
    ['h-newsletter']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from crawler.extract.model import Block, RemovedBlock

DEFAULT_MIN_PAGES = 5
"""A paragraph must occur on at least this many distinct pages of the site."""
DEFAULT_MIN_SHARE = 0.1
"""... and on at least this share of the site's pages seen so far."""
REASON = "site-boilerplate"


def boilerplate_hashes(
    page_counts: Mapping[str, int],
    total_pages: int,
    min_pages: int = DEFAULT_MIN_PAGES,
    min_share: float = DEFAULT_MIN_SHARE,
) -> set[str]:
    """The paragraph hashes that are boilerplate for one site.

    Args:
        page_counts: paragraph hash -> number of distinct pages of the site it occurs on.
        total_pages: number of the site's pages the counts were taken over.
        min_pages: a hash must occur on at least this many pages (absolute floor, so a
            young site with three pages does not call its own articles boilerplate).
        min_share: ... and on at least this share of ``total_pages`` (0..1).

    Raises:
        ValueError: a parameter out of range.
    """
    if min_pages < 2:
        raise ValueError(f"min_pages must be at least 2, got {min_pages}")
    if not 0.0 <= min_share <= 1.0:
        raise ValueError(f"min_share must be between 0 and 1, got {min_share}")
    if total_pages < 0:
        raise ValueError(f"total_pages must not be negative, got {total_pages}")
    threshold = max(min_pages, min_share * total_pages)
    return {digest for digest, pages in page_counts.items() if pages >= threshold}


def remove_boilerplate(
    blocks: Sequence[Block], boilerplate: Iterable[str], hash_text: Callable[[str], str]
) -> tuple[list[Block], list[RemovedBlock]]:
    """Drop the blocks whose hash is a known boilerplate hash of the site.

    Args:
        blocks: an article body, in order.
        boilerplate: the site's boilerplate hashes (from :func:`boilerplate_hashes`).
        hash_text: the normalising hash used when counting (dedup's ``norm_hash``).

    Returns:
        The kept blocks and the removed ones (reason ``site-boilerplate``).
    """
    known = set(boilerplate)
    kept: list[Block] = []
    removed: list[RemovedBlock] = []
    for block in blocks:
        if known and hash_text(block.text) in known:
            removed.append(RemovedBlock(block.text, REASON))
        else:
            kept.append(block)
    return kept, removed
