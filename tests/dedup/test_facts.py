"""The negation and added-clause tests of crawler.dedup.facts, and their veto within an
article, on texts the project wrote itself."""

from __future__ import annotations

from crawler.dedup import DedupEngine
from crawler.dedup.facts import added_facts, clause_added, english_enough, negation_inserted
from crawler.dedup.lexicon import expand_negations
from crawler.dedup.verify import profile

from .test_judgement import EARLIER, REPEAT, _article


def _w(text: str) -> list[str]:
    return text.split()


def test_contractions_are_split() -> None:
    assert expand_negations(["it", "isnt", "ready"]) == ["it", "is", "not", "ready"]
    assert expand_negations(["we", "cannot", "go"]) == ["we", "can", "not", "go"]
    assert expand_negations(["it", "wont", "ship"]) == ["it", "will", "not", "ship"]
    # a word that merely ends in "nt" is kept
    assert expand_negations(["the", "plant", "event"]) == ["the", "plant", "event"]


def test_a_negation_between_words_the_other_has_together() -> None:
    assert negation_inserted(_w("the plan is not ready"), _w("the plan is ready"))
    assert negation_inserted(_w("the plan isnt ready"), _w("the plan is ready"))
    # the word after the negation reworded
    assert negation_inserted(
        _w("it is not significant for the firm"), _w("it is important for the company")
    )
    # at the end of both sentences
    assert negation_inserted(_w("we know you can not"), _w("we know you can"))
    # the other way round it is the other sentence that negates
    assert not negation_inserted(_w("the plan is ready"), _w("the plan is not ready"))


def test_a_negation_said_in_other_words_is_not_an_inserted_one() -> None:
    # the same negation, written out and contracted
    assert not negation_inserted(_w("it did not ship"), ["it", "didnt", "ship"])
    # another wording of the same fact: no pair of words around the negation recurs
    assert not negation_inserted(
        _w("officials said he would not recuse himself"),
        _w("officials said he refused to recuse himself"),
    )
    assert not negation_inserted(_w("alcohol is not allowed"), _w("food and drink allowed"))


def test_an_added_run_of_new_content_words_is_a_clause() -> None:
    earlier = _w("the company promised to review every production line")
    later = _w(
        "the firm promised to review every production line and auditors restated quarterly earnings"
    )
    assert clause_added(later, earlier, set(earlier), 3)
    # words swapped one for one are no clause, however many
    reworded = _w("the firm pledged to inspect each assembly line")
    assert not clause_added(reworded, earlier, set(earlier), 3)
    # the added words are in the other paragraph: restated, not new
    assert not clause_added(later, earlier, {*earlier, "auditors", "restated"}, 3)


def test_english_enough() -> None:
    assert english_enough(profile(EARLIER))
    german = (
        "Die Behörde kündigte Montag umfangreiche Sanierungsarbeiten unter dem historischen "
        "Hafenviertel an, nachdem wiederholte Rohrbrüche Straßen, Geschäfte und Fischmarkt "
        "lahmgelegt hatten."
    )
    assert not english_enough(profile(german))


def test_added_facts() -> None:
    a = profile(EARLIER)
    assert added_facts(a, profile(REPEAT)) is None
    negated = REPEAT.replace("had been installed", "had not been installed")
    assert added_facts(a, profile(negated)) == "negation"
    clause = REPEAT.replace(
        "every production line.",
        "every production line, and auditors later restated the quarterly earnings.",
    )
    assert added_facts(a, profile(clause)) == "clause"
    # a trimmed repeat (the earlier paragraph is the longer one) is no added clause
    assert added_facts(profile(clause), a) is None


def test_within_article_a_negated_or_extended_repeat_is_not_flagged() -> None:
    found = DedupEngine().check_article(_article(REPEAT))
    assert {(m.index, m.other) for m in found} == {(5, 1)}
    variants = [
        REPEAT.replace("had been installed", "had not been installed"),
        REPEAT.replace(
            "every production line.",
            "every production line, and auditors later restated the quarterly earnings.",
        ),
    ]
    for text in variants:
        assert [m for m in DedupEngine().check_article(_article(text)) if m.index == 5] == []
