"""The search engine: the rules of ../shared/docs/search-contract.md as one SQL query.

``search_services`` narrows a queryset of published services and annotates each row with
``distance_km`` (on-site results within the radius) and the values the order needs. It
runs on plain PostgreSQL: array overlap on GIN indexes for eligibility and filters, a GiST
index on the services' points for the radius prefilter, French full-text search on text
normalised at import.
"""

import math
from dataclasses import dataclass, field

from data_inclusion.schema import v1
from django.contrib.postgres.search import SearchQuery
from django.db.models import (
    BooleanField,
    Case,
    F,
    FloatField,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import ASin, Coalesce, Collate, Cos, FirstValue, Least, Power, Radians, Sin, Sqrt

from communes.models import KM_PER_DEGREE, Commune
from structures.text import normalize

EARTH_RADIUS_KM = 6371.0088
RADII_KM = (5, 10, 20, 50, 100)
DEFAULT_RADIUS_KM = 50
PAGE_SIZE = 20
REMOTE = v1.ModeAccueil.A_DISTANCE.value
ON_SITE = v1.ModeAccueil.EN_PRESENTIEL.value
TOUS_PUBLICS = v1.Public.TOUS_PUBLICS.value
SPECIFICITY_LEVELS = ("commune", "epci", "departement")  # then national: rank 3


@dataclass(frozen=True)
class Origin:
    """Where the person is: eligibility codes from a commune, distances from a point."""

    commune: Commune
    latitude: float
    longitude: float

    @classmethod
    def for_commune(cls, commune: Commune, latitude: float | None = None, longitude: float | None = None):
        if latitude is None or longitude is None:
            latitude, longitude = commune.latitude, commune.longitude
        return cls(commune=commune, latitude=latitude, longitude=longitude)


@dataclass
class Filters:
    thematiques: list[str] = field(default_factory=list)
    publics: list[str] = field(default_factory=list)
    frais: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    modes_accueil: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    score_qualite_minimum: float | None = None
    q: str = ""


def expand_thematiques(values: list[str]) -> list[str]:
    """A category value stands for all its thématiques."""
    categories = {category.value for category in v1.Categorie}
    expanded: list[str] = []
    for value in values:
        if value in categories:
            expanded += [t.value for t in v1.Thematique if t.value.startswith(f"{value}--")]
        else:
            expanded.append(value)
    return sorted(set(expanded))


def filter_conditions(filters: Filters) -> dict[str, Q]:
    """One condition per filter dimension, so facet counts can leave their own out."""
    conditions: dict[str, Q] = {}
    if filters.thematiques:
        conditions["thematiques"] = Q(thematiques__overlap=expand_thematiques(filters.thematiques))
    if filters.publics and TOUS_PUBLICS not in filters.publics:
        # A service with no publics never matches (NULL && array is not true).
        conditions["publics"] = Q(publics__overlap=sorted({*filters.publics, TOUS_PUBLICS}))
    if filters.frais:
        conditions["frais"] = Q(frais__in=filters.frais)
    if filters.types:
        conditions["types"] = Q(type__in=filters.types)
    if filters.modes_accueil:
        conditions["modes_accueil"] = Q(modes_accueil__overlap=filters.modes_accueil)
    if filters.sources:
        conditions["sources"] = Q(source__in=filters.sources)
    if filters.score_qualite_minimum is not None:
        conditions["score_qualite_minimum"] = Q(score_qualite__gte=filters.score_qualite_minimum)
    text = normalize(filters.q)
    if text:
        conditions["q"] = Q(search_vector=SearchQuery(text, config="french", search_type="plain"))
    return conditions


def distance_km(latitude: float, longitude: float):
    """Haversine great-circle distance from the origin, in km (contract: R = 6371.0088)."""
    dlat = Radians(F("latitude") - Value(latitude))
    dlon = Radians(F("longitude") - Value(longitude))
    h = Power(Sin(dlat / 2), 2) + Cos(Radians(F("latitude"))) * math.cos(math.radians(latitude)) * Power(
        Sin(dlon / 2), 2
    )
    # LEAST guards asin against a rounding error just above 1 (antipodes).
    return Value(2 * EARTH_RADIUS_KM) * ASin(Least(Value(1.0), Sqrt(h)), output_field=FloatField())


def bounding_box(latitude: float, longitude: float, radius_km: float) -> RawSQL:
    """Points within the box around the circle: served by the GiST index on point(lon, lat)."""
    dlat = radius_km / KM_PER_DEGREE
    widest = min(89.9, abs(latitude) + dlat)
    dlon = min(180.0, radius_km / (KM_PER_DEGREE * math.cos(math.radians(widest))))
    return RawSQL(
        "point(services_service.longitude, services_service.latitude) <@ box(point(%s, %s), point(%s, %s))",
        (longitude - dlon, latitude - dlat, longitude + dlon, latitude + dlat),
        output_field=BooleanField(),
    )


def specificity(codes: dict[str, list[str]]):
    """How closely the service's zone targets the person's commune: 0 commune … 3 national."""
    whens = [
        When(zone_eligibilite__overlap=codes[level], then=Value(rank))
        for rank, level in enumerate(SPECIFICITY_LEVELS)
        if codes[level]
    ]
    return Case(*whens, default=Value(len(SPECIFICITY_LEVELS)), output_field=IntegerField())


def search_services(
    queryset: QuerySet,
    *,
    origin: Origin | None = None,
    radius_km: int = DEFAULT_RADIUS_KM,
    filters: Filters | None = None,
    collapse_duplicates: bool = True,
) -> QuerySet:
    filters = filters or Filters()
    queryset = queryset.filter(*filter_conditions(filters).values())
    if origin is None:
        queryset = queryset.annotate(
            distance_km=Value(None, output_field=FloatField()), on_site=Value(False, output_field=BooleanField())
        )
        ordering = [F("score_qualite").desc(nulls_last=True), Collate("id", "C")]
    else:
        queryset, ordering = _with_geography(queryset, origin, radius_km)
    if collapse_duplicates:
        queryset = _one_structure_per_duplicate_group(queryset)
    return queryset.order_by(*ordering)


def _with_geography(queryset: QuerySet, origin: Origin, radius_km: int):
    codes = origin.commune.eligibility_codes
    all_codes = sorted({code for level in codes.values() for code in level})
    offered_on_site = Q(modes_accueil__contains=[ON_SITE]) | Q(modes_accueil__isnull=True)
    distance = distance_km(origin.latitude, origin.longitude)
    within_radius = Q(bounding_box(origin.latitude, origin.longitude, radius_km)) & Q(
        latitude__isnull=False, longitude__isnull=False
    )
    queryset = (
        queryset.filter(Q(zone_eligibilite__isnull=True) | Q(zone_eligibilite__overlap=all_codes))
        .alias(raw_distance=distance)
        .filter((within_radius & Q(raw_distance__lte=radius_km)) | Q(modes_accueil__contains=[REMOTE]))
        .annotate(
            on_site=Case(
                When(offered_on_site & within_radius & Q(raw_distance__lte=radius_km), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            distance_km=Case(When(on_site=True, then=F("raw_distance")), output_field=FloatField()),
            remote_specificity=Case(When(on_site=False, then=specificity(codes)), output_field=IntegerField()),
            remote_score=Case(When(on_site=False, then=F("score_qualite")), output_field=FloatField()),
        )
    )
    ordering = [
        F("on_site").desc(),
        F("distance_km").asc(nulls_last=True),
        F("remote_specificity").asc(nulls_last=True),
        F("remote_score").desc(nulls_last=True),
        Collate("id", "C"),
    ]
    return queryset, ordering


def _one_structure_per_duplicate_group(queryset: QuerySet) -> QuerySet:
    """Among the structures of a duplicate group that have a matching service, keep the best:
    highest score, then most recent date_maj, then smallest id (byte order)."""
    group = Coalesce("structure__duplicate_group", "structure_id")
    return queryset.annotate(
        chosen_structure=Window(
            FirstValue("structure_id"),
            partition_by=[group],
            order_by=[
                F("structure__score_qualite").desc(nulls_last=True),
                F("structure__date_maj").desc(),
                Collate("structure_id", "C"),
            ],
        )
    ).filter(structure_id=F("chosen_structure"))
