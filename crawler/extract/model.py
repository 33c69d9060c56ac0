"""Data types of the extraction result. Plain Python: no Scrapy, no SQLAlchemy."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

BlockKind = Literal["paragraph", "heading", "list_item", "quote", "table", "code"]

# Extraction statuses. Only "ok" produces an article.
STATUS_OK = "ok"
STATUS_NO_ARTICLE = "no_article"  # a page without an article (listing, index, error page)
STATUS_EMPTY = "empty"  # empty body
STATUS_NOT_HTML = "not_html"  # non-HTML content type or binary data
STATUS_TOO_LARGE = "too_large"  # over the size limit
STATUS_ERROR = "error"  # the extractor failed; reason holds the exception
STATUS_BAD_ENCODING = "bad_encoding"  # the text stays mis-decoded (mojibake, many U+FFFD)
STATUSES = (
    STATUS_OK,
    STATUS_NO_ARTICLE,
    STATUS_EMPTY,
    STATUS_NOT_HTML,
    STATUS_TOO_LARGE,
    STATUS_ERROR,
    STATUS_BAD_ENCODING,
)


@dataclass(frozen=True)
class Block:
    """One block of the article body, in reading order."""

    kind: BlockKind
    text: str


@dataclass(frozen=True)
class RemovedBlock:
    """A block the cleaner removed, with why (kept for evaluation and review)."""

    text: str
    reason: str  # e.g. "recommendation-heading", "truncated-teaser", "link-dense", "prompt"


@dataclass
class Extraction:
    """What extraction made of one page. Unknown metadata is None, never a guess."""

    status: str
    reason: str | None = None
    url: str | None = None
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published: str | None = None  # ISO 8601 date or datetime
    updated: str | None = None
    language: str | None = None  # ISO 639-1
    site_name: str | None = None
    canonical_url: str | None = None
    credit: str | None = None  # e.g. "This article originally appeared on Example News"
    credit_url: str | None = None  # URL named or linked by the credit line
    blocks: list[Block] = field(default_factory=list)
    removed: list[RemovedBlock] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == STATUS_OK

    @property
    def text(self) -> str:
        return "\n".join(b.text for b in self.blocks)

    def to_json(self) -> dict[str, Any]:
        """The JSON object of ``newsdedup extract`` (without ``file``). A stable contract."""
        data = asdict(self)
        data["text"] = self.text
        return data
