"""Clean trafilatura's output blocks: recommendation headings and their teasers, runs
of cut-off teasers, read-next lines, prompts (newsletter, cookies, sharing), ad-slot
labels, picture captions with their credit, datelines at either end of the body and the
credit line. Works on text alone,
after the DOM pass in :mod:`recommend`."""

from __future__ import annotations

import re
from collections.abc import Sequence

from crawler.extract.model import Block, RemovedBlock
from crawler.extract.patterns import (
    AD_LABEL,
    CAPTION_CREDIT,
    DATE_OR_TIME,
    INLINE_PREFIX,
    PHOTO_CREDIT,
    ends_sentence,
    is_prompt,
    is_rec_heading,
)
from crawler.extract.recommend import Section

MAX_PROMPT_CHARS = 300
MAX_INLINE_CHARS = 250
MAX_STAMP_CHARS = 120
MAX_CAPTION_CHARS = 250
MAX_AD_LABEL_CHARS = 30
TITLE_MAX_WORDS = 20
BLURB_MIN_WORDS = 15
SHORT_WORDS = 12
MIN_TEASER_PAIRS = 3
STAMP_MAX_WORDS = 12
STAMP_EDGE = 2  # blocks at each end of the body where a dateline may sit
_NUMBERED = re.compile(r"^\d{1,3}[.)]\s")


def _words(text: str) -> int:
    return len(text.split())


def _title_like(block: Block) -> bool:
    """A teaser's title: a short heading, or a short one-line paragraph not ending a sentence."""
    if "\n" in block.text or _words(block.text) > TITLE_MAX_WORDS:
        return False
    if _NUMBERED.match(block.text):
        return False  # an entry of a numbered ranking is article content
    if block.kind == "heading":
        return True
    return block.kind == "paragraph" and not ends_sentence(block.text.rstrip("?!"))


def _cut_blurb(block: Block) -> bool:
    """A teaser's blurb: one line of running text cut off mid-sentence."""
    return (
        block.kind == "paragraph"
        and "\n" not in block.text
        and _words(block.text) >= BLURB_MIN_WORDS
        and not ends_sentence(block.text)
        and not block.text.rstrip().endswith((",", "-", "–"))
    )


def _teaser_like(block: Block) -> bool:
    """What follows a recommendation heading: titles, cut-off blurbs, short items."""
    if block.kind in ("heading", "list_item"):
        return _words(block.text) <= TITLE_MAX_WORDS * 2
    if block.kind != "paragraph":
        return False
    return _words(block.text) < SHORT_WORDS or not ends_sentence(block.text)


def _heading_sections(blocks: Sequence[Block], drop: dict[int, str]) -> None:
    i = 0
    while i < len(blocks):
        block = blocks[i]
        if i not in drop and block.kind in ("heading", "paragraph") and is_rec_heading(block.text):
            drop[i] = "recommendation-heading"
            j = i + 1
            while j < len(blocks) and _teaser_like(blocks[j]):
                drop[j] = "recommendation-heading"
                j += 1
            i = j
        else:
            i += 1


def _teaser_runs(blocks: Sequence[Block], drop: dict[int, str]) -> None:
    """Runs of (title, cut-off blurb) pairs: a teaser list without a heading."""
    i = 0
    while i < len(blocks) - 1:
        j = i
        while (
            j + 1 < len(blocks)
            and _title_like(blocks[j])
            and _cut_blurb(blocks[j + 1])
            and j not in drop
        ):
            j += 2
        if (j - i) // 2 >= MIN_TEASER_PAIRS:
            for k in range(i, j):
                drop.setdefault(k, "truncated-teaser")
            i = j
        else:
            i += 1


def _edge_stamps(blocks: Sequence[Block], drop: dict[int, str]) -> None:
    """A dateline or "posted on" line among the first or last ``STAMP_EDGE`` blocks: one
    line of at most ``STAMP_MAX_WORDS`` words with a date or a time, not a sentence
    ("23.10.2018", "January 13, 2020 at 08:45 AM | categories: Python", "Di, 10:19 Uhr").
    The page's dates are metadata; in the body such a line is noise."""
    alive = [i for i in range(len(blocks)) if i not in drop]
    for i in sorted({*alive[:STAMP_EDGE], *alive[-STAMP_EDGE:]}):
        block = blocks[i]
        text = block.text
        if block.kind != "paragraph" or "\n" in text:
            continue
        if (
            _words(text) <= STAMP_MAX_WORDS
            and not ends_sentence(text)
            and DATE_OR_TIME.search(text)
        ):
            drop[i] = "date-stamp"


def caption_reason(block: Block) -> str | None:
    """``"copyright-or-credit"`` for a credit or date stamp, ``"caption"`` for a picture's
    caption (a short paragraph carrying its credit), else None."""
    text = block.text
    if len(text) <= MAX_STAMP_CHARS and "\n" not in text and PHOTO_CREDIT.search(text):
        return "copyright-or-credit"
    if block.kind == "paragraph" and len(text) <= MAX_CAPTION_CHARS and CAPTION_CREDIT.search(text):
        return "caption"
    return None


def _single_blocks(blocks: Sequence[Block], drop: dict[int, str]) -> None:
    for i, block in enumerate(blocks):
        if i in drop or block.kind in ("code", "table"):
            continue
        text = block.text
        if len(text) <= MAX_INLINE_CHARS and INLINE_PREFIX.match(text):
            drop[i] = "read-next"
        elif len(text) <= MAX_PROMPT_CHARS and is_prompt(text):
            drop[i] = "prompt"
        elif (reason := caption_reason(block)) == "copyright-or-credit":
            drop[i] = reason
        elif len(text) <= MAX_AD_LABEL_CHARS and AD_LABEL.fullmatch(text.strip(" :-–—*[]()|")):
            drop[i] = "ad-label"
        elif reason is not None:
            drop[i] = reason


def _from_sections(
    blocks: Sequence[Block], sections: Sequence[Section], drop: dict[int, str]
) -> None:
    for i, block in enumerate(blocks):
        for section in sections:
            if section.holds(block.text):
                drop[i] = section.reason
                break


_REC_REASONS = frozenset(
    {
        "recommendation-section",
        "recommendation-heading",
        "recommendation-links",
        "teaser-cards",
        "truncated-teaser",
    }
)


def _last_teasers(blocks: Sequence[Block], drop: dict[int, str]) -> None:
    """The body's last paragraphs when they are cut off mid-sentence and come after a
    recommendation block: the end of a teaser list whose last entry escaped the other
    rules (its title was not recognised, or it sat outside the section's container). A
    real closing paragraph ends like a sentence and stays."""
    recommended = [i for i, reason in drop.items() if reason in _REC_REASONS]
    if not recommended:
        return
    first = min(recommended)
    for i in range(len(blocks) - 1, first, -1):
        if i in drop:
            continue
        if not _cut_blurb(blocks[i]):
            return
        drop[i] = "truncated-teaser"


def clean_blocks(
    blocks: Sequence[Block], sections: Sequence[Section] = ()
) -> tuple[list[Block], list[RemovedBlock]]:
    """Split ``blocks`` into the kept body and the removed blocks (with reasons).

    Args:
        blocks: trafilatura's output as typed blocks, in order.
        sections: recommendation sections found in the page's DOM.
    """
    drop: dict[int, str] = {}
    _from_sections(blocks, sections, drop)
    _heading_sections(blocks, drop)
    _teaser_runs(blocks, drop)
    _single_blocks(blocks, drop)
    _last_teasers(blocks, drop)
    _edge_stamps(blocks, drop)
    kept = [b for i, b in enumerate(blocks) if i not in drop]
    removed = [RemovedBlock(blocks[i].text, reason) for i, reason in sorted(drop.items())]
    return kept, removed
