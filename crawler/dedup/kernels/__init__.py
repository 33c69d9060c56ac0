"""The dedup engine's loops that stay compiled (numba): tokenising and term ids
(:mod:`~crawler.dedup.kernels.tokenize`), an article's word table, document counts and
pair statistics (:mod:`~crawler.dedup.kernels.pair`). Everything else in the engine is
numpy, datasketch or plain Python; docs/architecture.md gives the measurements behind the
choice."""
