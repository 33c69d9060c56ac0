"""Phrases that mark recommendation headings, read-next lines, prompts and credit lines.

Matched against normalised text (lower case, whitespace collapsed, trailing
punctuation stripped). English and German in full, common phrases of French,
Spanish, Italian, Dutch and Polish where cheap.
"""

from __future__ import annotations

import re

_REC_HEADINGS = (
    # English
    r"explore more",
    r"explore more (?:stories|articles|news)",
    r"related",
    r"related (?:articles?|stories|story|posts?|content|reading|coverage|news|links|videos?)",
    r"more related (?:articles|stories)",
    r"read next",
    r"what to read next",
    r"up next",
    r"also read",
    r"read also",
    r"more (?:from|on|in|about|by) .{1,50}",
    r"more (?:stories|news|articles|posts|like this|to read|to explore)",
    r"you (?:may|might|could) also (?:like|enjoy|be interested in)",
    r"you (?:may|might) be interested in",
    r"you may have missed",
    r"in case you missed it",
    r"recommended",
    r"recommended (?:for you|stories|articles|reading|posts|videos)",
    r"(?:trending|trending now|trending stories|trending articles)",
    r"(?:most popular|most read|most viewed|most shared|most commented)",
    r"(?:most popular|most read) (?:stories|articles|news|this week|today)",
    r"popular (?:posts|stories|articles|now|on .{1,30})",
    r"(?:editor'?s|editors’|editors'|staff) picks?",
    r"don'?t miss",
    r"around the web",
    r"from (?:our|the) partners",
    r"(?:promoted|sponsored) (?:stories|content|links)",
    r"see also",
    r"keep reading",
    r"top stories",
    # German
    r"mehr zum thema(?: .{1,40})?",
    r"mehr (?:aus|von|zu|über) .{1,50}",
    r"weitere (?:aktuelle |interessante )?(?:artikel|beiträge|themen|nachrichten|meldungen|news"
    r"|geschichten)(?: (?:aus|zu|zum|zur|von|der|im|in|bei) .{1,50})?",
    r"mehr themen",
    r"top-themen(?: (?:bei|von|auf) .{1,40})?",
    r"schon gelesen",
    r"auch lesen",
    r"(?:vorschau auf den )?nächsten? (?:artikel|beitrag)",
    r"(?:das|dies) (?:könnte|dürfte) (?:sie|dich) auch interessieren",
    r"das thema könnte (?:sie|dich) auch interessieren",
    r"(?:auch|ebenfalls) interessant",
    r"(?:interessant|lesenswert) auch",
    r"empfohlene (?:artikel|beiträge)",
    r"empfehlungen der redaktion",
    r"(?:ähnliche|verwandte|passende) (?:artikel|beiträge|themen|nachrichten)",
    r"(?:meistgelesen|meistgelesene artikel|meist gelesen|beliebte beiträge|top-themen)",
    r"lesen sie (?:auch|mehr|weiter)",
    r"auch lesenswert",
    # French, Spanish, Italian, Dutch, Polish
    r"(?:à|a) lire aussi",
    r"lire aussi",
    r"sur le même (?:sujet|thème)",
    r"(?:articles|contenus) (?:similaires|associés|recommandés)",
    r"les plus (?:lus|populaires)",
    r"(?:también )?(?:te|le) puede interesar",
    r"(?:noticias|notas|artículos|contenidos?) relacionad[oa]s",
    r"más (?:sobre|de|noticias de) .{1,40}",
    r"zum weiterlesen",
    r"auch (?:auf|bei) [\w.-]{3,40}",
    r"(?:temas|tags|schlagwörter|schlagworte)(?: relacionados)?",
    r"lesen sie auch (?:die folgenden|diese) (?:beiträge|artikel)",
    r"weitere (?:artikel|beiträge) zum thema",
    r"beiträge aus dem forum",
    r"lo más (?:leído|visto)",
    r"leggi anche",
    r"(?:articoli|notizie) correlat[ie]",
    r"potrebbe interessarti",
    r"lees (?:ook|meer)",
    r"gerelateerde (?:artikelen|berichten)",
    r"czytaj (?:też|także|więcej)",
    r"zobacz (?:też|także|również)",
    r"polecane(?: artykuły)?",
    r"najczęściej czytane",
)

_HEADING_START = re.compile(r"^[\W\d_]*[^\W\d_]")  # has a letter at all

REC_HEADING = re.compile("(?:" + "|".join(_REC_HEADINGS) + ")", re.I)
"""Full-match against a normalised heading text."""

_INLINE_PREFIXES = (
    r"read (?:more|also|next)",
    r"also read",
    r"related(?: (?:article|story|stories|content|coverage))?",
    r"see also",
    r"more",
    r"recommended",
    r"explore more",
    r"lesen sie (?:auch|hier|mehr|dazu)(?: mehr)?",
    r"(?:auch|ebenfalls) interessant",
    r"auch lesen",
    r"schon gelesen",
    r"mehr zum thema",
    r"weiterlesen",
    r"czytaj (?:też|także|więcej)",
    r"zobacz (?:też|także|również)",
    r"dowiedz się więcej",
    r"(?:à|a)? ?lire aussi",
    r"leggi anche",
    r"lee (?:también|más)",
    r"lea(?: también| más)?",
    r"vea (?:también|más)",
    r"mir[ae]",
    r"(?:puedes|puede) ver",
    r"(?:te|le) puede interesar",
    r"zum weiterlesen",
    r"lees ook",
)
INLINE_PREFIX = re.compile(
    r"^\s*(?:" + "|".join(_INLINE_PREFIXES) + r")\s*(?::|»|›|>>|→)\s*\S", re.I
)
"""A short block starting with one of these, then a colon or arrow, links to another story."""

_PROMPTS = (
    # newsletters and subscriptions
    r"\b(?:sign|signing) up (?:for|to) (?:our|the) .{0,40}newsletter",
    r"\bsubscribe (?:to|for) (?:our|the) .{0,40}(?:newsletter|updates|podcast|channel)",
    r"\bget (?:our|the) .{0,40}newsletter",
    r"\bnewsletter (?:abonnieren|bestellen|anmelden)",
    r"\bfür (?:unseren|den) .{0,30}newsletter an",
    r"\bjetzt (?:abonnieren|anmelden|registrieren)\b",
    r"\bnever miss (?:a|an|the|our) .{0,40}(?:story|stories|news|update|article|post)",
    r"^subscribe now\b",
    r"\bsubscribe to (?:read|continue|unlock)",
    # cookies
    r"\bwe use cookies\b",
    r"\bthis (?:site|website) uses cookies\b",
    r"\bdiese (?:website|webseite|seite) (?:verwendet|nutzt) cookies\b",
    r"\baccept (?:all )?cookies\b",
    # sharing and following
    r"^share (?:this|the) (?:article|story|post|page)\b",
    r"^(?:share|teilen)(?: (?:on|via|mit|auf))?:?$",
    r"^share on (?:facebook|twitter|x|linkedin)",
    r"^follow us on\b",
    r"^folgen sie uns\b",
    # comment widgets, logins, embeds waiting for consent
    r"^(?:keine kommentare|kommentare insgesamt|no comments yet)\b",
    r"\bmust be logged in to (?:post|comment)",
    r"\bmusst eingeloggt sein\b",
    r"\bklicken sie auf den (?:unteren )?button, um den inhalt von\b",
    r"\bsign up here\b",
    r"\bwe want to hear what you think\b",
    r"\bmusiknewsletter\b",
    r"^gefällt (?:dir|ihnen) (?:unser|dieser|der)\b.{0,40}\?",
    r"\bmateriał chroniony prawem autorskim\b",
    r"\bzapraszamy (?:też )?do subskrypcji\b",
    # app, social and channel plugs
    r"\bfor the latest (?:stories|news)\b.{0,40}\bdownload\b",
    r"^(?:follow|siguenos|síguenos) (?:us |the \w+ )?(?:on|en)\b.{0,40}"
    r"(?:twitter|facebook|instagram|telegram|linkedin)",
    r"\bcanal de (?:telegram|youtube|whatsapp)\b",
    r"^sign up (?:to|for) (?:get |receive )?(?:the|our)\b",
    r"^[\w -]{0,30}\bnewsletter$",
    r"\bmit unserem newsletter\b",
    r"\bmit der registrierung akzeptieren sie\b",
    r"\bsubmit your letter to the editor\b",
    r"\balready a subscriber\b",
    r"\bfirst-time subscribers\b",
    r"\bthis article is the copyrighted property\b",
    r"\b(?:suscríbete|suscribete|suscribirse)\b",
    r"\baffiliate[- ]links?\b",
    r"\bwritten permission must be obtained\b",
    # paywalls, advertising notes and support asks
    r"\bto (?:view|read) the full (?:story|article),? (?:please )?subscribe",
    r"^pour (?:lire la suite|accéder en illimité)\b",
    r"\bsie sind (?:aktuell |derzeit )?nicht eingeloggt\b",
    r"\bthis (?:post|article|page) contains (?:references to products|affiliate links)",
    r"\bwe recommend the best products\b",
    r"^\*?(?:anzeige|werbung)\b[,.:]? (?:enthält|dieser beitrag enthält)",
    r"^unterstütze (?:uns|[A-Z]\w+) ",
    r"\bpuedes hacer periodismo\b",
    r"^bild (?:anzeigen|vergrößern)\b",
    r"^ten tekst przeczytasz\b",
    r"^video verfügbar bis\b",
    r"\bif you (?:enjoyed|liked|value) (?:reading )?(?:this|our) .{0,40}(?:consider|support)",
    r"\bsupport (?:our|independent) journalism\b",
    r"^bei diesem (?:beitrag|artikel|text) handelt es sich um (?:ein|einen|eine) "
    r"(?:blog|gastbeitrag|beitrag aus der community)",
)
PROMPT = re.compile("(?:" + "|".join(_PROMPTS) + ")", re.I)
"""Searched in short blocks: newsletter, cookie, share and subscription prompts."""

# The same patterns split for speed (one alternation of 55 branches tried at every
# character was most of the cleaning time): those anchored at the start are tried
# once, at the start; the others only at word boundaries (each begins with ``\b``).
_PROMPT_AT_START = re.compile(
    "(?:" + "|".join(p.removeprefix("^") for p in _PROMPTS if p.startswith("^")) + ")", re.I
)
_PROMPT_AT_WORD = re.compile(
    r"\b(?:" + "|".join(p.removeprefix(r"\b") for p in _PROMPTS if p.startswith(r"\b")) + ")",
    re.I,
)


def is_prompt(text: str) -> bool:
    """Whether ``PROMPT`` is found in ``text`` (the same answer, several times faster)."""
    return _PROMPT_AT_START.match(text) is not None or _PROMPT_AT_WORD.search(text) is not None


AD_LABEL = re.compile(
    r"(?:advertisements?|advertising|sponsored|anzeigen?|werbung|reklama|publicidad"
    r"|publicité|pubblicità|advertentie)",
    re.I,
)
"""Full-matched against a very short block: the label of an ad slot left in the body."""

CAPTION_CREDIT = re.compile(
    r"©|\((?:foto|fotos|photo|photos|bild|image)\b"
    r"|\b(?:fotos?|bild|photos?|image|credit)\s*(?::|via\b)",
    re.I,
)
"""Searched in short paragraphs: a picture's caption carries its credit ("© AFP",
"(Foto: dpa)", "Bild: ..."); a block with one is a caption, not body text."""

PHOTO_CREDIT = re.compile(
    r"^(?:©|\(c\)\s|copyright\b|(?:titel|beitrags|header|vorschau)bild\s*:|bildquelle\s*:"
    r"|fotos?\s*:|fot\.\s|photo(?:graph)?s?\s*(?:credit)?\s*:|image(?: credit)?\s*:"
    r"|crédits? photos?\b|image illustrative\b|(?:last|zuletzt) (?:modified|updated|aktualisiert)\b"
    r"|letzte änderung\b|aktualisiert am\b"
    r"|\(?(?:photo |image |picture )?credits?\s*:|bild\s*:"
    r"|(?:kategorie|kategorien|category|categories|schlagwörter|tags)\s*:)"
    r"|\bcc[- ]by(?:-[a-z]{2})*\b"
    r"|\ball rights reserved\.?$|\balle rechte vorbehalten\.?$",
    re.I,
)
"""Searched in very short blocks: copyright, picture credits, last-modified stamps."""

_MONTHS = (
    r"jan(?:uary|uar)?|feb(?:ruary|ruar)?|mar(?:ch)?|märz|apr(?:il)?|may|mai|june?|juni"
    r"|july?|juli|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|okt(?:ober)?|nov(?:ember)?"
    r"|dec(?:ember)?|dez(?:ember)?"
)
DATE_OR_TIME = re.compile(
    r"\b\d{1,2}\.\s?\d{1,2}\.\s?(?:19|20)\d{2}\b"  # 23.10.2018
    r"|\b(?:19|20)\d{2}-\d{2}-\d{2}\b"  # 2021-10-16
    r"|\b\d{1,2}:\d{2}\b"  # 19:49
    rf"|\b(?:{_MONTHS})\.?\s+\d{{1,2}}\b"  # January 13
    rf"|\b\d{{1,2}}\.?\s+(?:{_MONTHS})\b",  # 12. Januar
    re.I,
)
"""A calendar date or a clock time, as datelines and "posted on" stamps write them."""

CREDIT = re.compile(
    r"^\W{0,3}(?:this (?:article|story|post|piece|essay)"
    r"(?: was)? (?:originally|first) (?:appeared|published|posted|ran)"
    r"|(?:originally|first) (?:appeared|published|posted)"
    r"|(?:this (?:article|story|post) )?(?:is )?republished (?:with permission )?from"
    r"|republished with permission(?: from| of)?"
    r"|reprinted with permission(?: from| of)?"
    r"|(?:this (?:article|story) )?(?:was )?(?:adapted|syndicated) from"
    r"|(?:dieser (?:artikel|beitrag|text) )?erschien (?:zuerst|ursprünglich)"
    r"|(?:dieser (?:artikel|beitrag) )?wurde (?:zuerst|ursprünglich) .{0,40}veröffentlicht"
    r"|dieser (?:artikel|beitrag|text) stammt aus"
    r")\b",
    re.I,
)
"""A credit line naming the original publication (matched at the start of a short block)."""

_TERMINAL = (
    ".",
    "!",
    "?",
    '"',
    "”",
    "“",
    "’",
    "‘",
    "'",
    ")",
    "»",
    "«",
    "。",
    "！",
    "？",
    ":",
    ";",
    "„",
)
_TRUNCATION = ("...", "…", "[…]", "[...]")


def normalise(text: str) -> str:
    """Lower case, whitespace collapsed, surrounding punctuation and arrows stripped."""
    return " ".join(text.split()).strip(" :.,;|»›>→•-–—·*#?!").lower()


def is_rec_heading(text: str) -> bool:
    """Whether ``text`` is, as a whole, a recommendation heading such as "Related articles"."""
    if len(text) > 80 or not _HEADING_START.search(text):
        return False
    norm = normalise(text)
    return bool(norm) and REC_HEADING.fullmatch(norm) is not None


def ends_sentence(text: str) -> bool:
    """Whether ``text`` ends like a finished sentence (an ellipsis counts as cut off)."""
    stripped = text.rstrip()
    if stripped.endswith(_TRUNCATION):
        return False
    return stripped.endswith(_TERMINAL)
