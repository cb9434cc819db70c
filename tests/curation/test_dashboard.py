"""The quality dashboard: every figure links to the admin list that shows as many records."""

from urllib.parse import parse_qsl, urlsplit

import pytest
from django.urls import reverse

from curation import dashboard, quality
from imports.models import ImportRun, RejectedRecord
from services.models import Service

pytestmark = pytest.mark.django_db


def figures_of(value):
    """Every Figure in the dashboard's context, wherever it is nested."""
    if isinstance(value, dashboard.Figure):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from figures_of(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from figures_of(item)


def test_every_figure_equals_the_count_of_the_list_it_links_to(admin_client, national_shape):
    run = ImportRun.objects.create(origin="tests", status=ImportRun.Status.SUCCEEDED)
    RejectedRecord.objects.create(run=run, kind="service", record_id="x", message="Frais inconnus")
    response = admin_client.get(reverse("curation:dashboard"))
    assert response.status_code == 200
    figures = list(figures_of({key: response.context[key] for key in dashboard.context()}))
    assert len(figures) > 50
    checked = 0
    for figure in figures:
        path, query = urlsplit(figure.url)[2:4]
        if path == reverse("curation:duplicates"):
            assert admin_client.get(path).context["page"].paginator.count == figure.count
            continue
        listing = admin_client.get(path, dict(parse_qsl(query)))
        assert listing.status_code == 200, figure.url
        assert listing.context["cl"].result_count == figure.count, figure.url
        checked += 1
    assert checked == len(figures) - 1


def test_quality_figures_on_known_data(admin_client, national_shape):
    rows, totals = dashboard.problems()
    problems = {row["key"]: row for row in rows}
    published = Service.objects.filter(is_published=True, structure__is_published=True)
    assert (
        problems["horaires-invalides"]["services"].count
        == published.filter(horaires_accueil="Du lundi au vendredi").count()
    )
    # Services offered only remotely need no coordinates.
    without_point = published.filter(latitude__isnull=True)
    assert without_point.filter(modes_accueil=["a-distance"]).exists()
    assert (
        problems["sans-coordonnees"]["services"].count == without_point.exclude(modes_accueil=["a-distance"]).count()
    )
    assert problems["ecart"]["services"].count == published.filter(upstream_values={"nom": "Ancien nom"}).count()
    assert problems["score-faible"]["services"].count == published.filter(score_qualite__lt=0.5).count()
    assert problems["perime"]["structures"].count > 0
    assert totals["services"].count == published.count()


def test_invalid_hours_are_parsed_once_per_distinct_string(national_shape, monkeypatch):
    calls = []
    monkeypatch.setattr(quality, "_HOURS_VALIDITY", {})
    original = quality.parse_opening_hours
    monkeypatch.setattr(quality, "parse_opening_hours", lambda hours: calls.append(hours) or original(hours))
    dashboard.problems()
    assert sorted(calls) == ["Du lundi au vendredi", "Mo-Fr 09:00-12:00"]


def test_dashboard_lists_reports_and_import_runs(admin_client, national_shape):
    run = ImportRun.objects.create(
        origin="/data", status=ImportRun.Status.SUCCEEDED, counts={"services": {"creees": 3}}
    )
    RejectedRecord.objects.create(run=run, kind="service", record_id="dora--x", message="Frais inconnus")
    text = admin_client.get(reverse("curation:dashboard")).content.decode()
    assert "Derniers imports" in text
    assert f"run__id__exact={run.pk}" in text
    assert "Les horaires sont faux" in text
    assert "status__exact=nouveau" in text
