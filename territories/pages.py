"""A territory's page as people read it: the offer, where it is missing, how reliable, what imports changed."""

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from communes.departements import DEPARTEMENTS
from communes.regions import REGIONS
from communes.territories import Territory
from services.search import CATEGORIES
from territories import atlas, changes
from territories.access import DEFAULT_THRESHOLD_KM, ORDERS, THRESHOLDS_KM, Access
from territories.offer import Counts, Offer
from territories.reliability import Reliability

PLACES_PER_PAGE = 50


class TerritoryForm(forms.Form):
    besoin = forms.ChoiceField(
        required=False,
        choices=[(value, value) for value in CATEGORIES],
        error_messages={"invalid_choice": "« %(value)s » n'est pas un besoin connu."},
    )
    au_dela = forms.TypedChoiceField(
        required=False,
        choices=[(str(km), f"{km} km") for km in THRESHOLDS_KM],
        coerce=int,
        empty_value=DEFAULT_THRESHOLD_KM,
        error_messages={"invalid_choice": "Choisissez une distance parmi 10, 20 et 50 km."},
    )
    tri = forms.ChoiceField(
        required=False,
        choices=list(ORDERS.items()),
        error_messages={"invalid_choice": "Choisissez un tri parmi population, distance et nom."},
    )
    page = forms.IntegerField(
        required=False, min_value=1, max_value=100_000, error_messages={"invalid": "Indiquez un numéro de page."}
    )


def references_of(territory: Territory) -> list[Territory]:
    if territory.kind == "france":
        return []
    region = territory.region()
    return [*([region] if region is not None else []), Territory.france()]


class TerritoryPage:
    def __init__(self, territory: Territory, query, alias: str):
        self.territory = territory
        self.alias = alias
        self.columns, self.atlas = atlas.current(alias)
        self.connection = connections[alias]
        self.access = Access(territory, self.atlas)
        self.form = TerritoryForm(query)
        self.valid = self.form.is_valid()
        self.needs = self.access.needs()
        data = self.form.cleaned_data if self.valid else {}
        # By default, the need the most inhabitants live far from.
        worst = max(self.needs, key=lambda need: (need.beyond[DEFAULT_THRESHOLD_KM], -CATEGORIES.index(need.category)))
        self.need = next(need for need in self.needs if need.category == (data.get("besoin") or worst.category))
        self.threshold = data.get("au_dela") or DEFAULT_THRESHOLD_KM
        self.order = data.get("tri") or "population"
        self.page_number = data.get("page") or 1

    @property
    def status(self) -> int:
        return 200 if self.valid else 400

    def offer(self) -> Offer:
        references = self.atlas.values["references"]
        compared = [(other, Counts.from_dict(references[other.slug])) for other in references_of(self.territory)]
        counts = Counts.of(self.territory, self.access.population, self.columns, self.connection)
        return Offer(self.territory, counts, compared)

    def beyond(self):
        return self.access.beyond(self.need.category, self.threshold, self.order)

    def place_page(self):
        paginator = Paginator(self.beyond(), PLACES_PER_PAGE)
        page = paginator.get_page(self.page_number)
        return page, self.access.rows(page.object_list, self.need.category, self.alias)

    def reliability(self) -> Reliability:
        return Reliability(self.territory, self.columns, self.connection, timezone.localdate())

    def changes(self):
        return changes.recent(self.territory, self.alias)

    def context(self) -> dict:
        offer = self.offer()
        page, places = self.place_page() if self.valid else (None, [])
        reliability = self.reliability()
        base = reverse("territories:territory", args=[self.territory.slug])
        return {
            "territory": self.territory,
            "form": self.form,
            "population": self.access.population,
            "offer": offer,
            "tables": offer.tables(),
            "needs": self.needs,
            "need": self.need,
            "thresholds": THRESHOLDS_KM,
            "threshold": self.threshold,
            "orders": ORDERS,
            "order": self.order,
            "places_page": page,
            "places": places,
            "reliability_rows": [reliability.summary(reliability.rows), *reliability.by_source()],
            "cutoffs": reliability.cutoffs,
            "runs": self.changes(),
            "export_base": base,
            "map_url": f"{reverse('territories:map', args=[self.territory.slug])}?besoin={self.need.category}",
            "tiles_url": settings.MAP_TILES_URL,
        }


def chooser_lists() -> dict:
    """Every région and département, as plain links (the chooser works without JavaScript)."""
    return {
        "france": Territory.france(),
        "regions": [Territory.parse(f"region-{code}") for code in sorted(REGIONS, key=lambda c: REGIONS[c][0])],
        "departements": [Territory.parse(f"departement-{code}") for code in DEPARTEMENTS],
    }
