"""The extraction pipeline: bytes in, :class:`Extraction` out, never an exception.

decode -> parse -> metadata, credit line and recommendation sections read from the DOM
-> trafilatura on the unchanged page -> typed blocks -> structure read back from the
page (dropped headings, list items; the title left out) -> cleaning (blocks from
recommendation sections, teaser runs, prompts, datelines, the credit line). A page
where nothing usable is left gets one second trafilatura pass that favours recall,
cleaned the same way.
"""

from __future__ import annotations

import logging
from typing import Any

from lxml.html import HtmlElement

from crawler.extract.blocks import blocks_from_body
from crawler.extract.clean import clean_blocks
from crawler.extract.credit import Credit, credit_from_text, find_credit
from crawler.extract.decode import decode
from crawler.extract.metadata import Metadata, extract_metadata
from crawler.extract.model import (
    STATUS_ERROR,
    STATUS_NO_ARTICLE,
    STATUS_OK,
    Block,
    Extraction,
    RemovedBlock,
)
from crawler.extract.patterns import ends_sentence
from crawler.extract.recommend import Section, find_sections
from crawler.extract.structure import drop_title, first_h1, restore_structure

LOGGER = logging.getLogger(__name__)

TRAFILATURA_OPTIONS: dict[str, Any] = {
    "include_comments": False,
    "include_tables": True,
    "include_links": False,
    "deduplicate": False,  # its cache is process-global; dedup is the project's own job
    "with_metadata": False,  # metadata comes from crawler.extract.metadata
}
PARSER_DEPTH_LIMIT = 255
PROSE_MIN_WORDS = 10
PROSE_LONG_WORDS = 16
ARTICLE_MIN_CHARS = 600
PROSE_MIN_CHARS = 20


def has_prose(blocks: list[Block]) -> bool:
    """Whether a body reads as an article: ``ARTICLE_MIN_CHARS`` characters in all, or
    at least one line of running text, that is ``PROSE_MIN_WORDS`` words or more ending
    like a sentence, or ``PROSE_LONG_WORDS`` words, or ``PROSE_MIN_CHARS`` characters
    in a script written without spaces. Short listings, menus and error pages fail."""
    if sum(len(block.text) for block in blocks) >= ARTICLE_MIN_CHARS:
        return True
    for block in blocks:
        if block.kind == "code":
            continue
        if block.kind == "table" and len(block.text.split()) >= PROSE_LONG_WORDS:
            return True
        for line in block.text.split("\n"):
            words = len(line.split())
            if words >= PROSE_LONG_WORDS or (" " not in line and len(line) >= PROSE_MIN_CHARS):
                return True
            if words >= PROSE_MIN_WORDS and ends_sentence(line):
                return True
    return False


def parse(text: str) -> HtmlElement | None:
    """Parse decoded HTML the way trafilatura does (None if it is not HTML at all)."""
    from trafilatura.utils import load_html

    tree: HtmlElement | None = load_html(text)
    return tree


def run_trafilatura(tree: HtmlElement, url: str | None, favor_recall: bool = False) -> list[Block]:
    """trafilatura's body for a parsed page as typed blocks ([] when it finds none).
    ``favor_recall``: trafilatura's mode that keeps more of doubtful wrappers."""
    from trafilatura import bare_extraction

    document = bare_extraction(tree, url=url, favor_recall=favor_recall, **TRAFILATURA_OPTIONS)
    if document is None or isinstance(document, dict):
        return []
    return blocks_from_body(document.body)


def _too_deep(tree: HtmlElement) -> bool:
    return any(
        len(list(element.iterancestors())) >= PARSER_DEPTH_LIMIT - 1
        for element in tree.iter()
        if not len(element)
    )


def _remove_credit(
    blocks: list[Block], credit: Credit | None
) -> tuple[list[Block], Credit | None, list[RemovedBlock]]:
    kept: list[Block] = []
    removed: list[RemovedBlock] = []
    for block in blocks:
        found = credit_from_text(block.text)
        if found is not None:
            credit = credit or found
            removed.append(RemovedBlock(block.text, "credit"))
        elif credit is not None and block.text == credit.text:
            removed.append(RemovedBlock(block.text, "credit"))
        else:
            kept.append(block)
    return kept, credit, removed


def _with_metadata(result: Extraction, meta: Metadata) -> Extraction:
    result.title = meta.title
    result.authors = meta.authors
    result.published = meta.published
    result.updated = meta.updated
    result.language = meta.language
    result.site_name = meta.site_name
    result.canonical_url = meta.canonical_url
    return result


def _body(
    tree: HtmlElement,
    blocks: list[Block],
    result: Extraction,
    credit: Credit | None,
    sections: list[Section],
) -> Extraction:
    """trafilatura's blocks made into the article's body: structure restored, the title,
    recommendation blocks, boilerplate and the credit line removed, prose checked."""
    meta_title = result.title
    blocks = restore_structure(tree, blocks, sections)
    blocks, titled = drop_title(blocks, meta_title, first_h1(tree))
    kept, cleaned = clean_blocks(blocks, sections)
    kept, credit, credited = _remove_credit(kept, credit)
    result.removed = titled + cleaned + credited
    if credit is not None:
        result.credit, result.credit_url = credit.text, credit.url
    if not kept:
        result.status = STATUS_NO_ARTICLE
        result.reason = "only recommendation or boilerplate blocks found"
        return result
    if not has_prose(kept):
        result.status = STATUS_NO_ARTICLE
        result.reason = (
            f"no running text: no sentence of {PROSE_MIN_WORDS} words or more"
            " (a listing, menu or error page)"
        )
        result.removed = [*result.removed, *(RemovedBlock(b.text, "no-article") for b in kept)]
        return result
    result.status = STATUS_OK
    result.blocks = kept
    return result


def _extract(data: bytes | str, url: str | None, content_type: str | None) -> Extraction:
    decoded = decode(data, content_type)
    if decoded.status != STATUS_OK:
        return Extraction(status=decoded.status, reason=decoded.reason, url=url)
    tree = parse(decoded.text)
    if tree is None:
        return Extraction(status=STATUS_NO_ARTICLE, reason="markup could not be parsed", url=url)
    meta = extract_metadata(tree, url)
    credit = find_credit(tree, url)
    sections = find_sections(tree, url)
    blocks = run_trafilatura(tree, url)
    result = _with_metadata(Extraction(status=STATUS_OK, url=url), meta)
    if blocks:
        result = _body(tree, blocks, result, credit, sections)
        if result.ok:
            return result
    # Nothing usable: trafilatura's precision-first pass also discards an article body
    # that sits inside wrappers it takes for navigation or a sidebar. One second pass
    # that favours recall, cleaned the same way, is taken only if it reads as an article.
    second = run_trafilatura(tree, url, favor_recall=True)
    if second:
        retry = _body(
            tree,
            second,
            _with_metadata(Extraction(status=STATUS_OK, url=url), meta),
            credit,
            sections,
        )
        if retry.ok:
            return retry
    if not blocks:
        result.status = STATUS_NO_ARTICLE
        result.reason = "no article text found"
        if _too_deep(tree):
            result.reason += (
                f" (markup nested deeper than the parser's {PARSER_DEPTH_LIMIT} levels)"
            )
    return result


def extract(
    data: bytes | str, url: str | None = None, content_type: str | None = None
) -> Extraction:
    """Extract the article of one page. Never raises: failures are a status and a reason.

    Args:
        data: the page body, raw bytes as fetched (preferred) or decoded text.
        url: the page's URL, used for relative links and as ``Extraction.url``.
        content_type: the HTTP Content-Type header value, if known.

    Returns:
        An :class:`Extraction`; ``status`` is one of ``model.STATUSES``.

    Example:
        >>> html = "<html><body><article><p>" + "Words in a row. " * 30 + "</p></article>"
        >>> extract(html + "</body></html>").status
        'ok'
    """
    try:
        return _extract(data, url, content_type)
    except RecursionError:
        return Extraction(status=STATUS_ERROR, reason="markup too deeply nested", url=url)
    except Exception as exc:  # the crawl must go on: any failure becomes a recorded status
        LOGGER.debug("extraction failed for %s", url, exc_info=True)
        return Extraction(status=STATUS_ERROR, reason=f"{type(exc).__name__}: {exc}", url=url)
