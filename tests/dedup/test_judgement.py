"""Containment at any length and the within-article vetoes for changed facts, on texts the
project wrote itself (the shapes of the held-out sets of crawler.dedup.research.heldout)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from crawler.dedup import DedupEngine, DedupParams
from crawler.dedup.verify import IdfModel, fact_conflict, profile, verify_pair
from crawler.dedup.within import ArticleTerms

SOURCE = [
    "The regional water authority said on Monday that it will spend the coming decade "
    "replacing the ageing pipes beneath the old harbour district, where leaks have forced "
    "repeated closures of streets, shops and the weekly fish market. Engineers surveyed the "
    "network last winter and found corroded cast iron mains dating from the late nineteenth "
    "century, many of them patched by hand after earlier floods.",
    "Residents have complained for years about brown tap water and sudden drops in pressure. "
    "The authority promised that households would receive written notice before any "
    "excavation began, and that temporary standpipes would be installed on every affected "
    "street so that nobody would be left without drinking water during the works.",
    "Funding comes partly from a national infrastructure grant and partly from a modest rise "
    "in annual charges, which consumer groups criticised as unfair to pensioners on fixed "
    "incomes. The authority replied that the alternative, emergency repairs after each burst, "
    "had proved far more expensive and disruptive for the harbour's traders.",
    "Work is due to begin near the lighthouse, where the oldest section of the network runs "
    "under the cobbled quay, before moving inland towards the railway station and the "
    "university quarter over the following seasons.",
]
OTHER = (
    "The orchestra announced a new season of concerts in the restored opera house, with "
    "young soloists from the conservatory performing symphonies by forgotten composers of "
    "the baroque era. Tickets will be sold at reduced prices for students, and the conductor "
    "hopes that evening rehearsals open to the public will attract families who have never "
    "attended a classical performance before. Critics praised the acoustics of the hall after "
    "its renovation, although some regular visitors complained about the narrow seats, the "
    "steep stairs to the balcony and the long queues at the cloakroom during the interval."
)


def _decide(a: str, b: str) -> tuple[bool, str]:
    pa, pb = profile(a), profile(b)
    idf = IdfModel()
    ArticleTerms([profile(t) for t in [*SOURCE, OTHER, a, b]]).observe(idf)
    d = verify_pair(pa, pb, idf, DedupParams())
    return d.duplicate, d.method


def test_a_reworded_passage_of_a_longer_text_is_containment() -> None:
    # half of the source, reordered, reworded in places, with a sentence of its own
    passage = (
        "Funding comes partly from a national infrastructure grant and partly from a modest "
        "rise in yearly charges, which consumer groups criticised as unfair to pensioners. "
        "The regional water authority stated that it will spend the coming decade replacing "
        "the ageing pipes beneath the old harbour district, where leaks forced repeated "
        "closures of streets, shops and the weekly fish market. Engineers surveyed the network "
        "and found corroded cast iron mains from the nineteenth century, many patched by hand "
        "after earlier floods. Local councillors welcomed the plan at a meeting on Tuesday."
    )
    source = "\n\n".join(SOURCE)
    assert _decide(passage, source) == (True, "minhash+verify:long-containment")
    # the same length from another text is not
    assert _decide(OTHER, source)[0] is False


def test_containment_is_asymmetric_and_short_pairs_keep_their_rules() -> None:
    # a short sentence inside a long text is not judged by the long-containment rule
    _, method = _decide("Residents have complained about brown tap water.", "\n\n".join(SOURCE))
    assert method != "minhash+verify:long-containment"


class Store:
    def __init__(self) -> None:
        self.texts: dict[int, str] = {}

    def lookup(self, keys: Sequence[int]) -> Mapping[int, str]:
        return {k: self.texts[k] for k in keys if k in self.texts}


def _indexed() -> tuple[DedupEngine, Store]:
    store = Store()
    engine = DedupEngine(lookup=store.lookup)
    engine.observe([OTHER])
    for k, (text, sig) in enumerate(zip(SOURCE, engine.signatures(SOURCE), strict=True)):
        store.texts[100 + k] = text
        engine.add(100 + k, 1, sig, group=1)
    return engine, store


def test_the_crawl_finds_a_copy_that_merges_two_paragraphs() -> None:
    engine, _ = _indexed()
    merged = SOURCE[0] + " " + SOURCE[1]
    matches = engine.check_article([merged, OTHER], article=2)
    near = {(m.index, m.other) for m in matches if m.kind in ("near_cross", "exact_cross")}
    assert (0, 100) in near or (0, 101) in near
    assert all(m.index == 0 for m in matches)


def test_the_crawl_finds_a_copy_that_cuts_a_paragraph_in_half() -> None:
    engine, _ = _indexed()
    first_half = SOURCE[0].split(". Engineers")[0] + "."
    second_half = "Engineers" + SOURCE[0].split(". Engineers")[1]
    matches = engine.check_article([first_half, second_half, OTHER], article=3)
    flagged = {m.index: m.other for m in matches if m.kind in ("near_cross", "exact_cross")}
    assert flagged == {0: 100, 1: 100}


EARLIER = (
    "Problems at the Lisbon plant came to light early last year, when inspectors from the "
    "Halvorsen agency found that 40 welding robots had been installed without the required "
    "safety checks, and the company promised to review every production line."
)
REPEAT = (
    "In short, troubles at the Lisbon plant came to light early last year, when inspectors "
    "from the Halvorsen agency discovered that 40 welding robots had been installed without "
    "the required safety checks, and the firm promised to review every production line."
)


def test_fact_conflicts() -> None:
    a = profile(EARLIER)
    assert fact_conflict(a, profile(REPEAT)) is None
    actor = REPEAT.replace("Halvorsen", "Brekke")
    assert fact_conflict(a, profile(actor)) == "names"
    other_outcome = EARLIER.replace("early last year", "late last year")
    assert fact_conflict(a, profile(other_outcome)) == "opposite"
    # a name spelled as its adjective is the same name
    european = REPEAT.replace("Lisbon plant", "Lisbon plant of the European group")
    assert (
        fact_conflict(profile(EARLIER.replace("Lisbon", "Lisbon (Europe)")), profile(european))
        is None
    )


def _article(later: str) -> list[str]:
    return [
        "Carmaker reviews safety after inspection",
        EARLIER,
        "The plant employs about 2,000 people and builds electric vans for delivery firms "
        "across southern Europe, according to figures published by the regional government.",
        "Union representatives said workers had raised concerns about the robots months "
        "before the inspection, but managers had dismissed them as teething troubles.",
        "Shares in the company were little changed in afternoon trading in Madrid.",
        later,
    ]


def test_within_article_a_spun_repeat_is_flagged_and_changed_facts_are_not() -> None:
    found = DedupEngine().check_article(_article(REPEAT))
    assert {(m.index, m.other, m.kind) for m in found} == {(5, 1, "near_within")}
    variants = [
        REPEAT.replace("Halvorsen", "Brekke"),
        REPEAT.replace("early last year", "late last year"),
        REPEAT.replace("40 welding", "60 welding"),
    ]
    for text in variants:
        assert [m for m in DedupEngine().check_article(_article(text)) if m.index == 5] == []
