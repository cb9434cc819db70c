"""The offer of a territory: services on site in it and services open to its residents, by need, public, type, fee
and source, per 10,000 inhabitants, beside the figures of its région and of France.

Every count is the search engine's (services.engine): the count of the search its link leads to, facet by facet
(``Search.facet_counts``: the results once that value is chosen), duplicates shown once as in the search.
"""

from dataclasses import asdict, dataclass, field
from urllib.parse import urlencode

from data_inclusion.schema import v1
from django.urls import reverse

from communes.regions import REGIONS
from communes.territories import Territory
from services.engine import Search
from services.search import CATEGORIES, THEMATIQUES_OF, SearchParams
from structures.schema import enum_label
from structures.sources import source_name

PER = 10_000
# Each table: its parameter (the search's facet), its title, the label of its values.
TABLES = (
    ("categories", "Par besoin", "Besoin"),
    ("thematiques", "Par thématique", "Thématique"),
    ("publics", "Par public", "Public"),
    ("types", "Par type de service", "Type"),
    ("frais", "Par frais", "Frais"),
    ("sources", "Par source", "Source"),
)
ENUMS = {"publics": v1.Public, "types": v1.TypeService, "frais": v1.Frais}


def search_url(**params) -> str:
    return f"{reverse('services:search')}?{urlencode({k: v for k, v in params.items() if v}, doseq=True)}"


def rate(count: int, population: int) -> float | None:
    return None if not population else count * PER / population


@dataclass(frozen=True)
class Counts:
    """A territory's offer as the engine counts it: totals and, per facet, per value."""

    population: int
    on_site: int
    open: int
    on_site_facets: dict
    open_facets: dict

    @classmethod
    def of(cls, territory: Territory, population: int, columns, connection) -> "Counts":
        on_site = Search(SearchParams(territoire=territory, sur_place=True), columns, connection)
        open_to = Search(SearchParams(habitants=territory), columns, connection)
        return cls(population, on_site.count, open_to.count, facets_of(on_site), facets_of(open_to))

    @classmethod
    def from_dict(cls, data: dict) -> "Counts":
        return cls(**data)

    def value(self, facet: str, value: str, *, open_to: bool) -> int:
        facets = self.open_facets if open_to else self.on_site_facets
        return facets["thematiques" if facet == "categories" else facet].get(value, 0)


def reference_counts(atlas, columns, connection) -> dict[str, dict]:
    """The offer of France and of every région (territories.atlas keeps it with the version's distances)."""
    territories = [Territory.france(), *(Territory.parse(f"region-{code}") for code in REGIONS)]
    return {
        territory.slug: asdict(
            Counts.of(territory, int(atlas.population[atlas.places_in(territory)].sum()), columns, connection)
        )
        for territory in territories
    }


def facets_of(search: Search) -> dict:
    """The engine's facet counts, with the publics no service names: asking for one of them finds the services
    for everyone (tous-publics), the same for each."""
    facets = search.facet_counts()
    absent = [member.value for member in v1.Public if member.value not in facets["publics"]]
    if absent:
        alone = Search(search.params.replace(publics=(absent[0],)), search.columns, search.connection).count
        facets["publics"].update(dict.fromkeys(absent, alone))
    return facets


@dataclass
class Cell:
    count: int
    rate: float | None
    url: str
    references: list[float | None] = field(default_factory=list)  # rates of the references


@dataclass
class Row:
    value: str
    label: str
    on_site: Cell
    open: Cell
    bar: float = 0.0  # on-site count, as a share of the table's largest (0–100)


@dataclass
class Table:
    facet: str
    title: str
    heading: str
    rows: list[Row]


def values_of(facet: str, counts: Counts) -> list[tuple[str, str]]:
    if facet == "categories":
        return [(value, enum_label(v1.Categorie, value)) for value in CATEGORIES]
    if facet == "thematiques":
        return [(value, enum_label(v1.Thematique, value)) for c in CATEGORIES for value in THEMATIQUES_OF[c]]
    if facet == "sources":
        found = {*counts.on_site_facets["sources"], *counts.open_facets["sources"]}
        return sorted(((value, source_name(value)) for value in found), key=lambda item: item[1].lower())
    return [(member.value, member.label) for member in ENUMS[facet]]


class Offer:
    """The tables of the offer of a territory (``counts``) beside its references (territory, counts)."""

    def __init__(self, territory: Territory, counts: Counts, references: list[tuple[Territory, Counts]]):
        self.territory = territory
        self.counts = counts
        self.references = references
        self.total = self.row("", "Tous les services", {})

    @property
    def reference_territories(self) -> list[Territory]:
        return [territory for territory, _ in self.references]

    @property
    def references_on_site(self) -> list[tuple[Territory, float | None]]:
        return list(zip(self.reference_territories, self.total.on_site.references, strict=True))

    def cell(self, params: dict, count_of, *, open_to: bool) -> Cell:
        scope = {"habitants": self.territory.slug} if open_to else {"territoire": self.territory.slug, "sur_place": 1}
        return Cell(
            count_of(self.counts),
            rate(count_of(self.counts), self.counts.population),
            search_url(**scope, **params),
            [rate(count_of(counts), counts.population) for _, counts in self.references],
        )

    def row(self, value: str, label: str, params: dict, facet: str = "") -> Row:
        def count_of(open_to):
            if not facet:
                return lambda counts: counts.open if open_to else counts.on_site
            return lambda counts: counts.value(facet, value, open_to=open_to)

        return Row(
            value,
            label,
            self.cell(params, count_of(False), open_to=False),
            self.cell(params, count_of(True), open_to=True),
        )

    def tables(self) -> list[Table]:
        tables = []
        for facet, title, heading in TABLES:
            parameter = "thematiques" if facet == "categories" else facet
            rows = [
                self.row(value, label, {parameter: value}, facet) for value, label in values_of(facet, self.counts)
            ]
            largest = max((row.on_site.count for row in rows), default=0)
            for row in rows:
                row.bar = 100 * row.on_site.count / largest if largest else 0
            tables.append(Table(facet, title, heading, rows))
        return tables
