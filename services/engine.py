"""The search contract (../shared/docs/search-contract.md) applied to the index held in memory (services.columns).

The only implementation of the contract's rules: eligibility and radius, filters, one structure per duplicate
group, the order, and the facet counts. PostgreSQL, the store, is asked only to turn typed words into the lexemes
of its French dictionary (``q``) and which parsed opening hours are open (``ouvert``).
"""

import re
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from django.db import connections, router
from django.utils import timezone

from core.geo import box_bounds, haversine_km
from core.text import normalize
from services import columns_store, scopes
from services.columns import Columns
from services.facets import FACET_COLUMNS, FacetCounts
from services.models import SearchEntry
from services.search import (
    FACETS,
    REMOTE,
    SPECIFICITY_LEVELS,
    TOUS_PUBLICS,
    SearchParams,
    effective_thematiques,
)
from structures.opening_hours import MINUTES_PER_DAY, PARIS, is_public_holiday

# Up to this many first results, hits() sorts only the rows that may come first (Search.first).
PARTIAL_SORT_MAX = 1_000
# A lexeme in a tsquery's text ('permi' & 'conduir'); normalised text holds no quote.
LEXEME = re.compile(r"'([^']*)'")


@dataclass(frozen=True)
class Hit:
    service_id: str
    distance_km: float | None  # on site only
    on_site: bool


@dataclass
class Rows:
    """Index rows with their ranking keys."""

    rows: np.ndarray
    distance: np.ndarray  # km, NaN when not on site
    on_site: np.ndarray
    specificity: np.ndarray

    def take(self, keep: np.ndarray) -> "Rows":
        return Rows(self.rows[keep], self.distance[keep], self.on_site[keep], self.specificity[keep])


def within_first(positions: np.ndarray, key: np.ndarray, count: int | None) -> tuple[np.ndarray, np.ndarray]:
    """The positions whose key is among the ``count`` smallest (ties included, so that sorting them gives the first
    ``count`` in order), with their keys; all of them when count is None or covers them."""
    if count is None or count >= len(key):
        return positions, key
    if count <= 0:
        return positions[:0], key[:0]
    kept = key <= np.partition(key, count - 1)[count - 1]
    return positions[kept], key[kept]


def specificity(rows: np.ndarray, zoned: list[tuple[str, np.ndarray]]) -> np.ndarray:
    """Per row (in index order), the most specific level of the zones (level, their rows) that hold it: its index
    in SPECIFICITY_LEVELS, from most to least specific; their count when no zone holds it."""
    found = np.full(len(rows), len(SPECIFICITY_LEVELS), dtype=np.int8)
    for level, zone in reversed(zoned):
        at = np.searchsorted(rows, zone)
        held = at < len(rows)
        held[held] = rows[at[held]] == zone[held]
        found[at[held]] = SPECIFICITY_LEVELS.index(level)
    return found


class Search:
    """One search (SearchParams) answered from the columns of the index."""

    def __init__(self, params: SearchParams, columns: Columns, connection):
        self.params = params
        self.columns = columns
        self.connection = connection

    @classmethod
    def of(cls, params: SearchParams) -> "Search":
        """The search on the database this request reads from (a replica, maybe), with its columns."""
        connection = connections[router.db_for_read(SearchEntry)]
        return cls(params, columns_store.current(connection.alias), connection)

    # -- geography -------------------------------------------------------------------------------------------

    @cached_property
    def candidates(self) -> Rows:
        """Eligible rows on site within the radius or offered remotely (contract, Geography), with their
        distance and specificity; every row without an origin."""
        columns, origin, radius = self.columns, self.params.origin, self.params.radius_km
        if origin is None:
            size = columns.size
            return Rows(np.arange(size), np.full(size, np.nan), np.zeros(size, bool), np.zeros(size, np.int8))
        codes = origin.commune.eligibility_codes
        # The rows of the place's zones (commune, EPCI, département): the rows of its national codes are national.
        zoned = [(level, columns.zone_rows.get(code)) for level in SPECIFICITY_LEVELS for code in codes[level]]
        zoned = [(level, rows) for level, rows in zoned if rows is not None]
        eligible = columns.eligible_for(code for level in SPECIFICITY_LEVELS for code in codes[level])
        # Near: eligible, in the box around the place, then within the radius (only these get a distance).
        near = columns.rows_in_box(*box_bounds(origin.latitude, origin.longitude, radius))
        near = near[eligible[near]]
        distance = haversine_km(columns.latitude[near], columns.longitude[near], origin.latitude, origin.longitude)
        within = distance <= radius
        near, distance = near[within], distance[within]
        # The candidates: those near, and the eligible ones offered remotely.
        taken = eligible & columns.has_mode(REMOTE)
        taken[near] = True
        rows = np.flatnonzero(taken)
        on_site = np.zeros(len(rows), dtype=bool)
        measured = np.full(len(rows), np.nan)
        near_at = np.searchsorted(rows, near)
        on_site[near_at] = columns.offered_on_site[near]
        measured[near_at] = np.where(on_site[near_at], distance, np.nan)
        return Rows(rows, measured, on_site, specificity(rows, zoned))

    # -- filters ---------------------------------------------------------------------------------------------

    def has_any(self, column: str, values, rows: np.ndarray) -> np.ndarray:
        """Per row, whether its values in the column (one or several) include one of ``values``."""
        columns = self.columns
        codes = columns.codes(column, values)
        matrix = columns.matrix(column)
        if matrix.shape[1] == 1:
            # One value per row (the hours open now may be thousands): a lookup per row in a table of those wanted.
            wanted = np.zeros(len(columns.values[column]) + 1, dtype=bool)
            wanted[codes + 1] = True
            return wanted[matrix[:, 0].take(rows) + 1]
        # Several (the needs, the publics): the rows of the few values wanted are marked, then read at the rows.
        offsets, holding = columns.holding(column)
        marked = np.zeros(columns.size, dtype=bool)
        for code in codes:
            marked[holding[offsets[code] : offsets[code + 1]]] = True
        return marked[rows]

    def facet_match(self, facet: str, chosen, rows: np.ndarray) -> np.ndarray | None:
        """Which rows a choice of values of a facet keeps (None: no filter), by the contract's rules."""
        if not chosen:
            return None
        if facet == "thematiques":
            return self.has_any("thematiques", effective_thematiques(chosen), rows)
        if facet == "publics":
            # A service with no publics never matches; tous-publics asked means no filter.
            return None if TOUS_PUBLICS in chosen else self.has_any("publics", {*chosen, TOUS_PUBLICS}, rows)
        return self.has_any(FACET_COLUMNS[facet], chosen, rows)

    @cached_property
    def others(self) -> dict:
        """The filters that are not facets, as functions of rows -> which pass."""
        params, columns = self.params, self.columns
        conditions = {}
        if params.score_qualite_minimum is not None:
            minimum = params.score_qualite_minimum
            conditions["score_qualite_minimum"] = lambda rows: np.nan_to_num(columns.score[rows], nan=-1) >= minimum
        if params.ouvert:
            open_keys = self.open_hours_keys()
            conditions["ouvert"] = lambda rows: self.has_any("hours_key", open_keys, rows)
        text = normalize(params.q)
        if text:
            matching = self.text_matches(text)
            conditions["q"] = lambda rows: matching[rows]
        for name, mask in scopes.masks(params, columns).items():
            conditions[name] = lambda rows, mask=mask: mask[rows]
        return conditions

    def text_matches(self, text: str) -> np.ndarray:
        """Which rows hold every word, as lexemes of PostgreSQL's French dictionary."""
        query = self.fetch_value("SELECT plainto_tsquery('french', %s)::text", [text])
        return self.columns.rows_with_words(LEXEME.findall(query or ""))

    def open_hours_keys(self) -> list[str]:
        """The parsed hours strings open now / at some point today in Europe/Paris (structures.OpeningHours).
        Services without hours, or with unparseable ones, never match."""
        local = (self.params.at or timezone.now()).astimezone(PARIS)
        minute, day_start = local.hour * 60 + local.minute, local.weekday() * MINUTES_PER_DAY
        if self.params.ouvert == "maintenant":
            weekly, weekly_params = (
                "EXISTS (SELECT 1 FROM unnest(h.weekly) AS r WHERE r @> %s::integer)",
                [day_start + minute],
            )
            holiday = "EXISTS (SELECT 1 FROM unnest(h.public_holiday_ranges) AS r WHERE r @> %s::integer)"
            holiday_params = [minute]
        else:
            weekly = "EXISTS (SELECT 1 FROM unnest(h.weekly) AS r WHERE r && int4range(%s, %s))"
            weekly_params = [day_start, day_start + MINUTES_PER_DAY]
            holiday, holiday_params = "cardinality(h.public_holiday_ranges) > 0", []
        condition, params = weekly, weekly_params
        if is_public_holiday(local.date()):
            condition = (
                f"NOT h.closed_on_public_holidays AND CASE WHEN h.public_holiday_ranges IS NOT NULL"
                f" THEN {holiday} ELSE {weekly} END"
            )
            params = holiday_params + weekly_params
        sql = f"SELECT array_agg(h.key) FROM structures_openinghours AS h WHERE h.weekly IS NOT NULL AND {condition}"
        return self.fetch_value(sql, params) or []

    def fetch_value(self, sql: str, params: list):
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0]

    @cached_property
    def narrowed(self) -> tuple[np.ndarray, dict[str, np.ndarray | None]]:
        """The candidates passing the filters that are not facets (their positions among the candidates), and
        over them, which rows each facet's choice keeps (None: nothing chosen)."""
        candidates = self.candidates
        keep = np.ones(len(candidates.rows), dtype=bool)
        for passes in self.others.values():
            keep[keep] = passes(candidates.rows[keep])
        index = np.flatnonzero(keep)
        rows = candidates.rows[index]
        return index, {facet: self.facet_match(facet, getattr(self.params, facet), rows) for facet in FACETS}

    def passing(self) -> Rows:
        """The candidates passing every filter."""
        index, masks = self.narrowed
        keep = np.ones(len(index), dtype=bool)
        for mask in masks.values():
            if mask is not None:
                keep &= mask
        return self.candidates.take(index[keep])

    # -- duplicates ------------------------------------------------------------------------------------------

    def kept(self, rows: np.ndarray) -> np.ndarray:
        """Which of the rows stay once each duplicate group shows one structure: the best ranked among them."""
        if not self.params.collapse_duplicates:
            return np.ones(len(rows), dtype=bool)
        groups = self.columns.duplicate_group[rows]
        grouped = groups >= 0
        keep = ~grouped
        if grouped.any():
            ranks = self.columns.structure_rank[rows]
            best = np.full(self.columns.group_count, np.iinfo(np.int64).max)
            np.minimum.at(best, groups[grouped], ranks[grouped])
            keep[grouped] = ranks[grouped] == best[groups[grouped]]
        return keep

    # -- results ---------------------------------------------------------------------------------------------

    @cached_property
    def matches(self) -> Rows:
        """The rows the search gives, in index order."""
        matches = self.passing()
        return matches.take(self.kept(matches.rows))

    @cached_property
    def results(self) -> Rows:
        """Matching rows in the contract's order: on site by distance, then the others by specificity, then
        score, then id (byte order)."""
        return self.first(None)

    def first(self, stop: int | None) -> Rows:
        """The first ``stop`` results in order (None: all of them). Only what may come first is sorted: a page
        out of a big city's results sorts a few dozen rows, not tens of thousands (np.partition)."""
        matches = self.matches
        on_site = np.flatnonzero(matches.on_site)
        distance = matches.distance[on_site]
        on_site, distance = within_first(on_site, distance, stop)
        order = np.lexsort((self.columns.id_rank[matches.rows[on_site]], distance))
        on_site = on_site[order][:stop]
        others = np.flatnonzero(~matches.on_site)
        left = None if stop is None else stop - len(on_site)
        if left is not None and left <= 0:
            others = others[:0]
        # By specificity then score and id (remote_rank): one key, as remote ranks are below the index's size.
        key = matches.specificity[others].astype(np.int64) * (self.columns.size + 1)
        key += self.columns.remote_rank[matches.rows[others]]
        others, key = within_first(others, key, left)
        others = others[np.argsort(key, kind="stable")][:left]
        return matches.take(np.concatenate((on_site, others)))

    @property
    def count(self) -> int:
        return len(self.matches.rows)

    def hits(self, start: int = 0, stop: int | None = None) -> list[Hit]:
        # A page's hits sort only what comes before them; longer lists (exports, by batches) sort everything once.
        partial = stop is not None and stop <= PARTIAL_SORT_MAX and "results" not in self.__dict__
        results = self.first(stop) if partial else self.results
        page = slice(start, stop)
        ids = self.columns.service_ids(results.rows[page])
        return [
            Hit(service_id, None if np.isnan(distance) else float(distance), bool(on_site))
            for service_id, distance, on_site in zip(ids, results.distance[page], results.on_site[page], strict=True)
        ]

    @property
    def on_site_count(self) -> int:
        return int(self.matches.on_site.sum())

    # -- facets ----------------------------------------------------------------------------------------------

    def facet_counts(self) -> dict[str, dict[str, int]]:
        """Next to each value of each facet, how many results the search gives once that value is chosen too (a
        chosen value: how many it gives alone): services.search.SearchParams.with_option (services.facets)."""
        return FacetCounts(self).all()
