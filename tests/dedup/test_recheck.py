"""The engine's optional second opinion (``recheck``): it sees exactly the pairs the rules
scored and rejected, and the pairs it accepts become flags with its method; without it the
rules decide alone. The ``NEWSDEDUP_EMBEDDINGS`` setting chooses it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from crawler.cli import main
from crawler.dedup import DedupEngine, DedupParams
from crawler.dedup.verify import Decision, Profile
from crawler.ingest import recheck as recheck_setting

# One article: the last paragraph starts as the second does, then says something else. The
# rare-word rules are switched off so that the pair model alone decides, and rejects it.
ARTICLE = [
    "Harbourline opened its third data centre near Lulea on Monday, adding 42 megawatts of "
    "capacity that the company says will run on hydroelectric power from the Lule river.",
    "The new hall uses liquid cooling loops instead of raised floors, and chief operating "
    "officer Maren Holt said each rack can draw up to 80 kilowatts of power.",
    "Customers in the region have waited months for graphics processors, and the operator "
    "plans to rent half of the building out as accelerator clusters for research groups.",
    "Local officials welcomed the permanent jobs but warned that the grid connection took "
    "four years to approve, leaving several other projects stuck in the queue.",
    "The new hall uses liquid cooling loops instead of raised floors, and the company said a "
    "Finnish site will copy that layout next year.",
]
CONFIG = Path(__file__).resolve().parents[2] / "config" / "sources.toml"
PARAMS = DedupParams(within_rare_min=10_000, within_strong_rare_min=10_000)


class Recorder:
    """A second opinion that accepts the pairs whose later text contains ``marker``."""

    def __init__(self, marker: str) -> None:
        self.marker = marker
        self.seen: list[tuple[str, str, Decision]] = []

    def __call__(self, items: Sequence[tuple[Profile, Profile, Decision]]) -> list[Decision]:
        out = []
        for a, b, d in items:
            self.seen.append((a.text, b.text, d))
            if self.marker in b.text or self.marker in a.text:
                out.append(Decision(True, "test:second-opinion", 0.97, dict(d.scores)))
            else:
                out.append(d)
        return out


def test_rules_alone_do_not_flag_the_retelling() -> None:
    matches = DedupEngine(PARAMS).check_article(ARTICLE)
    assert [m for m in matches if m.kind == "near_within"] == []


def test_second_opinion_sees_rejected_pairs_and_its_accepts_are_flagged() -> None:
    rec = Recorder("Finnish site")
    matches = DedupEngine(PARAMS, recheck=rec).check_article(ARTICLE)
    assert [(a, b) for a, b, _ in rec.seen] == [(ARTICLE[1], ARTICLE[4])]
    assert all(not d.duplicate for _, _, d in rec.seen)
    near = [m for m in matches if m.kind == "near_within"]
    assert [(m.index, m.other, m.method) for m in near] == [(4, 1, "test:second-opinion")]


def test_second_opinion_across_articles() -> None:
    stored = {
        7: "The new hall uses liquid cooling loops instead of raised floors, and chief "
        "operating officer Maren Holt said each rack can draw up to 80 kilowatts of power."
    }
    rec = Recorder("Finnish site")
    engine = DedupEngine(
        PARAMS, lookup=lambda keys: {k: stored[k] for k in keys if k in stored}, recheck=rec
    )
    engine.add_many([7], 1, engine.signatures([stored[7]]))
    query = [ARTICLE[4]]
    plain = DedupEngine(PARAMS, lookup=engine.lookup)
    plain.add_many([7], 1, plain.signatures([stored[7]]))
    assert [m for m in plain.check_article(query, article=2) if m.kind == "near_cross"] == []
    matches = engine.check_article(query, article=2)
    cross = [(m.index, m.other, m.method) for m in matches if m.kind == "near_cross"]
    assert [(a, b) for a, b, _ in rec.seen] == [(query[0], stored[7])]
    assert cross == [(0, 7, "test:second-opinion")]


def test_accepted_pairs_are_never_sent_again() -> None:
    rec = Recorder("never")
    # the exact repeat and the accepted pairs are settled by the rules: only the rejected
    # pair goes to the second opinion
    DedupEngine(PARAMS, recheck=rec).check_article([*ARTICLE, ARTICLE[2]])
    assert [(a, b) for a, b, _ in rec.seen] == [(ARTICLE[1], ARTICLE[4])]


def test_setting_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSDEDUP_EMBEDDINGS", "0")
    assert recheck_setting.recheck_from_settings() is None
    assert recheck_setting.problem() is None
    monkeypatch.setenv("NEWSDEDUP_EMBEDDINGS", "yes please")
    assert "NEWSDEDUP_EMBEDDINGS must be 0 or 1" in (recheck_setting.problem() or "")
    with pytest.raises(recheck_setting.RecheckConfigError):
        recheck_setting.recheck_from_settings()


def test_missing_extra_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from crawler.dedup.embed import Embedder

    if Embedder.available():
        pytest.skip("the embed extra is installed here")
    monkeypatch.setenv("NEWSDEDUP_EMBEDDINGS", "1")
    reason = recheck_setting.problem() or ""
    assert "NEWSDEDUP_EMBEDDINGS=1" in reason and ".[embed]" in reason


@pytest.mark.parametrize("command", ["crawl", "reextract"])
def test_crawl_and_reextract_refuse_a_bad_setting(
    command: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("NEWSDEDUP_EMBEDDINGS", "maybe")
    db = tmp_path / "x.db"
    args = ["--database-url", f"sqlite:///{db}", command]
    if command == "crawl":
        args += ["--sources", str(CONFIG)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "NEWSDEDUP_EMBEDDINGS must be 0 or 1, not 'maybe'" in err
    assert not db.exists()  # stopped before touching the database
