"""Query parameters shared by the list endpoints, and 422 errors in FastAPI's shape."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Query
from fastapi.exceptions import RequestValidationError

from webapp.api.cursor import CursorError, decode_cursor

NO_NUL = r"^[^\x00]*$"
LIMIT_MAX = 200

Limit = Annotated[int, Query(ge=1, le=LIMIT_MAX, description=f"page size, 1-{LIMIT_MAX}")]
Cursor = Annotated[
    str | None,
    Query(
        max_length=200,
        pattern=r"^[A-Za-z0-9_-]*$",
        description="the `next_cursor` of the previous page (opaque)",
    ),
]


def invalid(field: str, message: str, value: object = None) -> RequestValidationError:
    """A 422 error about query parameter ``field``, shaped like FastAPI's own."""
    return RequestValidationError(
        [{"type": "value_error", "loc": ("query", field), "msg": message, "input": value}]
    )


def after_id(cursor: str | None, kind: str) -> int | None:
    """The id a page starts after, from ``cursor`` (None: the first page).

    Raises:
        RequestValidationError: the cursor is malformed or of another list (422).
    """
    if cursor is None:
        return None
    try:
        return decode_cursor(cursor, kind)
    except CursorError as exc:
        raise invalid("cursor", str(exc), cursor) from exc


def naive_utc(field: str, value: datetime | None) -> datetime | None:
    """A datetime as stored (naive UTC); a naive input is taken as UTC.

    Raises:
        RequestValidationError: the time is out of range once converted to UTC (422).
    """
    if value is None or value.tzinfo is None:
        return value
    try:
        return value.astimezone(UTC).replace(tzinfo=None)
    except (OverflowError, ValueError) as exc:
        raise invalid(field, "datetime out of range in UTC", value.isoformat()) from exc
