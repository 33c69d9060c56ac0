"""Figures compared by term id (:func:`relations`), and names looked up in the padded token
string, give the same answers as comparing with the other side's set of tokens (the
definitions of the figures veto and of a name conflict)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.dedup.verify import Profile, _name_conflict, number_conflict, profiles_of, relations

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
def test_relations_agree_with_figure_tokens(x: str, y: str) -> None:
    a, b = profiles_of([x, y])
    rel = relations(a, b)
    either = rel.a_extra_figure or rel.b_extra_figure
    same = rel.a_figures > 0 and not either
    assert (number_conflict(a, b), either, same) == _by_tokens(a, b)
    assert rel.a_figures == len({t for t in a.tokens if t[0].isdigit()})
    assert rel.a_inside_b == (set(a.ids.tolist()) <= set(b.ids.tolist()))
    assert rel.b_inside_a == (set(b.ids.tolist()) <= set(a.ids.tolist()))


sentences = st.lists(texts, min_size=1, max_size=4).map(". ".join)


@settings(max_examples=300, deadline=None)
@given(sentences, sentences)
def test_sentences_inside_needs_terms_inside(x: str, y: str) -> None:
    # judge skips the sentence comparison when a side's terms are not all in the other
    a, b = profiles_of([x, y + ". " + x])
    if a.sentences and a.sentences <= b.sentences:
        assert relations(a, b).a_inside_b


names = st.lists(st.sampled_from(["policy", "polic", "zürich", "1.5", "5g", "a", "ab"]), max_size=4)


@settings(max_examples=300, deadline=None)
@given(texts, names)
def test_name_lookup_in_padded_tokens_agrees_with_token_set(x: str, own: list[str]) -> None:
    (b,) = profiles_of([x])
    assert _name_conflict(frozenset(own), b) == any(n not in b.tokens for n in own)
