"""The rules for showing producers' data (core.rendering): Markdown, excerpts, phones, links, dates."""

from datetime import date

import pytest
from bs4 import BeautifulSoup, Comment
from hypothesis import given
from hypothesis import strategies as st

from core import rendering
from core.rendering import (
    EXCERPT_LENGTH,
    EXCERPT_SOURCE_LENGTH,
    format_phone,
    phone_href,
    plain_excerpt,
    render_markdown,
    safe_url,
    updated_text,
)
from tests.hostile_values import hostile

# As DORA publishes them through data·inclusion (shape of real descriptions, text made up).
DORA_DESCRIPTION = """## **Présentation du service**

L'atelier « Coup de pouce numérique » aide à utiliser un ordinateur, un smartphone et les services en ligne \
(CAF, France Travail). Les séances ont lieu en petit groupe.

## **Pour qui ?**

- Demandeurs d'emploi
- Bénéficiaires du **RSA**

### Modalités
Inscription par téléphone
ou sur place, *sans rendez-vous*.

[Accéder au service](<https://dora.inclusion.beta.gouv.fr/services/atelier numérique>)
<!-- -->
"""

HOSTILE_MARKDOWN = [
    '<script>alert("x")</script>',
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "[clic](javascript:alert(1))",
    "[clic](JaVaScRiPt:alert(1))",
    "[clic](&#106;avascript:alert(1))",
    "[clic](java\tscript:alert(1))",
    "<javascript:alert(1)>",
    "[clic](vbscript:msgbox(1))",
    "[clic](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/png;base64,iVBORw0KGgo=)",
    '<a href="javascript:alert(1)">clic</a>',
    '<a href="data:text/html,<script>alert(1)</script>">clic</a>',
    '<a href="https://exemple.fr" onclick="alert(1)" onmouseover="alert(1)" style="color:red">clic</a>',
    "<img src=x onerror=alert(1)>",
    '<p onmouseover="alert(1)">texte</p>',
    "<iframe src=https://evil.example></iframe>",
    "<object data=https://evil.example/x.swf></object><embed src=https://evil.example/x.swf>",
    "<svg onload=alert(1)><circle r=1 /></svg>",
    "<style>body{display:none}</style>",
    "<link rel=stylesheet href=https://evil.example/x.css>",
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    "<base href=https://evil.example/>",
    "<form action=https://evil.example><input name=x><button>Envoyer</button></form>",
    "<!-- <script>alert(1)</script> -->",
    "<div style=\"background:url('javascript:alert(1)')\">texte</div>",
    "[relatif](/admin/)",
    "[relatif](//evil.example/x)",
]
ALLOWED_SCHEMES = ("http://", "https://", "mailto:", "tel:")
ALLOWED_TAGS = {"p", "br", "strong", "em", "b", "i", "s", "del", "ul", "ol", "li", "blockquote", "code", "pre", "hr"}
ALLOWED_TAGS |= {"a", "h3", "h4", "h5", "h6"}


def assert_inert(html: str) -> None:
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(True):
        assert tag.name in ALLOWED_TAGS, html
        for name, value in tag.attrs.items():
            assert name in {"href", "rel", "start"}, html
            if name == "href":
                assert value.startswith(ALLOWED_SCHEMES), html
        if tag.name == "a" and tag.get("href"):
            assert tag["rel"] == ["nofollow", "noopener", "noreferrer"], html
    assert not soup.find_all(string=lambda text: isinstance(text, Comment)), html


@pytest.mark.parametrize("markdown", HOSTILE_MARKDOWN)
def test_hostile_markdown_is_rendered_inert(markdown):
    html = render_markdown(f"Avant\n\n{markdown}\n\nAprès")
    assert_inert(html)
    assert "Avant" in html and "Après" in html
    assert "alert(" not in str(BeautifulSoup(html, "html.parser").find_all(True, href=True))


# "[clic](java\tscript:…)" is no link for CommonMark (no space in a destination): it stays text, inert.
@pytest.mark.parametrize(
    "markdown",
    [markdown for markdown in HOSTILE_MARKDOWN if markdown.startswith(("[", "![")) and "\t" not in markdown],
)
def test_a_refused_link_shows_its_text_not_its_syntax(markdown):
    """A link to a refused place is no link, and the reader sees its words, not "[clic](javascript:…)"."""
    soup = BeautifulSoup(render_markdown(markdown), "html.parser")
    assert "](" not in soup.get_text() and "alert" not in soup.get_text()
    assert not soup.find_all(href=True)
    assert "](" not in plain_excerpt(markdown)


@hostile(200)
@given(st.lists(st.sampled_from([*HOSTILE_MARKDOWN, "**gras**", "## Titre", "- item", "\n", "\n\n", " "]), max_size=8))
def test_any_mix_of_hostile_markdown_is_inert(parts):
    assert_inert(render_markdown("".join(parts)))


def test_real_looking_dora_description():
    soup = BeautifulSoup(render_markdown(DORA_DESCRIPTION), "html.parser")
    # The page has h1 and h2: the description's ## become h3, its ### h4.
    assert [(h.name, h.get_text()) for h in soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6"])] == [
        ("h3", "Présentation du service"),
        ("h3", "Pour qui ?"),
        ("h4", "Modalités"),
    ]
    assert soup.h3.strong
    assert [li.get_text() for li in soup.find_all("li")] == ["Demandeurs d'emploi", "Bénéficiaires du RSA"]
    link = soup.find("a", string="Accéder au service")
    assert link["href"] == "https://dora.inclusion.beta.gouv.fr/services/atelier%20num%C3%A9rique"
    assert link["rel"] == ["nofollow", "noopener", "noreferrer"]
    assert soup.find("em").get_text() == "sans rendez-vous"
    # Producers' single line breaks are kept.
    assert soup.find("br")
    text = soup.get_text()
    assert "##" not in text and "**" not in text and "<!--" not in str(soup) and "](" not in text


# DORA's editor as its texts reach data·inclusion (tests/fixtures/real): a dash typed at the start of a line is
# escaped ("\\- "), so are stars typed for bold ("\\*\\*"), and spaces typed inside bold stay inside its markers,
# where CommonMark sees no bold.
@pytest.mark.parametrize(
    ("markdown", "items", "bold"),
    [
        ("Huit semaines comprenant :\n\n\\- l'apprentissage des gestes\n\n\\- une démarche éco-responsable", 2, []),
        ("Parmi les outils :<br>\n\n\\- la mixité des publics\n\\- la mobilisation d'entreprises", 2, []),
        ("Pendant** 6 mois**, les jeunes s'engagent", 0, ["6 mois"]),
        ("Pendant\\*\\* 6 mois\\*\\*, les jeunes s'engagent", 0, ["6 mois"]),
        (
            "en **petit comité **(10 personnes) avec **des profs diplômés **pour vous",
            0,
            ["petit comité", "des profs diplômés"],
        ),
        ("## **Titre :**\n\n- **Un** et **deux**", 1, ["Titre :", "Un", "deux"]),
    ],
)
def test_dora_editor_lists_and_bold_read_as_their_authors_meant_them(markdown, items, bold):
    soup = BeautifulSoup(render_markdown(markdown), "html.parser")
    assert len(soup.find_all("li")) == items
    assert [strong.get_text() for strong in soup.find_all("strong")] == bold
    text = soup.get_text()
    assert "**" not in text and "\\" not in text
    assert not any(line.strip().startswith("- ") for line in text.splitlines())
    excerpt = plain_excerpt(markdown)
    assert "**" not in excerpt and "\\" not in excerpt and not excerpt.startswith("- ")


def test_escapes_elsewhere_stay_text():
    assert BeautifulSoup(render_markdown("2020 \\- 2021 et 3 \\* 4"), "html.parser").get_text().strip() == (
        "2020 - 2021 et 3 * 4"
    )


@pytest.mark.parametrize(
    ("markdown", "headings"),
    [
        ("# Un\n\n## Deux", ["h3", "h4"]),
        ("### Seul", ["h3"]),
        ("## Un\n\n###### Six", ["h3", "h6"]),
        ("Titre\n=====\n\ntexte", ["h3"]),
    ],
)
def test_headings_stay_below_the_page_headings(markdown, headings):
    soup = BeautifulSoup(render_markdown(markdown), "html.parser")
    assert [h.name for h in soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6"])] == headings


def test_raw_html_headings_lose_their_tag():
    assert_inert(render_markdown("<h1>Titre</h1><h2>Sous-titre</h2>"))


def test_bare_links_emails_and_phones():
    soup = BeautifulSoup(
        render_markdown("Voir https://exemple.fr/page ou www.exemple.fr, écrire à contact@exemple.fr."), "html.parser"
    )
    assert [a["href"] for a in soup.find_all("a")] == [
        "https://exemple.fr/page",
        "http://www.exemple.fr",
        "mailto:contact@exemple.fr",
    ]
    assert BeautifulSoup(render_markdown("[Appeler](tel:+33632898444)"), "html.parser").a["href"] == "tel:+33632898444"


def test_images_become_links_and_indented_lines_stay_text():
    soup = BeautifulSoup(render_markdown("![Plan d'accès](https://exemple.fr/plan.png)"), "html.parser")
    assert not soup.find("img")
    assert (soup.a["href"], soup.a.get_text()) == ("https://exemple.fr/plan.png", "Plan d'accès")
    soup = BeautifulSoup(render_markdown("Horaires :\n\n    lundi au vendredi"), "html.parser")
    assert not soup.find("pre") and "lundi au vendredi" in soup.get_text()


@pytest.mark.parametrize("text", [None, "", "   \n "])
def test_no_text(text):
    assert render_markdown(text) == ""
    assert plain_excerpt(text) == ""


def test_plain_excerpt_strips_markdown_and_headings():
    excerpt = plain_excerpt(DORA_DESCRIPTION)
    assert excerpt.startswith("L'atelier « Coup de pouce numérique » aide à utiliser un ordinateur")
    assert not any(mark in excerpt for mark in ("#", "**", "<", "](", "Présentation du service"))
    assert excerpt.endswith("…") and len(excerpt) <= EXCERPT_LENGTH + 1
    # Cut on a word.
    assert excerpt[:-1].split()[-1] in DORA_DESCRIPTION.split()


@pytest.mark.parametrize(
    ("markdown", "excerpt"),
    [
        ("Court **texte**.", "Court texte."),
        ("## Seulement un titre", "Seulement un titre"),
        ("[Accéder au service](<https://exemple.fr/a b>) <!-- x -->", "Accéder au service"),
        ("<p>Un <b>paragraphe</b> en HTML</p><script>alert(1)</script>", "Un paragraphe en HTML"),
        ("- un\n- deux\n\nligne\nsuivante", "un deux ligne suivante"),
        ("A &amp; B", "A & B"),
    ],
)
def test_plain_excerpt(markdown, excerpt):
    assert plain_excerpt(markdown) == excerpt


def test_plain_excerpt_length():
    text = "mot " * 200
    assert plain_excerpt(text, 20) == "mot mot mot mot mot…"
    # A text longer than what an excerpt reads is cut between lines, never inside a link…
    first_line = "Bonjour " * (EXCERPT_SOURCE_LENGTH * 3 // 4 // 8)
    long_text = f"{first_line}\n[Lien](https://exemple.fr/{'y' * EXCERPT_SOURCE_LENGTH})"
    assert plain_excerpt(long_text, 10_000) == f"{first_line.strip()}…"
    # … or between words when its lines are long.
    assert plain_excerpt("mot " * EXCERPT_SOURCE_LENGTH, 10_000).endswith("mot mot…")


@pytest.mark.parametrize(
    ("phone", "shown", "href"),
    [
        # data·inclusion normalises to E.164.
        ("+33632898444", "06 32 89 84 44", "tel:+33632898444"),
        ("0632898444", "06 32 89 84 44", "tel:+33632898444"),
        ("03.20.00.00.00", "03 20 00 00 00", "tel:+33320000000"),
        ("+33 (0)1 23 45 67 89", "01 23 45 67 89", "tel:+33123456789"),
        ("+33 6 32 89 84 44", "06 32 89 84 44", "tel:+33632898444"),
        ("06-32-89-84-44", "06 32 89 84 44", "tel:+33632898444"),
        # The numbering plan's own formats, and its invalid numbers.
        ("0800123456", "0 800 12 34 56", "tel:+33800123456"),
        ("+33 0 32 89 84 44", "+33 0 32 89 84 44", None),
        # Overseas départements are in the French plan: dialled 0262… from France.
        ("+262262123456", "0262 12 34 56", "tel:+262262123456"),
        ("0262 12 34 56", "0262 12 34 56", "tel:+262262123456"),
        # Foreign numbers in the international format.
        ("+41221234567", "+41 22 123 45 67", "tel:+41221234567"),
        # Short numbers.
        ("3949", "3949", "tel:3949"),
        ("115", "115", "tel:115"),
        # Not a number: shown as given, no link.
        ("  Standard : voir le site  ", "Standard : voir le site", None),
        ("06 32 89 84 44 ou 03 20 00 00 00", "06 32 89 84 44 ou 03 20 00 00 00", None),
        ("12", "12", None),
        ("", "", None),
        (None, "", None),
    ],
)
def test_phones(phone, shown, href):
    assert (format_phone(phone), phone_href(phone)) == (shown, href)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://exemple.fr/a", "https://exemple.fr/a"),
        ("  https://exemple.fr/a  ", "https://exemple.fr/a"),
        ("HTTP://exemple.fr", "http://exemple.fr"),
        # Spaces and non-ASCII characters percent-encoded; escapes already there kept.
        (
            "https://exemple.fr/mon service/été?q=café crème#à voir",
            "https://exemple.fr/mon%20service/%C3%A9t%C3%A9?q=caf%C3%A9%20cr%C3%A8me#%C3%A0%20voir",
        ),
        ("https://exemple.fr/a%20b?x=%C3%A9", "https://exemple.fr/a%20b?x=%C3%A9"),
        ("https://exemple.fr/100%", "https://exemple.fr/100%25"),
        ("https://exemple.fr/?x", "https://exemple.fr/?x"),
        ('https://exemple.fr/"><script>', "https://exemple.fr/%22%3E%3Cscript%3E"),
        # Internationalised host names in punycode.
        ("https://mairie-évry.fr/x", "https://xn--mairie-vry-h7a.fr/x"),
        # Not a link.
        ("javascript:alert(1)", None),
        ("java\tscript:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("ftp://exemple.fr", None),
        ("//exemple.fr/sans-schema", None),
        ("www.exemple.fr", None),
        ("https://", None),
        ("https://exemple", None),
        ("https://exemple.fr:99999999/", None),
        ("https://[::1/", None),
        ("non communiqué", None),
        ("", None),
        (None, None),
    ],
)
def test_safe_url(url, expected):
    assert safe_url(url) == expected


@pytest.mark.parametrize(
    ("day", "today", "text"),
    [
        (date(2024, 3, 3), date(2026, 4, 20), "Mis à jour le 3 mars 2024 — il y a plus d'un an"),
        (date(2025, 4, 19), date(2026, 4, 20), "Mis à jour le 19 avril 2025 — il y a plus d'un an"),
        (date(2025, 4, 20), date(2026, 4, 20), "Mis à jour le 20 avril 2025"),
        (date(2026, 4, 1), date(2026, 4, 20), "Mis à jour le 1 avril 2026"),
        (date(2027, 2, 27), date(2028, 2, 29), "Mis à jour le 27 février 2027 — il y a plus d'un an"),
        (date(2027, 2, 28), date(2028, 2, 29), "Mis à jour le 28 février 2027"),
        (None, date(2026, 4, 20), ""),
    ],
)
def test_updated_text(day, today, text):
    assert updated_text(day, today=today) == text


# Plain words, and characters that are syntax only in some places: mid-line dashes, pluses, numbers, quotes, spaces
# of every kind, line breaks, and the markers (# * _ ` < [ & \ > =) that send a text to the parser.
EXCERPT_ALPHABET = st.sampled_from(
    [*"aéà Z19.,;:!?'\"()/%€°", "-", "+", "=", ">", ")", "\n", "\n\n", "\t", "\xa0", "  \n", "\r\n", "1. ", "2) "]
    + ["#", "*", "_", "`", "<", "[", "]", "&", "\\", "~"]
)


@hostile(300)
@given(st.lists(EXCERPT_ALPHABET, max_size=30).map("".join))
def test_excerpts_of_plain_words_skip_the_parser_and_read_the_same(text):
    """Texts without syntax are joined words (the shortcut); the parser reads them the same way."""
    if not rendering.EXCERPT_SYNTAX.search(text):
        assert rendering._parsed_plain_text(text) == " ".join(text.split())
