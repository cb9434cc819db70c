"""The search parameters of the contract, declared and validated by a django-filter FilterSet that gives the
engine one frozen SearchParams."""

import copy

import django_filters
from data_inclusion.schema import v1
from django import forms

from communes.models import Commune
from communes.search import commune_by_code, resolve_commune_input, suggest
from communes.territories import Territory
from services.scopes import MISSING
from services.search import DEFAULT_RADIUS_KM, RADII_KM, Origin, SearchParams
from structures.schema import enum_choices
from structures.sources import source_choices

MAX_TEXT_LENGTH = 200
TERRITORY_FIELDS = ("territoire", "habitants")
DATE_ERRORS = {"invalid": "Indiquez une date au format AAAA-MM-JJ."}


class FrenchMultipleChoiceField(forms.MultipleChoiceField):
    default_error_messages = {
        "invalid_choice": "« %(value)s » n'est pas une valeur possible pour ce filtre.",
        "invalid_list": "Indiquez une liste de valeurs.",
    }


class MultipleChoiceFilter(django_filters.MultipleChoiceFilter):
    field_class = FrenchMultipleChoiceField


class ReadOnlyCopies(dict):
    """Filters or form fields that requests only read. Each FilterSet and each form deep-copies them so that it may
    change its own; these get shallow copies, sharing widgets and lists of choices (the deep copies of 25 filters
    and 25 fields, with up to 90 choices each, cost a search ~1 ms)."""

    def __deepcopy__(self, memo):
        return {name: copy.copy(item) for name, item in self.items()}


class SearchForm(forms.Form):
    """Cross-field rules: the commune, the point, what they mean together."""

    commune = forms.CharField(required=False, max_length=MAX_TEXT_LENGTH)
    # The places a commune typed without choosing a suggestion may mean, when there are several (the form
    # without JavaScript): the page offers them as links.
    commune_choices: list[Commune] = []

    def clean(self):
        data = super().clean()
        # NumberFilter gives Decimals; the geometry works in floats.
        for name in ("lat", "lon", "score_qualite_minimum"):
            if data.get(name) is not None:
                data[name] = float(data[name])
        lat, lon = data.get("lat"), data.get("lon")
        if (lat is None) != (lon is None) and not self.has_error("lat") and not self.has_error("lon"):
            self.add_error("lat", "Indiquez la latitude et la longitude ensemble.")
        code = data.get("code_commune")
        commune = None
        if code:
            commune = commune_by_code(code)
            if commune is None:
                self.add_error("code_commune", f"Aucune commune ne porte le code « {code} ».")
        elif data.get("commune"):
            commune = self.typed_commune(data["commune"])
        if commune is None and lat is not None and lon is not None and not self.errors:
            commune = Commune.objects.nearest(lat, lon)
            if commune is None:
                self.add_error("lat", "Ce point n'est proche d'aucune commune française.")
        data["commune_obj"] = commune
        for name in TERRITORY_FIELDS:
            if data.get(name):
                data[f"{name}_obj"] = Territory.parse(data[name])
                if data[f"{name}_obj"] is None:
                    self.add_error(name, f"Aucun territoire ne s'appelle « {data[name]} ».")
        if data.get("maj_depuis") and data.get("maj_avant") and data["maj_depuis"] >= data["maj_avant"]:
            self.add_error("maj_avant", "La date « avant » doit suivre la date « depuis ».")
        return data

    def typed_commune(self, text: str) -> Commune | None:
        """The place meant by a commune typed in full: the one it names, or the only suggestion; several
        suggestions are offered as choices, none gets a message."""
        commune = resolve_commune_input(text)
        if commune is not None:
            return commune
        places = suggest(text)
        if len(places) == 1:
            return places[0]
        if places:
            self.commune_choices = places
            self.add_error("commune", f"Plusieurs communes correspondent à « {text} » : choisissez la vôtre.")
        else:
            message = (
                f"Aucune commune ne correspond à « {text} » : vérifiez l'orthographe, ou indiquez le code postal."
            )
            self.add_error("commune", message)
        return None


class ServiceSearchFilterSet(django_filters.FilterSet):
    code_commune = django_filters.CharFilter(
        label="Code INSEE de la commune",
        max_length=5,
        min_length=5,
        error_messages={
            "max_length": "Un code commune a 5 caractères.",
            "min_length": "Un code commune a 5 caractères.",
        },
    )
    lat = django_filters.NumberFilter(label="Latitude", min_value=-90, max_value=90)
    lon = django_filters.NumberFilter(label="Longitude", min_value=-180, max_value=180)
    rayon_km = django_filters.TypedChoiceFilter(
        label="Rayon",
        choices=[(str(radius), f"{radius} km") for radius in RADII_KM],
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": "Choisissez un rayon parmi 5, 10, 20, 50 et 100 km."},
    )
    thematiques = MultipleChoiceFilter(
        label="Besoins", choices=[*enum_choices(v1.Categorie), *enum_choices(v1.Thematique)]
    )
    publics = MultipleChoiceFilter(label="Publics", choices=enum_choices(v1.Public))
    types = MultipleChoiceFilter(label="Type de service", choices=enum_choices(v1.TypeService))
    frais = MultipleChoiceFilter(label="Frais", choices=enum_choices(v1.Frais))
    modes_accueil = MultipleChoiceFilter(label="Modes d'accueil", choices=enum_choices(v1.ModeAccueil))
    sources = MultipleChoiceFilter(label="Sources", choices=source_choices)
    score_qualite_minimum = django_filters.NumberFilter(label="Score de qualité minimum", min_value=0, max_value=1)
    q = django_filters.CharFilter(
        label="Mots-clés",
        max_length=MAX_TEXT_LENGTH,
        error_messages={"max_length": f"Le texte recherché est limité à {MAX_TEXT_LENGTH} caractères."},
    )
    ouvert = django_filters.ChoiceFilter(
        label="Ouvert",
        choices=[("maintenant", "Ouvert maintenant"), ("aujourdhui", "Ouvert aujourd'hui")],
        error_messages={"invalid_choice": "Choisissez « maintenant » ou « aujourdhui »."},
    )
    doublons = django_filters.BooleanFilter(label="Afficher les doublons", widget=forms.CheckboxInput)
    # The searches behind territories' figures (services.scopes); territories link to them.
    territoire = django_filters.CharFilter(label="Situés dans le territoire", max_length=20)
    habitants = django_filters.CharFilter(label="Ouverts aux habitants du territoire", max_length=20)
    sur_place = django_filters.BooleanFilter(label="Accueil sur place", widget=forms.CheckboxInput)
    maj_depuis = django_filters.DateFilter(label="Mis à jour depuis le", error_messages=DATE_ERRORS)
    maj_avant = django_filters.DateFilter(label="Mis à jour avant le", error_messages=DATE_ERRORS)
    sans = django_filters.ChoiceFilter(
        label="Informations manquantes",
        choices=list(MISSING.items()),
        error_messages={"invalid_choice": "Choisissez « contact », « horaires » ou « coordonnees »."},
    )
    page = django_filters.NumberFilter(label="Page", min_value=1, max_value=100_000)

    class Meta:
        form = SearchForm
        fields: list[str] = []

    # The form class, built once per list of sources (the only choices that change, with imports): building the
    # fields of 25 filters for each request cost it ~2 ms.
    form_classes: dict[tuple, type] = {}

    def get_form_class(self):
        sources = tuple(source_choices())
        form_class = self.form_classes.get(sources)
        if form_class is None:
            form_class = super().get_form_class()
            form_class.base_fields["sources"].choices = list(sources)  # resolved once, not at each validation
            form_class.base_fields = ReadOnlyCopies(form_class.base_fields)
            self.form_classes.clear()
            self.form_classes[sources] = form_class
        return form_class

    @property
    def cleaned(self) -> dict:
        return self.form.cleaned_data if self.is_valid() else {}

    def params(self) -> SearchParams:
        """The search asked for (valid data only: check is_valid() first)."""
        data = self.cleaned
        commune = data.get("commune_obj")
        minimum = data.get("score_qualite_minimum")
        return SearchParams(
            origin=None if commune is None else Origin.for_commune(commune, data.get("lat"), data.get("lon")),
            radius_km=data.get("rayon_km") or DEFAULT_RADIUS_KM,
            score_qualite_minimum=None if minimum is None else float(minimum),
            q=data.get("q") or "",
            ouvert=data.get("ouvert") or "",
            collapse_duplicates=not data.get("doublons"),
            territoire=data.get("territoire_obj"),
            habitants=data.get("habitants_obj"),
            sur_place=bool(data.get("sur_place")),
            maj_depuis=data.get("maj_depuis"),
            maj_avant=data.get("maj_avant"),
            sans=data.get("sans") or "",
            **{name: tuple(data.get(name) or ()) for name in ("thematiques", "publics", "frais", "types")},
            **{name: tuple(data.get(name) or ()) for name in ("modes_accueil", "sources")},
        )

    @property
    def page_number(self) -> int:
        return int(self.cleaned.get("page") or 1)


ServiceSearchFilterSet.base_filters = ReadOnlyCopies(ServiceSearchFilterSet.base_filters)
