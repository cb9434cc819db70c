"""Figures of the quality dashboard, each with the admin list it counts.

Quality figures count published records (what the public sees); each links to the admin list
filtered with the same conditions (curation.quality), so the list shows as many records as the
figure says. Every figure is one grouped or conditional aggregate: a dozen queries in all,
whatever the size of the data.
"""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.http import urlencode

from communes.departements import DEPARTEMENTS
from curation import quality
from imports.models import ImportRun
from services.models import ErrorReport, Service
from structures.models import Structure
from structures.sources import source_name

RECENT_RUNS = 5
RECENT_REPORTS = 10
PUBLISHED = {"publication": "publie"}


@dataclass
class Figure:
    count: int
    url: str

    @property
    def display(self) -> str:
        """The count with French thousands separators (narrow no-break spaces)."""
        return f"{self.count:,}".replace(",", "\u202f")


def changelist_url(model, **params) -> str:
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    return f"{url}?{urlencode(params)}" if params else url


def figure(model, count: int, **params) -> Figure:
    return Figure(count=count, url=changelist_url(model, **params))


def published(model):
    return model.objects.filter(quality.publication_conditions(model)["publie"][1])


def by_source() -> list[dict]:
    hidden = quality.publication_conditions(Service)["masque"][1]
    rows: dict[str, dict] = {}
    for model, key in ((Structure, "structures"), (Service, "services")):
        conditions = quality.publication_conditions(model)
        counts = (
            model.objects.order_by()
            .values("source")
            .annotate(
                total=Count("pk"),
                published=Count("pk", filter=conditions["publie"][1]),
                hidden=Count("pk", filter=hidden),
                curated=Count("pk", filter=quality.is_curated()),
            )
        )
        for row in counts:
            source = row["source"]
            entry = rows.setdefault(source, {"source": source, "name": source_name(source)})
            entry[key] = {
                "total": figure(model, row["total"], source=source),
                "published": figure(model, row["published"], source=source, **PUBLISHED),
                "hidden": figure(model, row["hidden"], source=source, publication="masque"),
                "curated": figure(model, row["curated"], source=source, corrige="oui"),
            }
    return sorted(rows.values(), key=lambda entry: entry["name"].lower())


def by_departement() -> list[dict]:
    rows: dict[str, dict] = {}
    labels = dict(quality.DEPARTEMENT_CHOICES)
    for model, key in ((Structure, "structures"), (Service, "services")):
        counts = (
            published(model)
            .annotate(departement=quality.departement_expression())
            .order_by()
            .values("departement")
            .annotate(n=Count("pk"))
        )
        for row in counts:
            code = row["departement"]
            entry = rows.setdefault(code, {"code": code, "name": labels.get(code, code)})
            entry[key] = figure(model, row["n"], departement=code, **PUBLISHED)
    order = {code: index for index, code in enumerate([*DEPARTEMENTS, quality.CORSICA_POSTAL])}
    return sorted(rows.values(), key=lambda entry: (order.get(entry["code"], len(order)), entry["code"]))


def problems() -> tuple[list[dict], dict[str, Figure]]:
    """Quality problems of published records: one row per problem, structures and services;
    and the number of published records."""
    rows = [
        {"key": "sans-contact", "label": quality.QUALITY_PROBLEMS["sans-contact"]},
        {"key": "sans-coordonnees", "label": quality.QUALITY_PROBLEMS["sans-coordonnees"]},
        {"key": "horaires-invalides", "label": quality.QUALITY_PROBLEMS["horaires-invalides"]},
        {"key": "perime", "label": "Mis à jour il y a plus d'un an"},
        {
            "key": "score-faible",
            "label": f"Score de qualité faible (moins de {quality.LOW_SCORE:.1f})".replace(".", ","),
        },
        {"key": "ecart", "label": "Corrigés, et la source a une autre valeur"},
    ]
    totals = {}
    for model, key in ((Structure, "structures"), (Service, "services")):
        records = published(model)
        counts = records.aggregate(
            total=Count("pk"),
            missing_contact=Count("pk", filter=quality.missing_contact(model)),
            missing_coordinates=Count("pk", filter=quality.missing_coordinates(model)),
            stale=Count("pk", filter=quality.stale_condition()),
            low_score=Count("pk", filter=quality.SCORE_BANDS["faible"][1]),
        )
        hours = quality.hours_counts(records)
        invalid_hours = sum(n for value, n in hours.items() if not quality.hours_are_valid(value))
        differs = records.filter(quality.is_curated()).filter(quality.differs_from_source(model)).count()
        values = {
            "sans-contact": figure(model, counts["missing_contact"], qualite="sans-contact", **PUBLISHED),
            "sans-coordonnees": figure(model, counts["missing_coordinates"], qualite="sans-coordonnees", **PUBLISHED),
            "horaires-invalides": figure(model, invalid_hours, qualite="horaires-invalides", **PUBLISHED),
            "perime": figure(model, counts["stale"], perime="oui", **PUBLISHED),
            "score-faible": figure(model, counts["low_score"], score="faible", **PUBLISHED),
            "ecart": figure(model, differs, ecart="oui", **PUBLISHED),
        }
        for row in rows:
            row[key] = values[row["key"]]
        totals[key] = figure(model, counts["total"], **PUBLISHED)
    return rows, totals


def reports() -> dict:
    counts = dict(ErrorReport.objects.order_by().values_list("status").annotate(n=Count("pk")))
    return {
        "statuses": [
            {
                "label": label,
                "figure": Figure(
                    count=counts.get(status, 0),
                    url=changelist_url(ErrorReport, status__exact=status),
                ),
            }
            for status, label in ErrorReport.Status.choices
        ],
        "recent": list(
            ErrorReport.objects.filter(status=ErrorReport.Status.NEW).select_related("service")[:RECENT_REPORTS]
        ),
        "all_url": changelist_url(ErrorReport),
    }


def import_runs() -> list[dict]:
    runs = ImportRun.objects.annotate(rejected=Count("rejected_records"))[:RECENT_RUNS]
    rows = []
    for run in runs:
        counts = run.counts or {}
        rows.append(
            {
                "run": run,
                "url": reverse("admin:imports_importrun_change", args=[run.pk]),
                "structures": counts.get("structures", {}),
                "services": counts.get("services", {}),
                "rejected": Figure(
                    count=run.rejected,
                    url=reverse("admin:imports_rejectedrecord_changelist")
                    + "?"
                    + urlencode({"run__id__exact": run.pk}),
                ),
            }
        )
    return rows


def duplicates() -> dict:
    counts = Structure.objects.filter(duplicate_group__isnull=False).aggregate(
        groups=Count("duplicate_group", distinct=True), structures=Count("pk")
    )
    excluded = Structure.objects.filter(not_duplicate=True).count()
    return {
        "groups": Figure(count=counts["groups"], url=reverse("curation:duplicates")),
        "structures": figure(Structure, counts["structures"], doublon="oui"),
        "excluded": figure(Structure, excluded, doublon="exclu"),
    }


def curation_summary() -> list[dict]:
    """Curators' work so far: corrections and hidden records, all publication states."""
    rows = []
    for model in (Structure, Service):
        counts = model.objects.aggregate(
            curated=Count("pk", filter=quality.is_curated()),
            hidden=Count("pk", filter=Q(quality.publication_conditions(model)["masque"][1])),
        )
        rows.append(
            {
                "label": str(model._meta.verbose_name_plural).capitalize(),
                "curated": figure(model, counts["curated"], corrige="oui"),
                "hidden": figure(model, counts["hidden"], publication="masque"),
            }
        )
    return rows


def context() -> dict:
    rows, totals = problems()
    return {
        "problems": rows,
        "totals": totals,
        "sources": by_source(),
        "departements": by_departement(),
        "reports": reports(),
        "runs": import_runs(),
        "duplicates": duplicates(),
        "curation": curation_summary(),
    }
