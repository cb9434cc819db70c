"""The rules for showing producers' data: one implementation each, used by every page and card.

- `render_markdown()`: descriptions and other free texts (`*_precisions`, `conditions_acces`) are Markdown
  (DORA, carif-oref, monenfant write `## **Titre**`, `- ` lists, `[Accéder au service](<https://…>)`,
  `<!-- -->`). markdown-it-py turns them into HTML, then nh3 keeps an allow-list of tags: the producer's
  raw HTML is never trusted, links only go to http(s), mailto and tel, nothing needs the CSP loosened
  (no style, script, event handler or image from elsewhere). A few habits of DORA's editor are first read as
  their authors meant them (`_as_authors_meant_it`).
- `plain_excerpt()`: a short plain text for result cards, Markdown stripped, cut on a word.
- `format_phone()` / `phone_href()`: data·inclusion writes phones in E.164 ("+33632898444"); people read
  "06 32 89 84 44", and `tel:` links keep E.164.
- `safe_url()`: links from data, percent-encoded; None for anything that is not a valid http(s) URL.
- `updated_text()`: the date of the last update, saying when it is more than a year old.
"""

import functools
import html
import re
import threading
from datetime import date
from urllib.parse import urlsplit, urlunsplit

import nh3
import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.encoding import iri_to_uri
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from phonenumbers import shortnumberinfo

# The page's own headings are h1 and h2: the highest heading of a text becomes h3, the others follow.
TOP_HEADING_LEVEL = 3
# Their content goes too: neither code nor markup to show as text.
DROPPED_WITH_CONTENT = {"script", "style", "iframe", "object", "noscript", "template"}
HEADING_TAGS = {f"h{level}" for level in range(TOP_HEADING_LEVEL, 7)}
CLEANER = nh3.Cleaner(
    tags={"p", "br", "strong", "em", "b", "i", "s", "del", "ul", "ol", "li", "blockquote", "code", "pre", "hr", "a"}
    | HEADING_TAGS,
    clean_content_tags=DROPPED_WITH_CONTENT,
    attributes={"a": {"href"}, "ol": {"start"}},
    url_schemes={"http", "https", "mailto", "tel"},
    # A relative link would point into this site.
    url_relative="deny",
    link_rel="nofollow noopener noreferrer",
    strip_comments=True,
)
# Tags and comments out, text kept (the raw HTML blocks of an excerpt).
TEXT_ONLY = nh3.Cleaner(tags=set(), clean_content_tags=DROPPED_WITH_CONTENT, strip_comments=True)

EXCERPT_LENGTH = 160
# An excerpt reads the start of a text only (parsing costs ~1 µs a character): twice its length leaves room for
# the Markdown syntax, link targets and headings that are not shown.
EXCERPT_SOURCE_LENGTH = 2 * EXCERPT_LENGTH
# What an excerpt needs to tell text from syntax; fewer rules parse faster.
EXCERPT_RULES = ["heading", "lheading", "list", "blockquote", "fence", "hr", "html_block"]
EXCERPT_RULES += ["emphasis", "link", "image", "autolink", "html_inline", "entity", "escape", "newline", "backticks"]
# Where the excerpt rules may see syntax: their characters anywhere, and the starts of lines that open a block (list,
# quote, heading underline, thematic break). A text without any is paragraphs of plain words. NUL: the parser
# replaces it.
EXCERPT_SYNTAX = re.compile(r"[#*_`~<\[&\\\x00]|^[ \t]*(?:[-+=>]|[0-9]+[.)])", re.MULTILINE)
# Left out before the "…" of a cut text.
CUT_PUNCTUATION = " ,;:.!?-–—(«"

# Numbers of these regions are dialled from France as ten digits starting with 0 (metropolitan France and the
# overseas départements): shown in the national format. Others are shown in the international format.
FRENCH_NUMBERING_REGIONS = ("FR", "RE", "GP", "MQ", "GF", "YT", "BL", "MF")

URL_SCHEMES = ("http", "https")
validate_url = URLValidator(schemes=list(URL_SCHEMES))
STRAY_PERCENT_RE = re.compile(r"%(?![0-9A-Fa-f]{2})")
# How producers write most French numbers: "+33632898444" (E.164, data·inclusion's form), "06 32 89 84 44",
# "06.32.89.84.44". Their nine last digits are the number phonenumbers' parser would read, at a third of its cost
# (a page's cards show a dozen numbers never seen before).
FRENCH_NUMBER_RE = re.compile(r"(?:\+33|0)[ .-]?[1-9](?:[ .-]?[0-9]{2}){4}")

# DORA's editor escapes a dash its author typed at the start of a line ("\\- item"): the author saw a dashed list.
ESCAPED_BULLET_RE = re.compile(r"^([ \t]*)\\([-*+])(?=[ \t])", re.MULTILINE)
# It also keeps the spaces typed inside bold: "Pendant** 6 mois**", "**petit comité **(10". CommonMark sees no bold
# (a marker next to a space opens or closes nothing) and shows the stars: the spaces go outside the markers. Authors
# who type the stars themselves get them escaped ("\\*\\*"): in French prose they can only mean bold.
ESCAPED_STRONG = "\\*\\*"
LOOSE_STRONG_RE = re.compile(r"\*\*([ \t]*)([^*\n]*?[^*\s])([ \t]*)\*\*")

_parsers = threading.local()


def _as_authors_meant_it(text: str) -> str:
    text = ESCAPED_BULLET_RE.sub(r"\1\2", text).replace(ESCAPED_STRONG, "**")
    return LOOSE_STRONG_RE.sub(lambda match: f"{match[1]}**{match[2]}**{match[3]}", text)


def _render_image_as_link(renderer, tokens, index, options, env) -> str:
    """An image is shown as a link to it, named by its alt text: no image is loaded from elsewhere."""
    token = tokens[index]
    alt = renderer.renderInlineAsText(token.children or [], options, env) or "image"
    return f'<a href="{escapeHtml(token.attrGet("src") or "")}">{escapeHtml(alt)}</a>'


def _parser(*, for_pages: bool) -> MarkdownIt:
    """One parser per thread: linkify-it keeps the text it last scanned on the instance."""
    key = "pages" if for_pages else "excerpts"
    parser = getattr(_parsers, key, None)
    if parser is None:
        if for_pages:
            # Raw HTML is parsed so that the sanitizer can drop it (comments included) rather than show it as text.
            # Single line breaks are kept: producers write lines, not Markdown paragraphs.
            parser = MarkdownIt("commonmark", {"html": True, "breaks": True, "linkify": True}).enable("linkify")
            # Producers indent lines with spaces: that is not code.
            parser.disable("code")
            parser.add_render_rule("image", _render_image_as_link)
        else:
            parser = MarkdownIt("zero", {"html": True}).enable(EXCERPT_RULES)
        # Every link is parsed, so that one to a refused place (javascript:…) shows its words, not its syntax: the
        # sanitizer, which judges raw HTML links too, keeps only the hrefs it allows.
        parser.validateLink = _any_link
        setattr(_parsers, key, parser)
    return parser


def _any_link(url: str) -> bool:
    return True


def render_markdown(text: str | None, *, top_heading_level: int = TOP_HEADING_LEVEL) -> SafeString:
    """Safe HTML for a producer's Markdown text; "" for no text."""
    if not text or not text.strip():
        return mark_safe("")
    parser = _parser(for_pages=True)
    tokens = parser.parse(_as_authors_meant_it(text))
    headings = [token for token in tokens if token.type in ("heading_open", "heading_close")]
    if headings:
        highest = min(int(token.tag[1]) for token in headings)
        for token in headings:
            token.tag = f"h{min(6, int(token.tag[1]) - highest + top_heading_level)}"
    return mark_safe(CLEANER.clean(parser.renderer.render(tokens, parser.options, {})))


def plain_excerpt(text: str | None, length: int = EXCERPT_LENGTH) -> str:
    """The start of a Markdown text as plain text (no markup, headings left out), cut on a word, "…" when cut."""
    if not text:
        return ""
    source, shortened = text, len(text) >= EXCERPT_SOURCE_LENGTH
    if shortened:
        # Cut between lines if that keeps enough (the text may come cut already, see services.search): a link or
        # emphasis cut in half would show its syntax. Else between words.
        source = text[:EXCERPT_SOURCE_LENGTH]
        cut = source.rfind("\n")
        if cut < EXCERPT_SOURCE_LENGTH // 2:
            cut = source.rfind(" ")
        if cut > 0:
            source = source[:cut]
    return _excerpt(source, shortened, length)


@functools.lru_cache(maxsize=4096)
def _excerpt(source: str, shortened: bool, length: int) -> str:
    # Cached: result pages show the same services again and again (sources are at most EXCERPT_SOURCE_LENGTH), and
    # reading one costs ~3 µs without Markdown, ~100 µs with it (20 cards a page).
    plain = _plain_text(source)
    if len(plain) > length:
        return _cut(plain, length)
    return f"{plain.rstrip(CUT_PUNCTUATION)}…" if shortened and plain else plain


def _plain_text(source: str) -> str:
    if not EXCERPT_SYNTAX.search(source):
        # What the parser makes of paragraphs of plain words, 100 times faster (and nothing for
        # _as_authors_meant_it to change: its habits all use a "*" or a "\\").
        return " ".join(source.split())
    return _parsed_plain_text(_as_authors_meant_it(source))


def _parsed_plain_text(source: str) -> str:
    body, headings = [], []
    inside_heading = False
    for token in _parser(for_pages=False).parse(source):
        if token.type in ("heading_open", "heading_close"):
            inside_heading = token.type == "heading_open"
        elif token.type == "inline":
            (headings if inside_heading else body).append(_inline_text(token.children or []))
        elif token.type == "fence":
            body.append(token.content)
        elif token.type == "html_block":
            body.append(html.unescape(TEXT_ONLY.clean(token.content)))
    return " ".join(" ".join(body or headings).split())


def _inline_text(tokens) -> str:
    parts = []
    for token in tokens:
        if token.type in ("text", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif token.type == "image":
            parts.append(_inline_text(token.children or []))
    return "".join(parts)


def _cut(text: str, length: int) -> str:
    cut = text[: length + 1]
    cut = cut.rsplit(" ", 1)[0] if " " in cut else cut[:length]
    return cut.rstrip(CUT_PUNCTUATION) + "…"


# format_phone, phone_href and safe_url are cached: result pages show the same services again and again, and
# reading a number costs ~0.1 ms. A card shows each number and links to it: both read it once (_parse_phone).
@functools.lru_cache(maxsize=8192)
def _parse_phone(text: str) -> phonenumbers.PhoneNumber | None:
    """A valid number, read as French when it has no country code; overseas numbers written nationally
    ("0262 12 34 56") are tried in their own region. Shared between callers: never to be changed."""
    if FRENCH_NUMBER_RE.fullmatch(text):
        number = phonenumbers.PhoneNumber(country_code=33, national_number=int(re.sub(r"\D", "", text)[-9:]))
        if phonenumbers.is_valid_number(number):
            return number
    for region in FRENCH_NUMBERING_REGIONS:
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            return None
        if phonenumbers.is_valid_number(number):
            return number
        if text.lstrip().startswith("+"):
            return None
    return None


@functools.lru_cache(maxsize=8192)
def format_phone(phone: str | None) -> str:
    """ "06 32 89 84 44" for French numbers, "+41 22 123 45 67" for others, the text as given when it is no
    valid number."""
    if not phone or not phone.strip():
        return ""
    number = _parse_phone(phone)
    if number is None:
        return phone.strip()
    french = phonenumbers.region_code_for_number(number) in FRENCH_NUMBERING_REGIONS
    return phonenumbers.format_number(
        number, phonenumbers.PhoneNumberFormat.NATIONAL if french else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )


@functools.lru_cache(maxsize=8192)
def phone_href(phone: str | None) -> str | None:
    """tel:+33632898444 (E.164); tel:3949 for French short numbers; None when the text is no number."""
    if not phone or not phone.strip():
        return None
    number = _parse_phone(phone)
    if number is not None:
        return f"tel:{phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)}"
    try:
        short = phonenumbers.parse(phone, "FR")
    except phonenumbers.NumberParseException:
        return None
    return f"tel:{short.national_number}" if shortnumberinfo.is_valid_short_number_for_region(short, "FR") else None


@functools.lru_cache(maxsize=8192)
def safe_url(url: str | None) -> str | None:
    """The URL to put in an href: http(s) only, spaces and non-ASCII characters percent-encoded, an
    internationalised host in punycode. None when it is no valid http(s) URL: callers show the text instead."""
    text = (url or "").strip()
    if not text:
        return None
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
        if parts.scheme.lower() not in URL_SCHEMES or not host:
            return None
        if not host.isascii():
            userinfo = parts.netloc.rpartition("@")[0]
            port = f":{parts.port}" if parts.port is not None else ""
            netloc = host.encode("idna").decode("ascii") + port
            parts = parts._replace(netloc=f"{userinfo}@{netloc}" if userinfo else netloc)
    except (ValueError, UnicodeError):
        return None
    # iri_to_uri keeps what is already percent-encoded; a "%" that starts no escape is a character of its own.
    encoded = STRAY_PERCENT_RE.sub("%25", iri_to_uri(urlunsplit(parts)))
    try:
        validate_url(encoded)
    except ValidationError:
        return None
    return encoded


def one_year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def updated_text(day: date | None, *, today: date, language: str | None = None) -> str:
    """ "Mis à jour le 3 mars 2024 — il y a plus d'un an": people should check old information first. ``language``:
    the active one, when the caller read it already (20 cards a page)."""
    if day is None:
        return ""
    text = f"Mis à jour le {long_date(day, language or get_language())}"
    return f"{text} — il y a plus d'un an" if day < one_year_before(today) else text


@functools.lru_cache(maxsize=4096)
def long_date(day: date, language: str) -> str:
    """ "3 mars 2024" in the language given (the active one). Cached: a page of results shows 20 dates, formatting
    one costs ~30 µs, and services share a few thousand dates."""
    return date_format(day, "j F Y")
