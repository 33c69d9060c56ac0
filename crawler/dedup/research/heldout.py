"""Held-out sets generated from real article texts (an extraction corpus given with
``--data``), for the two judgements the MSR pairs do not cover. Nothing generated is
stored in the project: the sets are rebuilt, deterministically from a seed, each run.

**Long containment** (:func:`containment_pairs`): from each English text of at least
:data:`SOURCE_MIN_WORDS` words (the source), a passage of 200-300 words is made from about
half of its sentences, in three ways: ``cut_paste`` (sentences taken from two or three
places of the source, in their order), ``light`` (the same, then about one content word
in eight replaced by a synonym or dropped, and one sentence left out), ``heavy``
(sentences shuffled, a third of the words changed by synonyms or dropped, some sentences
cut at a comma, and about a fifth of the passage new sentences from another text). Each
passage is paired with its source (label 1). Negatives (label 0): a ``cut_paste`` passage
of another text paired with the source, the other text chosen as the one of 25 random
texts whose content words overlap the source's most (a hard negative: same language,
nearest topic).

**Same event, different facts** (:func:`facts_articles`): from each English article with
at least :data:`FACTS_MIN_PARAGRAPHS` paragraphs, an earlier paragraph (30 to 120 words)
is restated near the end of the article, in five ways: ``repeat`` (a spun repeat: synonyms,
sentences rotated, a framing phrase), and the same spin with one fact changed:
``number`` (a figure changed), ``actor`` (a name replaced by a name of another text),
``predicate`` (a verb replaced by its opposite, or negated) or ``clause`` (a clause of
another text added to a sentence). The engine's within-article check runs on the article
with the inserted paragraph; a repeat should be flagged, the others should not.

The rewriting uses a small built-in synonym list (:data:`SYNONYMS`), which the decision
rules do not use.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from crawler.dedup.lexicon import STOPWORDS
from crawler.dedup.research.evaluate import LabelledPair, Scores

SOURCE_MIN_WORDS = 400
FACTS_MIN_PARAGRAPHS = 5
CONTAINMENT_KINDS = ("cut_paste", "light", "heavy")
FACTS_KINDS = ("repeat", "number", "actor", "predicate", "clause")

SYNONYMS: dict[str, str] = {
    "said": "stated",
    "says": "states",
    "about": "around",
    "company": "firm",
    "firm": "company",
    "plans": "intends",
    "new": "fresh",
    "started": "began",
    "began": "started",
    "warned": "cautioned",
    "expects": "anticipates",
    "customers": "clients",
    "cost": "price",
    "costs": "prices",
    "several": "a number of",
    "built": "constructed",
    "help": "assist",
    "helps": "assists",
    "allow": "permit",
    "allows": "permits",
    "but": "yet",
    "also": "in addition",
    "because": "since",
    "people": "individuals",
    "project": "scheme",
    "problems": "troubles",
    "problem": "trouble",
    "large": "big",
    "big": "large",
    "small": "little",
    "important": "significant",
    "show": "reveal",
    "shows": "reveals",
    "showed": "revealed",
    "use": "employ",
    "used": "employed",
    "using": "employing",
    "make": "create",
    "makes": "creates",
    "made": "created",
    "get": "obtain",
    "buy": "purchase",
    "bought": "purchased",
    "need": "require",
    "needs": "requires",
    "needed": "required",
    "start": "begin",
    "end": "finish",
    "ended": "finished",
    "try": "attempt",
    "tried": "attempted",
    "quickly": "rapidly",
    "fast": "rapid",
    "often": "frequently",
    "many": "numerous",
    "different": "various",
    "main": "principal",
    "major": "leading",
    "whole": "entire",
    "enough": "sufficient",
    "answer": "reply",
    "ask": "inquire",
    "asked": "inquired",
    "tell": "inform",
    "told": "informed",
    "think": "believe",
    "thinks": "believes",
    "thought": "believed",
    "want": "wish",
    "wants": "wishes",
    "job": "position",
    "jobs": "positions",
    "area": "region",
    "areas": "regions",
    "world": "globe",
    "country": "nation",
    "city": "town",
    "children": "kids",
    "house": "home",
    "home": "house",
    "car": "vehicle",
    "cars": "vehicles",
    "money": "funds",
    "work": "labour",
    "worked": "laboured",
    "working": "labouring",
    "change": "alter",
    "changed": "altered",
    "changes": "alterations",
    "increase": "rise",
    "increased": "rose",
    "decrease": "decline",
    "decreased": "declined",
    "include": "comprise",
    "includes": "comprises",
    "including": "among them",
    "however": "nevertheless",
    "although": "though",
    "very": "highly",
    "really": "truly",
    "difficult": "hard",
    "easy": "simple",
    "begin": "commence",
    "idea": "notion",
    "ideas": "notions",
    "way": "manner",
    "ways": "manners",
    "part": "portion",
    "group": "team",
    "groups": "teams",
    "found": "discovered",
    "find": "discover",
    "look": "seem",
    "looks": "seems",
    "keep": "retain",
    "kept": "retained",
    "give": "provide",
    "gives": "provides",
    "gave": "provided",
    "offer": "provide",
    "offers": "provides",
    "place": "location",
    "places": "locations",
    "early": "initial",
    "recent": "latest",
    "recently": "lately",
    "currently": "presently",
    "now": "at present",
    "today": "these days",
    "year": "twelve months",
    "information": "details",
    "report": "account",
    "reports": "accounts",
    "study": "research",
    "students": "pupils",
    "school": "academy",
    "market": "marketplace",
    "business": "enterprise",
    "businesses": "enterprises",
    "system": "framework",
    "systems": "frameworks",
    "service": "facility",
    "services": "facilities",
    "provide": "supply",
    "provides": "supplies",
    "support": "backing",
    "growth": "expansion",
    "possible": "feasible",
    "able": "capable",
    "likely": "probable",
    "large-scale": "extensive",
    "great": "excellent",
    "good": "fine",
    "best": "finest",
    "bad": "poor",
    "high": "elevated",
    "low": "reduced",
}
OPPOSITES: dict[str, str] = {
    "rose": "fell",
    "fell": "rose",
    "increased": "decreased",
    "decreased": "increased",
    "won": "lost",
    "lost": "won",
    "approved": "rejected",
    "rejected": "approved",
    "accepted": "refused",
    "refused": "accepted",
    "opened": "closed",
    "closed": "opened",
    "higher": "lower",
    "lower": "higher",
    "more": "fewer",
    "less": "more",
    "before": "after",
    "after": "before",
    "support": "oppose",
    "supports": "opposes",
    "supported": "opposed",
    "agreed": "declined",
    "confirmed": "denied",
    "denied": "confirmed",
    "added": "removed",
    "gained": "lost",
    "strong": "weak",
    "weak": "strong",
    "first": "last",
    "last": "first",
    "early": "late",
    "late": "early",
    "best": "worst",
    "worst": "best",
    "good": "bad",
    "bad": "good",
    "success": "failure",
    "always": "never",
    "never": "always",
    "can": "cannot",
    "will": "will not",
    "is": "is not",
    "are": "are not",
    "was": "was not",
    "were": "were not",
    "has": "has not",
    "have": "have not",
    "had": "had not",
    "does": "does not",
    "did": "did not",
}
FRAMES = ("In short, ", "To recap, ", "Put simply, ", "As noted, ", "In summary, ")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“])")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NAME = re.compile(r"(?<=[a-z,;] )[A-Z][a-z]+(?: [A-Z][a-z]+)*")
_ENGLISH = frozenset({"the", "and", "of", "to", "in", "is", "that", "for", "with", "was"})


def is_english(text: str) -> bool:
    """At least 12 % of the words are among ten very common English words."""
    words = [w.lower() for w in _WORD.findall(text)]
    return bool(words) and sum(w in _ENGLISH for w in words) >= 0.12 * len(words)


def sentences_of(text: str) -> list[str]:
    """Sentences of ``text`` (a split after ``.!?`` before a capital or digit)."""
    return [s.strip() for s in _SENTENCE.split(text) if s.strip()]


def _n_words(text: str) -> int:
    return len(text.split())


def _content(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text) if w.lower() not in STOPWORDS}


def respell(text: str, rng: random.Random, rate: float, drop: float = 0.0) -> str:
    """Each lower-case word with a synonym replaced by it with probability ``rate``; each
    other lower-case content word dropped with probability ``drop`` (capitalised words,
    names among them, are kept)."""

    def sub(m: re.Match[str]) -> str:
        w = m.group(0)
        repl = SYNONYMS.get(w) if w[0].islower() else None  # names are kept as they are
        if repl is not None and rng.random() < rate:
            return repl
        if repl is None and drop and w[0].islower() and w not in STOPWORDS and rng.random() < drop:
            return ""
        return w

    return re.sub(r"  +", " ", _WORD.sub(sub, text)).replace(" ,", ",").replace(" .", ".")


# --- long containment -------------------------------------------------------------------


@dataclass(frozen=True)
class ContainmentPair:
    """A passage and the source it is compared with; ``kind`` is a
    :data:`CONTAINMENT_KINDS` value, or ``negative``."""

    kind: str
    passage: str
    source: str

    @property
    def label(self) -> bool:
        return self.kind != "negative"


def _passage(sentences: Sequence[str], rng: random.Random, lo: int, hi: int) -> list[str]:
    """Sentences from two or three runs of ``sentences``, in order, ``lo``..``hi`` words."""
    n = len(sentences)
    runs = rng.choice((2, 3))
    starts = sorted(rng.sample(range(n), min(runs, n)))
    picked: list[int] = []
    words = 0
    target = rng.randint(lo, hi)
    for k, start in enumerate(starts):
        stop = starts[k + 1] if k + 1 < len(starts) else n
        share = target // len(starts) if k + 1 < len(starts) else target - words
        got = 0
        for i in range(start, stop):
            if got >= share or words >= target:
                break
            picked.append(i)
            got += _n_words(sentences[i])
            words += _n_words(sentences[i])
    for i in range(n):  # top up from the start if the runs were short
        if words >= lo:
            break
        if i not in picked:
            picked.append(i)
            words += _n_words(sentences[i])
    out: list[str] = []
    total = 0
    for i in sorted(picked):
        if total + _n_words(sentences[i]) > hi and total >= lo:
            break
        out.append(sentences[i])
        total += _n_words(sentences[i])
    return out


def _cut_at_comma(sentence: str, rng: random.Random) -> str:
    parts = sentence.split(", ")
    if len(parts) < 2:
        return sentence
    keep = rng.randint(1, len(parts) - 1)
    return ", ".join(parts[:keep]).rstrip(".") + "."


def revise(kind: str, sentences: Sequence[str], other: Sequence[str], rng: random.Random) -> str:
    """The passage of one ``kind`` (see the module docstring) from the chosen
    ``sentences`` of the source; ``other``: sentences of another text, for new material."""
    if kind == "cut_paste":
        return " ".join(sentences)
    if kind == "light":
        kept = list(sentences)
        if len(kept) > 3:
            kept.pop(rng.randrange(len(kept)))
        return " ".join(respell(s, rng, 0.5, drop=0.06) for s in kept)
    kept = [_cut_at_comma(s, rng) if rng.random() < 0.3 else s for s in sentences]
    rng.shuffle(kept)
    words = sum(map(_n_words, kept))
    new: list[str] = []
    pool = list(other)
    rng.shuffle(pool)
    while pool and sum(map(_n_words, new)) < 0.2 * words:
        new.append(pool.pop())
    for s in new:
        kept.insert(rng.randrange(len(kept) + 1), s)
    return " ".join(respell(s, rng, 0.9, drop=0.2) for s in kept)


def containment_pairs(
    texts: Sequence[str], seed: int = 7, per_source: int = 1
) -> list[ContainmentPair]:
    """The long-containment set from ``texts`` (English, at least
    :data:`SOURCE_MIN_WORDS` words each are used as sources): per source, one passage of
    each kind and ``per_source`` negatives of each kind's size."""
    rng = random.Random(seed)
    sources = [t for t in texts if _n_words(t) >= SOURCE_MIN_WORDS and is_english(t)]
    split = [sentences_of(t) for t in sources]
    content = [_content(t) for t in sources]
    out: list[ContainmentPair] = []
    for i, source in enumerate(sources):
        if len(split[i]) < 8:
            continue
        others = [j for j in range(len(sources)) if j != i and len(split[j]) >= 8]
        if not others:
            continue
        for kind in CONTAINMENT_KINDS:
            chosen = _passage(split[i], rng, 200, 300)
            other = split[rng.choice(others)]
            out.append(ContainmentPair(kind, revise(kind, chosen, other, rng), source))
        for _ in range(per_source):
            sample = rng.sample(others, min(25, len(others)))
            nearest = max(sample, key=lambda j: len(content[i] & content[j]) / len(content[j]))
            chosen = _passage(split[nearest], rng, 200, 300)
            out.append(ContainmentPair("negative", " ".join(chosen), source))
    return out


def as_labelled(pairs: Iterable[ContainmentPair]) -> list[LabelledPair]:
    """The pairs as :class:`LabelledPair` (passage first), for the ``--pairs`` scorers."""
    return [LabelledPair(p.label, p.passage, p.source, n) for n, p in enumerate(pairs, 2)]


def write_pairs(pairs: Iterable[ContainmentPair], path: str) -> int:
    """Write pairs in the MSR format (``Quality``, two ids, two texts; tabs and newlines in
    texts become spaces). Returns the number written."""
    n = 0
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("Quality\t#1 ID\t#2 ID\t#1 String\t#2 String\n")
        for n, p in enumerate(pairs, 1):
            a = " ".join(p.passage.split())
            b = " ".join(p.source.split())
            fh.write(f"{int(p.label)}\t{n}a\t{n}b\t{a}\t{b}\n")
    return n


# --- same event, different facts --------------------------------------------------------


@dataclass(frozen=True)
class FactsArticle:
    """An article with a restated paragraph inserted at ``later``; ``earlier`` is the
    paragraph it restates; ``kind`` a :data:`FACTS_KINDS` value."""

    kind: str
    paragraphs: tuple[str, ...]
    earlier: int
    later: int


def spin(text: str, rng: random.Random) -> str:
    """A spun repeat: synonyms for most words that have one, the first sentence moved to
    the end, a framing phrase in front."""
    edited = respell(text, rng, 0.8)
    sents = sentences_of(edited)
    if len(sents) > 1:
        sents = sents[1:] + sents[:1]
    joined = " ".join(sents)
    return rng.choice(FRAMES) + joined[:1].lower() + joined[1:]


def _change_number(text: str, rng: random.Random) -> str | None:
    found = list(_NUMBER.finditer(text))
    if not found:
        return None
    m = rng.choice(found)
    digits = m.group(0)
    changed = str(int(digits[0]) % 9 + 1) + digits[1:]
    return text[: m.start()] + changed + text[m.end() :]


def _change_actor(text: str, rng: random.Random, names: Sequence[str]) -> str | None:
    found = [m for m in _NAME.finditer(text) if m.group(0).lower() not in STOPWORDS]
    own = {m.group(0) for m in found}
    pool = [n for n in names if n not in own and n not in text]
    if not found or not pool:
        return None
    m = rng.choice(found)
    new = rng.choice(pool)
    return text.replace(m.group(0), new)


def _change_predicate(text: str, rng: random.Random) -> str | None:
    found = [m for m in _WORD.finditer(text) if m.group(0).lower() in OPPOSITES]
    if not found:
        return None
    m = rng.choice(found)
    w = m.group(0)
    repl = OPPOSITES[w.lower()]
    repl = repl.capitalize() if w[0].isupper() else repl
    return text[: m.start()] + repl + text[m.end() :]


def _add_clause(text: str, rng: random.Random, clauses: Sequence[str]) -> str | None:
    sents = sentences_of(text)
    if not sents or not clauses:
        return None
    k = rng.randrange(len(sents))
    clause = rng.choice(clauses)
    sents[k] = sents[k].rstrip(".!?") + ", and " + clause[:1].lower() + clause[1:]
    return " ".join(sents)


def facts_articles(articles: Sequence[Sequence[str]], seed: int = 7) -> list[FactsArticle]:
    """The same-event set from ``articles`` (each a list of paragraphs; English articles
    with at least :data:`FACTS_MIN_PARAGRAPHS` paragraphs are used): per article, one
    earlier paragraph and one inserted restatement of each kind that applies (a
    ``number`` needs a figure, an ``actor`` a name, a ``predicate`` a word with an
    opposite in :data:`OPPOSITES`)."""
    rng = random.Random(seed)
    usable = [
        list(a) for a in articles if len(a) >= FACTS_MIN_PARAGRAPHS and is_english(" ".join(a))
    ]
    names = sorted({m.group(0) for a in usable for p in a for m in _NAME.finditer(p)})
    clauses = [
        s.rstrip(".!?")
        for a in usable
        for p in a
        for s in sentences_of(p)
        if 8 <= _n_words(s) <= 16
    ]
    out: list[FactsArticle] = []
    for paras in usable:
        eligible = [i for i, p in enumerate(paras[:-2]) if 30 <= _n_words(p) <= 120]
        if not eligible:
            continue
        e = rng.choice(eligible)
        base = spin(paras[e], rng)
        variants: dict[str, str | None] = {
            "repeat": base,
            "number": _change_number(base, rng),
            "actor": _change_actor(base, rng, names),
            "predicate": _change_predicate(base, rng),
            "clause": _add_clause(base, rng, [c for c in clauses if c not in paras[e]]),
        }
        at = len(paras) - 1
        for kind in FACTS_KINDS:
            text = variants[kind]
            if text is None:
                continue
            new = [*paras[:at], text, *paras[at:]]
            out.append(FactsArticle(kind, tuple(new), e, at))
    return out


@dataclass
class FactsReport:
    """Per kind: articles, and how many of them had the inserted paragraph flagged as a
    repeat of the paragraph it restates (``flagged``) or of any paragraph (``any_flag``)."""

    articles: dict[str, int] = field(default_factory=dict)
    flagged: dict[str, int] = field(default_factory=dict)
    any_flag: dict[str, int] = field(default_factory=dict)

    def scores(self) -> Scores:
        """Repeats flagged are true positives; a flag on a changed-facts paragraph is a
        false positive."""
        tp = self.flagged.get("repeat", 0)
        fn = self.articles.get("repeat", 0) - tp
        fp = sum(n for k, n in self.any_flag.items() if k != "repeat")
        return Scores(tp, fp, fn)


def check_facts(items: Iterable[FactsArticle]) -> FactsReport:
    """Run the engine's within-article check (a new engine per article) on each item."""
    from crawler.dedup.engine import DedupEngine

    report = FactsReport()
    for item in items:
        matches = DedupEngine().check_article(list(item.paragraphs))
        on_later = [m for m in matches if m.index == item.later]
        k = item.kind
        report.articles[k] = report.articles.get(k, 0) + 1
        report.flagged[k] = report.flagged.get(k, 0) + any(
            m.other == item.earlier for m in on_later
        )
        report.any_flag[k] = report.any_flag.get(k, 0) + bool(on_later)
    return report
