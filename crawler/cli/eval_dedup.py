"""``newsdedup eval dedup``: precision and recall of the dedup decisions.

``--pairs FILE`` scores labelled pairs (MSR paraphrase format); the last line printed is
``precision=P recall=R f1=F`` for newsdedup's own decision, a contract scripts read.
``--cv K`` (with ``--pairs``) also prints K-fold cross-validated figures: the pair model
fitted on K-1 folds and scored on the held-out one (:mod:`crawler.dedup.research.crossval`),
beside today's decision and the MinHash baseline of the same run; the last line stays
newsdedup's own decision.
``--embeddings`` (with ``--pairs``; needs the optional extra, ``pip install -e '.[embed]'``)
also rechecks the pairs the lexical verifier rejected in its grey zone with the sentence
embeddings of all-MiniLM-L6-v2 and prints their throughput; the last line is then the
embedding-assisted decision.
``--synthetic`` builds a syndication corpus from the project's own articles and prints
precision and recall per kind of change.
``--containment --data PATH`` generates long passages (cut-and-paste, light and heavy
revision) from the texts of an extraction corpus and scores them against their sources and
hard negatives (:mod:`crawler.dedup.research.heldout`; ``--write FILE`` saves the pairs for
``--pairs``); ``--facts --data PATH`` inserts restatements of a paragraph into its article
(a spun repeat, or the same event with a changed figure, actor, outcome or an added clause)
and counts the within-article flags.
``--within --data PATH`` extracts each page of an extraction corpus (directory or .tgz),
runs the within-article check on its paragraphs and prints the flags by kind and method;
``--show`` lists each ``near_within`` pair for labelling (``--sample N`` of them, chosen
with ``--seed``), ``--labels FILE`` prints the precision of the flags against labels
(TSV: page file name, earlier position, later position, 1/0, note; a header line).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crawler.dedup.research.eval_within import Flag, Label, PairKey


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "dedup",
        help="score dedup decisions on labelled pairs or a synthetic syndication corpus",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument(
        "--pairs",
        metavar="FILE",
        help="labelled pairs: tab-separated, header, label first, texts in the last two columns",
    )
    what.add_argument(
        "--synthetic", action="store_true", help="synthetic syndication corpus (built in)"
    )
    what.add_argument(
        "--within",
        action="store_true",
        help="within-article near repeats on the pages of an extraction corpus (--data)",
    )
    what.add_argument(
        "--containment",
        action="store_true",
        help="long containment passages (200-300 words) generated from the texts of an "
        "extraction corpus (--data), scored against their sources and hard negatives",
    )
    what.add_argument(
        "--facts",
        action="store_true",
        help="within-article restatements generated from the articles of an extraction "
        "corpus (--data): spun repeats vs the same event with changed facts",
    )
    parser.add_argument(
        "--write",
        metavar="FILE",
        help="with --containment: also write the generated pairs (MSR format) to FILE, for "
        "--pairs (outside the repository: it holds corpus text)",
    )
    within = parser.add_argument_group("--within options")
    within.add_argument(
        "--data", metavar="PATH", help="extraction corpus: directory or .tgz archive"
    )
    within.add_argument(
        "--labels", metavar="FILE", help="labelled flags (TSV) to measure precision against"
    )
    within.add_argument(
        "--show", action="store_true", help="list each near_within pair with both texts"
    )
    within.add_argument(
        "--sample",
        type=int,
        metavar="N",
        help="--show only N flags chosen at random with --seed",
    )
    within.add_argument(
        "--shared-idf",
        action="store_true",
        help="learn document frequencies across pages (one engine) instead of per page",
    )
    parser.add_argument(
        "--baseline-threshold",
        type=float,
        default=0.5,
        metavar="J",
        help="estimated-Jaccard threshold of the plain MinHash baseline (default 0.5)",
    )
    pairs = parser.add_argument_group("--pairs options")
    pairs.add_argument(
        "--cv",
        type=int,
        metavar="K",
        help="also cross-validate: fit the pair model on K-1 folds, score the held-out fold, "
        "for each of K folds (seeded by --seed)",
    )
    pairs.add_argument(
        "--cv-precision",
        type=float,
        default=0.91,
        metavar="P",
        help="with --cv: the precision floor the fit aims at on its training folds (0.91)",
    )
    parser.add_argument(
        "--embeddings",
        action="store_true",
        help="with --pairs: also score the embedding-assisted decision (optional extra "
        "newsdedup[embed])",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=7,
        help="seed of the synthetic corpus or of --sample (default 7)",
    )
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from crawler.dedup.params import DedupParams

    params = DedupParams()
    if args.synthetic:
        return _synthetic(params, args.seed)
    if args.within:
        return _within(args, params)
    if args.containment or args.facts:
        return _heldout(args, params)
    if args.cv is not None and args.cv < 2:
        print("newsdedup eval dedup: --cv needs at least 2 folds", file=sys.stderr)
        return 2
    return _pairs(
        params,
        args.pairs,
        args.baseline_threshold,
        args.embeddings,
        cv=args.cv,
        cv_seed=args.seed,
        cv_precision=args.cv_precision,
    )


def _pairs(
    params: Any,
    path: str,
    threshold: float,
    embeddings: bool = False,
    cv: int | None = None,
    cv_seed: int = 7,
    cv_precision: float = 0.91,
) -> int:
    from crawler.dedup.embed import MODEL_NAME, Embedder
    from crawler.dedup.research.evaluate import evaluate_pairs, read_pairs

    embedder = None
    if embeddings:
        reason = Embedder.unavailable_reason()
        if reason is not None:
            print(f"newsdedup: --embeddings: {reason}", file=sys.stderr)
            return 2
        embedder = Embedder()

    try:
        data = read_pairs(path)
    except (OSError, UnicodeDecodeError) as exc:
        print(f"newsdedup: cannot read pairs file {path}: {exc}", file=sys.stderr)
        return 2
    for err in data.errors[:20]:
        print(f"skipped: {err}", file=sys.stderr)
    if len(data.errors) > 20:
        print(f"skipped: {len(data.errors) - 20} more bad lines", file=sys.stderr)
    if not data.pairs:
        print(f"newsdedup: no labelled pairs in {path}", file=sys.stderr)
        return 2
    load_seconds = 0.0
    if embedder is not None:
        start = time.perf_counter()
        embedder.load()
        load_seconds = time.perf_counter() - start
    report = evaluate_pairs(data.pairs, params, threshold, embedder=embedder)
    print(f"pairs: {report.n_pairs} ({report.positives} positive), file {path}")
    print(f"params: {params.fingerprint()[:12]} {params.shingling} {params.scheme}")
    print(
        f"baseline minhash estimated-jaccard>={report.baseline_threshold:g}: "
        f"{report.baseline.line()}"
    )
    print(f"newsdedup (exact hash + verify_pair): {report.newsdedup.line()}")
    if cv is not None:
        from crawler.dedup.research.crossval import cross_validate, format_cross_validation

        if len(data.pairs) < cv:
            print(f"newsdedup: {len(data.pairs)} pairs cannot make {cv} folds", file=sys.stderr)
            return 2
        cv_report = cross_validate(
            data.pairs,
            params,
            k=cv,
            seed=cv_seed,
            precision=cv_precision,
            baseline_threshold=threshold,
        )
        for line in format_cross_validation(cv_report):
            print(line)
    emb = report.embedded
    if emb is None:
        print(report.newsdedup.line())
        return 0
    rate = emb.texts / emb.seconds if emb.seconds else 0.0
    pair_rate = emb.grey_pairs / emb.seconds if emb.seconds else 0.0
    print(
        f"embeddings {MODEL_NAME}: model loaded in {load_seconds:.1f}s; {emb.grey_pairs} "
        f"grey-zone pairs, {emb.texts} sentences in {emb.seconds:.1f}s = {rate:.0f} sentences/s "
        f"({pair_rate:.0f} pairs/s); {emb.accepted} accepted"
    )
    print(
        f"newsdedup + embeddings (grey zone cosine>={emb.min_cosine:g}, figures veto kept): "
        f"{emb.scores.line()}"
    )
    print(emb.scores.line())
    return 0


def _synthetic(params: Any, seed: int) -> int:
    from crawler.dedup.research.evaluate import evaluate_synthetic, format_synthetic

    reports = evaluate_synthetic(params, seed=seed)
    print(f"synthetic syndication corpus (seed {seed}), params {params.fingerprint()[:12]}")
    for line in format_synthetic(reports):
        print(line)
    return 0


def _within(args: argparse.Namespace, params: Any) -> int:
    import logging

    from crawler.dedup.research.eval_within import check_pages, page_blocks, read_labels
    from crawler.extract.evaluate import load_corpus

    if not args.data:
        print("newsdedup eval dedup: --within needs --data PATH", file=sys.stderr)
        return 2
    if args.sample is not None and args.sample < 1:
        print("newsdedup eval dedup: --sample must be at least 1", file=sys.stderr)
        return 2
    labels = None
    if args.labels:
        try:
            labels = read_labels(args.labels)
        except (OSError, UnicodeDecodeError) as exc:
            print(f"newsdedup: cannot read labels file {args.labels}: {exc}", file=sys.stderr)
            return 2
        for err in labels.errors:
            print(f"skipped: {err}", file=sys.stderr)
    try:
        pages = load_corpus(args.data)
    except (OSError, ValueError) as exc:
        print(f"newsdedup eval dedup: {exc}", file=sys.stderr)
        return 2
    if not pages:
        print(f"newsdedup eval dedup: {args.data}: no pages found", file=sys.stderr)
        return 2
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    logging.getLogger("htmldate").setLevel(logging.CRITICAL)
    report = check_pages(
        ((p.name, page_blocks(p)) for p in pages), params, shared_idf=args.shared_idf
    )
    idf = "shared across pages" if args.shared_idf else "per page"
    print(
        f"corpus: {args.data} ({len(pages)} pages); params {params.fingerprint()[:12]}; idf {idf}"
    )
    print(f"pages with paragraphs: {report.pages}")
    print(f"paragraphs: {report.paragraphs}")
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(report.by_kind.items())) or "none"
    print(f"flags by kind: {kinds}")
    print("near_within flags by method:")
    for method, n in sorted(report.by_method.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {n:>5}  {method}")
    print(f"pages with a near_within flag: {report.pages_flagged}")
    if args.show:
        _show(report.near_flags, args.sample, args.seed)
    if labels is not None:
        _precision(report.near_flags, labels.labels, args.labels)
    return 0


def _corpus_articles(path: str | None) -> list[list[str]] | None:
    """The dedup paragraphs of each page of an extraction corpus (None: an error was
    printed)."""
    import logging

    from crawler.dedup.research.eval_within import page_paragraphs
    from crawler.extract.evaluate import load_corpus

    if not path:
        print("newsdedup eval dedup: --containment and --facts need --data PATH", file=sys.stderr)
        return None
    try:
        pages = load_corpus(path)
    except (OSError, ValueError) as exc:
        print(f"newsdedup eval dedup: {exc}", file=sys.stderr)
        return None
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    logging.getLogger("htmldate").setLevel(logging.CRITICAL)
    return [page_paragraphs(p) for p in pages]


def _heldout(args: argparse.Namespace, params: Any) -> int:
    from crawler.dedup.research import heldout

    articles = _corpus_articles(args.data)
    if articles is None:
        return 2
    if args.facts:
        made = heldout.facts_articles(articles, seed=args.seed)
        facts = heldout.check_facts(made)
        print(
            f"same event, different facts: {len(made)} articles from {args.data} "
            f"(seed {args.seed}), params {params.fingerprint()[:12]}"
        )
        for kind in heldout.FACTS_KINDS:
            n = facts.articles.get(kind, 0)
            what = "flagged as a repeat" if kind == "repeat" else "flagged (false)"
            print(
                f"  {kind:<10} {n:>5} articles, {facts.any_flag.get(kind, 0):>5} {what}"
                + (
                    f" ({facts.flagged.get(kind, 0)} of the restated paragraph)"
                    if kind == "repeat"
                    else ""
                )
            )
        print(f"repeats flagged vs changed facts flagged: {facts.scores().line()}")
        return 0
    from crawler.dedup.research.evaluate import evaluate_pairs, lexical_decisions

    pairs = heldout.containment_pairs(["\n\n".join(a) for a in articles], seed=args.seed)
    if not pairs:
        print("newsdedup eval dedup: no source text long enough in the corpus", file=sys.stderr)
        return 2
    labelled = heldout.as_labelled(pairs)
    if args.write:
        heldout.write_pairs(pairs, args.write)
        print(f"wrote {len(pairs)} pairs to {args.write}")
    start = time.perf_counter()
    items = lexical_decisions(labelled, params)
    seconds = time.perf_counter() - start
    report = evaluate_pairs(labelled, params, args.baseline_threshold)
    print(
        f"long containment: {len(pairs)} pairs from {args.data} (seed {args.seed}), "
        f"params {params.fingerprint()[:12]}; verified in {seconds:.1f}s"
    )
    for kind in (*heldout.CONTAINMENT_KINDS, "negative"):
        got = [d.duplicate for p, (_, _, d) in zip(pairs, items, strict=True) if p.kind == kind]
        print(f"  {kind:<10} {len(got):>5} pairs, {sum(got):>5} accepted")
    print(
        f"baseline minhash estimated-jaccard>={report.baseline_threshold:g}: "
        f"{report.baseline.line()}"
    )
    print(f"newsdedup: {report.newsdedup.line()}")
    return 0


def _cut(text: str, width: int = 240) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def _show(flags: Sequence[Flag], sample: int | None, seed: int) -> None:
    from crawler.dedup.research.eval_within import sample_flags

    shown = sample_flags(flags, sample, seed)
    chosen = f" (a sample of {len(shown)}, seed {seed})" if len(shown) < len(flags) else ""
    print(f"near_within pairs{chosen}:")
    for f in shown:
        print(f"{f.page}\t{f.earlier}\t{f.later}\t{f.method}\t{f.score:.3f}")
        print(f"  earlier: {_cut(f.earlier_text)}")
        print(f"  later:   {_cut(f.later_text)}")


def _precision(flags: Sequence[Flag], labels: dict[PairKey, Label], path: str) -> None:
    from crawler.dedup.research.eval_within import score_labels

    score = score_labels(flags, labels)
    print(f"labels: {path} ({len(labels)} pairs)")
    for method, (true, false) in sorted(score.by_method.items()):
        print(f"  {method}: {true} true, {false} false")
    print(f"unlabelled current flags: {score.unlabelled}")
    print(f"labelled pairs no longer flagged: {score.stale}")
    print(
        f"precision {score.precision:.4f} ({score.true_flags} true of "
        f"{score.labelled} labelled current flags)"
    )
