"""Generated news pages shaped like real ones, for the pipeline benchmark.

A real news page is mostly not its article: the median page of trafilatura's evaluation
corpus is about 94 KB with about 720 elements, 23 scripts and 19 KB of inline script and
style, 120 links and 120 ``div`` elements, around 13 body blocks (3,500 characters). The
pages below carry the same furniture: a head of meta tags, stylesheets, JSON-LD and
inline scripts; a site header with a mega menu, search and breadcrumbs; the article with
byline, share buttons, a figure, inline "read also" boxes and ad slots between paragraphs,
tags and an author box; a comment section; related-article cards; a "most read" list; a
newsletter form; a footer of link columns and a cookie banner. Sizes are drawn per page
so that bytes, elements and extraction time spread as they do on real pages.
``python -m bench.pipeline_bench --calibrate [--data PATH]`` prints the figures of these
pages beside those of a real corpus.

Everything is made up: the vocabulary is common English words plus syllable words
drawn by Zipf's law, so that paragraphs share frequent words, as real text does, and
rarely much else.
"""

from __future__ import annotations

import html
import math
import random
import re

HOST = "benchwire.example"

_TEXT = (
    "council city river bridge budget plan report school station market water power road "
    "minister vote election court ruling judge police officer harbour port storm weather "
    "season team coach player match league festival museum library hospital doctor nurse "
    "company workers union strike price energy fuel housing rent tenant landlord village "
    "farm crop harvest rail line service delay project contract design plans residents "
    "meeting public hearing evidence inquiry statement spokesperson agency survey data"
)
WORDS = _TEXT.split()
NAMES = ["Ada Reyes", "Tomas Hale", "Mira Olsen", "Jon Pike", "Lena Ortiz", "Sam Okafor"]
SECTIONS = ["News", "Politics", "Business", "Tech", "Science", "Sport", "Culture", "Opinion"]


def _vocabulary(size: int = 6000) -> list[str]:
    rng = random.Random(7)
    syllables = ["ka", "ri", "to", "me", "su", "na", "lo", "pe", "vi", "da", "ne", "ro"]
    syllables += ["fa", "gu", "mi", "te", "sa", "bo", "li", "ku", "ze", "ha", "mon", "tar"]
    words = ["the", "a", "of", "to", "and", "in", "on", "for", "said", "was", "is", "with"]
    words += WORDS
    seen = set(words)
    while len(words) < size:
        word = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


_VOCABULARY = _vocabulary()
_WEIGHTS = [1.0 / (rank + 1) for rank in range(len(_VOCABULARY))]


def sentence(rng: random.Random, low: int = 9, high: int = 24) -> str:
    words = rng.choices(_VOCABULARY, _WEIGHTS, k=rng.randint(low, high))
    if rng.random() < 0.3:
        words.insert(rng.randint(0, len(words)), str(rng.randint(2, 2000)))
    if rng.random() < 0.25:  # typography real pages have: dashes, curly quotes
        words.insert(
            rng.randint(1, len(words)), rng.choice(["\u2013", "\u201cso\u201d", "Zo\u00eb"])
        )
    text = " ".join(words)
    return text[0].upper() + text[1:] + rng.choice([".", ".", ".", "?"])


def paragraphs(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(sentence(rng) for _ in range(rng.randint(2, 5))) for _ in range(count)]


def _words(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choices(_VOCABULARY, _WEIGHTS, k=rng.randint(low, high)))


def _slug(rng: random.Random) -> str:
    return "-".join(rng.choices(_VOCABULARY[12:400], k=rng.randint(3, 6)))


def _script(rng: random.Random, size: int) -> str:
    """Minified-looking JavaScript of about ``size`` characters."""
    parts: list[str] = []
    total = 0
    while total < size:
        name = rng.choice(_VOCABULARY[12:300])
        chunk = rng.choice(
            [
                f"var {name}_{rng.randrange(99)}=function(e,t){{return e&&t?e[t]:null}};",
                "window.dataLayer=window.dataLayer||[];"
                f'dataLayer.push({{"{name}":{rng.randrange(9999)}}});',
                '(function(d){var s=d.createElement("script");'
                f's.src="/js/{name}.js?v={rng.randrange(10**6)}";'
                "d.head.appendChild(s)})(document);",
                f'if(typeof {name}!=="undefined"){{{name}.init('
                f'{{slot:"ad-{rng.randrange(40)}",sizes:[[300,250],[728,90]]}})}}',
            ]
        )
        parts.append(chunk)
        total += len(chunk)
    return "".join(parts)


def _css(rng: random.Random, rules: int) -> str:
    out = []
    for _ in range(rules):
        cls = rng.choice(_VOCABULARY[12:500])
        out.append(
            f".{cls}-{rng.randrange(50)}{{margin:{rng.randrange(20)}px {rng.randrange(20)}px;"
            f"color:#{rng.randrange(16**6):06x};font-size:{rng.randrange(10, 30)}px}}"
        )
    return "".join(out)


def _icon(name: str) -> str:
    return (
        f"<svg class='icon icon-{name}' viewBox='0 0 24 24' aria-hidden='true'>"
        "<path d='M12 2C6.5 2 2 6.5 2 12s4.5 10 10 10 10-4.5 10-10S17.5 2 12 2z'/></svg>"
    )


def _head(rng: random.Random, title: str, description: str, path: str, scale: float) -> str:
    url = f"http://{HOST}{path}"
    metas = "".join(
        f"<meta property='{p}' content='{html.escape(v)}'>"
        for p, v in [
            ("og:title", title),
            ("og:type", "article"),
            ("og:url", url),
            ("og:description", description),
            ("og:image", f"http://{HOST}/img/{rng.randrange(10**6)}.jpg"),
            ("og:site_name", "Bench Wire"),
            ("twitter:card", "summary_large_image"),
            ("twitter:site", "@benchwire"),
            ("article:section", rng.choice(SECTIONS)),
        ]
    )
    scripts = "".join(
        f"<script src='/static/js/{name}.{rng.randrange(16**8):08x}.js' async></script>"
        for name in ("vendor", "consent", "ads", "analytics", "player", "app")[: rng.randint(3, 6)]
    )
    inline = "".join(
        f"<script>{_script(rng, rng.randint(400, 2500))}</script>"
        for _ in range(rng.randint(3, max(3, round(8 * scale))))
    )
    ld = (
        "<script type='application/ld+json'>"
        '{"@context":"https://schema.org","@type":"NewsArticle",'
        f'"headline":"{html.escape(title)}","mainEntityOfPage":"{url}",'
        f'"publisher":{{"@type":"Organization","name":"Bench Wire"}},'
        f'"description":"{html.escape(description[:100])}"}}</script>'
    )
    return (
        "<head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{html.escape(title)} | Bench Wire</title>"
        f"<meta name='description' content='{html.escape(description)}'>"
        f"<link rel='canonical' href='{url}'>{metas}"
        "<link rel='stylesheet' href='/static/css/main.css'>"
        "<link rel='preload' href='/static/fonts/serif.woff2' as='font'>"
        "<link rel='alternate' type='application/rss+xml' href='/feed.xml'>"
        "<!-- build 2026.11 / template article-v3 -->"
        f"<style>{_css(rng, rng.randint(40, 160))}</style>{ld}{scripts}{inline}</head>"
    )


def _menu(rng: random.Random) -> str:
    columns = []
    for section in SECTIONS:
        links = "".join(
            f"<li class='menu-item'><a href='/{section.lower()}/{w}'>{w.title()}</a></li>"
            for w in rng.sample(WORDS, rng.randint(4, 9))
        )
        columns.append(
            f"<li class='menu-section'><div class='menu-head'><a href='/{section.lower()}/'>"
            f"{section}</a></div><div class='menu-drop'><ul>{links}</ul></div></li>"
        )
    return (
        "<header class='site-header'><div class='container'><div class='row'>"
        f"<div class='logo'><a href='/'>{_icon('logo')}<span>Bench Wire</span></a></div>"
        f"<nav class='main-nav' aria-label='Sections'><ul>{''.join(columns)}</ul></nav>"
        "<div class='search'><form action='/search' method='get'>"
        "<input type='search' name='q' placeholder='Search'>"
        f"<button type='submit'>{_icon('search')}</button></form></div>"
        "<div class='account'><a href='/login'>Sign in</a> <a href='/subscribe' "
        "class='button'>Subscribe</a></div></div></div></header>"
        "<div class='ticker'><div class='container'><span>Breaking</span><ul>"
        + "".join(
            f"<li><a href='/news/{_slug(rng)}'>{html.escape(sentence(rng, 5, 10))}</a></li>"
            for _ in range(rng.randint(2, 5))
        )
        + "</ul></div></div>"
    )


def _share() -> str:
    return (
        "<div class='share'><ul>"
        + "".join(
            f"<li><a href='/share/{net}' class='share-{net}' rel='nofollow'>{_icon(net)}"
            f"<span class='sr-only'>Share on {net}</span></a></li>"
            for net in ("facebook", "x", "linkedin", "whatsapp", "email")
        )
        + "</ul></div>"
    )


def _ad(rng: random.Random) -> str:
    slot = rng.randrange(100)
    return (
        f"<div class='ad-slot' id='ad-{slot}'><div class='ad-label'>Advertisement</div>"
        f"<div class='ad-inner' data-slot='{slot}'></div>"
        f"<script>{_script(rng, rng.randint(150, 600))}</script></div>"
    )


def _read_also(rng: random.Random) -> str:
    return (
        "<aside class='read-also'><div class='read-also-head'>Read also</div><ul>"
        + "".join(
            f"<li><a href='/news/{_slug(rng)}'>{html.escape(sentence(rng, 6, 12))}</a></li>"
            for _ in range(rng.randint(1, 3))
        )
        + "</ul></aside>"
    )


def _article(
    rng: random.Random, n: int, title: str, body: list[str], credit: str | None, section: str
) -> str:
    day = 1 + n % 28
    blocks: list[str] = []
    for i, text in enumerate(body):
        if i and i % 4 == 0 and rng.random() < 0.5:
            blocks.append(f"<h2>{html.escape(sentence(rng, 3, 7).rstrip('.?'))}</h2>")
        words = html.escape(text).split(" ")
        if len(words) > 12 and rng.random() < 0.4:  # an inline link, as editors add
            at = rng.randrange(2, len(words) - 4)
            words[at] = f"<a href='/news/{_slug(rng)}'>{words[at]}"
            words[at + 2] = f"{words[at + 2]}</a>"
        if rng.random() < 0.2:
            words[0] = f"<strong>{words[0]}</strong>"
        blocks.append(f"<p>{' '.join(words)}</p>")
        if i == 2:
            blocks.append(_ad(rng))
        elif i == 5 or (i > 5 and i % 6 == 0 and rng.random() < 0.5):
            blocks.append(_read_also(rng))
    if credit:
        blocks.append(f"<p class='credit'><em>{html.escape(credit)}</em></p>")
    tags = "".join(
        f"<li><a href='/tag/{w}' rel='tag'>{w}</a></li>"
        for w in rng.sample(WORDS, rng.randint(3, 8))
    )
    author = NAMES[n % len(NAMES)]
    return (
        "<nav class='breadcrumbs' aria-label='Breadcrumb'><ol>"
        f"<li><a href='/'>Home</a></li><li><a href='/{section.lower()}/'>{section}</a></li>"
        f"<li>{html.escape(title)}</li></ol></nav>"
        "<main id='main' class='container'><div class='row'><div class='col-main'>"
        f"<article class='article' itemscope itemtype='https://schema.org/NewsArticle'>"
        f"<header class='article-header'><div class='kicker'><a href='/{section.lower()}/'>"
        f"{section}</a></div><h1 itemprop='headline'>{html.escape(title)}</h1>"
        f"<p class='standfirst'>{html.escape(sentence(rng, 12, 20))}</p>"
        "<div class='byline'><div class='author'>"
        f"<a href='/author/{author.lower().replace(' ', '-')}' rel='author'>By {author}</a>"
        "</div><div class='dates'>"
        f"<time datetime='2026-11-{day:02d}T08:00:00Z' itemprop='datePublished'>"
        f"November {day}, 2026</time></div></div>{_share()}</header>"
        "<figure class='lead-image'><picture>"
        f"<source srcset='/img/{n}-800.webp 800w, /img/{n}-1600.webp 1600w' type='image/webp'>"
        f"<img src='/img/{n}-800.jpg' alt='{html.escape(_words(rng, 3, 8))}' width='800' "
        "height='450' loading='eager'></picture>"
        f"<figcaption>{html.escape(sentence(rng, 6, 14))} <span class='photo-credit'>"
        "Photo: Bench Wire</span></figcaption></figure>"
        f"<div class='article-body' itemprop='articleBody'>{''.join(blocks)}</div>"
        f"<footer class='article-footer'><div class='tags'><span>Topics</span><ul>{tags}</ul>"
        "</div><div class='author-box'><div class='author-photo'>"
        f"<img src='/img/authors/{n % 6}.jpg' alt=''></div><div class='author-bio'>"
        f"<a href='/author/{n % 6}'>{author}</a><p>{html.escape(sentence(rng, 12, 22))}</p>"
        f"</div></div>{_share()}</footer></article>"
    )


def _comments(rng: random.Random, scale: float) -> str:
    items = []
    for _ in range(rng.randint(0, round(14 * scale))):
        name = rng.choice(_VOCABULARY[300:3000]).title()
        items.append(
            "<li class='comment'><div class='comment-meta'>"
            f"<span class='comment-author'>{name}</span> <time>{rng.randint(1, 23)} hours ago"
            "</time></div><div class='comment-body'>"
            f"<p>{html.escape(' '.join(sentence(rng, 5, 18) for _ in range(rng.randint(1, 3))))}"
            "</p>"
            "</div><div class='comment-actions'><a href='#reply'>Reply</a> "
            f"<a href='#like'>Like ({rng.randrange(40)})</a></div></li>"
        )
    return (
        "<section class='comments' id='comments'>"
        f"<h2>Comments ({len(items)})</h2><div class='comment-form'><form action='/comment'"
        " method='post'><textarea name='text' placeholder='Join the discussion'></textarea>"
        "<button>Post</button></form></div>"
        f"<ol class='comment-list'>{''.join(items)}</ol></section>"
    )


def _cards(rng: random.Random, heading: str, count: int) -> str:
    cards = "".join(
        "<div class='card'><div class='card-image'>"
        f"<a href='/news/{_slug(rng)}'><img src='/img/t/{rng.randrange(10**6)}.jpg' alt=''></a>"
        "</div><div class='card-body'>"
        f"<div class='card-kicker'>{rng.choice(SECTIONS)}</div>"
        f"<h3><a href='/news/{_slug(rng)}'>"
        f"{html.escape(sentence(rng, 5, 11).rstrip('.?'))}</a></h3>"
        f"<p>{html.escape(sentence(rng, 10, 22))}</p></div></div>"
        for _ in range(count)
    )
    return f"<section class='related'><h2>{heading}</h2><div class='cards'>{cards}</div></section>"


def _sidebar(rng: random.Random) -> str:
    most = "".join(
        f"<li><span class='rank'>{i + 1}</span><a href='/news/{_slug(rng)}'>"
        f"{html.escape(sentence(rng, 5, 11))}</a></li>"
        for i in range(10)
    )
    return (
        "<div class='col-side'><aside class='sidebar'>"
        f"{_ad(rng)}<div class='widget most-read'><h2>Most read</h2><ol>{most}</ol></div>"
        "<div class='widget newsletter'><h2>The morning briefing</h2>"
        f"<p>{html.escape(sentence(rng, 10, 18))}</p><form action='/newsletter' method='post'>"
        "<input type='email' name='email' placeholder='Your email'><button>Sign up</button>"
        f"</form></div>{_ad(rng)}</aside></div>"
    )


def _footer(rng: random.Random) -> str:
    columns = "".join(
        f"<div class='footer-col'><h4>{section}</h4><ul>"
        + "".join(
            f"<li><a href='/{section.lower()}/{w}'>{w.title()}</a></li>"
            for w in rng.sample(WORDS, 6)
        )
        + "</ul></div>"
        for section in SECTIONS[:5]
    )
    return (
        f"<footer class='site-footer'><div class='container'><div class='footer-cols'>{columns}"
        "</div><div class='footer-bottom'><p>Bench Wire, a made-up publisher.</p><ul>"
        "<li><a href='/about'>About</a></li><li><a href='/privacy'>Privacy</a></li>"
        "<li><a href='/terms'>Terms</a></li><li><a href='/contact'>Contact</a></li></ul>"
        "</div></div></footer>"
        "<div class='cookie-banner' role='dialog'><p>We use cookies to improve your "
        "experience and to show personalised advertising.</p><button>Accept all</button>"
        "<button>Settings</button></div><!-- /page -->"
        f"<script>{_script(rng, rng.randint(1500, 6000))}</script>"
    )


_TAG = re.compile(r"<(div|li|a|section|ul|span|p|h[234]|img|button)([ >])")
_UTILITY = ["u-flex", "u-mb-2", "u-pt-1", "is-visible", "js-lazy", "l-grid", "t-serif"]


def _dress(rng: random.Random, markup: str) -> str:
    """Attributes and layout whitespace as templates emit them: utility classes, tracking
    data attributes, an indented line per element."""

    def attrs(match: re.Match[str]) -> str:
        tag, end = match.group(1), match.group(2)
        extra = ""
        if rng.random() < 0.6:
            extra += f" data-component='{tag}-{rng.choice(_VOCABULARY[12:200])}'"
        if rng.random() < 0.4:
            extra += (
                f" data-track='{{&quot;event&quot;:&quot;click&quot;,&quot;pos&quot;:"
                f"{rng.randrange(60)},&quot;id&quot;:&quot;{rng.randrange(16**10):010x}&quot;}}'"
            )
        if rng.random() < 0.3:
            extra += f" class='{' '.join(rng.sample(_UTILITY, 3))}'" if end == ">" else ""
        indent = "\n" + "\t" * rng.randint(1, 7)
        return f"{indent}<{tag}{extra}{end}"

    return _TAG.sub(attrs, markup)


def page(n: int, title: str, body: list[str], credit: str | None, path: str) -> bytes:
    """The HTML of one generated news page (the article ``body`` in its site furniture)."""
    rng = random.Random(n * 7919 + len(path))
    section = SECTIONS[n % len(SECTIONS)]
    scale = math.exp(rng.gauss(0.15, 0.55))  # how much furniture: real pages vary widely
    more = "".join(
        _cards(rng, f"More in {rng.choice(SECTIONS)}", rng.randint(4, 8))
        for _ in range(round(2 * scale) - 1)
    )
    markup = (
        "<!DOCTYPE html>\n<html lang='en'>"
        + _head(rng, title, body[0][:150], path, scale)
        + "<body class='article-page'><a class='skip' href='#main'>Skip to content</a>"
        + _menu(rng)
        + _article(rng, n, title, body, credit, section)
        + _comments(rng, scale)
        + _cards(rng, "Related", rng.randint(4, 8))
        + "</div>"
        + _sidebar(rng)
        + "</div>"
        + _cards(rng, "More from Bench Wire", rng.randint(4, 10))
        + more
        + "</main>"
        + _footer(rng)
        + "</body></html>\n"
    )
    return _dress(rng, markup).encode()


def generated_pages(count: int) -> dict[str, tuple[str, bytes]]:
    """``count`` pages: originals and, one in eleven, a syndicated copy of an original."""
    copies = count // 11
    originals = count - copies
    pages: dict[str, tuple[str, bytes]] = {}
    texts = []
    for n in range(originals):
        body = paragraphs(n, 8 + n % 9)
        texts.append(body)
        path = f"/a/story-{n:05d}"
        pages[path] = ("text/html; charset=utf-8", page(n, f"Story {n}", body, None, path))
    for n in range(copies):
        credit = f"This story first appeared as Story {n} on Bench Wire."
        path = f"/a/copy-{n:05d}"
        html_bytes = page(originals + n, f"Copy of story {n}", texts[n], credit, path)
        pages[path] = ("text/html; charset=utf-8", html_bytes)
    return pages
