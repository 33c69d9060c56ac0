"""Dedup state: parameter sets, signatures, paragraph texts and duplicate links."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from storage.models import DuplicateLink, ParagraphSignature
from storage.repository import (
    add_duplicate_link,
    delete_signatures_except,
    get_or_create_params,
    iter_signatures,
    paragraph_texts,
    paragraphs_missing_signature,
    save_signature,
    save_signatures,
)
from tests.storage import factories

PARAMS = {"seed": 1, "num_perm": 128, "scheme": "datasketch-2", "shingles": "word-3/v1"}


@contextmanager
def count_selects(session: Session) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(*args: Any) -> None:
        statement = args[2]
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    connection = session.connection()
    event.listen(connection, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(connection, "before_cursor_execute", record)


def _two_articles(session: Session) -> tuple[list[int], list[int]]:
    a, _ = factories.article(session, factories.source(session), "https://a.example/1")
    b, _ = factories.article(
        session, factories.source(session, "quayside-wire"), "https://b.example/1"
    )
    return [p.id for p in a.paragraphs], [p.id for p in b.paragraphs]


def test_get_or_create_params(session: Session) -> None:
    first = get_or_create_params(session, "a" * 64, PARAMS)
    again = get_or_create_params(session, "a" * 64, {"ignored": True})
    other = get_or_create_params(session, "b" * 64, {**PARAMS, "seed": 2})
    assert again.id == first.id
    assert other.id != first.id
    session.expire_all()
    assert get_or_create_params(session, "a" * 64, PARAMS).params == PARAMS


def test_save_signature_inserts_and_replaces(session: Session) -> None:
    ids, _ = _two_articles(session)
    old = get_or_create_params(session, "a" * 64, PARAMS)
    new = get_or_create_params(session, "b" * 64, {**PARAMS, "seed": 2})
    save_signature(session, ids[0], old.id, b"\x00" * 16)
    save_signature(session, ids[1], old.id, None)
    session.flush()
    save_signature(session, ids[0], new.id, b"\x07" * 16)
    session.flush()
    session.expire_all()
    first = session.get(ParagraphSignature, ids[0])
    second = session.get(ParagraphSignature, ids[1])
    assert first is not None and second is not None
    assert (first.params_id, first.hashvalues) == (new.id, b"\x07" * 16)
    assert (second.params_id, second.hashvalues) == (old.id, None)


def test_save_signatures_in_bulk(session: Session) -> None:
    a_ids, b_ids = _two_articles(session)
    params = get_or_create_params(session, "a" * 64, PARAMS)
    assert save_signatures(session, params.id, []) == 0
    written = save_signatures(
        session, params.id, [(a_ids[0], b"\x01"), (a_ids[1], None), (a_ids[0], b"\x02")]
    )
    assert written == 2
    assert save_signatures(session, params.id, [(a_ids[1], b"\x03"), (b_ids[0], b"\x04")]) == 2
    stored = {
        row.paragraph_id: row.hashvalues
        for row in session.execute(
            select(ParagraphSignature.paragraph_id, ParagraphSignature.hashvalues)
        )
    }
    assert stored == {a_ids[0]: b"\x02", a_ids[1]: b"\x03", b_ids[0]: b"\x04"}


def test_iter_signatures_streams_in_id_order(session: Session) -> None:
    a_ids, b_ids = _two_articles(session)
    params = get_or_create_params(session, "a" * 64, PARAMS)
    other = get_or_create_params(session, "b" * 64, {**PARAMS, "seed": 2})
    for n, paragraph_id in enumerate(a_ids + b_ids[:1]):
        save_signature(session, paragraph_id, params.id, bytes([n]) * 8 if n != 2 else None)
    save_signature(session, b_ids[1], other.id, b"\xff" * 8)
    session.flush()
    source_a = factories.source(session).id
    source_b = factories.source(session, "quayside-wire").id

    with count_selects(session) as selects:
        rows = iter_signatures(session, params.id, batch=2)
        first = next(rows)
        assert len(selects) == 1  # only the first batch has been read
        rest = list(rows)
    assert len(selects) == 3  # 5 rows in batches of 2
    result = [first, *rest]
    assert [row[0] for row in result] == sorted(a_ids + b_ids[:1])
    article_a = result[0][1]
    assert [row[2] for row in result] == [source_a] * 4 + [source_b]
    assert {row[1] for row in result[:4]} == {article_a}
    assert result[0][3] == factories.norm_hash(factories.BLOCKS_TEXT[0][1])
    assert result[0][4] == b"\x00" * 8
    assert isinstance(result[1][4], bytes)
    assert result[2][4] is None
    assert list(iter_signatures(session, other.id)) == [
        (
            b_ids[1],
            result[4][1],
            source_b,
            factories.norm_hash(factories.BLOCKS_TEXT[1][1]),
            b"\xff" * 8,
        )
    ]
    with pytest.raises(ValueError, match="batch must be at least 1"):
        next(iter_signatures(session, params.id, batch=0))


def test_rebuild_after_parameter_change(session: Session) -> None:
    a_ids, b_ids = _two_articles(session)
    old = get_or_create_params(session, "a" * 64, PARAMS)
    for paragraph_id in a_ids:
        save_signature(session, paragraph_id, old.id, b"\x01" * 8)
    session.flush()
    new = get_or_create_params(session, "b" * 64, {**PARAMS, "num_perm": 64})

    missing_old = [p.id for p in paragraphs_missing_signature(session, old.id)]
    assert missing_old == sorted(b_ids)

    rebuilt = []
    for paragraph in paragraphs_missing_signature(session, new.id, batch=3):
        save_signature(session, paragraph.id, new.id, paragraph.norm_hash.encode()[:8])
        rebuilt.append(paragraph.id)
    assert rebuilt == sorted(a_ids + b_ids)
    assert list(paragraphs_missing_signature(session, new.id)) == []
    assert delete_signatures_except(session, new.id) == 0
    save_signature(session, a_ids[0], old.id, None)
    session.flush()
    assert delete_signatures_except(session, new.id) == 1
    assert (
        session.scalar(select(func.count()).select_from(ParagraphSignature))
        == len(a_ids + b_ids) - 1
    )


def test_paragraph_texts(session: Session) -> None:
    a_ids, _ = _two_articles(session)
    texts = paragraph_texts(session, [a_ids[1], a_ids[0], a_ids[1], 10**9])
    assert texts == {
        a_ids[0]: factories.BLOCKS_TEXT[0][1],
        a_ids[1]: factories.BLOCKS_TEXT[1][1],
    }
    assert paragraph_texts(session, []) == {}


def test_add_duplicate_link_is_idempotent(session: Session) -> None:
    a_ids, b_ids = _two_articles(session)
    params = get_or_create_params(session, "a" * 64, PARAMS)
    link: dict[str, Any] = {
        "paragraph_id": b_ids[1],
        "matched_paragraph_id": a_ids[1],
        "kind": "near_cross",
        "method": "minhash+jaccard",
        "score": 0.91,
        "scores": {"estimated": 0.9, "jaccard": 0.91},
        "params_id": params.id,
        "run_id": None,
    }
    assert add_duplicate_link(session, **link) is True
    assert add_duplicate_link(session, **{**link, "score": 0.5}) is False
    assert add_duplicate_link(session, **{**link, "matched_paragraph_id": a_ids[2]}) is True
    session.expire_all()
    rows = session.scalars(select(DuplicateLink).order_by(DuplicateLink.id)).all()
    assert [(r.paragraph_id, r.matched_paragraph_id, r.score) for r in rows] == [
        (b_ids[1], a_ids[1], 0.91),
        (b_ids[1], a_ids[2], 0.91),
    ]
    assert rows[0].scores == {"estimated": 0.9, "jaccard": 0.91}
    with pytest.raises(ValueError, match="cannot be a duplicate of itself"):
        add_duplicate_link(session, **{**link, "matched_paragraph_id": b_ids[1]})
