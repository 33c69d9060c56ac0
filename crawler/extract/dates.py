"""Normalise date strings found in page metadata to ISO 8601, or None."""

from __future__ import annotations

import re
from datetime import date, datetime

_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d",
    "%a, %d %b %Y %H:%M:%S %z",
    "%a, %d %b %Y %H:%M:%S %Z",
    "%d %b %Y",
    "%d %B %Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%d.%m.%Y",
    "%d.%m.%Y %H:%M",
    "%Y%m%d",
)
_ISO_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}")
_Z = re.compile(r"Z$")
_TZ_NO_COLON = re.compile(r"([+-]\d{2})(\d{2})$")
MIN_YEAR = 1990


def _plausible(value: date) -> bool:
    return MIN_YEAR <= value.year <= 2100


def to_iso(raw: str | None) -> str | None:
    """An ISO 8601 date or datetime for ``raw``, or None when it is not a clear date.

    Datetimes keep their time and offset; a bare date stays a date. Years before 1990
    or after 2100 are rejected as noise.

    >>> to_iso("2024-03-05T10:20:00Z")
    '2024-03-05T10:20:00+00:00'
    >>> to_iso("5 March 2024")
    '2024-03-05'
    """
    if not raw:
        return None
    text = " ".join(raw.split())
    if not text or len(text) > 64:
        return None
    if _ISO_PREFIX.match(text):
        candidate = _TZ_NO_COLON.sub(r"\1:\2", _Z.sub("+00:00", text.replace(" ", "T", 1)))
        try:
            if len(text) == 10:
                parsed_date = date.fromisoformat(text)
                return parsed_date.isoformat() if _plausible(parsed_date) else None
            parsed = datetime.fromisoformat(candidate)
            return parsed.isoformat() if _plausible(parsed) else None
        except ValueError:
            pass
    for fmt in _FORMATS:
        try:
            parsed = datetime.strptime(text, fmt)
        except ValueError:
            continue
        if not _plausible(parsed):
            return None
        has_time = "%H" in fmt
        return parsed.isoformat() if has_time else parsed.date().isoformat()
    return None
