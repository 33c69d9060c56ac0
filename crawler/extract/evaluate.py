"""Scoring of extractors against segment corpora (the trafilatura evaluation format).

A corpus maps each page to segments a good extraction must contain ("with") and must
not contain ("without"). After whitespace is normalised in both, a segment counts as
found when it is a substring of the extracted text. Counts are summed over pages:
precision = tp/(tp+fp), recall = tp/(tp+fn), F1 = 2tp/(2tp+fp+fn). Project fixtures add
"teasers": recommendation paragraphs whose leakage is counted separately.

Time is CPU time of this process (``time.process_time``), not wall clock: on a shared
machine another job's load would otherwise count as the extractor's. Pages are split
by a hash of their file name into a fit part and a held-out quarter (:func:`part_of`):
rules are tuned on the fit part only and the held-out part is reported beside it.
"""

from __future__ import annotations

import hashlib
import json
import re
import tarfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

Extractor = Callable[[bytes, "str | None", "str | None"], str]
"""(body, url, content_type) -> extracted text ("" for nothing)."""

_WS = re.compile(r"\s+")
FIT = "fit"
HELD_OUT = "held-out"
HELD_OUT_MODULUS = 4  # one page in four is held out
_PAGE_DIRS = ("eval", "cache")


def part_of(name: str) -> str:
    """``HELD_OUT`` for a quarter of the pages, chosen by the SHA-256 of the page's file
    name (the same split on every machine and in every run), else ``FIT``."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return HELD_OUT if digest[0] % HELD_OUT_MODULUS == 0 else FIT


def normalise(text: str) -> str:
    """Whitespace runs collapsed to one space, ends stripped."""
    return _WS.sub(" ", text).strip()


@dataclass(frozen=True)
class Page:
    """One evaluation page: its bytes and the segments expected in and out of the body."""

    name: str
    data: bytes
    url: str | None = None
    content_type: str | None = None
    with_: tuple[str, ...] = ()
    without: tuple[str, ...] = ()
    teasers: tuple[str, ...] = ()
    expected: dict[str, Any] = field(default_factory=dict)


@dataclass
class Score:
    """Segment counts summed over pages."""

    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0
    teasers_kept: int = 0
    teasers_total: int = 0

    def add(self, other: Score) -> None:
        self.tp += other.tp
        self.fn += other.fn
        self.fp += other.fp
        self.tn += other.tn
        self.teasers_kept += other.teasers_kept
        self.teasers_total += other.teasers_total

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        denominator = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / denominator if denominator else 0.0


def score_text(text: str, page: Page) -> Score:
    """Score one extracted text against one page's segments."""
    body = normalise(text)
    score = Score()
    for segment in page.with_:
        if body and normalise(segment) in body:
            score.tp += 1
        else:
            score.fn += 1
    for segment in page.without:
        if body and normalise(segment) in body:
            score.fp += 1
        else:
            score.tn += 1
    score.teasers_total = len(page.teasers)
    score.teasers_kept = sum(1 for t in page.teasers if body and normalise(t) in body)
    return score


@dataclass
class RunResult:
    """An extractor's score over a page set, and the time it took."""

    name: str
    score: Score = field(default_factory=Score)
    seconds: float = 0.0
    pages: int = 0
    failures: list[str] = field(default_factory=list)
    page_scores: list[tuple[str, Score]] = field(default_factory=list)  # (page name, score)

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0

    def by_part(self) -> dict[str, Score]:
        """The summed score of the fit part and of the held-out part (see :func:`part_of`)."""
        parts = {FIT: Score(), HELD_OUT: Score()}
        for name, score in self.page_scores:
            parts[part_of(name)].add(score)
        return parts


def evaluate(
    extractors: dict[str, Extractor], pages: Iterable[Page], warm_up: bool = True
) -> dict[str, RunResult]:
    """Run every extractor on every page, interleaved page by page so that both see
    the same machine state, and score them. An exception counts as an empty output.
    ``RunResult.seconds`` is CPU time.

    Args:
        extractors: name -> extractor.
        pages: the pages (an iterator is consumed once).
        warm_up: run each extractor once on the first page, untimed, before measuring.
    """
    results = {name: RunResult(name) for name in extractors}
    for index, page in enumerate(pages):
        for name, extractor in extractors.items():
            if warm_up and index == 0:
                _safe(extractor, page)
            started = time.process_time()
            text, error = _safe(extractor, page)
            elapsed = time.process_time() - started
            result = results[name]
            result.seconds += elapsed
            result.pages += 1
            score = score_text(text, page)
            result.score.add(score)
            result.page_scores.append((page.name, score))
            if error:
                result.failures.append(f"{page.name}: {error}")
    return results


def _safe(extractor: Extractor, page: Page) -> tuple[str, str | None]:
    try:
        return extractor(page.data, page.url, page.content_type) or "", None
    except Exception as exc:  # a crash counts as finding nothing
        return "", f"{type(exc).__name__}: {exc}"


# --- loading -----------------------------------------------------------------------


def _pages_from_evaldata(
    evaldata: dict[str, Any], read: Callable[[str], bytes | None], limit: int | None
) -> Iterator[Page]:
    count = 0
    for url, entry in evaldata.items():
        if limit is not None and count >= limit:
            return
        name = str(entry.get("file", ""))
        data = read(name) if name else None
        if data is None:
            continue
        count += 1
        yield Page(
            name=name,
            data=data,
            url=url,
            with_=tuple(entry.get("with", ())),
            without=tuple(entry.get("without", ())),
        )


def load_corpus(path: str | Path, limit: int | None = None) -> list[Page]:
    """Pages of a corpus in the trafilatura evaluation format.

    Args:
        path: the unpacked directory (with ``evaldata.json`` and ``eval/``, ``cache/``)
            or the ``.tgz`` archive itself, read without unpacking.
        limit: keep only the first N pages (in evaldata order).

    Raises:
        FileNotFoundError: no corpus at ``path``.
        ValueError: the corpus index is missing or malformed.
    """
    root = Path(path)
    if root.is_dir():
        index = root / "evaldata.json"
        if not index.is_file():
            raise ValueError(f"{root}: no evaldata.json in this directory")
        evaldata = json.loads(index.read_text(encoding="utf-8"))

        def read_file(name: str) -> bytes | None:
            for sub in _PAGE_DIRS:
                candidate = root / sub / name
                if candidate.is_file():
                    return candidate.read_bytes()
            return None

        return list(_pages_from_evaldata(evaldata, read_file, limit))
    if root.is_file():
        return _load_archive(root, limit)
    raise FileNotFoundError(f"{root}: no such corpus directory or archive")


def _load_archive(path: Path, limit: int | None) -> list[Page]:
    """Read the archive in one sequential pass (random access into a gzip stream would
    decompress it again for every member)."""
    if not tarfile.is_tarfile(path):
        raise ValueError(f"{path}: not a tar archive")
    files: dict[str, bytes] = {}
    evaldata: dict[str, Any] | None = None
    with tarfile.open(path, "r|*") as archive:
        for member in archive:
            if not member.isfile():
                continue
            parts = PurePosixPath(member.name).parts
            is_index = bool(parts) and parts[-1] == "evaldata.json"
            is_page = len(parts) >= 2 and parts[-2] in _PAGE_DIRS
            if not (is_index or is_page):
                continue
            stream = archive.extractfile(member)
            if stream is None:
                continue
            data = stream.read()
            if is_index:
                evaldata = json.loads(data.decode("utf-8"))
            else:
                files.setdefault(parts[-1], data)
    if evaldata is None:
        raise ValueError(f"{path}: archive has no evaldata.json")
    return list(_pages_from_evaldata(evaldata, files.get, limit))


def load_fixtures(directory: str | Path) -> list[Page]:
    """The project's extraction fixtures: ``NAME.html`` (raw bytes) beside ``NAME.json``.

    The JSON holds ``url``, ``content_type``, ``with``, ``without``, ``teasers`` and
    optionally the expected ``status`` and metadata fields (kept in ``Page.expected``).
    """
    pages: list[Page] = []
    for spec_path in sorted(Path(directory).glob("*.json")):
        html_path = spec_path.with_suffix(".html")
        if not html_path.is_file():
            continue
        spec = json.loads(spec_path.read_text(encoding="utf-8"))
        pages.append(
            Page(
                name=html_path.name,
                data=html_path.read_bytes(),
                url=spec.get("url"),
                content_type=spec.get("content_type"),
                with_=tuple(spec.get("with", ())),
                without=tuple(spec.get("without", ())),
                teasers=tuple(spec.get("teasers", ())),
                expected=dict(spec.get("expect", {})),
            )
        )
    return pages


# --- the two extractors compared ----------------------------------------------------


def plain_trafilatura(data: bytes, url: str | None, content_type: str | None) -> str:
    """trafilatura alone (include_comments=False), on the same decoded text newsdedup sees."""
    import trafilatura

    from crawler.extract.decode import decode

    decoded = decode(data, content_type)
    if decoded.status != "ok":
        return ""
    return trafilatura.extract(decoded.text, url=url, include_comments=False) or ""


def newsdedup_extractor(data: bytes, url: str | None, content_type: str | None) -> str:
    """newsdedup's extractor: the body text of an ok extraction, else ""."""
    from crawler.extract import extract

    result = extract(data, url=url, content_type=content_type)
    return result.text if result.ok else ""


EXTRACTORS: dict[str, Extractor] = {
    "trafilatura": plain_trafilatura,
    "newsdedup": newsdedup_extractor,
}
