"""The fast tokenising paths (ASCII text, typographic punctuation folded to ASCII, one
regex pass for Latin text) give the tokens and sentences of the plain definition: NFKC,
casefold, apostrophes, figures, then split into sentences and tokenise each."""

from __future__ import annotations

import importlib
import random
import unicodedata

import pytest

from crawler.dedup.normalize import (
    prepare,
    sentence_key,
    sentence_tokens,
    tokens,
)
from crawler.dedup.vocab import Vocabulary

nz = importlib.import_module("crawler.dedup.normalize")


def _reference_prepare(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    if nz._HAS_APOSTROPHE.search(text):
        text = nz._APOSTROPHES.sub("", nz._POSSESSIVE.sub("", text))
    if nz._HAS_DIGIT_SEP.search(text):
        text = nz._THOUSANDS.sub("", text)
        text = nz._DECIMAL_COMMA.sub(".", text)
    return text


def _reference_sentences(text: str) -> list[list[str]]:
    norm = _reference_prepare(text)
    parts = [nz.tokens_of_normalized(part) for part in nz.SENTENCE_BREAK.split(norm)]
    return [p for p in parts if p]


def _new_sentences(text: str) -> list[list[str]]:
    return [s for s in sentence_tokens(prepare(text)) if s]


_PIECES = [
    "word",
    "Apple",
    "GPU",
    "it's",
    "don't",
    "rock\u2018n\u2018roll",
    "O\u2019Neil\u2019s",
    "1,000",
    "3,5",
    "2.5",
    "v2",
    "5g",
    "1.5b.2",
    "\u201cquoted\u201d",
    "\u2013",
    "\u2014",
    "wait\u2026",
    "12\u00a0000",
    "4\u2009096",
    "1\u202f000",
    "M\u00fcnchen",
    "\u00c9T\u00c9",
    "stra\u00dfe",
    "\ufb01le",
    "\uff11\uff12",
    "\u65e5\u672c",
    "AI\u6226\u7565",
    "caf\u00e9s",
    "\u02bcokina",
    ".",
    "!",
    "?",
    ":",
    ";",
    ",",
    "(",
    ")",
    "'",
    "`",
    "-",
    "\n",
]


def _random_text(rng: random.Random) -> str:
    out = []
    for _ in range(rng.randint(1, 30)):
        out.append(rng.choice(_PIECES))
        out.append(rng.choice([" ", " ", " ", "", "\n", ". ", "? ", "\u00a0"]))
    return "".join(out)


@pytest.mark.parametrize("seed", range(8))
def test_fast_paths_match_the_plain_definition(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(400):
        text = _random_text(rng)
        assert _new_sentences(text) == _reference_sentences(text), repr(text)


@pytest.mark.parametrize("seed", range(4))
def test_batch_tokeniser_matches_sentence_tokens(seed: int) -> None:
    """:meth:`Vocabulary.tokenize` (the compiled tokeniser for prepared ASCII text, the
    regular expressions for the rest, in one batch) gives the sentences and keys of
    :func:`sentence_tokens` and :func:`sentence_key`."""
    rng = random.Random(seed)
    prepared = [prepare(_random_text(rng)) for _ in range(200)]
    batch, _, _ = Vocabulary().tokenize(prepared, min_sentence=2)
    assert not batch.all_ascii
    for i, norm in enumerate(prepared):
        sentences = sentence_tokens(norm)
        assert batch.text(i).sentences() == sentences, repr(norm)
        keys = batch.keys[batch.key_bounds[i] : batch.key_bounds[i + 1]].tolist()
        assert keys == [sentence_key(s) for s in sentences if len(s) >= 2]


@pytest.mark.parametrize(
    "text",
    [
        "Apple\u2019s chief said \u201cwe\u2019ll ship 1,000 units\u201d"
        " \u2013 soon\u2026 Then: more.",
        "Die M\u00fcnchner Firma verkauft 12.500 Ger\u00e4te. Sie w\u00e4chst!",
        "Japan\u2019s AI strategy \u2014 a race. \u65e5\u672c\u306eAI\u6226\u7565\u3002",
        "Plain ASCII text, with 2,500 GPUs. And a second sentence!",
    ],
)
def test_real_looking_paragraphs(text: str) -> None:
    assert _new_sentences(text) == _reference_sentences(text)
    ref = [t for s in _reference_sentences(text) for t in s]
    assert tokens(text) == ref
    # sentence keys (stored) are those of the same token lists
    assert [sentence_key(s) for s in _new_sentences(text)] == [
        sentence_key(s) for s in _reference_sentences(text)
    ]


def test_curly_apostrophes_take_the_ascii_path() -> None:
    folded = prepare("Apple\u2019s \u201cnew\u201d chip \u2013 fast\u2026")
    assert folded.isascii()
    assert tokens("Apple\u2019s \u201cnew\u201d chip \u2013 fast\u2026") == [
        "apple",
        "new",
        "chip",
        "fast",
    ]
