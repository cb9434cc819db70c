"""The search contract applied to the in-memory columns of the index (services.columns).

The same rules, order and facet counts as the SQL engine (services.search, services.facets),
which stays the reference: the contract's tests run on both engines, and a randomised test
compares them. The database is asked only to turn typed words into the lexemes of its French
dictionary (`q`) and which parsed hours are open (`ouvert`, structures_openinghours).
"""

import math
import re
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from django.utils import timezone

from services import columns as index_columns
from services.facets import DIMENSIONS, FACETED
from services.search import (
    EARTH_RADIUS_KM,
    ON_SITE,
    REMOTE,
    SPECIFICITY_LEVELS,
    TOUS_PUBLICS,
    Query,
    box_bounds,
    expand_thematiques,
    open_hours_condition,
)
from structures.text import normalize

# A lexeme in a tsquery's text ('permi' & 'conduir'); normalised text holds no quote.
LEXEME = re.compile(r"'([^']*)'")
# Facet dimension -> its column in services.columns.
FACET_COLUMNS = {
    "categories": "categories",
    "thematiques": "thematiques",
    "publics": "publics",
    "types": "type",
    "frais": "frais",
    "modes_accueil": "modes_accueil",
    "sources": "source",
}


@dataclass
class Candidates:
    """Rows within reach of the origin (all rows without one), with their ranking keys."""

    rows: np.ndarray
    distance: np.ndarray  # km, NaN when not on site
    on_site: np.ndarray
    specificity: np.ndarray

    def take(self, keep: np.ndarray) -> "Candidates":
        return Candidates(self.rows[keep], self.distance[keep], self.on_site[keep], self.specificity[keep])


def has_any(matrix: np.ndarray, rows: np.ndarray, codes: np.ndarray, vocabulary_size: int) -> np.ndarray:
    """Whether each row's values (a padded matrix of codes) share one with ``codes``."""
    wanted = np.zeros(vocabulary_size + 1, dtype=bool)
    wanted[codes + 1] = True
    return wanted[matrix[rows] + 1].any(axis=1)


def is_one_of(values: np.ndarray, rows: np.ndarray, codes: np.ndarray, vocabulary_size: int) -> np.ndarray:
    wanted = np.zeros(vocabulary_size + 1, dtype=bool)
    wanted[codes + 1] = True
    return wanted[values[rows] + 1]


def haversine(latitude: np.ndarray, longitude: np.ndarray, origin_lat: float, origin_lon: float) -> np.ndarray:
    """Great-circle distance in km, computed as services.search.haversine_sql does."""
    half_lat = np.sin(np.radians(latitude - origin_lat) / 2)
    half_lon = np.sin(np.radians(longitude - origin_lon) / 2)
    inner = half_lat**2 + np.cos(np.radians(latitude)) * math.cos(math.radians(origin_lat)) * half_lon**2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(inner)))


class MemoryQuery:
    """A search (services.search.Query) answered from the columns in memory."""

    def __init__(self, query: Query, columns: index_columns.Columns, connection):
        self.query = query
        self.columns = columns
        self.connection = connection

    # -- geography ---------------------------------------------------------------------------

    def modes(self, value: str) -> np.ndarray:
        """Per row, whether its modes_accueil include the value."""
        return self.columns.modes.get(value, np.zeros(self.columns.size, dtype=bool))

    @cached_property
    def candidates(self) -> Candidates:
        """Eligible rows on site within the radius or offered remotely (search contract,
        Geography), with their distance and specificity."""
        columns, origin = self.columns, self.query.origin
        if origin is None:
            rows = np.arange(columns.size)
            none = np.zeros(columns.size)
            return Candidates(rows, np.full(columns.size, np.nan), none.astype(bool), none.astype(np.int8))
        codes = origin.commune.eligibility_codes
        eligible = columns.national.copy()
        specificity = np.full(columns.size, len(SPECIFICITY_LEVELS), dtype=np.int8)
        for level in ("national", *reversed(SPECIFICITY_LEVELS)):
            for code in codes[level]:
                rows = columns.zone_rows.get(code)
                if rows is not None:
                    eligible[rows] = True
                    if level != "national":
                        specificity[rows] = SPECIFICITY_LEVELS.index(level)
        west, south, east, north = box_bounds(origin.latitude, origin.longitude, self.query.radius_km)
        latitude, longitude = columns.latitude, columns.longitude
        in_box = (longitude >= west) & (longitude <= east) & (latitude >= south) & (latitude <= north)
        remote = self.modes(REMOTE)
        rows = np.nonzero(eligible & (in_box | remote))[0]
        distance = np.full(len(rows), np.nan)
        boxed = in_box[rows]
        distance[boxed] = haversine(latitude[rows[boxed]], longitude[rows[boxed]], origin.latitude, origin.longitude)
        with np.errstate(invalid="ignore"):
            within = distance <= self.query.radius_km
        keep = within | remote[rows]
        rows, distance, within = rows[keep], distance[keep], within[keep]
        on_site = within & (columns.modes_null[rows] | self.modes(ON_SITE)[rows])
        return Candidates(rows, np.where(on_site, distance, np.nan), on_site, specificity[rows])

    # -- filters -----------------------------------------------------------------------------

    @cached_property
    def conditions(self) -> dict[str, callable]:
        """Per filter dimension (the names of services.search.filter_conditions), a function
        telling which of the given rows pass it."""
        filters, columns = self.query.filters, self.columns
        conditions = {}

        def overlap(column, values):
            codes = columns.codes(column, values)
            size = len(columns.values[column])
            return lambda rows: has_any(columns.multi[column], rows, codes, size)

        def one_of(column, values):
            codes = columns.codes(column, values)
            size = len(columns.values[column])
            return lambda rows: is_one_of(columns.single[column], rows, codes, size)

        if filters.thematiques:
            conditions["thematiques"] = overlap("thematiques", expand_thematiques(filters.thematiques))
        if filters.publics and TOUS_PUBLICS not in filters.publics:
            conditions["publics"] = overlap("publics", {*filters.publics, TOUS_PUBLICS})
        if filters.frais:
            conditions["frais"] = one_of("frais", filters.frais)
        if filters.types:
            conditions["types"] = one_of("type", filters.types)
        if filters.modes_accueil:
            conditions["modes_accueil"] = overlap("modes_accueil", filters.modes_accueil)
        if filters.sources:
            conditions["sources"] = one_of("source", filters.sources)
        if filters.score_qualite_minimum is not None:
            minimum = filters.score_qualite_minimum
            conditions["score_qualite_minimum"] = lambda rows: np.nan_to_num(columns.score[rows], nan=-1) >= minimum
        if filters.ouvert:
            conditions["ouvert"] = one_of("hours_key", self.open_hours_keys() or [])
        text = normalize(filters.q)
        if text:
            matching = self.text_matches(text)
            conditions["q"] = lambda rows: matching[rows]
        return conditions

    def text_matches(self, text: str) -> np.ndarray:
        """Which rows the words match: PostgreSQL turns them into the lexemes of its French
        dictionary (as for the SQL engine's ``@@``); every lexeme must be in the row's text."""
        query = self.fetch_value("SELECT plainto_tsquery('french', %s)::text", [text])
        return self.columns.rows_with_words(LEXEME.findall(query or ""))

    def open_hours_keys(self) -> list[str]:
        condition, params = open_hours_condition(self.query.filters.ouvert, self.query.filters.at or timezone.now())
        return self.fetch_value(f"SELECT array_agg(h.key) FROM structures_openinghours AS h WHERE {condition}", params)

    def fetch_value(self, sql: str, params: list):
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0]

    def collapse(self, candidates: Candidates) -> Candidates:
        """One structure per duplicate group: the best ranked among the rows given."""
        if not self.query.collapse_duplicates:
            return candidates
        groups = self.columns.duplicate_group[candidates.rows]
        grouped = groups >= 0
        if not grouped.any():
            return candidates
        ranks = self.columns.structure_rank[candidates.rows]
        best = np.full(len(self.columns.values["duplicate_group"]), np.iinfo(np.int64).max)
        np.minimum.at(best, groups[grouped], ranks[grouped])
        keep = ~grouped
        keep[grouped] = ranks[grouped] == best[groups[grouped]]
        return candidates.take(keep)

    # -- results -----------------------------------------------------------------------------

    @cached_property
    def matches(self) -> Candidates:
        candidates = self.candidates
        keep = np.ones(len(candidates.rows), dtype=bool)
        for passes in self.conditions.values():
            keep[keep] = passes(candidates.rows[keep])
        return self.order(self.collapse(candidates.take(keep)))

    def order(self, candidates: Candidates) -> Candidates:
        """On site by distance, then the others by specificity, score, id (services.search)."""
        id_rank = self.columns.id_rank[candidates.rows]
        on_site = np.nonzero(candidates.on_site)[0]
        others = np.nonzero(~candidates.on_site)[0]
        on_site = on_site[np.lexsort((id_rank[on_site], candidates.distance[on_site]))]
        remote_rank = self.columns.remote_rank[candidates.rows[others]]
        others = others[np.lexsort((remote_rank, candidates.specificity[others]))]
        return candidates.take(np.concatenate((on_site, others)))

    def count(self) -> int:
        return len(self.matches.rows)

    def ranked(self, *, limit: int | None = None, offset: int = 0) -> tuple[list[tuple], int]:
        matches = self.matches
        stop = None if limit is None else offset + limit
        page = slice(offset, stop)
        ids = self.columns.service_ids(matches.rows[page])
        distances = matches.distance[page]
        on_site = matches.on_site[page]
        ranked = [
            (service_id, None if np.isnan(distance) else float(distance), bool(site))
            for service_id, distance, site in zip(ids, distances, on_site, strict=True)
        ]
        return ranked, len(matches.rows)

    def facet_counts(self) -> dict[str, dict[str, int]]:
        """As services.facets.facet_counts: the search without its facet filters (duplicates
        collapsed on that set), each dimension counted over the rows passing the others."""
        conditions = self.conditions
        if not any(name in FACETED for name in conditions):
            rows = self.matches.rows  # no facet filter: the base set is the results
        else:
            candidates = self.candidates
            keep = np.ones(len(candidates.rows), dtype=bool)
            for name, passes in conditions.items():
                if name not in FACETED:
                    keep[keep] = passes(candidates.rows[keep])
            rows = self.collapse(candidates.take(keep)).rows
        passing = {name: conditions[name](rows) for name in FACETED if name in conditions}
        counts: dict[str, dict[str, int]] = {}
        for dimension, (condition, _) in DIMENSIONS.items():
            keep = np.ones(len(rows), dtype=bool)
            for name, passes in passing.items():
                if name != condition:
                    keep &= passes
            counts[dimension] = self.value_counts(FACET_COLUMNS[dimension], rows[keep])
        return counts

    def value_counts(self, column: str, rows: np.ndarray) -> dict[str, int]:
        columns = self.columns
        codes = columns.multi[column][rows].ravel() if column in columns.multi else columns.single[column][rows]
        counted = np.bincount(codes[codes >= 0], minlength=len(columns.values[column]))
        present = np.flatnonzero(counted)
        values = columns.values[column]
        return {values[code]: count for code, count in zip(present.tolist(), counted[present].tolist(), strict=True)}
