"""Bodies written with the rich-text editor: cleaned by nh3 (the Ammonia sanitiser) before
they are stored and again before they are shown, turned into plain text for search, and
the French folding and ordering of words that search and lists use."""

from __future__ import annotations

import html
import re
import unicodedata

import nh3

# What the editor (Trix) writes, and nothing else: no script, style, iframe, image, form,
# no attribute but a link's address and title, and no inline style (which could hide
# content or dress a link as something else).
TAGS = frozenset(
    {
        "p",
        "div",
        "br",
        "strong",
        "b",
        "em",
        "i",
        "u",
        "s",
        "del",
        "a",
        "ul",
        "ol",
        "li",
        "h2",
        "h3",
        "h4",
        "blockquote",
        "pre",
        "code",
    }
)
ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
# Tags whose content goes with them (nh3 keeps the text of other tags it removes).
DROPPED_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "template"})
_HEADING_1 = re.compile(r"<(/?)h1\b", re.IGNORECASE)  # the page's own title is the h1
MAX_BODY = 200_000


def clean_html(value: str | None) -> str:
    """The body as it may be stored and shown: the allowed tags and attributes only, links
    to http(s), mailto and tel only, each with rel="noopener noreferrer nofollow"."""
    if not value:
        return ""
    value = _HEADING_1.sub(r"<\1h2", value[:MAX_BODY])
    return nh3.clean(
        value,
        tags=set(TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={k: set(v) for k, v in ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()


def plain_text(value: str | None) -> str:
    """The text of a body, without any tag (for search and summaries)."""
    if not value:
        return ""
    value = re.sub(r"<(br|/p|/div|/li|/h[1-6]|/blockquote)\b[^>]*>", " ", value, flags=re.I)
    text = nh3.clean(value, tags=set(), clean_content_tags=set(DROPPED_WITH_CONTENT))
    return " ".join(html.unescape(text).split())


_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})


def fold(text: str | None) -> str:
    """Lower case, without accents or ligatures: 'Œuvre à Noël' -> 'oeuvre a noel'. What
    search compares, on SQLite and PostgreSQL alike."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def french_key(text: str) -> tuple[str, str]:
    """A sort key in French dictionary order: letters first compared without accents or
    case ('école' beside 'ecole', before 'élève'), then with them, so the order is stable."""
    folded = fold(text)
    return ("".join(c for c in folded if c.isalnum() or c.isspace()), text)


def slugify(text: str, max_length: int = 80) -> str:
    """'Règlement intérieur 2027' -> 'reglement-interieur-2027'."""
    words = re.findall(r"[a-z0-9]+", fold(text))
    slug = "-".join(words)[:max_length].strip("-")
    return slug
