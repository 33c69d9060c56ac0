"""The sample site's text: three made-up publishers and their articles.

Everything here is invented for the demo: the publishers, people, companies,
places and figures. Articles are data (title, byline, date and body blocks); the
page, feed and sitemap markup is produced by :mod:`crawler.demo.pages`.

Body blocks are ``(kind, text)`` pairs with kind ``"p"``, ``"h2"`` or ``"h3"``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ABOUT",
    "ARTICLES",
    "DISALLOWED",
    "PUBLISHERS",
    "SEED_INTRO",
    "SEED_LIKE",
    "SEED_PARAPHRASE",
    "SEED_TEASERS",
    "SYNDICATED",
    "Article",
    "Block",
    "Publisher",
]

Block = tuple[str, str]


@dataclass(frozen=True)
class Publisher:
    """A made-up publisher on a reserved ``.example`` domain.

    Attributes:
        key: short name, also the source name.
        name: display name.
        host: the site's host name.
        tagline: shown under the logo.
        feed_kind: ``"rss"`` (RSS 2.0), ``"atom"`` or ``"rdf"`` (RSS 1.0).
        feed_path: where the feed is served.
        sitemap_layout: ``"plain"`` (one sitemap) or ``"index"`` (index + news
            sitemap + gzip sitemap).
        listing_path: the listing page.
        article_prefix: path prefix of article pages.
        disallow: path prefixes robots.txt disallows.
        semantic: whether article pages use ``<article>``/``<aside>``; if False the
            body sits in plain ``<div>`` elements.
    """

    key: str
    name: str
    host: str
    tagline: str
    feed_kind: str
    feed_path: str
    sitemap_layout: str
    listing_path: str
    article_prefix: str
    disallow: tuple[str, ...]
    semantic: bool


@dataclass(frozen=True)
class Article:
    """One article page of the sample site."""

    publisher: str
    slug: str
    title: str
    author: str
    published: str
    summary: str
    section: str
    blocks: tuple[Block, ...]

    def path(self, publisher: Publisher) -> str:
        """The article's path on its publisher's site."""
        return f"{publisher.article_prefix}{self.slug}"


PUBLISHERS: tuple[Publisher, ...] = (
    Publisher(
        key="techwire",
        name="TechWire",
        host="techwire.example",
        tagline="Technology, industry and the people who build it",
        feed_kind="rss",
        feed_path="/feed.xml",
        sitemap_layout="plain",
        listing_path="/news/",
        article_prefix="/news/2026/",
        disallow=("/news/2026/embargoed-", "/admin/"),
        semantic=False,
    ),
    Publisher(
        key="bytebeat",
        name="ByteBeat",
        host="bytebeat.example",
        tagline="Gadgets, software and the business of tech",
        feed_kind="atom",
        feed_path="/atom.xml",
        sitemap_layout="index",
        listing_path="/latest/",
        article_prefix="/stories/",
        disallow=("/search",),
        semantic=True,
    ),
    Publisher(
        key="circuitdaily",
        name="Circuit Daily",
        host="circuitdaily.example",
        tagline="Hardware news every weekday",
        feed_kind="rdf",
        feed_path="/index.rdf",
        sitemap_layout="plain",
        listing_path="/stories/",
        article_prefix="/a/",
        disallow=(),
        semantic=True,
    ),
)

_CHIP_P1 = (
    "Three new chip packaging plants opened this year in the river valley towns around "
    "Dunmore, and all three are running below capacity for the same reason: they cannot "
    "hire enough maintenance technicians. The plants together employ about 1,100 people, "
    "but managers say roughly 180 technician posts remain open, some of them for more than "
    "eight months."
)
_CHIP_P2_FIRST = (
    "The work is specialised. Technicians keep wire bonders, dicing saws and cleanroom air "
    "handling running around the clock, and a single stopped tool can idle an entire line."
)
_CHIP_P2_LAST = (
    "Most of the plants' experienced staff were recruited from overseas sites and are now "
    "training local hires on the job, which slows everyone down."
)
_CHIP_P3 = (
    "Dunmore Community College has added an evening certificate in equipment maintenance, "
    "with the first 40 students due to finish in June. The college's dean, Priya Lanford, "
    "said demand was so strong that the course filled within a week, and that two of the "
    "plants have offered to pay tuition for students who agree to work for them for two "
    "years."
)
_CHIP_P4 = (
    "Industry groups warn that the shortage is not unique to Dunmore. A survey by the "
    "Semiconductor Workforce Council found that nine in ten packaging and test sites expect "
    "to struggle with technician hiring through 2028, even as new investment continues to "
    "arrive."
)

#: The seed-like article's intro, and its paraphrase later in the same article.
SEED_INTRO = (
    "Industrial robotics has become one of the places where smaller economies test whether "
    "public money can buy them a seat at the top table, and Norland is the latest to try. "
    "Its government has committed 2.4 billion crowns over five years to shared test "
    "factories and an apprenticeship scheme for robot technicians, and a new robotics law "
    "sets out who is liable when an autonomous machine fails on a factory floor. The "
    "country sits ninth in the Halvorsen Robotics Index, four places behind its neighbour "
    "Estmark, but an analysis by Brightline Research finds that Norland is now outpacing "
    "Estmark in private funding for warehouse automation, a sign that the ranking could "
    "change."
)
SEED_PARAPHRASE = (
    "Smaller nations increasingly treat factory automation as a contest they can enter "
    "with state backing, and Norland has now stepped into it. Five-year public funding of "
    "2.4 billion crowns is paying for shared testing plants and for training robot "
    "technicians through apprenticeships, while fresh legislation decides who carries the "
    "blame when a self-directed machine breaks down in production. Ranked ninth by the "
    "Halvorsen Robotics Index, the country trails Estmark, which stands four spots higher, "
    "yet Brightline Research reports that private money for warehouse automation is now "
    "growing faster in Norland than next door. If that continues, the order of the index "
    "may soon look different, driven by steady official support and a sharper focus on "
    "getting machines onto real shop floors."
)

#: The "Explore more" teasers: (heading, blurb cut off mid-sentence).
SEED_TEASERS: tuple[tuple[str, str], ...] = (
    (
        "Why Hotel Check-In Still Takes So Long",
        "Travellers who booked, paid and chose a room on their phones weeks earlier still "
        "find themselves queuing at a front desk behind a family with six suitcases. Hotel "
        "operators say the delay is rarely about staff; it is about old property systems "
        "that were never designed to",
    ),
    (
        "Do Four-Day Weeks Survive the Second Year?",
        "The first months of a shorter working week tend to produce glowing surveys, lower "
        "sick leave and a flurry of positive headlines. The harder question is what happens "
        "once the novelty fades, deadlines return to their usual pace and managers begin to",
    ),
    (
        "Trend Watch: Loyalty Programs Without Points",
        "Retailers are quietly retiring the plastic cards and points tables that defined "
        "customer loyalty for three decades. In their place come subscription tiers, early "
        "access to sales and personalised perks that are harder to compare and, critics "
        "say, harder to",
    ),
    (
        "How to Plan a Product Launch on a Small Budget",
        "A launch does not need a stadium, a celebrity or a six-figure advertising plan to "
        "be noticed. Small teams that succeed usually start with a narrow audience, a clear "
        "date and a handful of people who already care about the problem the product",
    ),
    (
        "Making Sense of Subscription Fatigue in 2027",
        "Households that signed up for streaming services, meal kits and software plans "
        "during the boom years are now auditing their bank statements line by line. "
        "Companies that depend on recurring revenue are discovering that a cancellation "
        "button one click away",
    ),
)


def _teaser_blocks() -> tuple[Block, ...]:
    blocks: list[Block] = [("h2", "Explore more")]
    for heading, blurb in SEED_TEASERS:
        blocks.append(("h3", heading))
        blocks.append(("p", blurb))
    return tuple(blocks)


ARTICLES: tuple[Article, ...] = (
    # --- TechWire ---------------------------------------------------------------
    Article(
        publisher="techwire",
        slug="regional-chip-plants-technician-shortage",
        title="Regional Chip Plants Struggle to Find Technicians",
        author="Maren Oduya",
        published="2026-11-18T09:30:00+00:00",
        summary="New packaging plants around Dunmore run below capacity for lack of staff.",
        section="Industry",
        blocks=(
            ("p", _CHIP_P1),
            ("p", f"{_CHIP_P2_FIRST} {_CHIP_P2_LAST}"),
            ("p", _CHIP_P3),
            ("p", _CHIP_P4),
        ),
    ),
    Article(
        publisher="techwire",
        slug="norland-industrial-robotics-race",
        title="Is Norland Gaining Ground in Industrial Robotics?",
        author="Elias Brandvold",
        published="2026-11-15T07:00:00+00:00",
        summary="Public money, new liability rules and private funding reshape a ranking.",
        section="Analysis",
        blocks=(
            ("p", SEED_INTRO),
            ("h2", "Money, Machines and Partners"),
            (
                "p",
                "The Norland state is not spending alone. Kaldera Steel and the logistics "
                "group Fjellway have each agreed to match part of the public grants, and two "
                "foreign robot makers, Ostrava Motion and Tessaro Systems, have opened service "
                "centres near the port city of Varnholm. Officials describe the test "
                "factories as neutral ground where a small supplier can try an arm or a "
                "vision system before committing to buy it. For a country whose manufacturers "
                "are mostly family firms with fewer than two hundred staff, that access "
                "matters more than headline subsidies.",
            ),
            (
                "p",
                "Estmark's approach has been different. Its universities publish more "
                "robotics research than Norland's, and its national lab has produced several "
                "well-known spin-outs, yet private investors there have been slower to back "
                "companies once they leave the lab. Brightline's analysts argue that research "
                "strength alone does not keep a country near the top of the index; capital "
                "and customers have to follow. They also warn that the new liability rules, "
                "if applied too rigidly, could make small firms wary of deploying the very "
                "machines the grants are meant to spread.",
            ),
            (
                "p",
                "Not everyone is convinced. The Norland Federation of Machinists has asked "
                "for the apprenticeship places to be tied to guaranteed jobs, and some "
                "economists point out that warehouse robots are easier to fund than the "
                "precision welding and assembly systems that decide export competitiveness. "
                "The government's first progress report is due next spring.",
            ),
            ("h2", "What the Race Looks Like From Here"),
            ("p", SEED_PARAPHRASE),
            *_teaser_blocks(),
        ),
    ),
    Article(
        publisher="techwire",
        slug="solid-state-scooter-battery-pilot",
        title="Startup Opens Pilot Line for Solid-State Scooter Batteries",
        author="Jonas Whitcombe",
        published="2026-11-12T11:15:00+00:00",
        summary="Ferrant Cells bets that small vehicles are the first market for the technology.",
        section="Energy",
        blocks=(
            (
                "p",
                "Ferrant Cells, a four-year-old battery startup, has started running a pilot "
                "production line for solid-state cells aimed at electric scooters and cargo "
                "bikes rather than cars. The company says the line can make enough cells for "
                "about 2,000 scooter packs a month.",
            ),
            (
                "p",
                "Solid-state batteries replace the liquid electrolyte in a conventional "
                "lithium-ion cell with a solid material, which can reduce fire risk and allow "
                "denser packs. Most of the attention has gone to car makers, but Ferrant "
                "argues that small vehicles are a better first market because their packs "
                "are smaller and buyers are used to replacing them every few years.",
            ),
            (
                "p",
                "The pilot cells are still more expensive than the lithium-ion packs they "
                "would replace. Chief executive Odile Marchetti said the company expects the "
                "price gap to narrow once a second line is built, but declined to give a "
                "date. Two scooter rental operators have agreed to test packs in their fleets "
                "from the spring.",
            ),
        ),
    ),
    Article(
        publisher="techwire",
        slug="router-makers-open-firmware",
        title="Router Makers Warm to Open Firmware After Security Scares",
        author="Maren Oduya",
        published="2026-11-05T14:00:00+00:00",
        summary="Five manufacturers will certify a community build for entry-level models.",
        section="Security",
        blocks=(
            (
                "p",
                "A group of five home router manufacturers has agreed to publish the firmware "
                "source for their entry-level models and to support a shared open build, a "
                "shift that would have been unthinkable a few years ago. The companies say "
                "the move follows a string of vulnerabilities that left older devices "
                "unpatched long after their makers stopped shipping updates.",
            ),
            (
                "p",
                "Under the plan, each maker will keep its own branded firmware but will also "
                "certify a community build maintained by volunteers and a small paid team. "
                "Owners of routers that fall out of official support could switch to the "
                "community build instead of throwing the hardware away.",
            ),
            (
                "p",
                "Security researchers welcomed the announcement but noted that the agreement "
                "covers only entry-level models and sets no minimum period for updates. "
                "Consumer groups want that gap closed by regulation rather than goodwill.",
            ),
        ),
    ),
    Article(
        publisher="techwire",
        slug="embargoed-handset-notes",
        title="Draft: Handset Briefing Notes",
        author="Newsroom",
        published="2026-11-20T08:00:00+00:00",
        summary="Internal draft, not for publication.",
        section="Drafts",
        blocks=(
            (
                "p",
                "Internal draft under embargo. This page is linked from the newsroom listing "
                "by mistake and robots.txt asks crawlers to stay away from it.",
            ),
        ),
    ),
    # --- ByteBeat ----------------------------------------------------------------
    Article(
        publisher="bytebeat",
        slug="chip-packaging-hiring-wall",
        title="Chip Packaging Boom Runs Into a Hiring Wall",
        author="Maren Oduya",
        published="2026-11-19T06:45:00+00:00",
        summary="Plants around Dunmore cannot hire the technicians who keep lines running.",
        section="Business",
        blocks=(
            ("p", _CHIP_P1),
            ("p", _CHIP_P2_FIRST),
            ("p", _CHIP_P3),
            ("p", _CHIP_P4),
            (
                "p",
                "ByteBeat asked the three plants whether they would automate more of the "
                "maintenance work. Two declined to comment; the third said predictive "
                "sensors already flag failing parts earlier but still need people to replace "
                "them.",
            ),
            ("p", "This article originally appeared on TechWire."),
        ),
    ),
    Article(
        publisher="bytebeat",
        slug="shelf-counting-cameras",
        title="Shops Test Cameras That Count Shelves, Not Faces",
        author="Lena Brightwater",
        published="2026-11-17T10:00:00+00:00",
        summary="Grocery chains try on-device vision to find empty shelves.",
        section="Retail tech",
        blocks=(
            (
                "p",
                "A handful of grocery chains are testing ceiling cameras that run small "
                "vision models on the device itself to spot empty shelves and misplaced "
                "stock. The retailers say no images leave the store and the cameras are not "
                "used to identify shoppers.",
            ),
            (
                "p",
                "Staff receive an alert on a handheld scanner when a gap appears, along with "
                "the aisle and shelf number. In one trial across twelve stores, the chain "
                "reported that out-of-stock complaints fell by about a fifth over three "
                "months.",
            ),
            (
                "p",
                "Privacy advocates are cautious. They point out that the same hardware could "
                "run different software later, and they want independent audits rather than "
                "promises. One chain has agreed to publish the model it uses and to let a "
                "university team check what the cameras record.",
            ),
        ),
    ),
    Article(
        publisher="bytebeat",
        slug="thermostat-data-sharing",
        title="Your Thermostat Knows When You Are Home. Who Else Does?",
        author="Tomasz Reyne",
        published="2026-11-10T16:20:00+00:00",
        summary="A look at what eight popular smart thermostats share, and with whom.",
        section="Privacy",
        blocks=(
            (
                "p",
                "Smart thermostats have become one of the most common connected devices in "
                "homes, and they collect a surprisingly detailed picture of daily life: when "
                "people wake, when the house empties and when someone comes back early.",
            ),
            (
                "p",
                "A review of the privacy policies of eight popular models found that six "
                "allow data to be shared with energy suppliers, and four with unnamed "
                "partners for research. Only two let owners switch off cloud storage while "
                "keeping the scheduling features.",
            ),
            (
                "p",
                "Manufacturers say the data helps balance demand on the grid and lowers "
                "bills. Owners who would rather keep it to themselves should check the "
                "settings menu for a local mode, and read the policy before linking the "
                "device to a supplier's app.",
            ),
        ),
    ),
    Article(
        publisher="bytebeat",
        slug="developers-small-models-survey",
        title="Survey: Developers Reach for Small Models First",
        author="Lena Brightwater",
        published="2026-11-03T09:00:00+00:00",
        summary="Cost and predictability push teams toward models that fit on one machine.",
        section="Software",
        blocks=(
            (
                "p",
                "More software teams now start with small language models that run on a "
                "laptop or a single server before considering large hosted ones, according to "
                "an annual survey of 3,400 developers by the community site StackHollow.",
            ),
            (
                "p",
                "Respondents cited cost and predictability as the main reasons. Many said "
                "they use a large model to prototype a feature and then try to replace it "
                "with a smaller one once they know what the feature needs to do.",
            ),
            (
                "p",
                "The survey also found that fewer than a third of teams have a formal "
                "process for testing model output before release, a figure the authors "
                "called worrying given how quickly these features reach customers.",
            ),
        ),
    ),
    # --- Circuit Daily -------------------------------------------------------------
    Article(
        publisher="circuitdaily",
        slug="laptop-repair-rules",
        title="Lawmakers Back Right-to-Repair Rules for Laptops",
        author="Amara Quist",
        published="2026-11-16T12:00:00+00:00",
        summary="Seven years of spare parts and no more pairing locks, if the vote passes.",
        section="Policy",
        blocks=(
            (
                "p",
                "A parliamentary committee has voted to extend repair rules that already "
                "cover washing machines and phones to laptops, requiring makers to sell "
                "spare batteries, screens and keyboards for at least seven years after a "
                "model's release.",
            ),
            (
                "p",
                "The draft also bans software locks that stop a replacement part from "
                "working unless it is paired by the manufacturer. Repair shops have "
                "complained for years that such pairing turns a simple screen swap into a "
                "trip back to the factory.",
            ),
            (
                "p",
                "Manufacturers' associations say seven years of parts will raise costs and "
                "slow the release of thinner designs. The full parliament is expected to vote "
                "early next year.",
            ),
        ),
    ),
    Article(
        publisher="circuitdaily",
        slug="village-satellite-mesh-trial",
        title="Village Trial Pairs Satellite Links With Local Mesh Wi-Fi",
        author="Desmond Achterberg",
        published="2026-11-14T08:10:00+00:00",
        summary="Forty households in Brannock share two dishes through rooftop nodes.",
        section="Networks",
        blocks=(
            (
                "p",
                "Forty households in the hill village of Brannock are sharing two satellite "
                "dishes through a mesh of rooftop Wi-Fi nodes, in a trial meant to show that "
                "remote communities need not wait for fibre.",
            ),
            (
                "p",
                "The village co-operative bought the equipment with a regional grant and "
                "volunteers installed it over two weekends. Average speeds during the first "
                "month were modest but steady, and residents say video calls no longer drop "
                "in the evening.",
            ),
            (
                "p",
                "The co-operative's treasurer, Ellen Macready, said the real test will come "
                "in winter, when storms have knocked out the village's old copper lines in "
                "past years.",
            ),
        ),
    ),
    Article(
        publisher="circuitdaily",
        slug="colour-e-paper-coin-cell",
        title="Colour E-Paper Prototype Runs a Week on a Coin Cell",
        author="Amara Quist",
        published="2026-11-08T13:30:00+00:00",
        summary="Lumenvane targets shelf labels and bus stop signs first.",
        section="Displays",
        blocks=(
            (
                "p",
                "Engineers at the display maker Lumenvane have shown a colour e-paper panel "
                "for shelf labels and bus stop signs that they say can update its image a "
                "few times an hour for a week on a single coin cell.",
            ),
            (
                "p",
                "E-paper uses power only when the picture changes, which is why it is common "
                "in e-readers. Colour versions have been slow and washed out; Lumenvane says "
                "its prototype refreshes in under two seconds with noticeably richer reds "
                "and blues.",
            ),
            (
                "p",
                "The company plans small production runs for transport operators next year "
                "and says consumer devices will follow only if costs fall.",
            ),
        ),
    ),
    Article(
        publisher="circuitdaily",
        slug="warehouse-robot-safety-standard",
        title="New Safety Standard Lets Warehouse Robots Work Closer to People",
        author="Desmond Achterberg",
        published="2026-11-02T15:45:00+00:00",
        summary="Shared aisles are allowed if robots slow down and keep their distance.",
        section="Robotics",
        blocks=(
            (
                "p",
                "A revised safety standard for mobile warehouse robots allows them to operate "
                "in aisles shared with workers, provided they slow down and keep a minimum "
                "distance measured by two independent sensors.",
            ),
            (
                "p",
                "Until now, many sites fenced robots into separate zones, which wasted floor "
                "space and forced workers to walk around them. Operators say the change will "
                "let them add robots to existing buildings without redesigning the layout.",
            ),
            (
                "p",
                "Unions have asked for incident reporting to be made public so that workers "
                "can see whether the new rules are keeping people safe.",
            ),
        ),
    ),
)

#: Slugs with a special role, used by :class:`crawler.demo.server.SampleSite`.
SEED_LIKE = ("techwire", "norland-industrial-robotics-race")
SYNDICATED = (
    ("bytebeat", "chip-packaging-hiring-wall"),
    ("techwire", "regional-chip-plants-technician-shortage"),
)
DISALLOWED = ("techwire", "embargoed-handset-notes")

#: Text of each publisher's /about page.
ABOUT: dict[str, str] = {
    "techwire": (
        "TechWire is an independent newsroom covering the technology industry, from chip "
        "plants to policy. Our stories may be republished by partner sites with credit."
    ),
    "bytebeat": (
        "ByteBeat writes about the gadgets and software people use every day, and about the "
        "companies that make them. We also carry selected stories from partner newsrooms."
    ),
    "circuitdaily": (
        "Circuit Daily has covered electronics and hardware every weekday since its first "
        "newsletter went out to a few hundred engineers."
    ),
}
