from __future__ import annotations

from crawler.extract.clean import clean_blocks
from crawler.extract.model import Block
from crawler.extract.patterns import ends_sentence, is_rec_heading

BODY = Block(
    "paragraph",
    "The council voted on Tuesday to keep the night buses running through the winter months.",
)
BLURB = "A teaser blurb for another article that runs for a while and then simply stops in the"


def _texts(blocks: list[Block]) -> list[str]:
    return [b.text for b in blocks]


def test_recommendation_heading_and_its_teasers() -> None:
    blocks = [
        BODY,
        Block("heading", "You may also like"),
        Block("heading", "A teaser title"),
        Block("paragraph", BLURB),
    ]
    kept, removed = clean_blocks(blocks)
    assert kept == [BODY]
    assert {r.reason for r in removed} == {"recommendation-heading"}


def test_run_of_cut_off_teasers_without_heading() -> None:
    pairs = [Block("heading", f"Teaser title {i}") for i in range(3)]
    blocks = [BODY]
    for title in pairs:
        blocks += [title, Block("paragraph", BLURB)]
    kept, removed = clean_blocks(blocks)
    assert kept == [BODY]
    assert len(removed) == 6
    assert all(r.reason == "truncated-teaser" for r in removed)


def test_two_pairs_or_numbered_entries_are_kept() -> None:
    blocks = [BODY, Block("heading", "A"), Block("paragraph", BLURB)] * 2
    assert clean_blocks(blocks)[0] == blocks
    ranked = []
    for i in range(1, 5):
        ranked += [Block("paragraph", f"{i}. Some Person"), Block("paragraph", BLURB)]
    assert clean_blocks(ranked)[0] == ranked


def test_read_next_prompts_and_stamps() -> None:
    blocks = [
        BODY,
        Block("paragraph", "Read next: How towns run their own fibre"),
        Block("paragraph", "Sign up for our daily newsletter to get the best stories."),
        Block("paragraph", "We use cookies to make this site work."),
        Block("paragraph", "Share this article"),
        Block("paragraph", "© 2025 Example Wire. All rights reserved."),
        Block("paragraph", "Lesen Sie auch: Wie Dörfer Strom speichern"),
    ]
    kept, removed = clean_blocks(blocks)
    assert kept == [BODY]
    assert [r.reason for r in removed] == [
        "read-next",
        "prompt",
        "prompt",
        "prompt",
        "copyright-or-credit",
        "read-next",
    ]


def test_long_paragraph_mentioning_newsletter_is_kept() -> None:
    long = Block("paragraph", "Sign up for our newsletter, the editor joked. " + BODY.text * 5)
    assert clean_blocks([long])[0] == [long]


def test_patterns() -> None:
    assert is_rec_heading("Related articles:")
    assert is_rec_heading("More from Harbour Post")
    assert is_rec_heading("Mehr zum Thema")
    assert not is_rec_heading("Related research suggests the opposite")
    assert ends_sentence('He said "no."')
    assert not ends_sentence("and then it stopped…")
    assert not ends_sentence("cut off in the")


def test_is_prompt_gives_the_answer_of_the_whole_pattern() -> None:
    from crawler.extract.patterns import _PROMPTS, PROMPT, is_prompt

    assert all(p.startswith(("^", r"\b")) for p in _PROMPTS)
    samples = [
        "Sign up for our weekly newsletter",
        "Share this article",
        "The council said it would share the article with residents.",
        "We use cookies to improve the site",
        "Folgen Sie uns auf Twitter",
        "A quiet paragraph about harbours and ferries.",
        "Subscribe now and save",
        "He did not subscribe now, he said.",
        "Newsletter",
    ]
    for text in samples:
        assert is_prompt(text) == (PROMPT.search(text) is not None), text


def test_caption_with_a_picture_credit_is_removed() -> None:
    caption = Block("paragraph", "The mayor at the opening of the berth. (Foto: Example Wire)")
    credit = Block("paragraph", "Hat das Potential zum Star: die neue Fähre. © Example Wire")
    prose = Block(
        "paragraph",
        "The photographer who took the first picture of the berth said the light was poor.",
    )
    kept, removed = clean_blocks([BODY, caption, credit, prose])
    assert kept == [BODY, prose]
    assert [r.reason for r in removed] == ["caption", "caption"]


def test_ad_slot_labels_are_removed() -> None:
    kept, removed = clean_blocks(
        [BODY, Block("paragraph", "Advertisement"), Block("paragraph", "- Anzeige -"), BODY]
    )
    assert kept == [BODY, BODY]
    assert [r.reason for r in removed] == ["ad-label", "ad-label"]
    kept, _ = clean_blocks([Block("paragraph", "Werbung wirkt, sagt die Studie.")])
    assert len(kept) == 1


def test_datelines_at_either_end_of_the_body_are_removed() -> None:
    stamps = ["23.10.2018", "Di, 10:19 Uhr", "By Evan Lind, August 14, 2020 2:30 pm"]
    closing = "Quelle: Deutscher Jagdverband (DJV), 02. Februar 2022, Berlin"
    blocks = [Block("paragraph", stamps[0]), Block("paragraph", stamps[1]), BODY, BODY]
    blocks += [Block("paragraph", stamps[2]), Block("paragraph", closing)]
    kept, removed = clean_blocks(blocks)
    assert kept == [BODY, BODY]
    assert [r.reason for r in removed] == ["date-stamp"] * 4


def test_dates_inside_the_body_and_long_datelines_stay() -> None:
    middle = Block("paragraph", "Tuesday, 14:30")
    long_dateline = Block(
        "paragraph",
        "Bern, 17.08.2007 - Rede von Moritz Lind beim SP-Städtegipfel, Basel, 18. August 2007",
    )
    sentence = Block("paragraph", "The vote is on 12 March.")
    heading = Block("heading", "March 12")
    blocks = [long_dateline, heading, BODY, middle, BODY, BODY, sentence]
    kept, removed = clean_blocks(blocks)
    assert kept == blocks and removed == []
