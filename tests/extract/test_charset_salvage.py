"""Pages whose bytes contradict their declared charset: re-decoded, or flagged.

Each case is a fixture under tests/fixtures/encoding/ (the raw bytes as served) beside a
JSON file with the URL, the Content-Type header, what is wrong and what must come out.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from crawler.extract import extract
from crawler.extract.decode import (
    decode,
    detect_charset,
    reads_as_mojibake,
    repair_double_encoding,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "encoding"


def _cases() -> list[Any]:
    cases = []
    for path in sorted(FIXTURES.glob("*.json")):
        meta = json.loads(path.read_text(encoding="utf-8"))
        body = (FIXTURES / meta["file"]).read_bytes()
        cases.append(pytest.param(meta, body, id=meta["file"]))
    return cases


CASES = _cases()


def test_every_fixture_has_its_description() -> None:
    described = {json.loads(p.read_text(encoding="utf-8"))["file"] for p in FIXTURES.glob("*.json")}
    assert described == {p.name for p in FIXTURES.glob("*.html")}


@pytest.mark.parametrize(("meta", "body"), CASES)
def test_page_is_decoded_as_its_bytes_say_or_flagged(meta: dict[str, Any], body: bytes) -> None:
    expect = meta["expect"]
    result = extract(body, url=meta["url"], content_type=meta["content_type"])
    assert result.status == expect["status"], result.reason
    decoded = decode(body, meta["content_type"])
    assert decoded.status == expect["status"]
    if "encoding" in expect:
        assert decoded.encoding == expect["encoding"]
    text = f"{result.title}\n{result.text}"
    for segment in meta["with"]:
        assert segment in text
    for segment in meta["without"]:
        assert segment not in text and segment not in decoded.text


def test_bad_encoding_names_the_problem() -> None:
    body = (FIXTURES / "replacement_characters.html").read_bytes()
    result = extract(body, content_type="text/html; charset=utf-8")
    assert result.status == "bad_encoding"
    assert result.reason is not None and "could not be decoded (U+FFFD)" in result.reason
    assert result.blocks == []


def test_bytes_decide_against_the_header() -> None:
    found = detect_charset(
        (FIXTURES / "cp1251_declared_utf8.html").read_bytes(), "text/html; charset=utf-8"
    )
    assert (found.encoding, found.source, found.problem) == ("cp1251", "detected", None)


def test_unexplained_mojibake_is_flagged_not_ok() -> None:
    # Cyrillic read as windows-1252 and then stored as ISO-8859-1 with its lost bytes
    # replaced: no encoding reads it cleanly, so it must not be stored as clean text
    text = "Íîâîñòè òåõíîëîãèé: " + "\ufffd".join(["ïðîöåññîð", "äëÿ", "íîóòáóêîâ"]) * 3
    page = f"<html><body><p>{text}</p></body></html>".encode()
    decoded = decode(page, "text/html; charset=utf-8")
    assert decoded.status == "bad_encoding"
    assert decoded.reason == (
        "text reads as mojibake in utf-8 (utf-8) and no other encoding reads cleanly"
    )


@pytest.mark.parametrize(
    "text",
    [
        "L’été dernier, les élèves ont créé « Ça va » à Noël ; déjà, où ça ? Œuvre, cœur, naïf.",
        "Größe und Übermaß, naïve Cafés. Die Kosten für die Umrüstung trägt zur Hälfte.",
        "¿Qué pasó? ¡Año nuevo en España! Niño, señor, acción, también, pingüino.",
        "São Paulo, coração, informação, ações, não, irmã, órgão, você, avô.",
        "Þjóðhátíð í Vestmannaeyjum, Ísland, fjörður, kýr, ær, hæð, ðá.",
        "Åbo, ærø, Ørsted, blåbærsyltetøy, smørbrød, Østersøen, Ålesund.",
    ],
)
def test_real_western_text_is_not_mojibake(text: str) -> None:
    assert not reads_as_mojibake(text * 5)
    assert repair_double_encoding(text * 5) == (text * 5, 0)
    page = f"<html><body><p>{text}</p></body></html>"
    found = detect_charset(page.encode("cp1252"), "text/html; charset=windows-1252")
    assert (found.text, found.encoding, found.problem) == (page, "cp1252", None)


def test_double_encoded_sequences_are_repaired_where_they_are() -> None:
    mixed = "Clean café here; then CafÃ© and crÃ¨me brÃ»lÃ©e, itâ€™s late."
    repaired, count = repair_double_encoding(mixed)
    assert repaired == "Clean café here; then Café and crème brûlée, it’s late."
    assert count == 5


def test_a_single_lookalike_is_left_alone() -> None:
    assert repair_double_encoding("Ã© is how é looks when misread") == (
        "Ã© is how é looks when misread",
        0,
    )


def test_german_sharp_s_before_a_soft_hyphen_or_quote_is_not_repaired() -> None:
    """Real pages write "Groß\\xadstadt", "ließ“" and "gemäß\\xa0§ 5": each looks like a
    UTF-8 sequence read as windows-1252 but would decode to an NKo letter."""
    text = "Groß\xadstadt und Groß\xadraum, er ließ“ es, gemäß\xa0§ 5; NESCAFÉ® und NESCAFÉ®"
    assert repair_double_encoding(text) == (text, 0)
