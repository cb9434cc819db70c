"""The search engine: the rules of ../shared/docs/search-contract.md as SQL.

Queries run on the narrow search index (services.search_index.SearchEntry: published
services of published structures only) with plain PostgreSQL: array overlap on GIN indexes
for eligibility and filters, a GiST index on points for the radius prefilter, haversine
distances, French full-text search on text normalised at import. Rows are narrow, so ranking,
duplicate collapsing, counting and facets stay in memory; full services are fetched for the
displayed page only.
"""

import math
from dataclasses import dataclass, field
from datetime import datetime

from data_inclusion.schema import v1
from django.db import connections, router
from django.utils import timezone

from communes.models import KM_PER_DEGREE, Commune
from display.rendering import EXCERPT_SOURCE_LENGTH
from services.search_index import SearchEntry
from structures.models import Structure
from structures.opening_hours import MINUTES_PER_DAY, PARIS, is_public_holiday
from structures.text import normalize

# What lists of results show of a service and its structure (cards, CSV export): a page loads
# only these, with one plain query (services rows are wide, and compiling an ORM query with
# select_related costs more than running it).
SERVICE_RESULT_FIELDS = (
    *("id", "nom", "source", "date_maj", "frais", "thematiques", "publics", "modes_accueil"),
    *("modes_mobilisation", "telephone", "courriel", "lien_mobilisation", "lien_source"),
    *("adresse", "complement_adresse", "code_postal", "commune", "structure_id"),
)
STRUCTURE_RESULT_FIELDS = ("nom", "telephone", "courriel")
RESULTS_PAGE_SQL = (
    f"SELECT {', '.join(f's.{name}' for name in SERVICE_RESULT_FIELDS)}, "
    # The start of the description: all the cards' excerpt reads (display.rendering.plain_excerpt).
    f"left(s.description, {EXCERPT_SOURCE_LENGTH}) AS description, "
    f"{', '.join(f'st.{name} AS structure_{name}' for name in STRUCTURE_RESULT_FIELDS)}"
    " FROM services_service AS s JOIN structures_structure AS st ON st.id = s.structure_id WHERE s.id = ANY(%s)"
)
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
    ouvert: str = ""  # "maintenant" or "aujourdhui": services whose hours say open then
    at: datetime | None = None  # the instant "maintenant" means (now, unless a test says)


# The index entries whose words match the (normalised) words typed.
TEXT_MATCH_SQL = "e.search_vector @@ plainto_tsquery('french', %s)"


def reader():
    """The database connection searches read from (a replica when the router says so)."""
    return connections[router.db_for_read(SearchEntry)]


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


def filter_conditions(filters: Filters) -> dict[str, tuple[str, list]]:
    """One SQL condition (on the index alias ``e``) per filter dimension, with its parameters,
    so facet counts can leave their own dimension out."""
    conditions: dict[str, tuple[str, list]] = {}
    if filters.thematiques:
        conditions["thematiques"] = ("e.thematiques && %s::varchar[]", [expand_thematiques(filters.thematiques)])
    if filters.publics and TOUS_PUBLICS not in filters.publics:
        # A service with no publics never matches (NULL && array is not true).
        conditions["publics"] = ("e.publics && %s::varchar[]", [sorted({*filters.publics, TOUS_PUBLICS})])
    if filters.frais:
        conditions["frais"] = ("e.frais = ANY(%s)", [filters.frais])
    if filters.types:
        conditions["types"] = ("e.type = ANY(%s)", [filters.types])
    if filters.modes_accueil:
        conditions["modes_accueil"] = ("e.modes_accueil && %s::varchar[]", [filters.modes_accueil])
    if filters.sources:
        conditions["sources"] = ("e.source = ANY(%s)", [filters.sources])
    if filters.score_qualite_minimum is not None:
        conditions["score_qualite_minimum"] = ("e.score_qualite >= %s", [filters.score_qualite_minimum])
    if filters.ouvert:
        conditions["ouvert"] = opening_condition(filters.ouvert, filters.at or timezone.now())
    text = normalize(filters.q)
    if text:
        conditions["q"] = (TEXT_MATCH_SQL, [text])
    return conditions


def opening_condition(kind: str, at: datetime) -> tuple[str, list]:
    """Open now / at some point today in Europe/Paris, from the parsed hours of the service
    (else its structure). Services without hours, or with unparseable ones, never match."""
    condition, params = open_hours_condition(kind, at)
    return (f"md5(e.hours) IN (SELECT h.key FROM structures_openinghours AS h WHERE {condition})", params)


def open_hours_condition(kind: str, at: datetime) -> tuple[str, list]:
    """The condition on parsed hours (alias ``h``) that says open now / at some point today."""
    local = at.astimezone(PARIS)
    minute_of_day = local.hour * 60 + local.minute
    day_start = local.weekday() * MINUTES_PER_DAY
    if kind == "maintenant":
        weekly = "EXISTS (SELECT 1 FROM unnest(h.weekly) AS r WHERE r @> %s)"
        weekly_params = [day_start + minute_of_day]
        holiday = "EXISTS (SELECT 1 FROM unnest(h.public_holiday_ranges) AS r WHERE r @> %s)"
        holiday_params = [minute_of_day]
    else:
        weekly = "EXISTS (SELECT 1 FROM unnest(h.weekly) AS r WHERE r && int4range(%s, %s))"
        weekly_params = [day_start, day_start + MINUTES_PER_DAY]
        holiday, holiday_params = "cardinality(h.public_holiday_ranges) > 0", []
    if is_public_holiday(local.date()):
        condition = (
            f"NOT h.closed_on_public_holidays AND CASE WHEN h.public_holiday_ranges IS NOT NULL"
            f" THEN {holiday} ELSE {weekly} END"
        )
        params = holiday_params + weekly_params
    else:
        condition, params = weekly, weekly_params
    return f"h.weekly IS NOT NULL AND {condition}", params


def haversine_sql(latitude: float, longitude: float) -> tuple[str, list]:
    """Great-circle distance in km from the origin (contract: sphere of radius 6371.0088 km).
    LEAST guards asin against a rounding error just above 1."""
    return (
        "2 * %s * asin(least(1.0, sqrt(power(sin(radians(e.latitude - %s) / 2), 2)"
        " + cos(radians(e.latitude)) * %s * power(sin(radians(e.longitude - %s) / 2), 2))))",
        [EARTH_RADIUS_KM, latitude, math.cos(math.radians(latitude)), longitude],
    )


def box_bounds(latitude: float, longitude: float, radius_km: float) -> list[float]:
    """The box around the circle: [west, south, east, north] in degrees."""
    dlat = radius_km / KM_PER_DEGREE
    widest = min(89.9, abs(latitude) + dlat)
    dlon = min(180.0, radius_km / (KM_PER_DEGREE * math.cos(math.radians(widest))))
    return [longitude - dlon, latitude - dlat, longitude + dlon, latitude + dlat]


def box_sql(latitude: float, longitude: float, radius_km: float) -> tuple[str, list]:
    """Points within the box around the circle: served by the GiST index on point(lon, lat)."""
    return (
        "point(e.longitude, e.latitude) <@ box(point(%s, %s), point(%s, %s))",
        box_bounds(latitude, longitude, radius_km),
    )


def specificity_sql(codes: dict[str, list[str]]) -> tuple[str, list]:
    """How closely the service's zone targets the person's commune: 0 commune … 3 national."""
    whens, params = [], []
    for rank, level in enumerate(SPECIFICITY_LEVELS):
        if codes[level]:
            whens.append(f"WHEN e.zone_eligibilite && %s::varchar[] THEN {rank}")
            params.append(codes[level])
    return f"CASE {' '.join(whens)} ELSE {len(SPECIFICITY_LEVELS)} END", params


@dataclass
class Query:
    """A search as SQL: the matching rows (CTE ``results``) with their ranking keys."""

    origin: Origin | None
    radius_km: int
    filters: Filters
    collapse_duplicates: bool = True
    extra_columns: dict[str, tuple[str, list]] = field(default_factory=dict)
    omit: tuple[str, ...] = ()

    def results_cte(self) -> tuple[str, list]:
        conditions = filter_conditions(self.filters)
        where = ["true"]
        params: list = []
        for name, (sql, values) in conditions.items():
            if name not in self.omit:
                where.append(sql)
                params += values
        columns = ["e.service_id", "e.structure_id", "e.duplicate_group", "e.structure_preferred"]
        columns += ["e.structure_score", "e.structure_date"]
        columns += [
            "e.score_qualite",
            "e.thematiques",
            "e.categories",
            "e.publics",
            "e.type",
            "e.frais",
            "e.modes_accueil",
            "e.source",
        ]
        select_params: list = []
        for name, (sql, values) in self.extra_columns.items():
            columns.append(f"({sql}) AS {name}")
            select_params += values
        if self.origin is None:
            columns += ["NULL::float AS raw_distance", "NULL::int AS specificity"]
            geo_sql, geo_params = "", []
        else:
            codes = self.origin.commune.eligibility_codes
            all_codes = sorted({code for level in codes.values() for code in level})
            box, box_params = box_sql(self.origin.latitude, self.origin.longitude, self.radius_km)
            distance, distance_params = haversine_sql(self.origin.latitude, self.origin.longitude)
            specificity, specificity_params = specificity_sql(codes)
            columns += [
                f"CASE WHEN {box} THEN {distance} END AS raw_distance",
                f"{specificity} AS specificity",
            ]
            select_params += box_params + distance_params + specificity_params
            where.append("(e.zone_eligibilite IS NULL OR e.zone_eligibilite && %s::varchar[])")
            params.append(all_codes)
            where.append(f"({box} OR e.modes_accueil @> %s::varchar[])")
            params += box_params + [[REMOTE]]
            geo_sql = "WHERE m.raw_distance <= %s OR m.modes_accueil @> %s::varchar[]"
            geo_params = [self.radius_km, [REMOTE]]
        on_site = (
            "FALSE"
            if self.origin is None
            # Never NULL (no coordinates, outside the box): NULL would sort before TRUE.
            else "coalesce(m.raw_distance <= %s AND (m.modes_accueil IS NULL"
            " OR m.modes_accueil @> %s::varchar[]), false)"
        )
        on_site_params = [] if self.origin is None else [self.radius_km, [ON_SITE]]
        dedup = ""
        if self.collapse_duplicates:
            # Among the structures of a duplicate group that have a matching service, keep the
            # one a curator preferred, else the best: highest score, then most recent date_maj,
            # then smallest id (byte order).
            dedup = """
                WHERE g.duplicate_group IS NULL OR g.structure_id IN (
                    SELECT DISTINCT ON (duplicate_group) structure_id FROM geo
                    WHERE duplicate_group IS NOT NULL
                    ORDER BY duplicate_group, structure_preferred DESC, structure_score DESC NULLS LAST,
                        structure_date DESC,
                        structure_id COLLATE "C"
                )"""
        sql = f"""
            matching AS MATERIALIZED (
                SELECT {", ".join(columns)} FROM services_searchentry AS e WHERE {" AND ".join(where)}
            ),
            geo AS MATERIALIZED (
                SELECT m.*, {on_site} AS on_site FROM matching AS m {geo_sql}
            ),
            results AS (SELECT g.* FROM geo AS g {dedup})
        """
        return sql, select_params + params + on_site_params + geo_params

    ORDER_BY = """
        on_site DESC,
        CASE WHEN on_site THEN raw_distance END ASC NULLS LAST,
        CASE WHEN NOT on_site THEN specificity END ASC NULLS LAST,
        CASE WHEN NOT on_site THEN score_qualite END DESC NULLS LAST,
        service_id COLLATE "C"
    """

    def ranked(self, *, limit: int | None = None, offset: int = 0) -> tuple[list[tuple], int]:
        """[(service_id, distance_km or None, on_site)] in the contract's order, and the total."""
        cte, params = self.results_cte()
        page = "" if limit is None else f"LIMIT {int(limit)} OFFSET {int(offset)}"
        sql = f"""
            WITH {cte}
            SELECT service_id, CASE WHEN on_site THEN raw_distance END, on_site, count(*) OVER ()
            FROM results ORDER BY {self.ORDER_BY} {page}
        """
        with reader().cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if rows:
            return [row[:3] for row in rows], rows[0][3]
        return [], (self.count() if offset else 0)

    def count(self) -> int:
        cte, params = self.results_cte()
        with reader().cursor() as cursor:
            cursor.execute(f"WITH {cte} SELECT count(*) FROM results", params)
            return cursor.fetchone()[0]


class SearchResults:
    """The results of a search, sliceable like a queryset (for Paginator) without loading all.

    Each slice runs one query for its ids (with the total), then one for the services.
    """

    def __init__(self, query: Query, queryset):
        self.query = query
        self.queryset = queryset
        self._total: int | None = None
        self._pages: dict[tuple[int, int | None], list] = {}

    def count(self) -> int:
        if self._total is None:
            self._total = self.query.count()
        return self._total

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item):
        if isinstance(item, int):
            return self[item : item + 1][0]
        start = item.start or 0
        stop = item.stop if self._total is None or item.stop is None else min(item.stop, self._total)
        limit = None if stop is None else max(0, stop - start)
        key = (start, limit)
        if key not in self._pages:
            ranked, total = self.query.ranked(limit=limit, offset=start)
            self._total = total if ranked or start == 0 else self._total
            self._pages[key] = self._load(ranked)
            if limit is not None and self._total is not None:
                # Paginator asks for the last page clamped to the total: same rows.
                self._pages[(start, max(0, min(limit, self._total - start)))] = self._pages[key]
        return self._pages[key]

    def __iter__(self):
        """Every result in order, loaded by chunks (the CSV export)."""
        ranked, self._total = self.query.ranked()
        for start in range(0, len(ranked), 1000):
            yield from self._load(ranked[start : start + 1000])

    def _load(self, ranked: list[tuple]) -> list:
        """The services of ``ranked``, in order, with what result lists show (*_RESULT_FIELDS)."""
        found = self.queryset.model.objects.using(self.queryset.db).raw(
            RESULTS_PAGE_SQL, [[service_id for service_id, _, _ in ranked]]
        )
        services = {service.pk: service for service in found}
        loaded = []
        for service_id, distance, on_site in ranked:
            service = services.get(service_id)
            if service is None:  # deleted since the index was read: left out, never an error
                continue
            structure = Structure(
                id=service.structure_id,
                **{name: getattr(service, f"structure_{name}") for name in STRUCTURE_RESULT_FIELDS},
            )
            # Read from the service's database: without it, the assignment below would ask the
            # router where to write it, and pin the rest of the request to the primary.
            structure._state.adding, structure._state.db = False, service._state.db
            service.structure = structure
            service.distance_km = distance
            service.on_site = bool(on_site)
            loaded.append(service)
        return loaded
