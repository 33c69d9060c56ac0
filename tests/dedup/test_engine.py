from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from crawler.dedup import DedupEngine, DedupParams, Match

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "dedup"
# The shared folder beside the project (absent in a user's clone: the test then skips).
SEED = Path(__file__).resolve().parents[3] / "shared" / "seed" / "japan-ai-race.txt"


def _paragraphs(path: Path) -> list[str]:
    return [p.strip() for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip()]


class Store:
    """Stored paragraph texts, as the ingest layer's database would hold them."""

    def __init__(self) -> None:
        self.texts: dict[int, str] = {}
        self.calls = 0

    def lookup(self, keys: Sequence[int]) -> Mapping[int, str]:
        self.calls += 1
        return {k: self.texts[k] for k in keys if k in self.texts}


def _index(
    engine: DedupEngine, store: Store, article: int, texts: list[str], first_key: int
) -> None:
    for offset, (text, sig) in enumerate(zip(texts, engine.signatures(texts), strict=True)):
        store.texts[first_key + offset] = text
        engine.add(first_key + offset, article, sig, group=article)


def _pairs(matches: list[Match], kind: str) -> set[tuple[int, int]]:
    return {(m.index, m.other) for m in matches if m.kind == kind}


ORIGINAL = [
    "Harbourline Opens Its Third Data Centre in Northern Sweden",
    "Harbourline, the cloud provider based in Gothenburg, opened its third data centre near "
    "Luleå on Monday, adding 42 megawatts of capacity that the company says will run entirely "
    "on hydroelectric power.",
    "The new hall is built around liquid cooling loops rather than raised floors. Chief "
    "operating officer Maren Holt said the design lets each rack draw up to 80 kilowatts, "
    "roughly four times what the firm's older sites allow.",
    "Customers in the region have waited months for graphics processors, and Harbourline "
    "plans to dedicate half of the building to rented accelerator clusters. Pricing starts at "
    "2.10 euros per GPU hour for contracts longer than a year.",
    "Local officials welcomed the 160 permanent jobs but warned that the grid connection took "
    "four years to approve. Several planned projects in the area are still stuck in the queue.",
]


def test_repeated_intro_fixture_flagged_and_nothing_else() -> None:
    paras = _paragraphs(FIXTURES / "repeated_intro.txt")
    matches = DedupEngine().check_article(paras)
    assert _pairs(matches, "near_within") == {(6, 1)}
    assert [m for m in matches if m.kind != "near_within"] == []
    m = matches[0]
    assert m.method.startswith("minhash+verify:")
    assert 0.0 <= m.score <= 1.0
    # caught by the within-article rare-overlap test or by the pair model
    assert "rare_overlap" in m.scores or "pair_model" in m.scores


@pytest.mark.skipif(not SEED.exists(), reason="shared seed text not present")
def test_seed_repeated_intro_flagged_and_nothing_else() -> None:
    paras = _paragraphs(SEED)
    nav = next(i for i, p in enumerate(paras) if p.startswith("Navigating")) + 1
    matches = DedupEngine().check_article(paras)
    assert {(m.index, m.other, m.kind) for m in matches} == {(nav, 1, "near_within")}


@pytest.mark.skipif(not SEED.exists(), reason="shared seed text not present")
def test_seed_body_alone_still_flags_its_intro() -> None:
    """What the pipeline sees after extraction: the four body paragraphs only (no title,
    subheadings or teasers), where article-local IDF is nearly flat."""
    paras = _paragraphs(SEED)
    body = [p for p in paras[: paras.index("Explore more")] if len(p.split()) > 40]
    assert len(body) == 4
    matches = DedupEngine().check_article(body)
    assert {(m.index, m.other, m.kind) for m in matches} == {(3, 0, "near_within")}


def test_exact_within_and_short_paragraphs() -> None:
    paras = ["Advertisement", ORIGINAL[1], "Advertisement", "", ORIGINAL[2], ""]
    matches = DedupEngine().check_article(paras)
    assert _pairs(matches, "exact_within") == {(2, 0)}
    assert _pairs(matches, "near_within") == set()


def test_syndicated_copy_with_light_edits_flagged() -> None:
    store = Store()
    engine = DedupEngine(lookup=store.lookup)
    _index(engine, store, article=1, texts=ORIGINAL, first_key=100)
    copy = [
        "Swedish Cloud Firm Adds Hydro-Powered Capacity",  # new headline
        ORIGINAL[1].replace("on Monday", "this week").replace("the company says", "it says"),
        ORIGINAL[3],  # reordered
        ORIGINAL[2].split(". ")[0] + ".",  # trimmed to its first sentence
        ORIGINAL[4] + " Harbourline did not comment on the delay.",  # added sentence
        "Sign up for our newsletter to get the latest cloud stories every week.",
    ]
    matches = engine.check_article(copy, article=2)
    assert _pairs(matches, "exact_cross") == {(2, 103)}
    assert _pairs(matches, "near_cross") == {(1, 101), (3, 102), (4, 104)}
    assert all(m.method.startswith("minhash+verify:") for m in matches if m.kind == "near_cross")
    # never against the same article
    assert engine.check_article(ORIGINAL, article=1) == []


def test_hard_negatives_with_other_figures_not_flagged() -> None:
    store = Store()
    engine = DedupEngine(lookup=store.lookup)
    _index(engine, store, article=1, texts=ORIGINAL, first_key=100)
    other = [
        ORIGINAL[1].replace("third", "fourth").replace("42", "18"),
        ORIGINAL[3].replace("2.10", "1.60"),
        ORIGINAL[4].replace("160", "95"),
    ]
    matches = engine.check_article(other, article=2)
    assert matches == []


def test_without_lookup_only_exact_cross() -> None:
    engine = DedupEngine()
    sigs = engine.signatures(ORIGINAL)
    for key, sig in enumerate(sigs):
        engine.add(key, 1, sig)
    edited = [ORIGINAL[1], ORIGINAL[2].replace("said", "says")]
    assert [(m.index, m.kind) for m in engine.check_article(edited, article=2)] == [
        (0, "exact_cross")
    ]


def test_bad_inputs_have_defined_behaviour() -> None:
    store = Store()
    engine = DedupEngine(lookup=store.lookup)
    giant = " ".join(f"token{i % 5000} word{i % 7}" for i in range(100_000))
    cjk = "東京の新しいデータセンターは来年に稼働する予定で、冷却には湖の水を使う。"
    texts = ["", "word", "   ", giant, cjk, "東京"]
    sigs = engine.signatures(texts)
    assert [s.hashvalues is None for s in sigs] == [True, True, True, False, False, True]
    assert engine.check_article(texts, sigs, article=1) == []
    _index(engine, store, article=1, texts=texts, first_key=1)
    again = engine.check_article(texts, article=2)
    # empty and blank paragraphs never match; the others repeat exactly
    assert _pairs(again, "exact_cross") == {(1, 2), (3, 4), (4, 5), (5, 6)}


def test_cjk_light_edit_found_by_character_shingles() -> None:
    store = Store()
    engine = DedupEngine(lookup=store.lookup)
    cjk = "東京の新しいデータセンターは来年に稼働する予定で、冷却には湖の水を使うと会社は説明した。"
    _index(engine, store, article=1, texts=[cjk], first_key=1)
    edited = cjk.replace("会社は説明した", "会社が発表した")
    assert _pairs(engine.check_article([edited], article=2), "near_cross") == {(0, 1)}


def test_load_from_rows_equals_add() -> None:
    store = Store()
    params = DedupParams()
    first = DedupEngine(params, lookup=store.lookup)
    sigs = first.signatures(ORIGINAL)
    rows = [(100 + i, 1, 7, s.exact_hash, s.to_bytes()) for i, s in enumerate(sigs)]
    store.texts.update({100 + i: t for i, t in enumerate(ORIGINAL)})
    rows.append((999, 9, 7, "zz", b"\x00"))  # unreadable row: skipped, not a crash
    second = DedupEngine(params, lookup=store.lookup)
    assert second.load(rows) == len(ORIGINAL)
    assert len(second) == len(ORIGINAL)
    edited = [ORIGINAL[2].replace("roughly", "about"), ORIGINAL[3]]
    assert {(m.index, m.other, m.kind) for m in second.check_article(edited, article=2)} == {
        (0, 102, "near_cross"),
        (1, 103, "exact_cross"),
    }


def test_unrelated_articles_do_not_match() -> None:
    from crawler.dedup.research.evaluate import load_articles

    store = Store()
    engine = DedupEngine(lookup=store.lookup)
    arts = load_articles()
    for n, art in enumerate(arts[:12]):
        texts = [art.title, *art.paragraphs]
        assert engine.check_article(texts, article=n) == []
        _index(engine, store, n, texts, first_key=1000 * (n + 1))
    for a, b in itertools.combinations(range(12, 16), 2):
        assert arts[a].title != arts[b].title


def test_exact_cross_points_to_earliest_key_of_other_articles() -> None:
    engine = DedupEngine()
    sig = engine.signatures(["Advertisement"])[0]
    for key, article in ((30, 1), (10, 2), (20, 3)):
        engine.add(key, article, sig)
    matches = engine.check_article(["Advertisement"], article=2)
    assert [(m.index, m.other, m.kind) for m in matches] == [(0, 20, "exact_cross")]
    assert engine.check_article(["Advertisement"])[0].other == 10


def test_vocabulary_reset_between_signing_and_checking(monkeypatch: pytest.MonkeyPatch) -> None:
    from crawler.dedup.vocab import VOCAB

    store = Store()
    engine = DedupEngine(lookup=store.lookup)
    _index(engine, store, article=1, texts=ORIGINAL, first_key=100)
    edited = [ORIGINAL[2].replace("roughly", "about"), ORIGINAL[3]]
    sigs = engine.signatures(edited)  # term ids of the current generation
    generation = VOCAB.generation
    monkeypatch.setattr(VOCAB, "limit", 0)  # the next operation starts afresh
    matches = engine.check_article(edited, sigs, article=2)
    assert VOCAB.generation == generation + 1
    assert {(m.index, m.other, m.kind) for m in matches} == {
        (0, 102, "near_cross"),
        (1, 103, "exact_cross"),
    }


def test_indexing_while_a_view_of_the_key_columns_is_alive() -> None:
    # a check's views of the key columns can outlive it (e.g. in a reference cycle when
    # a kernel compiles mid-check); indexing more paragraphs must still work
    engine = DedupEngine()
    texts = [
        f"Paragraph number {i} about chips, fabs and the {i}th supply contract." for i in range(50)
    ]
    sigs = engine.signatures(texts)
    engine.add_many(range(10), 1, sigs[:10])
    held = engine._keys.values  # a view, as a check takes it
    for start in range(1, 300):  # past the columns' first allocation
        engine.add_many(range(start * 100, start * 100 + 10), start + 1, sigs[10:20])
    assert held.tolist() == list(range(10))
    assert len(engine) == 3_000
    matches = engine.check_article(texts[:1], article=99)
    assert [(m.kind, m.other) for m in matches] == [("exact_cross", 0)]
