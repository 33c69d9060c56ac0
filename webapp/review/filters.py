"""The queue's filters: read from the query string (bad values are reported, not fatal)
and written back into links, so every page and form keeps the editor's filter."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from starlette.datastructures import ImmutableMultiDict

from storage.repo.review import KIND_GROUPS, SORTS, STATES, QueueFilter
from webapp.review.params import ascii_int

FIELDS = ("kind", "source", "from", "to", "min", "max", "state", "q", "sort", "view")
VIEWS = ("stories", "paragraphs")


@dataclass
class ParsedFilter:
    """A filter, the raw values it was read from, and messages about ignored values."""

    filter: QueueFilter
    raw: dict[str, str]
    problems: list[str] = field(default_factory=list)

    @property
    def view(self) -> str:
        """``stories`` (default: flags grouped by article pair) or ``paragraphs``."""
        return self.raw.get("view", "stories")

    def query(self, **changes: str | int | None) -> str:
        """The query string of this filter with ``changes`` (None removes a key)."""
        values: dict[str, str] = dict(self.raw)
        for key, value in changes.items():
            if value is None or value == "":
                values.pop(key, None)
            else:
                values[key] = str(value)
        return urlencode(values)


def _float(raw: dict[str, str], key: str, label: str, problems: list[str]) -> float | None:
    value = raw.get(key, "")
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if not 0.0 <= number <= 1.0:
        problems.append(f"ignored {label} {value!r}: expected a number from 0 to 1")
        raw.pop(key)
        return None
    return number


def _date(raw: dict[str, str], key: str, label: str, problems: list[str]) -> date | None:
    value = raw.get(key, "")
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(f"ignored {label} {value!r}: expected a date like 2026-01-31")
        raw.pop(key)
        return None


def parse_filter(params: ImmutableMultiDict[str, str] | dict[str, str]) -> ParsedFilter:
    """Read the queue filter from query (or form) parameters.

    ``state`` defaults to ``pending``; ``state=all`` shows every state.
    """
    raw = {k: str(params.get(k, "")).strip()[:100] for k in FIELDS if params.get(k)}
    raw = {k: v.replace("\x00", "") for k, v in raw.items() if v}
    problems: list[str] = []
    sort = raw.get("sort") or "newest"
    if sort not in SORTS:
        problems.append(f"ignored sort {sort!r}: expected one of {', '.join(SORTS)}")
        raw.pop("sort")
        sort = "newest"
    if raw.get("view", "stories") not in VIEWS:
        problems.append(f"ignored view {raw['view']!r}: expected one of {', '.join(VIEWS)}")
        raw.pop("view")
    kind = raw.get("kind") or None
    if kind is not None and kind not in KIND_GROUPS:
        problems.append(f"ignored kind {kind!r}: expected one of {', '.join(KIND_GROUPS)}")
        raw.pop("kind")
        kind = None
    state: str | None = raw.get("state") or "pending"
    if state == "all":
        state = None
    elif state not in STATES:
        problems.append(f"ignored state {state!r}: expected all or one of {', '.join(STATES)}")
        raw.pop("state")
        state = "pending"
    source_id: int | None = None
    if raw.get("source"):
        source_id = ascii_int(raw["source"])
        if source_id is None:
            problems.append(f"ignored source {raw['source']!r}: expected a source id")
            raw.pop("source")
    parsed = QueueFilter(
        kind=kind,
        source_id=source_id,
        date_from=_date(raw, "from", "start date", problems),
        date_to=_date(raw, "to", "end date", problems),
        score_min=_float(raw, "min", "minimum score", problems),
        score_max=_float(raw, "max", "maximum score", problems),
        state=state,
        q=raw.get("q") or None,
        sort=sort,
    )
    return ParsedFilter(filter=parsed, raw=raw, problems=problems)


def safe_next(value: str | None, default: str = "/review") -> str:
    """A redirect target inside the review pages; anything else becomes ``default``."""
    if not value or not value.startswith("/review") or "\\" in value or "//" in value:
        return default
    if any(ord(c) < 32 for c in value):
        return default
    return value
