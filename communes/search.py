"""Finding the commune a person means from what they type: the autocomplete and the no-JavaScript fallback.

Names are matched through `Commune.search_vector`, a tsvector of the normalised name's words (weight A), the postal
codes (B) and the INSEE code (C), with a GIN index: PostgreSQL answers prefix queries ('etien':*) from that index
without pg_trgm or unaccent, and the weights keep "42" from matching a name when it means a postal code. Queries are
normalised in Python with the function that wrote the vectors (core.text.normalize), so "ST-ÉTIENNE",
"saint etienne" and "st etienne" all become lexemes of the same form.
"""

import dataclasses
import re

from django.db import connection, models, router
from django.db.models.query import RawQuerySet

from communes.models import CODE_INSEE_WEIGHT, NAME_WEIGHT, POSTAL_CODE_WEIGHT, Commune, departement_label
from core import data_version
from core.text import normalize

# Below this many characters (once normalised) a name query matches too much to help; digits are always searched.
MIN_LENGTH = 2
MAX_LENGTH = 100
LIMIT = 10

# Abbreviations people type for whole words. The abbreviation also stays a prefix of its own: "st" finds Strasbourg.
ABBREVIATIONS = {"st": "saint", "ste": "sainte"}
# "11e", "11eme", "11ème", "1er", "1ere": the INSEE spells arrondissements "1er", "2e"… "20e".
ORDINAL_RE = re.compile(r"^(\d+)(?:e|er|ere|eme|em|me|ieme|iere|ier)$")
# Corsican INSEE codes once normalised: 2a004, 2b033.
CORSICAN_CODE_RE = re.compile(r"^2[ab]\d{3}$")
# A label as the suggestions show it (Commune.label_for): "Saint-Étienne (42000)", with a postal code; "Paris (75)",
# "Saint-Denis (93)", "Saint-Denis (La Réunion)", with a département.
LABEL_RE = re.compile(r"^(?P<nom>.*\S)\s*\(\s*(?P<code>[^()]*[^()\s])\s*\)$")
# The order of places of equal rank, biggest first.
POPULATION_ORDER = (models.F("population").desc(nulls_last=True), "nom", "code_insee", "type")
# Written as in the condition of the index commune_population_idx, for PostgreSQL to see that it applies. Constants of
# our own, not input.
SEARCHABLE_TYPES_SQL = "({})".format(", ".join(f"'{type_}'" for type_ in Commune.SEARCHABLE_TYPES))
SUBDIVISION_TYPES_SQL = "({})".format(", ".join(f"'{type_}'" for type_ in Commune.SUBDIVISION_TYPES))
# Two places of the same name: the first is taken for granted only when it is this many times more populous.
CLEAR_MAJORITY = 10


@dataclasses.dataclass(frozen=True)
class Terms:
    """A query, parsed: what the SQL needs to find and rank the places."""

    # Every word must match (prefix of a name word, or a code): a tsquery of normalised lexemes.
    tsquery: str
    # The query as a whole name: as typed, and with abbreviations and ordinals spelled out ("saint etienne").
    names: tuple[str, ...]
    # The numbers typed, matched whole: "paris 1" → 1er before 10e; "13008" → that postal code before others.
    whole_numbers_tsquery: str | None
    # Digits typed: postal code prefixes ("420") or full codes ("75011").
    numbers: tuple[str, ...]
    # Nothing but digits: postal or INSEE codes.
    only_numbers: bool

    @property
    def postal_codes(self) -> tuple[str, ...]:
        return tuple(number for number in self.numbers if len(number) == 5)


def parse(text: str | None) -> Terms | None:
    """The terms of a query, None when there is nothing worth searching (empty, too short, no letter or digit)."""
    name = normalize((text or "")[:MAX_LENGTH])
    if not name or (len(name) < MIN_LENGTH and not name.isdigit()):
        return None
    words = name.split()
    only_numbers = all(word.isdigit() for word in words)
    clauses, whole, numbers, spelled_out = [], [], [], []
    for word in words:
        ordinal = ORDINAL_RE.match(word)
        if word.isdigit():
            numbers.append(word)
            # A query of digits is a postal code (by prefix) or an INSEE code; after a name, "Paris 11" means the
            # arrondissement "11e", so the number is also a prefix of a name word.
            options = [lexeme(word, POSTAL_CODE_WEIGHT, prefix=True)]
            if len(word) == 5:
                options.append(lexeme(word, CODE_INSEE_WEIGHT))
            if not only_numbers:
                options.append(lexeme(word, NAME_WEIGHT, prefix=True))
            clauses.append(any_of(options))
            # Ranked first: the places with that very postal code (or arrondissement), before the other postal codes
            # it starts and before the place with that INSEE code ("13008" is Marseille 8e first, then Aurons).
            if not only_numbers:
                whole.append(any_of([lexeme(word, POSTAL_CODE_WEIGHT), lexeme(ordinal_word(word), NAME_WEIGHT)]))
            elif len(word) == 5:
                whole.append(lexeme(word, POSTAL_CODE_WEIGHT))
            spelled_out.append(word)
        elif ordinal:
            canonical = ordinal_word(ordinal[1])
            clauses.append(lexeme(canonical, NAME_WEIGHT, prefix=True))
            spelled_out.append(canonical)
        elif CORSICAN_CODE_RE.match(word):
            clauses.append(any_of([lexeme(word, NAME_WEIGHT, prefix=True), lexeme(word, CODE_INSEE_WEIGHT)]))
            spelled_out.append(word)
        elif word in ABBREVIATIONS:
            clauses.append(any_of([lexeme(word, NAME_WEIGHT, prefix=True), lexeme(ABBREVIATIONS[word], NAME_WEIGHT)]))
            spelled_out.append(ABBREVIATIONS[word])
        else:
            clauses.append(lexeme(word, NAME_WEIGHT, prefix=True))
            spelled_out.append(word)
    return Terms(
        tsquery=" & ".join(clauses),
        names=tuple(dict.fromkeys([name, " ".join(spelled_out)])),
        whole_numbers_tsquery=" & ".join(whole) or None,
        numbers=tuple(numbers),
        only_numbers=only_numbers,
    )


def lexeme(word: str, weight: str, *, prefix: bool = False) -> str:
    # Words are [0-9a-z]+ (normalize() saw to it): nothing to escape in a tsquery.
    return f"'{word}':{'*' if prefix else ''}{weight}"


def any_of(options: list[str]) -> str:
    return options[0] if len(options) == 1 else f"({' | '.join(options)})"


def ordinal_word(number: str) -> str:
    number = number.lstrip("0") or "0"
    return f"{number}er" if number == "1" else f"{number}e"


def suggest(text: str | None, limit: int = LIMIT) -> list[Commune]:
    """Communes and arrondissements matching what is typed, best first, in one query.

    Ranking: the name typed in full, then (when numbers are typed) the places matching them whole, then the most
    populous. Each suggestion carries `suggestion_label` ("Marseille 8e Arrondissement (13008)", with the postal code
    typed when there is one) and `via`: the name of the commune déléguée or associée typed when the place is found
    through it ("Bellegarde-sur-Valserine" for Valserhône), else None.
    """
    terms = parse(text)
    if terms is None:
        return []
    communes = list(ranked(terms, max(1, min(limit, LIMIT))))
    for commune in communes:
        commune.suggestion_label = commune.label_for(typed_postal_code(commune, terms.numbers))
    return communes


def ranked(terms: Terms, limit: int = LIMIT) -> RawQuerySet:
    """The places matching the terms, in the order they are suggested, at most `limit`: a RawQuerySet of Commune.

    Two parts in one query: the places named exactly as typed, then the others by population. The second part is
    ordered like the index commune_population_idx, so for a frequent prefix of a name ("sa": 5,000 places) PostgreSQL
    walks the most populous places down to the tenth that matches rather than sorting all of them (0.7 ms instead of
    5 ms), and for a rare one it sorts the few matches of the GIN index: its statistics tell which is which.

    Written in SQL: the same QuerySet (a union of two ordered, sliced parts with subqueries) took Django 2.5 ms to
    compile, four times what PostgreSQL takes to answer it.
    """
    table = connection.ops.quote_name(Commune._meta.db_table)
    params = {"names": list(terms.names), "tsquery": terms.tsquery, "limit": limit}
    columns = [
        # The name of the commune déléguée or associée typed, when the place is found through it.
        "(SELECT subdivision.nom FROM subdivision WHERE subdivision.parent_id = place.id "
        "ORDER BY subdivision.nom LIMIT 1) AS via"
    ]
    # Tiers of the numbers typed, ranked before the population.
    order = []
    if terms.whole_numbers_tsquery:
        columns.append(
            "CASE WHEN place.search_vector @@ %(whole_numbers)s::tsquery THEN 0 ELSE 1 END AS whole_numbers"
        )
        params["whole_numbers"] = terms.whole_numbers_tsquery
        order.append("whole_numbers")
    if terms.postal_codes:
        # Paris has the postal codes of its arrondissements: for "75011" the 11e arrondissement is the answer, and
        # Paris comes after it.
        columns.append(
            f"EXISTS (SELECT FROM {table} arrondissement WHERE arrondissement.parent_id = place.id "
            f"AND arrondissement.type = %(arrondissement)s AND arrondissement.codes_postaux && %(postal_codes)s) "
            f"AS city_of_arrondissement"
        )
        params.update(arrondissement=Commune.Type.ARRONDISSEMENT, postal_codes=list(terms.postal_codes))
        order.append("city_of_arrondissement")
    order += ["population DESC NULLS LAST", "nom", "code_insee", "type"]

    named = "(place.search_name = ANY(%(names)s) OR place.id = ANY(ARRAY(SELECT parent_id FROM subdivision)))"
    searchable = f"{table} place WHERE place.type IN {SEARCHABLE_TYPES_SQL} AND"
    ctes = [
        f"subdivision AS (SELECT parent_id, nom FROM {table} "
        f"WHERE type IN {SUBDIVISION_TYPES_SQL} AND parent_id IS NOT NULL AND search_name = ANY(%(names)s))"
    ]
    if terms.only_numbers and min(len(number) for number in terms.numbers) > 1:
        # Postal codes gather in the little-populated départements: walking down the population index, "701" would
        # visit 10,000 places before ten matches. The matches (a thousand at most) are collected first, then sorted.
        # One digit matches a tenth of the country, big towns included: walking is quicker.
        ctes.append(
            f"matched AS MATERIALIZED (SELECT place.* FROM {searchable} place.search_vector @@ %(tsquery)s::tsquery)"
        )
        others = f"matched place WHERE NOT {named}"
    else:
        others = f"{searchable} place.search_vector @@ %(tsquery)s::tsquery AND NOT {named}"
    parts = [
        f"(SELECT place.*, {tier} AS tier, {', '.join(columns)} FROM {source} "
        f"ORDER BY {', '.join(order)} LIMIT %(limit)s)"
        for tier, source in ((0, f"{searchable} {named}"), (1, others))
    ]
    sql = (
        f"WITH {', '.join(ctes)} "
        f"SELECT * FROM ({parts[0]} UNION ALL {parts[1]}) AS suggestion "
        f"ORDER BY tier, {', '.join(order)} LIMIT %(limit)s"
    )
    return Commune.objects.raw(sql, params)


def typed_postal_code(commune: Commune, numbers: tuple[str, ...]) -> str | None:
    """The postal code of the place that the digits typed start, if any."""
    for number in numbers:
        for code in commune.codes_postaux:
            if code.startswith(number):
                return code
    return None


def resolve_commune_input(text: str | None) -> Commune | None:
    """The place meant by text submitted without choosing a suggestion (the form without JavaScript), or None.

    - a label of the suggestions, "Saint-Étienne (42000)", "Saint-Denis (93)", "Saint-Denis (La Réunion)": that place;
    - a postal code of one place (an arrondissement rather than its city), or else an INSEE code: that place;
    - a name typed in full: the only place of that name, or the first when it is CLEAR_MAJORITY times more populous
      than the second; else the commune of a commune déléguée or associée of that name, when there is one.
    """
    text = (text or "").strip()
    if not text or len(text) > MAX_LENGTH:
        return None
    searchable = Commune.objects.searchable()

    label = LABEL_RE.match(text)
    if label:
        code = normalize(label["code"])
        for commune in searchable.filter(search_name=normalize(label["nom"])).order_by(*POPULATION_ORDER):
            departement = (normalize(commune.departement), normalize(departement_label(commune.departement)))
            if code in commune.codes_postaux or code in departement:
                return commune

    name = normalize(text)
    if re.fullmatch(r"\d{5}", name):
        places = list(searchable.filter(codes_postaux__contains=[name]).order_by(*POPULATION_ORDER))
        # A city of arrondissements holds their postal codes: the arrondissement is the precise answer.
        parents = {place.parent_id for place in places if place.type == Commune.Type.ARRONDISSEMENT}
        places = [place for place in places if place.pk not in parents]
        if len(places) == 1:
            return places[0]
        return None if places else searchable.filter(code_insee=name).first()
    if CORSICAN_CODE_RE.match(name):
        return searchable.filter(code_insee=name.upper()).first()

    terms = parse(name)
    if terms is None:
        return None
    namesakes = list(searchable.filter(search_name__in=terms.names).order_by(*POPULATION_ORDER)[:2])
    if len(namesakes) == 1:
        return namesakes[0]
    if len(namesakes) == 2:
        first, second = (commune.population or 0 for commune in namesakes)
        return namesakes[0] if first >= CLEAR_MAJORITY * max(second, 1) else None
    parents = list(
        searchable.filter(
            subdivisions__type__in=Commune.SUBDIVISION_TYPES, subdivisions__search_name__in=terms.names
        ).distinct()[:2]
    )
    return parents[0] if len(parents) == 1 else None


# The places of the INSEE codes searches asked for, per data version (which a communes import bumps): the code
# of a search is nearly always one of a few thousand places, and its query cost a search ~0.7 ms.
_by_code: dict[tuple, Commune | None] = {}
MAX_CODES_KEPT = 10_000


def commune_by_code(code_insee: str) -> Commune | None:
    """Commune.objects.by_code, for the current data: the Commune returned is shared, never to be changed."""
    using = router.db_for_read(Commune)
    key = (using, data_version.current(using), code_insee)
    if key not in _by_code:
        if len(_by_code) >= MAX_CODES_KEPT:
            _by_code.clear()
        _by_code[key] = Commune.objects.using(using).by_code(code_insee)
    return _by_code[key]
