"""Structure read back from the page: headings, list items, the title left out, and the
last cut-off teaser, on the project's own fixtures (``expect_blocks`` in their JSON)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.extract import extract
from crawler.extract.clean import clean_blocks
from crawler.extract.engine import parse
from crawler.extract.model import Block
from crawler.extract.recommend import find_sections
from crawler.extract.structure import drop_title, first_h1, restore_structure

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "extract"
SPECS = sorted(p for p in FIXTURES.glob("*.json") if "expect_blocks" in p.read_text("utf-8"))
LONG = "The council published the full timetable on Monday and the unions welcomed it."


def test_structure_fixtures_exist() -> None:
    names = {p.stem for p in SPECS}
    assert {
        "teaser_seed_headings",
        "structure_headings_article",
        "list_product_bullets",
        "list_product_paragraph_items",
        "teaser_link_list",
    } <= names


@pytest.mark.parametrize("spec_path", SPECS, ids=[p.stem for p in SPECS])
def test_blocks_in_order(spec_path: Path) -> None:
    spec = json.loads(spec_path.read_text("utf-8"))
    result = extract(spec_path.with_suffix(".html").read_bytes(), url=spec["url"])
    assert result.ok
    got = [(b.kind, b.text) for b in result.blocks]
    expected = [tuple(pair) for pair in spec["expect_blocks"]]
    assert len(got) == len(expected), got
    for (kind, text), (want_kind, prefix) in zip(got, expected, strict=True):
        assert kind == want_kind and text.startswith(prefix), (kind, text)
    assert result.title is not None
    assert all(b.text != result.title for b in result.blocks)
    assert [r.reason for r in result.removed].count("title") <= 1


def test_seed_shaped_page_keeps_both_headings_and_drops_the_teasers() -> None:
    result = extract((FIXTURES / "teaser_seed_headings.html").read_bytes())
    headings = [b.text for b in result.blocks if b.kind == "heading"]
    assert headings == ["A council that borrowed to build", "What comes after the first wave"]
    assert "Explore more" not in result.text
    assert "Sleeper services" not in result.text


def test_product_bullets_are_list_items_not_teasers() -> None:
    for name in ("list_product_bullets", "list_product_paragraph_items"):
        result = extract((FIXTURES / f"{name}.html").read_bytes())
        items = [b for b in result.blocks if b.kind == "list_item"]
        assert len(items) == 8, name
        assert not [r for r in result.removed if r.reason != "title"], name


def test_restore_puts_a_dropped_heading_back_in_place() -> None:
    page = f"<html><body><p>{LONG}</p><h2><span>Section two</span></h2><p>{LONG} Again.</p>"
    tree = parse(page + "</body></html>")
    assert tree is not None
    blocks = [Block("paragraph", LONG), Block("paragraph", LONG + " Again.")]
    assert restore_structure(tree, blocks) == [
        Block("paragraph", LONG),
        Block("heading", "Section two"),
        Block("paragraph", LONG + " Again."),
    ]


def test_restore_leaves_out_headings_of_other_boxes_and_recommendations() -> None:
    page = (
        f"<html><body><div><p>{LONG}</p><div class='box'><h3>Newsletter box</h3></div>"
        f"<h3>Related articles</h3><h3><a href='/other'>Another story</a></h3>"
        f"<p>{LONG} Again.</p></div></body></html>"
    )
    tree = parse(page)
    assert tree is not None
    blocks = [Block("paragraph", LONG), Block("paragraph", LONG + " Again.")]
    assert restore_structure(tree, blocks, find_sections(tree)) == blocks


def test_drop_title_one_rule() -> None:
    body = [Block("heading", "Night Buses"), Block("paragraph", LONG)]
    assert drop_title(body, "Night buses | Example Wire")[0] == [Block("paragraph", LONG)]
    assert drop_title(body, None, "Night Buses")[0] == [Block("paragraph", LONG)]
    as_paragraph = [Block("paragraph", "Night buses"), Block("paragraph", LONG)]
    assert drop_title(as_paragraph, "Night buses")[0] == [Block("paragraph", LONG)]
    assert drop_title(body, "Something else")[0] == body
    tree = parse("<html><body><nav><h1>Menu</h1></nav><h1>Night Buses</h1></body></html>")
    assert tree is not None and first_h1(tree) == "Night Buses"


CUT = (
    "Police in the harbour district said on Sunday that two crews had been rescued after "
    "their boats drifted onto the sandbank overnight, according to a news agency. The men"
)


def test_last_cut_paragraph_after_a_recommendation_heading_is_removed() -> None:
    blocks = [
        Block("paragraph", LONG),
        Block("heading", "Explore more"),
        Block("heading", "A teaser title"),
        Block("paragraph", "A complete blurb that ends like a sentence of a real article does."),
        Block("paragraph", CUT),
    ]
    kept, removed = clean_blocks(blocks)
    # the complete blurb reads like prose and stays; the cut-off last one goes
    assert kept == [Block("paragraph", LONG), blocks[3]]
    assert ("truncated-teaser", CUT) in [(r.reason, r.text) for r in removed]


def test_closing_paragraphs_after_a_recommendation_stay() -> None:
    closing = [
        Block("paragraph", LONG),
        Block("paragraph", "“We will be back in the spring,” the harbour master said."),
        Block("paragraph", "Reporting by Ada Lunde; editing by Tom Reeve"),
    ]
    blocks = [Block("paragraph", LONG), Block("heading", "Related"), *closing]
    kept, _ = clean_blocks(blocks)
    assert kept == [Block("paragraph", LONG), *closing]


def test_a_cut_paragraph_without_a_recommendation_before_it_stays() -> None:
    kept, removed = clean_blocks([Block("paragraph", LONG), Block("paragraph", CUT)])
    assert kept == [Block("paragraph", LONG), Block("paragraph", CUT)] and removed == []


def test_lead_in_the_article_header_is_restored_before_the_body() -> None:
    """trafilatura takes div.article-body alone and leaves out the lead in the header;
    the lead is put back first, the byline and the captions stay out."""
    from crawler.extract.evaluate import plain_trafilatura

    page = FIXTURES / "structure_lead_in_header.html"
    lead = "After eleven years without a night crossing"
    assert lead not in plain_trafilatura(page.read_bytes(), None, None)
    result = extract(page.read_bytes(), url="https://example-wire.test/structure-lead-in-header")
    assert result.blocks[0].text.startswith(lead)
    assert "By Mara Lind" not in result.text
    assert "© Example Wire" not in result.text
    assert "Foto: Example Wire" not in result.text
    assert "caption" in [r.reason for r in result.removed]


def test_lead_in_a_text_div_after_the_title_is_put_before_the_first_paragraph() -> None:
    lead = "Two operators will run sleeper ferries between Brakmouth and the islands from April."
    tree = parse(
        "<html><body><main><article><h1>Night Ferries Return</h1>"
        '<ul class="share"><li><a href="/s">Share</a></li><li><a href="/m">Mail</a></li></ul>'
        f'<div class="intro">{lead}</div>'
        '<p class="byline">By Mara Lind</p>'
        f'<div class="article-body"><p>{LONG}</p><p>{LONG} Again.</p></div>'
        "</article></main></body></html>"
    )
    assert tree is not None
    blocks = [
        Block("heading", "Night Ferries Return"),
        Block("paragraph", LONG),
        Block("paragraph", f"{LONG} Again."),
    ]
    out = restore_structure(tree, blocks)
    assert [b.text for b in out] == ["Night Ferries Return", lead, LONG, f"{LONG} Again."]


def _restored(html: str, blocks: list[Block]) -> list[str]:
    tree = parse(html)
    assert tree is not None
    return [b.text for b in restore_structure(tree, blocks, find_sections(tree, None))]


STANDFIRST = "Two operators will run sleeper ferries between Brakmouth and the islands from April."


def test_standfirst_under_the_title_in_a_separate_top_level_section_is_restored() -> None:
    """The title's header and the body sit in sibling sections directly below <body>,
    deeper than the lead search's depth limit: the container is then the common
    ancestor of the <h1> and the first paragraph."""
    deep_body = (
        '<section class="body"><div><div><div><div><div class="copy">'
        f"<p>{LONG}</p><p>{LONG} Again.</p></div></div></div></div></div></section>"
    )
    html = (
        '<html><body><section class="intro"><header><div class="title-wrapper">'
        f"<h1>Night Ferries Return</h1><h2>{STANDFIRST}</h2></div></header></section>"
        f"{deep_body}</body></html>"
    )
    out = _restored(html, [Block("paragraph", LONG), Block("paragraph", f"{LONG} Again.")])
    assert out == [STANDFIRST, LONG, f"{LONG} Again."]


def test_no_standfirst_is_taken_from_before_the_title() -> None:
    """Text above the <h1> (a site banner) is never a lead, however wide the container."""
    banner = "Your trusted source of harbour news from every island in the archipelago."
    html = (
        f'<html><body><section class="intro"><p>{banner}</p><h1>Night Ferries Return</h1>'
        '</section><section class="body"><div><div><div><div><div class="copy">'
        f"<p>{LONG}</p></div></div></div></div></div></section></body></html>"
    )
    assert _restored(html, [Block("paragraph", LONG)]) == [LONG]


def test_lead_search_starts_from_the_first_paragraph_that_is_not_a_caption() -> None:
    """trafilatura's first block is the picture's caption; the lead (an itemprop
    description box between the title and the caption) is still found, and put before
    the first body paragraph, while the caption is left to the cleaning step."""
    caption = "Foto: Michael Lind (Copyright)"
    html = (
        "<html><body><main><article><div><div>"
        f'<h1>Night Ferries Return</h1><div class="media"><img src="/a.jpg"><p>{caption}</p></div>'
        f'<div class="news-teaser" itemprop="description">{STANDFIRST}</div>'
        f'<div class="bodytext"><p>{LONG}</p><p>{LONG} Again.</p></div>'
        "</div></div></article></main></body></html>"
    )
    blocks = [
        Block("paragraph", caption),
        Block("paragraph", LONG),
        Block("paragraph", f"{LONG} Again."),
    ]
    assert _restored(html, blocks) == [caption, STANDFIRST, LONG, f"{LONG} Again."]


def test_a_sidebar_box_between_title_and_body_is_not_a_lead() -> None:
    promo = "We visit universities and research institutes across the country every year."
    html = (
        '<html><body><div id="page"><h1>Night Ferries Return</h1>'
        f'<div class="region-sidebar"><div class="block-body"><p>{promo}</p></div></div>'
        f'<div class="content"><p>{LONG}</p></div></div></body></html>'
    )
    assert _restored(html, [Block("paragraph", LONG)]) == [LONG]


def test_a_caption_is_not_restored_as_a_heading() -> None:
    caption = "A turning point in the play: the crowd becomes a mob. Bild: Gregor Lind"
    html = (
        f"<html><body><article><p>{LONG}</p><h3>{caption}</h3>"
        f"<p>{LONG} Again.</p></article></body></html>"
    )
    blocks = [Block("paragraph", LONG), Block("paragraph", f"{LONG} Again.")]
    assert _restored(html, blocks) == [LONG, f"{LONG} Again."]
