"""What curators look for in the data, as queryset conditions.

The admin list filters and the quality dashboard share these definitions, so that a figure on
the dashboard and the filtered list it links to always count the same records.
"""

import datetime

from data_inclusion.schema import v1
from django.db.models import BooleanField, Case, CharField, Count, Exists, OuterRef, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Left
from django.utils import timezone

from communes.departements import DEPARTEMENTS
from services.models import Service
from structures.models import Structure

# The module's own parser, without evaluating the hours: "unreadable" means exactly what the
# site cannot read (opening_status(...).parsed is False).
from structures.opening_hours import parse as parse_opening_hours
from structures.records import UnpublishedReason

LOW_SCORE = 0.5
STALE_AFTER = datetime.timedelta(days=365)
NO_DEPARTEMENT = "aucun"
CORSICA_POSTAL = "20"  # a Corsican postal code does not tell 2A from 2B

SCORE_BANDS = {
    "faible": ("Faible (moins de 0,5)", Q(score_qualite__lt=LOW_SCORE)),
    "moyen": ("Moyen (0,5 à 0,7)", Q(score_qualite__gte=LOW_SCORE, score_qualite__lt=0.7)),
    "bon": ("Bon (0,7 à 0,9)", Q(score_qualite__gte=0.7, score_qualite__lt=0.9)),
    "tres-bon": ("Très bon (0,9 et plus)", Q(score_qualite__gte=0.9)),
    "non-calcule": ("Non calculé", Q(score_qualite__isnull=True)),
}

DEPARTEMENT_CHOICES = [
    *((code, f"{code} – {name}") for code, (name, _) in DEPARTEMENTS.items()),
    (CORSICA_POSTAL, "Corse (code postal seulement)"),
    (NO_DEPARTEMENT, "Non renseigné"),
]


def departement_expression():
    """The record's département: from its code INSEE, else from its postal code."""
    return Case(
        When(code_insee__startswith="97", then=Left("code_insee", 3)),
        When(code_insee__isnull=False, then=Left("code_insee", 2)),
        When(code_postal__startswith="97", then=Left("code_postal", 3)),
        When(code_postal__isnull=False, then=Left("code_postal", 2)),
        default=Value(NO_DEPARTEMENT),
        output_field=CharField(),
    )


def in_departement(queryset: QuerySet, code: str) -> QuerySet:
    return queryset.alias(departement=departement_expression()).filter(departement=code)


def thematiques_of(categorie: str) -> list[str]:
    return [t.value for t in v1.Thematique if t.value.startswith(f"{categorie}--")]


def in_categorie(queryset: QuerySet, categorie: str) -> QuerySet:
    """Services with a thématique of the category; structures with such a service."""
    condition = Q(thematiques__overlap=thematiques_of(categorie))
    if queryset.model is Service:
        return queryset.filter(condition)
    return queryset.filter(Exists(Service.objects.filter(condition, structure=OuterRef("pk"))))


# Publication states, as the public sees them.
def publication_conditions(model) -> dict[str, tuple[str, Q]]:
    hidden = Q(is_published=False, unpublished_reason=UnpublishedReason.HIDDEN_BY_CURATOR)
    removed = Q(is_published=False, unpublished_reason=UnpublishedReason.REMOVED_UPSTREAM)
    if model is Service:
        return {
            "publie": ("Publié", Q(is_published=True, structure__is_published=True)),
            "masque": ("Masqué par un curateur", hidden),
            "retire": ("Retiré par la source", removed),
            "structure-depubliee": ("Structure non publiée", Q(is_published=True, structure__is_published=False)),
        }
    return {
        "publie": ("Publié", Q(is_published=True)),
        "masque": ("Masqué par un curateur", hidden),
        "retire": ("Retiré par la source", removed),
    }


def stale_condition() -> Q:
    return Q(date_maj__lt=timezone.localdate() - STALE_AFTER)


def _blank(name: str) -> Q:
    return Q(**{f"{name}__isnull": True}) | Q(**{name: ""})


def missing_contact(model) -> Q:
    """No way to reach them: no phone and no e-mail (nor web site, for a structure)."""
    names = ["telephone", "courriel"] + (["site_web"] if model is Structure else [])
    condition = Q()
    for name in names:
        condition &= _blank(name)
    return condition


def missing_coordinates(model) -> Q:
    """No point on the map; a service offered only remotely does not need one."""
    condition = Q(latitude__isnull=True) | Q(longitude__isnull=True)
    if model is Service:
        on_site = Q(modes_accueil__isnull=True) | Q(modes_accueil__contains=[v1.ModeAccueil.EN_PRESENTIEL.value])
        condition &= on_site
    return condition


# Validity of opening-hours strings, by string. A national dataset has a few thousand distinct
# strings for 140,000 records: each is parsed once per process, never once per row.
_HOURS_VALIDITY: dict[str, bool] = {}
_HOURS_CACHE_LIMIT = 200_000


def hours_are_valid(hours: str) -> bool:
    valid = _HOURS_VALIDITY.get(hours)
    if valid is None:
        if len(_HOURS_VALIDITY) >= _HOURS_CACHE_LIMIT:
            _HOURS_VALIDITY.clear()
        valid = _HOURS_VALIDITY[hours] = parse_opening_hours(hours) is not None
    return valid


def hours_counts(queryset: QuerySet) -> dict[str, int]:
    """How many records of the queryset carry each distinct non-empty hours string."""
    rows = (
        queryset.exclude(horaires_accueil__isnull=True)
        .exclude(horaires_accueil="")
        .order_by()
        .values_list("horaires_accueil")
        .annotate(n=Count("pk"))
    )
    return dict(rows)


def invalid_hours(queryset: QuerySet) -> list[str]:
    return sorted(hours for hours in hours_counts(queryset) if not hours_are_valid(hours))


def with_invalid_hours(queryset: QuerySet) -> QuerySet:
    # The strings come from the whole table: one grouped scan, whatever the other filters.
    return queryset.filter(horaires_accueil__in=invalid_hours(queryset.model.objects.all()))


def is_curated() -> Q:
    # Same form as the partial indexes "…_curated", so that PostgreSQL uses them.
    return ~Q(curated_fields=[])


def differs_from_source(model) -> RawSQL:
    """A corrected field whose value is not the latest upstream one (same JSON as the import's)."""
    table = model._meta.db_table
    return RawSQL(
        f"EXISTS (SELECT 1 FROM unnest({table}.curated_fields) AS field "
        f"WHERE to_jsonb({table}.*) -> field IS DISTINCT FROM {table}.upstream_values -> field)",
        [],
        output_field=BooleanField(),
    )


QUALITY_PROBLEMS = {
    "sans-contact": "Sans contact (ni téléphone ni courriel)",
    "sans-coordonnees": "Sans coordonnées géographiques",
    "horaires-invalides": "Horaires illisibles",
}


def with_problem(queryset: QuerySet, problem: str) -> QuerySet:
    model = queryset.model
    if problem == "sans-contact":
        return queryset.filter(missing_contact(model))
    if problem == "sans-coordonnees":
        return queryset.filter(missing_coordinates(model))
    if problem == "horaires-invalides":
        return with_invalid_hours(queryset)
    return queryset
