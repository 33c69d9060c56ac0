"""Names in ASCII text: the search for a space and a capital, with the preceding
character checked afterwards, finds what the look-behind pattern of the definition finds."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.dedup import verify
from crawler.dedup.lexicon import STOPWORDS
from crawler.dedup.normalize import prepare, tokens_of_normalized

DEFINITION = re.compile(r"(?<=[^\s.!?:;\"“(]) ([A-Z][A-Za-z0-9'’&.-]*)")
ALPHABET = " \t\n\x1c\x1f.!?:;\"(-'&aBcZ09"


def _reference(text: str) -> frozenset[str]:
    found = DEFINITION.findall(text)
    toks = tokens_of_normalized(prepare(" ".join(found))) if found else []
    return frozenset(t for t in toks if t not in STOPWORDS and not t[0].isdigit())


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=40))
def test_ascii_names_match_the_look_behind_definition(text: str) -> None:
    assert verify._names(text) == _reference(text)


def test_names_examples() -> None:
    text = "Reports say Apple Inc and Nvidia. Then Meta: Big (Tech) news\x1c Quietly"
    assert verify._names(text) == _reference(text) == {"apple", "inc", "nvidia", "meta"}
