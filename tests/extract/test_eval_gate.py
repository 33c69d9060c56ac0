"""CI quality gate: the evaluator over the project's fixtures, against pinned floors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from crawler.extract import extract
from crawler.extract.evaluate import (
    EXTRACTORS,
    Page,
    evaluate,
    load_fixtures,
    newsdedup_extractor,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "extract"
BASELINE: dict[str, Any] = json.loads(
    (Path(__file__).with_name("eval_baseline.json")).read_text(encoding="utf-8")
)
PAGES = load_fixtures(FIXTURES)


def test_fixtures_present() -> None:
    teaser_pages = [p for p in PAGES if p.teasers]
    assert len(teaser_pages) >= BASELINE["min_teaser_layouts"]
    assert sum(len(p.teasers) for p in teaser_pages) >= BASELINE["min_teasers_total"]


def test_gate_floors_and_zero_teaser_leakage() -> None:
    result = evaluate({"newsdedup": newsdedup_extractor}, PAGES, warm_up=False)["newsdedup"]
    score = result.score
    assert result.failures == []
    assert score.precision >= BASELINE["precision"]
    assert score.recall >= BASELINE["recall"]
    assert score.f1 >= BASELINE["f1"]
    assert score.teasers_kept <= BASELINE["max_teasers_kept"]


def test_plain_trafilatura_leaks_teasers_on_the_same_fixtures() -> None:
    """The fixtures are a real test: trafilatura alone keeps teasers on them."""
    teaser_pages = [p for p in PAGES if p.teasers]
    result = evaluate({"t": EXTRACTORS["trafilatura"]}, teaser_pages, warm_up=False)["t"]
    assert result.score.teasers_kept > 0


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_fixture_expectations(page: Page) -> None:
    result = extract(page.data, url=page.url, content_type=page.content_type)
    for key, expected in page.expected.items():
        assert getattr(result, key) == expected, f"{page.name}: {key}"
    if not result.ok:
        assert result.reason
