"""Evaluation and fitting of the dedup decisions, apart from the engine.

- :mod:`~crawler.dedup.research.evaluate`: labelled pairs (MSR format), the synthetic
  syndication corpus, and the cross-validated scores of ``newsdedup eval dedup --pairs
  FILE --cv K``;
- :mod:`~crawler.dedup.research.heldout`: held-out sets generated from an extraction
  corpus (long containment passages; same-event pairs with changed facts);
- :mod:`~crawler.dedup.research.eval_within`: within-article flags on real pages against
  labels;
- :mod:`~crawler.dedup.research.fit_pairs`, :mod:`~crawler.dedup.research.fit_embed`: the
  fitting of the pair model's constants and of the embedding threshold.

Nothing in the engine imports this package, except :mod:`crawler.dedup.warmup`, which
runs the project's own articles through the engine once.
"""
