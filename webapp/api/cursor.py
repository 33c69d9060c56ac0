"""Opaque pagination cursors: the last id of a page, tagged with the list it belongs to.

Example:
    >>> decode_cursor(encode_cursor("articles", 42), "articles")
    42
"""

from __future__ import annotations

import base64
import binascii
import json

ID_MAX = 2_147_483_647  # ids are 32-bit integers on PostgreSQL


class CursorError(ValueError):
    """The cursor was not made by this API for this list."""


def encode_cursor(kind: str, last_id: int) -> str:
    """The cursor of the page after the item ``last_id`` of list ``kind``."""
    raw = json.dumps({"k": kind, "a": last_id}, separators=(",", ":")).encode("ascii")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, kind: str) -> int:
    """The id after which the page of list ``kind`` starts.

    Raises:
        CursorError: a malformed cursor, or one of another list.
    """
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error) as exc:
        raise CursorError("malformed cursor: pass back the next_cursor of a response") from exc
    if not isinstance(data, dict) or data.get("k") != kind:
        raise CursorError(f"not a cursor of the {kind} list")
    after = data.get("a")
    if not isinstance(after, int) or isinstance(after, bool) or not 0 <= after <= ID_MAX:
        raise CursorError("malformed cursor: pass back the next_cursor of a response")
    return after
