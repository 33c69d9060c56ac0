"""Evaluation of the dedup decisions: labelled pairs (MSR paraphrase format) and a
synthetic syndication corpus built from the project's own articles."""

from __future__ import annotations

import csv
import json
import logging
import random
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

from crawler.dedup.clusters import overlaps_from_matches, syndicated_copies
from crawler.dedup.embed import (
    EMBED_MIN_COSINE,
    SimilarityModel,
    in_grey_zone,
    verify_with_embeddings,
)
from crawler.dedup.engine import DedupEngine
from crawler.dedup.params import DedupParams
from crawler.dedup.signature import Signature, Signer
from crawler.dedup.verify import Decision, IdfModel, Profile, profile, verify_pair
from crawler.dedup.within import ArticleTerms

log = logging.getLogger(__name__)


# --- labelled pairs ---------------------------------------------------------------------


@dataclass(frozen=True)
class LabelledPair:
    """One labelled pair: ``label`` True for a paraphrase / duplicate."""

    label: bool
    a: str
    b: str
    line: int


@dataclass
class PairsFile:
    """Pairs read from a file, with the lines that could not be read."""

    pairs: list[LabelledPair]
    errors: list[str] = field(default_factory=list)


def read_pairs(path: str | Path) -> PairsFile:
    """Read pairs in the MSR paraphrase format: tab-separated, a header line, the label
    (0/1) first, the two texts in the last two columns. UTF-8 with or without BOM, LF or
    CRLF. Quotes are literal text. Bad lines are reported in ``errors`` and skipped.

    Raises:
        OSError: if the file cannot be opened.
    """
    out = PairsFile([])
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        for lineno, row in enumerate(reader, start=1):
            if lineno == 1:
                continue  # header
            if not row or all(not c.strip() for c in row):
                continue
            if len(row) < 3:
                out.errors.append(f"{path}:{lineno}: expected at least 3 columns, got {len(row)}")
                continue
            label = row[0].strip()
            if label not in ("0", "1"):
                out.errors.append(f"{path}:{lineno}: label must be 0 or 1, got {label[:20]!r}")
                continue
            out.pairs.append(LabelledPair(label == "1", row[-2], row[-1], lineno))
    return out


@dataclass(frozen=True)
class Scores:
    """Precision, recall and F1 of a set of binary decisions."""

    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        d = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / d if d else 0.0

    def line(self) -> str:
        """``precision=P recall=R f1=F`` with three decimals."""
        return f"precision={self.precision:.3f} recall={self.recall:.3f} f1={self.f1:.3f}"


def _score(labels: Sequence[bool], decisions: Sequence[bool]) -> Scores:
    tp = sum(1 for y, d in zip(labels, decisions, strict=True) if y and d)
    fp = sum(1 for y, d in zip(labels, decisions, strict=True) if d and not y)
    fn = sum(1 for y, d in zip(labels, decisions, strict=True) if y and not d)
    return Scores(tp, fp, fn)


@dataclass(frozen=True)
class EmbeddingReport:
    """The embedding-assisted decision on labelled pairs (see :mod:`crawler.dedup.embed`)."""

    scores: Scores
    min_cosine: float
    grey_pairs: int
    accepted: int
    texts: int
    seconds: float


@dataclass(frozen=True)
class PairsReport:
    """Baseline and newsdedup figures on labelled pairs."""

    n_pairs: int
    positives: int
    baseline_threshold: float
    baseline: Scores
    newsdedup: Scores
    embedded: EmbeddingReport | None = None


def lexical_decisions(
    pairs: Sequence[LabelledPair], params: DedupParams | None = None
) -> list[tuple[Profile, Profile, Decision]]:
    """newsdedup's own decision on each pair, with the two profiles: identical normalised
    texts (exact hash) are duplicates, the rest go to :func:`verify_pair`, with IDF learned
    from all texts of the file (labels unseen)."""
    params = params or DedupParams()
    signer = Signer(params)
    sig_a = signer.signatures([p.a for p in pairs])
    sig_b = signer.signatures([p.b for p in pairs])
    return _lexical(pairs, params, sig_a, sig_b)


def _lexical(
    pairs: Sequence[LabelledPair],
    params: DedupParams,
    sig_a: Sequence[Signature],
    sig_b: Sequence[Signature],
) -> list[tuple[Profile, Profile, Decision]]:
    prof_a = [profile(p.a) for p in pairs]
    prof_b = [profile(p.b) for p in pairs]
    idf = IdfModel()
    ArticleTerms([*prof_a, *prof_b]).observe(idf)
    return [
        (
            pa,
            pb,
            Decision(True, "exact", 1.0)
            if sa.exact_hash == sb.exact_hash
            else verify_pair(pa, pb, idf, params),
        )
        for sa, sb, pa, pb in zip(sig_a, sig_b, prof_a, prof_b, strict=True)
    ]


def baseline_decisions(
    pairs: Sequence[LabelledPair], params: DedupParams | None = None, threshold: float = 0.5
) -> list[bool]:
    """The plain MinHash baseline on each pair: estimated Jaccard of the two signatures at
    least ``threshold`` (exact hash for texts too short for MinHash)."""
    signer = Signer(params or DedupParams())
    return _baseline(
        signer.signatures([p.a for p in pairs]), signer.signatures([p.b for p in pairs]), threshold
    )


def _baseline(
    sig_a: Sequence[Signature], sig_b: Sequence[Signature], threshold: float
) -> list[bool]:
    baseline: list[bool] = []
    for sa, sb in zip(sig_a, sig_b, strict=True):
        if sa.hashvalues is None or sb.hashvalues is None:
            baseline.append(sa.exact_hash == sb.exact_hash)
        else:
            est = float(np.mean(sa.hashvalues == sb.hashvalues))
            baseline.append(est >= threshold)
    return baseline


def evaluate_pairs(
    pairs: Sequence[LabelledPair],
    params: DedupParams | None = None,
    baseline_threshold: float = 0.5,
    embedder: SimilarityModel | None = None,
    min_cosine: float = EMBED_MIN_COSINE,
) -> PairsReport:
    """Score the plain MinHash baseline (estimated Jaccard of the same signatures at
    ``baseline_threshold``; exact hash for texts too short for MinHash) and newsdedup's
    own pair decision (:func:`lexical_decisions`). With ``embedder``, also the
    embedding-assisted decision (:func:`crawler.dedup.embed.verify_with_embeddings`)."""
    params = params or DedupParams()
    signer = Signer(params)
    sig_a = signer.signatures([p.a for p in pairs])
    sig_b = signer.signatures([p.b for p in pairs])
    baseline = _baseline(sig_a, sig_b, baseline_threshold)
    items = _lexical(pairs, params, sig_a, sig_b)
    labels = [p.label for p in pairs]
    embedded = None
    if embedder is not None:
        grey = [(pa.text, pb.text) for pa, pb, d in items if in_grey_zone(d)]
        start = time.perf_counter()
        decisions = verify_with_embeddings(items, embedder, min_cosine)
        seconds = time.perf_counter() - start
        embedded = EmbeddingReport(
            scores=_score(labels, [d.duplicate for d in decisions]),
            min_cosine=min_cosine,
            grey_pairs=len(grey),
            accepted=sum(1 for d in decisions if d.method == "embedding:cosine"),
            texts=len({t for pair in grey for t in pair}),
            seconds=seconds,
        )
    return PairsReport(
        n_pairs=len(pairs),
        positives=sum(labels),
        baseline_threshold=baseline_threshold,
        baseline=_score(labels, baseline),
        newsdedup=_score(labels, [d.duplicate for _, _, d in items]),
        embedded=embedded,
    )


# --- synthetic syndication corpus --------------------------------------------------------


@dataclass(frozen=True)
class Article:
    """An article of the corpus: its title and body paragraphs."""

    title: str
    paragraphs: tuple[str, ...]


def load_articles() -> list[Article]:
    """The project's own short tech-news articles (package data)."""
    raw = resources.files("crawler.dedup.research").joinpath("articles.json").read_text("utf-8")
    return [Article(a["title"], tuple(a["paragraphs"])) for a in json.loads(raw)]


# Origin of a paragraph: (original article, paragraph position; 0 is the title), or a
# ("boilerplate", text) marker, or None for new text.
Origin = tuple[object, object] | None

_SYNONYMS = {
    "said": "stated",
    "says": "states",
    "about": "around",
    "company": "firm",
    "plans": "intends",
    "new": "latest",
    "started": "begun",
    "warned": "cautioned",
    "expects": "anticipates",
    "customers": "clients",
    "cost": "price",
    "costs": "prices",
    "most": "largest share",
    "several": "a number of",
    "begun": "started",
    "built": "developed",
    "help": "assist",
    "allow": "permit",
    "but": "yet",
    "also": "in addition",
    "because": "since",
    "week": "seven days",
    "firm": "company",
    "operator": "provider",
    "reported": "said",
    "announced": "said",
    "released": "published",
    "launch": "introduce",
    "launched": "introduced",
    "money": "funds",
    "people": "staff",
    "project": "scheme",
    "problems": "issues",
    "large": "big",
    "small": "little",
}
BOILERPLATE = (
    "Advertisement",
    "Sign up for our weekly newsletter to get the latest technology stories delivered"
    " to your inbox every Friday morning.",
    "Follow us on social media for more coverage of startups, gadgets and policy.",
)
_WORD = re.compile(r"[A-Za-z]+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_SENT = re.compile(r"(?<=[.!?])\s+")


def _light_edit(text: str, rng: random.Random, rate: float) -> str:
    def sub(m: re.Match[str]) -> str:
        w = m.group(0)
        repl = _SYNONYMS.get(w.lower())
        if repl is None or rng.random() > rate:
            return w
        return repl.capitalize() if w[0].isupper() else repl

    return _WORD.sub(sub, text)


def _paraphrase(text: str, rng: random.Random) -> str:
    """Rule-based paraphrase: synonyms everywhere, sentences rotated, a framing phrase."""
    edited = _light_edit(text, rng, 1.0)
    sentences = _SENT.split(edited)
    if len(sentences) > 1:
        sentences = sentences[1:] + sentences[:1]
    return "In short: " + " ".join(sentences)


def _alter_numbers(text: str) -> str:
    def sub(m: re.Match[str]) -> str:
        digits = m.group(0)
        head = str(int(digits[0]) % 9 + 1)
        return head + digits[1:]

    return _NUMBER.sub(sub, text)


Variant = tuple[str, int, list[str], list[Origin]]  # kind, original index, texts, origins


def build_variants(articles: Sequence[Article], seed: int = 7) -> list[Variant]:
    """Copies of each article with one kind of change each, plus hard-negative distractors
    (the sentences of the article that state figures, with every figure changed)."""
    rng = random.Random(seed)
    out: list[Variant] = []
    for ai, art in enumerate(articles):
        texts = [art.title, *art.paragraphs]
        origins: list[Origin] = [(ai, i) for i in range(len(texts))]

        out.append(("copy", ai, list(texts), list(origins)))
        out.append(
            (
                "new_headline",
                ai,
                [f"Report: {art.paragraphs[0][:60]}...", *texts[1:]],
                [None, *origins[1:]],
            )
        )
        trimmed = list(texts[:-1])
        first_sentences = _SENT.split(trimmed[2])
        if len(first_sentences) > 1:
            trimmed[2] = " ".join(first_sentences[:-1])
        out.append(("trimmed", ai, trimmed, origins[:-1]))
        added = list(texts)
        added[1] = added[1] + " The company did not respond to a request for further comment."
        added.append("Editor's note: this story has been updated with additional background.")
        out.append(("added", ai, added, [*origins, ("boilerplate", 3)]))
        order = list(range(1, len(texts)))
        rng.shuffle(order)
        out.append(
            (
                "reordered",
                ai,
                [texts[0]] + [texts[i] for i in order],
                [origins[0]] + [origins[i] for i in order],
            )
        )
        bp = [
            texts[0],
            texts[1],
            BOILERPLATE[0],
            *texts[2:4],
            BOILERPLATE[1],
            *texts[4:],
            BOILERPLATE[2],
            "This article originally appeared on Example Tech Daily.",
        ]
        bp_origins: list[Origin] = [
            origins[0],
            origins[1],
            ("boilerplate", 0),
            *origins[2:4],
            ("boilerplate", 1),
            *origins[4:],
            ("boilerplate", 2),
            ("boilerplate", 4),
        ]
        out.append(("boilerplate", ai, bp, bp_origins))
        out.append(("light_edit", ai, [_light_edit(t, rng, 0.5) for t in texts], list(origins)))
        para = list(texts)
        para[1] = _paraphrase(para[1], rng)
        out.append(("paraphrased_intro", ai, para, list(origins)))
        numbered = [
            " ".join(x for x in _SENT.split(t) if _NUMBER.search(x))
            for t in texts[1:]
            if _NUMBER.search(t)
        ]
        if numbered:
            distractor: list[Origin] = [None] * len(numbered)
            out.append(("distractor", ai, [_alter_numbers(t) for t in numbered], distractor))
    rng.shuffle(out)
    return out


@dataclass
class KindReport:
    """Per kind of change: article-level and paragraph-level counts."""

    kind: str
    articles: int = 0
    paragraphs: int = 0
    article: Scores = field(default_factory=lambda: Scores(0, 0, 0))
    paragraph: Scores = field(default_factory=lambda: Scores(0, 0, 0))


def _add(s: Scores, tp: int = 0, fp: int = 0, fn: int = 0) -> Scores:
    return Scores(s.tp + tp, s.fp + fp, s.fn + fn)


def evaluate_synthetic(
    params: DedupParams | None = None,
    articles: Sequence[Article] | None = None,
    seed: int = 7,
) -> list[KindReport]:
    """Index the originals, then check and index every variant in a shuffled order.

    A paragraph flag is right when the stored paragraph it points to has the same origin
    (an earlier copy of the same original paragraph counts); an article is right when it
    is grouped with an article that derives from the same original. Distractors have no
    origin: every flag or grouping on them is a false positive.
    """
    arts = list(articles) if articles is not None else load_articles()
    store: dict[int, str] = {}
    origin_of: dict[int, Origin] = {}
    article_of: dict[int, int] = {}
    source_of_article: dict[int, int | None] = {}
    countable: dict[int, int] = {}
    engine = DedupEngine(params, lookup=lambda keys: {k: store[k] for k in keys if k in store})
    next_key = 1

    def index(art_id: int, texts: Sequence[str], origins: Sequence[Origin]) -> None:
        nonlocal next_key
        sigs = engine.signatures(texts)
        for text, sig, org in zip(texts, sigs, origins, strict=True):
            store[next_key] = text
            origin_of[next_key] = org
            article_of[next_key] = art_id
            engine.add(next_key, art_id, sig, group=art_id)
            next_key += 1
        countable[art_id] = sum(1 for t in texts if t.strip())

    for ai, art in enumerate(arts):
        texts = [art.title, *art.paragraphs]
        engine.observe(texts)
        index(ai, texts, [(ai, i) for i in range(len(texts))])
        source_of_article[ai] = ai

    reports: dict[str, KindReport] = {}
    for vi, (kind, orig, texts, origins) in enumerate(build_variants(arts, seed)):
        art_id = 10_000 + vi
        rep = reports.setdefault(kind, KindReport(kind))
        rep.articles += 1
        rep.paragraphs += len(texts)
        matches = engine.check_article(texts, article=art_id)
        cross = [m for m in matches if m.kind in ("exact_cross", "near_cross")]
        flagged: dict[int, bool] = {}
        for m in cross:
            ok = origins[m.index] is not None and origin_of.get(m.other) == origins[m.index]
            flagged[m.index] = ok
        tp = sum(1 for ok in flagged.values() if ok)
        fp = sum(1 for ok in flagged.values() if not ok)
        fn = sum(
            1
            for i, org in enumerate(origins)
            if org is not None and org[0] != "boilerplate" and not flagged.get(i, False)
        )
        rep.paragraph = _add(rep.paragraph, tp, fp, fn)
        overlaps = overlaps_from_matches(
            cross, article_of, sum(1 for t in texts if t.strip()), countable
        )
        groups = syndicated_copies(overlaps)
        right = [a for a, _ in groups if source_of_article.get(a) == orig and kind != "distractor"]
        wrong = len(groups) - len(right)
        expected = kind != "distractor"
        rep.article = _add(
            rep.article, tp=1 if right else 0, fp=wrong, fn=1 if expected and not right else 0
        )
        index(art_id, texts, origins)
        source_of_article[art_id] = orig if kind != "distractor" else None
    order = [
        "copy",
        "new_headline",
        "trimmed",
        "added",
        "reordered",
        "boilerplate",
        "light_edit",
        "paraphrased_intro",
        "distractor",
    ]
    return [reports[k] for k in order if k in reports]


def _fmt(value: float, defined: bool) -> str:
    return f"{value:.3f}" if defined else "-"


def format_synthetic(reports: Iterable[KindReport]) -> list[str]:
    """Table lines for :func:`evaluate_synthetic` ("-": no decision to score)."""
    lines = [
        f"{'kind':<18} {'articles':>8} {'paras':>6}  {'art_P':>6} {'art_R':>6}"
        f"  {'para_P':>6} {'para_R':>6}  {'false_flags':>11}"
    ]
    for r in reports:
        a, p = r.article, r.paragraph
        lines.append(
            f"{r.kind:<18} {r.articles:>8} {r.paragraphs:>6}"
            f"  {_fmt(a.precision, a.tp + a.fp > 0):>6} {_fmt(a.recall, a.tp + a.fn > 0):>6}"
            f"  {_fmt(p.precision, p.tp + p.fp > 0):>6} {_fmt(p.recall, p.tp + p.fn > 0):>6}"
            f"  {a.fp + p.fp:>11}"
        )
    return lines
