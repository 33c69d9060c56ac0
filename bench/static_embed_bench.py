"""Static word embeddings (WordLlama, of the model2vec family) as a dedup signal, measured.

Issue 14 asks whether a light semantic signal earns a place in the default install: this
command measures one, with the numbers the choice rests on, beside the lexical decision in
the same run. It needs ``pip install wordllama==0.4.0.post1`` (not a dependency of
newsdedup: see ``docs/embeddings.md`` for why); the model (``l2_supercat``, 256 dimensions,
a 16 MB float16 table of 32,000 tokens) and its tokenizer are files inside that wheel,
loaded from the package's folder, so nothing is downloaded.

Run: ``python -m bench.static_embed_bench --pairs msr_paraphrase_train.txt [--data
trafilatura-eval.tgz]``. Prints:

- the cost: CPU seconds to load the model, CPU milliseconds per pair embedded (both sides);
- on the MSR pairs, the cosine alone at a few thresholds, and the 5-fold cross-validated
  pair decision (the folds, seed, penalty and precision floor of ``newsdedup eval dedup
  --pairs FILE --cv 5``) with the lexical features alone and with the cosine added as a
  feature of the pair model;
- with ``--data``, on the same-event set of ``newsdedup eval dedup --facts`` (seed
  ``--seed``), the cosine of the inserted paragraph with the paragraph it restates, by kind:
  a signal that can tell a repeat from a changed fact must give the repeats higher cosines
  than the changed-facts kinds.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]

INSTALL = "pip install wordllama==0.4.0.post1"


def load_model() -> Any:
    """WordLlama's bundled ``l2_supercat`` model, loaded from the wheel's own files (its
    ``WordLlama.load`` looks for the tokenizer under a folder name the wheel does not use,
    and would try to download it)."""
    import wordllama  # type: ignore[import-not-found,unused-ignore]
    from safetensors import safe_open  # type: ignore[import-not-found,unused-ignore]
    from wordllama import WordLlama
    from wordllama.inference import WordLlamaInference  # type: ignore[import-not-found,unused-ignore]

    folder = Path(wordllama.__file__).parent
    config = folder / "tokenizers" / "l2_supercat_tokenizer_config.json"
    tokenizer = WordLlama.load_tokenizer(config)
    with safe_open(folder / "weights" / "l2_supercat_256.safetensors", "np", "cpu") as f:
        table = f.get_tensor("embedding.weight")
    return WordLlamaInference(table, tokenizer)


def cosines(model: Any, a: Sequence[str], b: Sequence[str]) -> Floats:
    """The cosine of each pair ``(a[i], b[i])``."""
    ea = np.asarray(model.embed(list(a), norm=True), dtype=np.float64)
    eb = np.asarray(model.embed(list(b), norm=True), dtype=np.float64)
    out: Floats = np.sum(ea * eb, axis=1)
    return out


def cross_validated(table: Any, extra: Floats | None, k: int = 5, seed: int = 7) -> Any:
    """Held-out :class:`Scores` of the pair decision fitted as ``eval dedup --cv`` fits
    it, with ``extra`` appended to the pair model's features (``None``: as shipped)."""
    from crawler.dedup.research import crossval as cv

    feats = table.features if extra is None else np.hstack([table.features, extra[:, None]])
    t = cv.PairTable(table.labels, table.rules, table.reach, feats, table.current)
    held, _, _ = cv.held_out_decisions(t, k, seed, l2=0.1, precision=0.91)
    return cv.scores_of(t.labels, held)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.static_embed_bench", description=__doc__)
    parser.add_argument("--pairs", required=True, help="labelled pairs (MSR format)")
    parser.add_argument("--data", help="extraction corpus for the same-event rows")
    parser.add_argument("--seed", type=int, default=8, help="seed of the same-event set")
    args = parser.parse_args(argv)
    try:
        started = time.process_time()
        model = load_model()
        load_cpu = time.process_time() - started
    except ImportError as exc:
        print(f"static_embed_bench: {exc}; install it with: {INSTALL}", file=sys.stderr)
        return 2
    from crawler.dedup.research import crossval as cv
    from crawler.dedup.research.evaluate import read_pairs

    pairs = read_pairs(args.pairs).pairs
    started = time.process_time()
    cos = cosines(model, [p.a for p in pairs], [p.b for p in pairs])
    embed_ms = 1000 * (time.process_time() - started) / len(pairs)
    started = time.process_time()
    table = cv.pair_table(pairs)
    lexical_ms = 1000 * (time.process_time() - started) / len(pairs)
    print(f"model load {load_cpu:.2f} s CPU; {len(pairs)} MSR pairs")
    print(
        f"CPU per pair: embedding both sides {embed_ms:.3f} ms; the lexical pair table"
        f" (profiles, IDF, statistics, features) {lexical_ms:.3f} ms"
    )
    for threshold in (0.80, 0.85, 0.90, 0.95):
        s = cv.scores_of(table.labels, cos >= threshold)
        print(f"cosine >= {threshold:.2f} alone: {s.line()}")
    print(f"5-fold CV, lexical features (as shipped): {cross_validated(table, None).line()}")
    print(f"5-fold CV, lexical features + cosine: {cross_validated(table, cos).line()}")
    if args.data:
        _facts_rows(model, args.data, args.seed)
    return 0


def _facts_rows(model: Any, data: str, seed: int) -> None:
    from crawler.cli.eval_dedup import _corpus_articles
    from crawler.dedup.research import heldout

    articles = _corpus_articles(data)
    if articles is None:
        return
    made = heldout.facts_articles(articles, seed=seed)
    print(f"same-event set (seed {seed}): cosine of the restatement with its paragraph")
    for kind in heldout.FACTS_KINDS:
        items = [m for m in made if m.kind == kind]
        if not items:
            continue
        c = cosines(
            model, [m.paragraphs[m.earlier] for m in items], [m.paragraphs[m.later] for m in items]
        )
        q = np.quantile(c, [0.1, 0.5, 0.9])
        print(f"  {kind:<10} {len(items):>4}: median {q[1]:.3f} (10 % {q[0]:.3f}, 90 % {q[2]:.3f})")


if __name__ == "__main__":
    raise SystemExit(main())
