"""How reliable the listing of a territory is: how recently its records were updated, their quality score, and the
records missing a way to contact them, their hours or their coordinates — in all and by source.

The records are those of the services located in the territory, every one of them (duplicates included: each
producer's record counts), as the search lists them with ``territoire`` and ``doublons=1``.
"""

from dataclasses import dataclass
from datetime import date

import numpy as np

from communes.territories import Territory
from services.engine import Search
from services.scopes import MISSING, days, missing
from services.search import SearchParams
from structures.sources import source_name
from territories.offer import search_url

MONTHS = (6, 12, 24)


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (the month's last day when it has fewer)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for candidate in range(day.day, 0, -1):
        try:
            return date(year, month, candidate)
        except ValueError:
            continue
    raise ValueError(day)


@dataclass
class Figure:
    count: int
    total: int
    url: str

    @property
    def share(self) -> float | None:
        return None if not self.total else self.count / self.total


@dataclass
class SourceRow:
    source: str
    label: str
    records: Figure
    updated: dict[int, Figure]  # months -> records updated within them
    older: Figure  # not updated within the longest
    mean_score: float | None
    missing: dict[str, Figure]  # contact, horaires, coordonnees
    bars: list[float]  # percent of records by age: within 6, 6–12, 12–24 months, older


class Reliability:
    def __init__(self, territory: Territory, columns, connection, today: date):
        self.territory = territory
        self.columns = columns
        self.cutoffs = {months: months_before(today, months) for months in MONTHS}
        search = Search(SearchParams(territoire=territory, collapse_duplicates=False), columns, connection)
        self.rows = np.sort(search.results.rows)

    def url(self, **params) -> str:
        return search_url(territoire=self.territory.slug, doublons=1, **params)

    def summary(self, rows: np.ndarray, source: str = "", label: str = "Toutes les sources") -> SourceRow:
        columns, total = self.columns, len(rows)
        scope = {"sources": source} if source else {}
        dates = columns.date_days[rows]
        updated = {
            months: Figure(int((dates >= days(cutoff)).sum()), total, self.url(maj_depuis=cutoff.isoformat(), **scope))
            for months, cutoff in self.cutoffs.items()
        }
        oldest = self.cutoffs[MONTHS[-1]]
        older = Figure(total - updated[MONTHS[-1]].count, total, self.url(maj_avant=oldest.isoformat(), **scope))
        scores = columns.score[rows]
        known = scores[~np.isnan(scores)]
        shares = [figure.count for figure in updated.values()]
        edges = [0, *shares, total]
        return SourceRow(
            source,
            label,
            Figure(total, total, self.url(**scope)),
            updated,
            older,
            float(known.mean()) if len(known) else None,
            {
                what: Figure(int(missing(columns, what)[rows].sum()), total, self.url(sans=what, **scope))
                for what in MISSING
            },
            [100 * (high - low) / total if total else 0 for low, high in zip(edges, edges[1:], strict=False)],
        )

    def by_source(self) -> list[SourceRow]:
        codes = self.columns.matrix("source")[self.rows, 0]
        values = self.columns.values["source"]
        found = sorted({int(code) for code in codes if code >= 0}, key=lambda code: source_name(values[code]).lower())
        return [self.summary(self.rows[codes == code], values[code], source_name(values[code])) for code in found]
