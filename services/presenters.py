"""What a person reads about a search and its results, computed once per card (no logic in templates)."""

import functools
from dataclasses import dataclass
from datetime import date
from html import escape
from urllib.parse import quote

from data_inclusion.schema import v1
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from core.rendering import format_phone, phone_href, plain_excerpt, safe_url, updated_text
from services.search import RADII_KM, effective_thematiques
from services.selection import toggle_link
from structures.hours_display import week_description
from structures.opening_hours import parse
from structures.schema import enum_label
from structures.sources import source_name

MAX_TAGS = 2
DISTANCE_BADGE = "fr-badge fr-badge--sm fr-badge--info fr-badge--no-icon"


def format_distance(km: float | None) -> str:
    if km is None:
        return ""
    if km < 1:
        return f"à {max(10, round(km * 1000, -1)):.0f} m"
    if km < 10:
        return f"à {decimal_km(round(km, 1), get_language())} km"
    return f"à {round(km):.0f} km"


@functools.lru_cache(maxsize=256)
def decimal_km(km: float, language: str) -> str:
    """ "2,5" in the language given (the active one): Django's number_format costs ~20 µs, and there are only a
    hundred such distances."""
    return number_format(km, decimal_pos=1)


@dataclass
class Action:
    kind: str  # telephoner, se-presenter, envoyer-un-courriel, utiliser-lien-mobilisation
    label: str
    href: str | None
    icon: str
    # Result cards show the end of the label, and give its start to screen readers only: "03 20 00 00 00".
    short_from: int = 0

    @property
    def hidden_start(self) -> str:
        return self.label[: self.short_from]

    @property
    def short(self) -> str:
        return self.label[self.short_from :]


@functools.cache
def detail_url_pattern() -> tuple[str, str]:
    return tuple(reverse("services:detail", args=["ID"]).split("ID"))


def detail_url(service_id: str) -> str:
    """reverse("services:detail", args=[service_id]), as Django quotes it, without resolving the
    route for each of a page's 20 cards (~0.1 ms each)."""
    before, after = detail_url_pattern()
    return f"{before}{quote(service_id, safe=RFC3986_SUBDELIMS + '/~:@')}{after}"


class ResultCard:
    """A result as lists show it. ``position`` is its rank in the whole list (1 for the first result), the card's
    anchor; ``select_url`` adds it to the selection or takes it out (services.selection), ``selected`` says which;
    ``today`` and ``language``, the local date and the active language (read once for a page's cards)."""

    def __init__(
        self,
        service,
        *,
        searched: list[str] | None = None,
        search_query: str = "",
        position: int = 0,
        selected: bool = False,
        select_url: str = "",
        page_url: str = "",
        today: date | None = None,
        language: str | None = None,
    ):
        self.service = service
        self.detail_url = detail_url(service.id) + (f"?{search_query}" if search_query else "")
        self.page_url = page_url
        self.position = position
        self.select_toggle = (
            toggle_link(service.id, service.nom, selected=selected, url=select_url) if select_url else ""
        )
        self.structure = service.structure
        self.excerpt = plain_excerpt(service.description)
        self.updated = updated_text(service.date_maj, today=today or timezone.localdate(), language=language)
        self.distance = format_distance(getattr(service, "distance_km", None))
        self.on_site = bool(getattr(service, "on_site", False))
        self.remote = v1.ModeAccueil.A_DISTANCE.value in (service.modes_accueil or [])
        self.tags = self._tags(service.thematiques or [], effective_thematiques(searched or []))
        self.publics = [enum_label(v1.Public, value) for value in service.publics or []]
        self.frais = enum_label(v1.Frais, service.frais) if service.frais else ""
        self.source = source_name(service.source)
        self.actions = self._actions(service)
        self.address = ", ".join(
            part for part in (service.adresse, service.complement_adresse, self._place(service)) if part
        )

    @staticmethod
    def url(service) -> str:
        return detail_url(service.id)

    # The card's lists as markup, made here rather than in loops of templates/jinja2/services/cards.html: 20 cards
    # a page, each loop node and lookup of a template cost more than the strings (html.escape is what {{ }} does;
    # SafeString() is mark_safe() of a str without its lazy-string wrapper).
    @functools.cached_property
    def badges_html(self) -> SafeString:
        badges = []
        if self.distance:
            badges.append(f'<li><p class="{DISTANCE_BADGE}">{escape(self.distance)}</p></li>')
        if self.remote:
            badges.append('<li><p class="fr-badge fr-badge--sm fr-badge--new">À distance</p></li>')
        if self.frais:
            badges.append(f'<li><p class="fr-badge fr-badge--sm">{escape(self.frais)}</p></li>')
        badges += [
            f'<li><p class="fr-badge fr-badge--sm fr-badge--no-icon services-card__need">{escape(tag)}</p></li>'
            for tag in self.tags
        ]
        return SafeString("\n".join(badges))

    @functools.cached_property
    def actions_html(self) -> SafeString:
        items = []
        for action in self.actions:
            short = action.short[:1].upper() + action.short[1:]  # the capfirst filter
            text = f'<span class="fr-sr-only">{escape(action.hidden_start)}</span>{escape(short)}'
            if action.href:
                rel = ' rel="noopener noreferrer"' if action.kind == "utiliser-lien-mobilisation" else ""
                text = f'<a href="{escape(action.href)}"{rel}>{text}</a>'
            # The spaces of the template's lines: the one after the icon shows.
            items.append(f'<li class="{escape(action.icon)}"> {text} </li>')
        return SafeString("\n".join(items))

    @functools.cached_property
    def phone(self) -> str:
        return format_phone(self.service.telephone or self.structure.telephone or "")

    @staticmethod
    def _place(service) -> str:
        return " ".join(part for part in (service.code_postal, service.commune) if part)

    @staticmethod
    def _tags(thematiques: list[str], searched: list[str]) -> list[str]:
        ordered = [value for value in thematiques if value in searched] + [
            value for value in thematiques if value not in searched
        ]
        return [enum_label(v1.Thematique, value) for value in ordered[:MAX_TAGS]]

    @staticmethod
    def _actions(service) -> list[Action]:
        modes = service.modes_mobilisation or []
        actions = []
        phone = service.telephone or service.structure.telephone
        if phone and (not modes or "telephoner" in modes):
            label = f"Téléphoner au {format_phone(phone)}"
            actions.append(Action("telephoner", label, phone_href(phone), "fr-icon-phone-line", len("Téléphoner au ")))
        if "se-presenter" in modes:
            actions.append(
                Action("se-presenter", "Se présenter sur place", None, "fr-icon-map-pin-2-line", len("Se présenter "))
            )
        email = service.courriel or service.structure.courriel
        if email and "envoyer-un-courriel" in modes:
            actions.append(
                Action(
                    "envoyer-un-courriel",
                    f"Écrire à {email}",
                    f"mailto:{email}",
                    "fr-icon-mail-line",
                    len("Écrire à "),
                )
            )
        text, link = (service.lien_mobilisation or "").strip(), safe_url(service.lien_mobilisation)
        if text and (not modes or "utiliser-lien-mobilisation" in modes):
            # An invalid link is shown as text: people may still make sense of it.
            label = "Faire une demande en ligne" + ("" if link else f" : {text}")
            actions.append(
                Action("utiliser-lien-mobilisation", label, link, "fr-icon-external-link-line", len("Faire une "))
            )
        return actions


def cards_html(cards: list[ResultCard]) -> SafeString:
    """The cards as the items of a list (templates/jinja2/services/cards.html): one render for a list, not one
    per card (0.39 → 0.21 ms for a page of 20)."""
    return SafeString(get_template("services/cards.html", using="jinja2").render({"cards": cards}))


@functools.lru_cache(maxsize=4096)
def hours_text(hours: str | None) -> str:
    """Opening hours on one line, days of the same hours together: "Lundi au vendredi : 9 h – 17 h ; samedi :
    9 h – 12 h". Closed days are left out; hours that cannot be read are given as written. Cached: exports
    repeat the same few hours thousands of times."""
    hours = (hours or "").strip()
    if not hours:
        return ""
    week = week_description(hours) if parse(hours) is not None else None
    if not week:
        return hours
    groups: list[list] = []
    for day, text in week:
        if groups and groups[-1][2] == text and day != "Jours fériés":
            groups[-1][1] = day
        else:
            groups.append([day, day, text])
    parts = []
    for first, last, text in groups:
        if text == "fermé":
            continue
        days = first if first == last else f"{first} au {last.lower()}"
        parts.append(f"{days} : {text}")
    return " ; ".join(parts) or "Fermé"


@dataclass
class SearchSummary:
    count: int
    place: str
    radius_km: int | None
    on_site: int = 0

    @classmethod
    def of(cls, params, count: int, *, on_site: int = 0) -> "SearchSummary":
        origin = params.origin
        if origin is None:
            return cls(count=count, place="", radius_km=None, on_site=on_site)
        place = "votre position" if origin.at_point else origin.commune.label
        return cls(count=count, place=place, radius_km=params.radius_km, on_site=on_site)

    @property
    def text(self) -> str:
        """ "55 services : 40 sur place à moins de 50 km, 15 à distance"."""
        noun = "service" if self.count < 2 else "services"
        count = number_format(self.count, force_grouping=True)
        if not self.place or not self.count:
            return f"{count} {noun}"
        remote = self.count - self.on_site
        on_site = f"sur place à moins de {self.radius_km} km"
        if not remote:
            return f"{count} {noun} {on_site}"
        if not self.on_site:
            return f"{count} {noun} à distance"
        prefix = f"{count} {noun} : {number_format(self.on_site, force_grouping=True)} {on_site}, "
        return f"{prefix}{number_format(remote, force_grouping=True)} à distance"

    @property
    def remote(self) -> int:
        return self.count - self.on_site


# The 16 needs on the home page, each with an icon of the State design system.
NEED_ICONS = {
    "choisir-un-metier": "fr-icon-briefcase-line",
    "creer-une-entreprise": "fr-icon-lightbulb-line",
    "difficultes-administratives-ou-juridiques": "fr-icon-file-text-line",
    "difficultes-financieres": "fr-icon-money-euro-circle-line",
    "equipement-et-alimentation": "fr-icon-restaurant-line",
    "famille": "fr-icon-parent-line",
    "lecture-ecriture-calcul": "fr-icon-book-2-line",
    "logement-hebergement": "fr-icon-home-4-line",
    "mobilite": "fr-icon-car-line",
    "numerique": "fr-icon-computer-line",
    "preparer-sa-candidature": "fr-icon-draft-line",
    "remobilisation": "fr-icon-seedling-line",
    "sante": "fr-icon-heart-pulse-line",
    "se-former": "fr-icon-survey-line",
    "souvrir-a-linternational": "fr-icon-earth-line",
    "trouver-un-emploi": "fr-icon-team-line",
}


def need_choices() -> list[tuple[str, str, str]]:
    """(value, label, icon) of each need category, in the schema's order."""
    return [(category.value, category.label, NEED_ICONS.get(category.value, "")) for category in v1.Categorie]


def with_params(base_url: str, query, **changes) -> str:
    """base_url?query with some parameters replaced (None removes them)."""
    params = query.copy()
    for key, value in changes.items():
        params.pop(key, None)
        if value is not None:
            params.setlist(key, value if isinstance(value, list) else [str(value)])
    encoded = params.urlencode()
    return f"{base_url}?{encoded}" if encoded else base_url


def widen_suggestions(params, data: dict, base_url: str, query) -> list[tuple[str, str]]:
    """Ways out of an empty result: bigger radius, fewer filters, remote services."""
    suggestions = []
    if params.origin is not None:
        bigger = [radius for radius in RADII_KM if radius > params.radius_km]
        if bigger:
            suggestions.append(
                (
                    f"Chercher dans un rayon de {bigger[0]} km",
                    with_params(base_url, query, rayon_km=bigger[0], page=None),
                )
            )
    if data.get("modes_accueil"):
        suggestions.append(
            ("Inclure les services à distance", with_params(base_url, query, modes_accueil=None, page=None))
        )
    for name, label in (
        ("q", "Retirer les mots-clés"),
        ("publics", "Retirer le filtre des publics"),
        ("types", "Retirer le filtre du type de service"),
        ("frais", "Retirer le filtre des frais"),
        ("sources", "Retirer le filtre des sources"),
        ("score_qualite_minimum", "Retirer le score minimum"),
        ("ouvert", "Inclure les services fermés en ce moment ou sans horaires connus"),
    ):
        if data.get(name):
            suggestions.append((label, with_params(base_url, query, **{name: None, "page": None})))
    if data.get("thematiques"):
        suggestions.append(("Voir tous les besoins", with_params(base_url, query, thematiques=None, page=None)))
    return suggestions
