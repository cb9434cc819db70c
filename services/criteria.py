"""What a search asks, in words: the page's title and heading, the active filters as chips that remove
themselves (real links), and the criteria printed above a list."""

import functools
from dataclasses import dataclass
from urllib.parse import urlencode

from data_inclusion.schema import v1
from django.utils.formats import number_format

from services.search import DEFAULT_RADIUS_KM, THEMATIQUES_OF, SearchParams, category_of
from structures.schema import enum_label
from structures.sources import source_name

# Where a search's results are: every link of the search lands there, with or without JavaScript.
RESULTS_ANCHOR = "#resultats"
# What "Effacer les filtres" keeps: the place, and the selection the links carry.
KEPT_ON_CLEAR = ("commune", "code_commune", "lat", "lon", "s")
OPEN_LABELS = {"maintenant": "Ouvert maintenant", "aujourdhui": "Ouvert aujourd'hui"}
# The chips' order, and the legend of each kind of filter.
LEGENDS = {
    "thematiques": "Besoins",
    "publics": "Publics",
    "types": "Types de service",
    "frais": "Frais",
    "modes_accueil": "Modes d'accueil",
    "sources": "Sources",
}
ENUMS = {"publics": v1.Public, "types": v1.TypeService, "frais": v1.Frais, "modes_accueil": v1.ModeAccueil}


@functools.cache
def need_label(value: str) -> str:
    if value in THEMATIQUES_OF:
        return enum_label(v1.Categorie, value)
    return enum_label(v1.Thematique, value)


def value_label(name: str, value: str) -> str:
    if name == "thematiques":
        return need_label(value)
    if name == "sources":
        return source_name(value)
    return enum_label(ENUMS[name], value)


def url_without(base: str, pairs: list[tuple[str, str]], name: str, value: str | None = None) -> str:
    """The search (its parameters as pairs) without one value of a parameter (all of it when value is None), back
    on page 1."""
    encoded = urlencode(
        [
            (key, item)
            for key, item in pairs
            if key != "page" and (key != name or (value is not None and item != value))
        ]
    )
    return f"{base}{'?' + encoded if encoded else ''}{RESULTS_ANCHOR}"


def plural(count: int, noun: str) -> str:
    return f"{number_format(count, force_grouping=True)} {noun}{'s' if count > 1 else ''}"


@dataclass(frozen=True)
class Chip:
    name: str  # the parameter it removes (static/js/search.js clears the same control of the form)
    value: str
    label: str
    remove_url: str


def narrowed_needs(thematiques) -> dict[str, list[str]]:
    """The chosen needs narrowed by chosen sub-needs (services.search.effective_thematiques): the need's label,
    and the labels of the sub-needs it is narrowed to."""
    chosen = set(thematiques)
    narrowed = {}
    for value in thematiques:
        children = [child for child in THEMATIQUES_OF.get(value, ()) if child in chosen]
        if children:
            narrowed[need_label(value)] = [need_label(child) for child in children]
    return narrowed


class Criteria:
    """The search's criteria as people read them. ``params`` is the validated search, ``query`` the request's
    parameters (the links keep the rest of them)."""

    def __init__(self, params: SearchParams, query, base_url: str):
        self.params = params
        # The parameters as pairs, encoded as QueryDict.urlencode() does (each link drops some; copies of a QueryDict
        # are deep).
        pairs = [(name, value) for name, values in query.lists() for value in values]
        self.chips = self._chips(params, pairs, base_url)
        encoded = urlencode([(name, value) for name, value in pairs if name in KEPT_ON_CLEAR])
        self.clear_url = f"{base_url}{'?' + encoded if encoded else ''}{RESULTS_ANCHOR}"
        self.narrowed = narrowed_needs(params.thematiques)

    @staticmethod
    def _chips(params: SearchParams, pairs: list[tuple[str, str]], base_url: str) -> list[Chip]:
        chips = []
        if params.q:
            chips.append(Chip("q", "", f"« {params.q} »", url_without(base_url, pairs, "q")))
        if params.origin is not None and params.radius_km != DEFAULT_RADIUS_KM:
            label = f"Rayon : {params.radius_km} km"
            chips.append(Chip("rayon_km", "", label, url_without(base_url, pairs, "rayon_km")))
        for name in LEGENDS:
            for value in getattr(params, name):
                label = value_label(name, value)
                if name == "thematiques" and value not in THEMATIQUES_OF:
                    label = f"{need_label(category_of(value))} › {label}"
                chips.append(Chip(name, value, label, url_without(base_url, pairs, name, value)))
        if params.ouvert:
            chips.append(Chip("ouvert", "", OPEN_LABELS[params.ouvert], url_without(base_url, pairs, "ouvert")))
        if params.score_qualite_minimum is not None:
            label = f"Score de qualité ≥ {number_format(params.score_qualite_minimum)}"
            chips.append(
                Chip("score_qualite_minimum", "", label, url_without(base_url, pairs, "score_qualite_minimum"))
            )
        if not params.collapse_duplicates:
            chips.append(Chip("doublons", "", "Doublons affichés", url_without(base_url, pairs, "doublons")))
        return chips

    @property
    def needs_text(self) -> str:
        """The needs searched, shortest first: a sub-need that narrows its need stands for it."""
        chosen = set(self.params.thematiques)
        shown = [
            need_label(value)
            for value in self.params.thematiques
            if not (value in THEMATIQUES_OF and chosen.intersection(THEMATIQUES_OF[value]))
        ]
        if not shown:
            return "Tous les besoins"
        if len(shown) <= 2:
            return " et ".join(shown)
        return f"{shown[0]}, {shown[1]} et {plural(len(shown) - 2, 'autre besoin')}"

    @property
    def place_text(self) -> str:
        origin = self.params.origin
        if origin is None:
            return ""
        return "autour de votre position" if origin.at_point else f"à {origin.commune.nom}"

    @property
    def heading(self) -> str:
        """ "Mobilité à Lille"."""
        return " ".join(part for part in (self.needs_text, self.place_text) if part)

    def title(self, count: int) -> str:
        """ "Mobilité à Lille : 55 services"."""
        return f"{self.heading} : {plural(count, 'service')}"

    def lines(self) -> list[tuple[str, str]]:
        """Each criterion as (label, text), for a printed list."""
        params, lines = self.params, []
        if params.origin is not None:
            place = "votre position" if params.origin.at_point else params.origin.commune.label
            lines.append(("Lieu", f"{place}, services sur place dans un rayon de {params.radius_km} km"))
        for name, legend in LEGENDS.items():
            values = getattr(params, name)
            if values:
                lines.append((legend, ", ".join(value_label(name, value) for value in values)))
        for chip in self.chips:
            if chip.name in ("q", "ouvert", "score_qualite_minimum", "doublons"):
                lines.append(("Autre critère", chip.label))
        return lines
