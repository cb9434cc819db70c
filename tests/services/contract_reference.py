"""A second implementation of ../shared/docs/search-contract.md, for tests only: plain loops over the rows of the
search index, written from the contract's text without looking at the engine (services.engine). A randomised
test compares the two (test_contract_reference.py).

It asks PostgreSQL only what the contract leaves to it: which rows the typed words match (its French dictionary),
and nothing else; opening hours are evaluated here with the opening_hours library.
"""

import math
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import connection
from django.utils import timezone
from opening_hours import OpeningHours, State

from services.models import SearchEntry
from services.search import CATEGORIES, THEMATIQUES_OF, SearchParams
from structures.opening_hours import gives_rules

RADIUS = 6371.0088
PARIS = ZoneInfo("Europe/Paris")
LEVELS = ("commune", "epci", "departement")


def distance_km(lat1, lon1, lat2, lon2) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((phi2 - phi1) / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * RADIUS * math.asin(min(1.0, math.sqrt(a)))


def open_at(hours: str | None, moment: datetime, whole_day: bool) -> bool:
    if not hours or not gives_rules(hours):  # comments alone say nothing of when it opens
        return False
    try:
        oh = OpeningHours(hours.strip(), timezone=moment.tzinfo, country="FR")
    except Exception:  # unparseable hours never match
        return False
    if not whole_day:
        return oh.is_open(moment)
    start = datetime.combine(moment.date(), time.min, tzinfo=moment.tzinfo)
    return any(state == State.OPEN for _, _, state, _ in oh.intervals(start, start + timedelta(days=1)))


def needs(values) -> set[str]:
    """The thématiques asked: a category for all of its own, unless some of them are asked too."""
    asked = set(values)
    result = set()
    for value in asked:
        if value in CATEGORIES:
            chosen = asked & set(THEMATIQUES_OF[value])
            result |= chosen or set(THEMATIQUES_OF[value])
        else:
            result.add(value)
    return result


def text_matches(q: str) -> set[str]:
    """The services holding every lexeme PostgreSQL's French dictionary makes of the words."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT ARRAY(SELECT unnest(tsvector_to_array(to_tsvector('french', %s))))", [q])
        words = set(cursor.fetchone()[0])
    if not words:
        return set()
    return {row.service_id for row in SearchEntry.objects.all() if words <= set(row.lexemes.split())}


def passes_filters(row, params: SearchParams, texts, moment) -> bool:
    if params.thematiques and not set(row.thematiques or []) & needs(params.thematiques):
        return False
    everyone = "tous-publics" in params.publics
    if params.publics and not everyone and not set(row.publics or []) & {*params.publics, "tous-publics"}:
        return False
    if params.frais and row.frais not in params.frais:
        return False
    if params.types and row.type not in params.types:
        return False
    if params.sources and row.source not in params.sources:
        return False
    if params.modes_accueil and not set(row.modes_accueil or []) & set(params.modes_accueil):
        return False
    if params.score_qualite_minimum is not None and (
        row.score_qualite is None or row.score_qualite < params.score_qualite_minimum
    ):
        return False
    if texts is not None and row.service_id not in texts:
        return False
    return not params.ouvert or open_at(row.hours, moment, params.ouvert == "aujourdhui")


def search(params: SearchParams) -> list[tuple[str, float | None, bool]]:
    """(service id, distance or None, on site) of every result, in the contract's order."""
    texts = None
    if params.q.strip():
        texts = text_matches(params.q)
    moment = (params.at or timezone.now()).astimezone(PARIS)
    found = []  # (row, distance, on_site, specificity)
    for row in SearchEntry.objects.all():
        distance, on_site, specificity = None, False, 3
        if params.origin is not None:
            codes = params.origin.commune.eligibility_codes
            every_code = {code for level in codes.values() for code in level}
            if row.zone_eligibilite is not None and not set(row.zone_eligibilite) & every_code:
                continue
            close = row.latitude is not None and row.longitude is not None
            if close:
                measured = distance_km(params.origin.latitude, params.origin.longitude, row.latitude, row.longitude)
                close = measured <= params.radius_km
            remote = "a-distance" in (row.modes_accueil or [])
            if not close and not remote:
                continue
            on_site = close and (row.modes_accueil is None or "en-presentiel" in row.modes_accueil)
            distance = measured if on_site else None
            for rank, level in enumerate(LEVELS):
                if row.zone_eligibilite and set(row.zone_eligibilite) & set(codes[level]):
                    specificity = rank
                    break
        if passes_filters(row, params, texts, moment):
            found.append((row, distance, on_site, specificity))
    if params.collapse_duplicates:
        found = one_structure_per_group(found)

    def order(item):
        row, distance, on_site, specificity = item
        if on_site:
            return (0, distance, 0, 0, row.service_id.encode())
        score = -row.score_qualite if row.score_qualite is not None else math.inf
        return (1, 0, specificity, score, row.service_id.encode())

    return [(row.service_id, distance, on_site) for row, distance, on_site, _ in sorted(found, key=order)]


def one_structure_per_group(found):
    best = {}
    for row, *_ in found:
        if row.duplicate_group is None:
            continue
        score = -row.structure_score if row.structure_score is not None else math.inf
        key = (not row.structure_preferred, score, -row.structure_date.toordinal(), row.structure_id.encode())
        if row.duplicate_group not in best or key < best[row.duplicate_group][0]:
            best[row.duplicate_group] = (key, row.structure_id)
    return [
        item
        for item in found
        if item[0].duplicate_group is None or item[0].structure_id == best[item[0].duplicate_group][1]
    ]
