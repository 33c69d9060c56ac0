"""The figures of a profile compared by term id, and names looked up in the padded token
string, give the same answers as comparing with the other side's set of tokens (the
definitions of the figures veto and of a name conflict)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.dedup.verify import Profile, _name_conflict, number_conflict, profiles_of

WORDS = ["policy", "policies", "chip", "chips", "1.5", "15", "2024", "5g", "3nm", "4", "40"]
WORDS += ["Zürich", "٣", "①", "1,000", "1000", "3,5", "the", "is", "GPU's", "running"]

texts = st.lists(st.sampled_from(WORDS), min_size=0, max_size=12).map(" ".join)


def _by_tokens(a: Profile, b: Profile) -> tuple[bool, bool, bool]:
    nums_a = {t for t in a.tokens if t[0].isdigit()}
    nums_b = {t for t in b.tokens if t[0].isdigit()}
    conflict_a = any(x not in b.tokens for x in nums_a)
    conflict_b = any(x not in a.tokens for x in nums_b)
    return (conflict_a and conflict_b, conflict_a or conflict_b, bool(nums_a) and nums_a == nums_b)


@settings(max_examples=300, deadline=None)
@given(texts, texts)
def test_number_ids_agree_with_figure_tokens(x: str, y: str) -> None:
    a, b = profiles_of([x, y])
    either = not a.number_ids <= b.id_set or not b.number_ids <= a.id_set
    same = bool(a.number_ids) and a.number_ids == b.number_ids
    assert (number_conflict(a, b), either, same) == _by_tokens(a, b)
    assert a.numbers == {t for t in a.tokens if t[0].isdigit()}


names = st.lists(st.sampled_from(["policy", "polic", "zürich", "1.5", "5g", "a", "ab"]), max_size=4)


@settings(max_examples=300, deadline=None)
@given(texts, names)
def test_name_lookup_in_padded_tokens_agrees_with_token_set(x: str, own: list[str]) -> None:
    (b,) = profiles_of([x])
    assert _name_conflict(frozenset(own), b) == any(n not in b.tokens for n in own)
