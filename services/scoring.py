"""score_qualite with the official criteria, fast enough for 140,000 services.

The official ``score_qualite.score`` is the reference; its ``date_maj_recente`` criterion
builds pendulum durations on every call and dominates the cost of an import. It only
depends on (source, date_maj), so a Scorer evaluates it once per pair and day. Every other
criterion is the official function itself; a test checks equality with ``score``.
"""

from types import SimpleNamespace

from data_inclusion.schema.v1 import score_qualite as official

# Producers whose date_maj the official criterion ignores (see score_qualite.date_maj_recente).
NOT_DATED_SOURCES = ("agefiph", "france-travail")


class Scorer:
    def __init__(self):
        self._recency: dict[tuple, float | None] = {}

    def _date_maj_recente(self, service) -> float | None:
        # The source only matters for the producers the criterion does not apply to.
        key = (service.source if service.source in NOT_DATED_SOURCES else "", service.date_maj)
        if key not in self._recency:
            self._recency[key] = official.date_maj_recente(SimpleNamespace(source=key[0], date_maj=key[1]))
        return self._recency[key]

    def score(self, service) -> float:
        results = [
            self._date_maj_recente(service) if criterion is official.date_maj_recente else criterion(service)
            for criterion in official.CRITERES
        ]
        relevant = [round(value, 2) for value in results if value is not None]
        return round(sum(relevant) / len(relevant), 2)
