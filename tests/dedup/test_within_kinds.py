"""Within-article rules measured on labelled real pages (bench/labels/within-dev.tsv): code
and tables take no part in near repeats, two list items are never a near repeat of each
other, and a short pair that only the pair model accepts, with a different name on each
side, is a template rather than a repeat."""

from __future__ import annotations

import pytest

from crawler.dedup import DedupEngine

BASE = [
    "Harbourline opened its third data centre near Lulea on Monday, adding 42 megawatts of "
    "capacity that the company says will run on hydroelectric power from the Lule river.",
    "Customers in the region have waited months for graphics processors, and the operator "
    "plans to rent half of the building out as accelerator clusters for research groups.",
    "Local officials welcomed the permanent jobs but warned that the grid connection took "
    "four years to approve, leaving several other projects stuck in the queue.",
]
ORIGINAL = (
    "The new hall uses liquid cooling loops instead of raised floors, and chief operating "
    "officer Maren Holt said each rack can draw up to 80 kilowatts of power."
)
EDITED = (
    "The new hall uses liquid cooling loops rather than raised floors, and operating "
    "officer Maren Holt said each rack may draw up to 80 kilowatts of power."
)
ARTICLE = [BASE[0], ORIGINAL, BASE[1], BASE[2], EDITED]


def _near(kinds: list[str] | None, texts: list[str] = ARTICLE) -> list[tuple[int, int]]:
    matches = DedupEngine().check_article(texts, kinds=kinds)
    return [(m.index, m.other) for m in matches if m.kind == "near_within"]


def test_a_light_edit_is_a_near_repeat_between_paragraphs() -> None:
    assert _near(None) == [(4, 1)]
    assert _near(["paragraph"] * 5) == [(4, 1)]
    assert _near(["paragraph", "list_item", "paragraph", "paragraph", "paragraph"]) == [(4, 1)]
    assert _near(["paragraph", "quote", "paragraph", "paragraph", "list_item"]) == [(4, 1)]


@pytest.mark.parametrize("kind", ["code", "table"])
def test_code_and_tables_take_no_part_in_near_repeats(kind: str) -> None:
    assert _near(["paragraph", kind, "paragraph", "paragraph", "paragraph"]) == []
    assert _near(["paragraph", "paragraph", "paragraph", "paragraph", kind]) == []


def test_code_still_has_exact_repeats() -> None:
    texts = [*ARTICLE, ORIGINAL]
    kinds = ["paragraph", "code", "paragraph", "paragraph", "code", "code"]
    matches = DedupEngine().check_article(texts, kinds=kinds)
    assert [(m.kind, m.index, m.other) for m in matches] == [("exact_within", 5, 1)]


def test_two_list_items_are_not_a_near_repeat() -> None:
    assert _near(["paragraph", "list_item", "paragraph", "paragraph", "list_item"]) == []


def test_kinds_must_match_the_paragraphs() -> None:
    with pytest.raises(ValueError, match="5 paragraphs but 2 kinds"):
        DedupEngine().check_article(ARTICLE, kinds=["paragraph", "code"])


TEMPLATE = [
    BASE[0],
    "Chief executive Anna Berg told reporters in Stockholm that the company will open two "
    "more sites before the end of the decade.",
    BASE[1],
    BASE[2],
    "Chief financial officer Lars Nyman told investors in Oslo that the company will open "
    "two more sites before the end of the decade.",
]


def test_short_template_with_other_names_is_not_a_repeat() -> None:
    assert _near(None, TEMPLATE) == []
