"""Precision of the within-article near-repeat flags (``near_within``) on real pages.

Each page of an extraction corpus (the trafilatura evaluation format, read by
:func:`crawler.extract.evaluate.load_corpus`) goes through newsdedup's own extractor; the
body blocks the ingest dedups (:data:`DEDUP_KINDS`) are the page's paragraphs, and
``DedupEngine(params).check_article(paragraphs)`` flags the repeats. A labels file says,
for flagged pairs, whether the later paragraph really restates the earlier one; it holds
no page text, only file names and paragraph positions:

.. code-block:: text

    page<TAB>earlier<TAB>later<TAB>label<TAB>note
    example.html<TAB>1<TAB>6<TAB>1<TAB>
    example.html<TAB>2<TAB>4<TAB>0<TAB>same topic, different facts

Plain Python: imports neither Scrapy nor SQLAlchemy.

Example:
    >>> report = check_pages([("a.html", ["Too short.", "Also short."])])
    >>> (report.pages, report.paragraphs, report.near_flags)
    (1, 2, [])
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from crawler.dedup.engine import NEAR_WITHIN, DedupEngine
from crawler.dedup.params import DedupParams
from crawler.dedup.within import DEDUP_KINDS
from crawler.extract import extract
from crawler.extract.evaluate import Page

PairKey = tuple[str, int, int]
"""(page file name, earlier position, later position)."""


def page_paragraphs(page: Page) -> list[str]:
    """The texts the ingest would dedup for one page: the blocks of an ok extraction
    whose kind is in :data:`DEDUP_KINDS` (site boilerplate removal, which needs other
    pages of the source in storage, is not applied)."""
    return [text for text, _ in page_blocks(page)]


def page_blocks(page: Page) -> list[tuple[str, str]]:
    """:func:`page_paragraphs` with the block kind of each (the engine keeps code, tables
    and pairs of list items out of near repeats within an article, as the ingest does)."""
    result = extract(page.data, url=page.url, content_type=page.content_type)
    if not result.ok:
        return []
    return [(b.text, b.kind) for b in result.blocks if b.kind in DEDUP_KINDS]


@dataclass(frozen=True)
class Flag:
    """One ``near_within`` flag: ``later`` repeats ``earlier`` on page ``page``."""

    page: str
    earlier: int
    later: int
    method: str
    score: float
    earlier_text: str
    later_text: str

    @property
    def key(self) -> PairKey:
        return (self.page, self.earlier, self.later)


@dataclass
class WithinReport:
    """What the within-article check flagged on a set of pages."""

    pages: int = 0
    paragraphs: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)
    by_method: Counter[str] = field(default_factory=Counter)
    pages_flagged: int = 0
    near_flags: list[Flag] = field(default_factory=list)


def check_pages(
    pages: Iterable[tuple[str, Sequence[str] | Sequence[tuple[str, str]]]],
    params: DedupParams | None = None,
    shared_idf: bool = False,
) -> WithinReport:
    """Run the within-article check on each page's paragraphs.

    Args:
        pages: (file name, paragraphs) per page, each paragraph a text or a (text, block
            kind) pair; pages without paragraphs are not counted.
        params: dedup parameters (default :class:`DedupParams`).
        shared_idf: one engine for all pages in order, so document frequencies are learned
            across pages as a long ingest run learns them; by default each page gets a new
            engine, so a page's flags depend on that page alone.
    """
    params = params or DedupParams()
    report = WithinReport()
    engine = DedupEngine(params)
    for name, blocks in pages:
        if not blocks:
            continue
        paragraphs = [b if isinstance(b, str) else b[0] for b in blocks]
        kinds = (
            None if isinstance(blocks[0], str) else [b[1] for b in blocks if isinstance(b, tuple)]
        )
        if not shared_idf:
            engine = DedupEngine(params)
        report.pages += 1
        report.paragraphs += len(paragraphs)
        matches = engine.check_article(paragraphs, kinds=kinds)
        flagged = False
        for m in matches:
            report.by_kind[m.kind] += 1
            if m.kind != NEAR_WITHIN:
                continue
            flagged = True
            report.by_method[m.method] += 1
            report.near_flags.append(
                Flag(
                    name,
                    m.other,
                    m.index,
                    m.method,
                    m.score,
                    paragraphs[m.other],
                    paragraphs[m.index],
                )
            )
        report.pages_flagged += flagged
    return report


def sample_flags(flags: Sequence[Flag], n: int | None, seed: int) -> list[Flag]:
    """``n`` flags chosen at random with ``seed`` (all when ``n`` is None or too large),
    in their original order."""
    if n is None or n >= len(flags):
        return list(flags)
    chosen = set(random.Random(seed).sample(range(len(flags)), n))
    return [f for i, f in enumerate(flags) if i in chosen]


# --- labels -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Label:
    """A human judgement of one flagged pair: ``true`` when the later paragraph restates
    the earlier one."""

    page: str
    earlier: int
    later: int
    true: bool
    note: str = ""

    @property
    def key(self) -> PairKey:
        return (self.page, self.earlier, self.later)


@dataclass
class LabelsFile:
    """Labels read from a file, by pair, with the lines that could not be read."""

    labels: dict[PairKey, Label] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def read_labels(path: str | Path) -> LabelsFile:
    """Read a labels TSV: a header line, then page file name, earlier position, later
    position, label (1 or 0) and an optional note. Blank lines are ignored; a malformed
    line or a repeated pair is reported in ``errors`` as ``file:line: why`` and skipped.

    Raises:
        OSError: if the file cannot be opened.
        UnicodeDecodeError: if it is not UTF-8.
    """
    out = LabelsFile()
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for lineno, raw in enumerate(fh, start=1):
            line = raw.rstrip("\r\n")
            if lineno == 1 or not line.strip():
                continue
            where = f"{path}:{lineno}"
            cols = line.split("\t")
            if len(cols) < 4:
                out.errors.append(f"{where}: expected at least 4 tab-separated columns")
                continue
            page, first, second, value = (c.strip() for c in cols[:4])
            note = "\t".join(cols[4:]).strip()
            if not page:
                out.errors.append(f"{where}: empty page name")
                continue
            try:
                earlier, later = int(first), int(second)
            except ValueError:
                out.errors.append(f"{where}: positions must be integers: {first!r}, {second!r}")
                continue
            if not 0 <= earlier < later:
                out.errors.append(f"{where}: need 0 <= earlier < later, got {earlier}, {later}")
                continue
            if value not in ("0", "1"):
                out.errors.append(f"{where}: label must be 1 or 0, got {value!r}")
                continue
            label = Label(page, earlier, later, value == "1", note)
            if label.key in out.labels:
                out.errors.append(f"{where}: pair {page} {earlier} {later} labelled twice")
                continue
            out.labels[label.key] = label
    return out


@dataclass
class LabelScore:
    """Current flags against labels.

    Attributes:
        true_flags, false_flags: labelled flags still flagged, judged true / false.
        unlabelled: current flags without a label.
        stale: labelled pairs no longer flagged.
        by_method: method -> [true, false] among the labelled current flags.
    """

    true_flags: int = 0
    false_flags: int = 0
    unlabelled: int = 0
    stale: int = 0
    by_method: dict[str, list[int]] = field(default_factory=dict)

    @property
    def labelled(self) -> int:
        return self.true_flags + self.false_flags

    @property
    def precision(self) -> float:
        """True flags / labelled current flags (0.0 when none is labelled)."""
        return self.true_flags / self.labelled if self.labelled else 0.0


def score_labels(flags: Sequence[Flag], labels: dict[PairKey, Label]) -> LabelScore:
    """Precision of ``flags`` among those labelled, and the coverage of the labels."""
    score = LabelScore()
    current = {f.key for f in flags}
    for f in flags:
        label = labels.get(f.key)
        if label is None:
            score.unlabelled += 1
            continue
        counts = score.by_method.setdefault(f.method, [0, 0])
        if label.true:
            score.true_flags += 1
            counts[0] += 1
        else:
            score.false_flags += 1
            counts[1] += 1
    score.stale = sum(1 for key in labels if key not in current)
    return score
