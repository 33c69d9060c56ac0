"""Streaming writers of the article export: JSON Lines, CSV and Parquet.

Each writer consumes an iterable of row dicts (keys: ``EXPORT_COLUMNS`` of
:mod:`storage.repo.export`) one at a time, so memory stays flat whatever the number of
rows; Parquet is written one row group per batch with pyarrow. Times are UTC: ISO 8601
with ``Z`` in JSON Lines and CSV, ``timestamp[us, tz=UTC]`` in Parquet.

Example:
    >>> import io
    >>> out = io.StringIO()
    >>> write_jsonl([{"id": 1, "title": "Cranes"}], out)
    1
    >>> out.getvalue()
    '{"id": 1, "title": "Cranes"}\\n'
"""

from __future__ import annotations

import csv
import json
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import IO, Any

FORMATS = ("jsonl", "csv", "parquet")
BATCH_ROWS = 1000


class ExportError(ValueError):
    """The export cannot be written as asked (unknown format, parquet to stdout...)."""


def _iso(value: datetime) -> str:
    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return aware.isoformat().replace("+00:00", "Z")


def _json_value(value: Any) -> Any:
    return _iso(value) if isinstance(value, datetime) else value


def write_jsonl(rows: Iterable[dict[str, Any]], out: IO[str]) -> int:
    """Write one JSON object per line; returns the number of rows."""
    count = 0
    for row in rows:
        out.write(json.dumps({k: _json_value(v) for k, v in row.items()}, ensure_ascii=False))
        out.write("\n")
        count += 1
    return count


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def write_csv(rows: Iterable[dict[str, Any]], out: IO[str], columns: Sequence[str]) -> int:
    """Write a header and one line per row (lists as JSON, empty for null, RFC 4180
    quoting); returns the number of rows."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([_csv_value(row.get(name)) for name in columns])
        count += 1
    return count


def parquet_schema() -> Any:
    """The Parquet schema of the export (pyarrow is imported only when needed)."""
    import pyarrow as pa  # type: ignore[import-untyped]

    ts = pa.timestamp("us", tz="UTC")
    return pa.schema(
        [
            ("id", pa.int64()),
            ("source", pa.string()),
            ("url", pa.string()),
            ("canonical_url", pa.string()),
            ("title", pa.string()),
            ("authors", pa.list_(pa.string())),
            ("published_at", ts),
            ("updated_at", ts),
            ("language", pa.string()),
            ("site_name", pa.string()),
            ("credit", pa.string()),
            ("credit_url", pa.string()),
            ("version", pa.int32()),
            ("first_seen_at", ts),
            ("last_seen_at", ts),
            ("cluster_id", pa.int64()),
            ("is_canonical", pa.bool_()),
            ("paragraph_count", pa.int32()),
            ("duplicate_paragraphs", pa.int32()),
            ("text", pa.string()),
        ]
    )


def _batches(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def _aware(row: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (v.replace(tzinfo=UTC) if isinstance(v, datetime) and v.tzinfo is None else v)
        for k, v in row.items()
    }


def write_parquet(
    rows: Iterable[dict[str, Any]], path: str | Path, batch_rows: int = BATCH_ROWS
) -> int:
    """Write a Parquet file, one row group per ``batch_rows`` rows; returns the row count."""
    import pyarrow as pa
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    schema = parquet_schema()
    count = 0
    with pq.ParquetWriter(str(path), schema, compression="zstd") as writer:
        for batch in _batches(rows, batch_rows):
            table = pa.Table.from_pylist([_aware(r) for r in batch], schema=schema)
            writer.write_table(table, row_group_size=len(batch))
            count += len(batch)
        if count == 0:
            writer.write_table(schema.empty_table())
    return count


def export_rows(
    rows: Iterable[dict[str, Any]],
    fmt: str,
    output: str,
    columns: Sequence[str],
    *,
    batch_rows: int = BATCH_ROWS,
) -> int:
    """Write ``rows`` as ``fmt`` to ``output`` (a path, or ``-`` for standard output).

    A file is written under a temporary name beside it and renamed when complete, so a
    failed export never leaves a truncated file behind.

    Raises:
        ExportError: unknown format, or Parquet asked for standard output.
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if output == "-":
        if fmt == "parquet":
            raise ExportError(
                "parquet needs a seekable file: pass --output FILE.parquet (not stdout)"
            )
        return _write_text(rows, fmt, sys.stdout, columns)
    target = Path(output)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    try:
        if fmt == "parquet":
            count = write_parquet(rows, tmp_name, batch_rows)
        else:
            with open(tmp_name, "w", encoding="utf-8", newline="") as out:
                count = _write_text(rows, fmt, out, columns)
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return count


def _write_text(
    rows: Iterable[dict[str, Any]], fmt: str, out: IO[str], columns: Sequence[str]
) -> int:
    if fmt == "jsonl":
        return write_jsonl(rows, out)
    return write_csv(rows, out, columns)
