"""Curators' corrections: validated with the official schema, kept by imports, reversible."""

import pytest
from django import forms
from django.contrib.admin.utils import quote
from django.urls import reverse

from core import data_version
from services import search_index
from services.models import SearchEntry, Service
from structures.models import Structure
from tests.imports.conftest import Dataset

pytestmark = pytest.mark.django_db

ATELIER = "dora--atelier numérique #1"
PAGNOL = "dora--centre-social/lille é"


@pytest.fixture
def imported(tmp_path, run_import):
    dataset = Dataset(tmp_path / "data")
    run_import(dataset.write())
    return dataset


@pytest.fixture
def run_import():
    from django.core.management import call_command

    def run(folder):
        call_command("import_datainclusion", str(folder), verbosity=0)

    return run


def change_url(record) -> str:
    return reverse(f"admin:{record._meta.app_label}_{record._meta.model_name}_change", args=[quote(record.pk)])


def form_data(response) -> dict:
    """The change form's current values, as a browser would post them back."""
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None and isinstance(field, forms.MultipleChoiceField):
            continue  # no box checked: nothing posted
        if name in ("latitude", "longitude") and value is None:
            value = ""
        if isinstance(value, list):
            data[name] = value if name not in ("zone_eligibilite",) else ",".join(value)
        elif value is None:
            data[name] = ""
        else:
            data[name] = value
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for key, value in management.initial.items():
            data[f"{formset.formset.prefix}-{key}"] = value
    return data


def edit(client, record, saved=True, **changes):
    response = client.get(change_url(record))
    data = {**form_data(response), **changes, "_save": "Enregistrer"}
    response = client.post(change_url(record), data)
    if saved:
        assert response.status_code == 302, response.context["adminform"].form.errors
    return response


def test_an_edit_marks_the_field_corrected_and_keeps_the_upstream_value(admin_client, imported):
    atelier = Service.objects.get(pk=ATELIER)
    response = edit(admin_client, atelier, nom="Atelier numérique (corrigé)")
    assert response.status_code == 302, response.context["adminform"].form.errors
    atelier.refresh_from_db()
    assert atelier.nom == "Atelier numérique (corrigé)"
    assert atelier.curated_fields == ["nom"]
    assert atelier.upstream_values == {"nom": "Ateliers numériques pour débutants"}
    # Fields the curator did not touch are not corrections.
    assert atelier.frais == "gratuit"
    # Search text follows at once.
    assert "corrige" in atelier.search_document
    assert SearchEntry.objects.filter(pk=ATELIER, lexemes__regex=r"\mcorrig\M").exists()


def test_a_correction_survives_a_reimport_that_changes_the_source(admin_client, imported, run_import):
    atelier = Service.objects.get(pk=ATELIER)
    edit(admin_client, atelier, nom="Atelier numérique (corrigé)", thematiques=["numerique--acquerir-un-equipement"])
    imported.service(ATELIER)["nom"] = "Ateliers numériques, nouvelle version"
    imported.service(ATELIER)["frais"] = "payant"
    run_import(imported.write())
    atelier.refresh_from_db()
    assert atelier.nom == "Atelier numérique (corrigé)"
    assert atelier.thematiques == ["numerique--acquerir-un-equipement"]
    assert atelier.upstream_values["nom"] == "Ateliers numériques, nouvelle version"
    assert atelier.upstream_values["thematiques"] == [
        "numerique--acceder-a-des-services-en-ligne",
        "numerique--maitriser-les-fondamentaux-du-numerique",
    ]
    assert atelier.frais == "payant"  # not corrected: follows the source
    # The change form shows both values, and the list finds it as different from the source.
    text = admin_client.get(change_url(atelier)).content.decode()
    assert "Ateliers numériques, nouvelle version" in text
    assert "Revenir à la valeur de la source" in text
    response = admin_client.get(reverse("admin:services_service_changelist"), {"ecart": "oui"})
    assert [service.pk for service in response.context["cl"].result_list] == [ATELIER]


def test_restoring_the_upstream_value_ends_the_correction(admin_client, imported, run_import):
    atelier = Service.objects.get(pk=ATELIER)
    edit(admin_client, atelier, nom="Atelier numérique (corrigé)", telephone="03 20 99 99 99")
    imported.service(ATELIER)["nom"] = "Ateliers numériques, nouvelle version"
    run_import(imported.write())

    url = reverse("admin:services_service_restore", args=[quote(ATELIER)])
    response = admin_client.post(url, {"field": "nom"})
    assert response.status_code == 302 and response["Location"] == change_url(atelier)
    atelier.refresh_from_db()
    assert atelier.nom == "Ateliers numériques, nouvelle version"
    assert atelier.curated_fields == ["telephone"]
    assert set(atelier.upstream_values) == {"telephone"}
    assert SearchEntry.objects.filter(pk=ATELIER, lexemes__regex=r"\mnouvel\M").exists()
    # The next import updates the field again.
    imported.service(ATELIER)["nom"] = "Ateliers numériques, troisième version"
    run_import(imported.write())
    atelier.refresh_from_db()
    assert atelier.nom == "Ateliers numériques, troisième version"
    assert atelier.telephone == "03 20 99 99 99"


def test_restore_is_a_post_and_needs_a_corrected_field(admin_client, imported):
    url = reverse("admin:services_service_restore", args=[quote(ATELIER)])
    assert admin_client.get(url).status_code == 405
    response = admin_client.post(url, {"field": "nom"}, follow=True)
    assert [str(message) for message in response.context["messages"]] == ["Ce champ n'est pas corrigé."]


def test_editing_back_to_the_source_value_is_no_correction(admin_client, imported):
    atelier = Service.objects.get(pk=ATELIER)
    edit(admin_client, atelier, nom="Autre nom")
    edit(admin_client, Service.objects.get(pk=ATELIER), nom="Ateliers numériques pour débutants")
    atelier.refresh_from_db()
    assert atelier.curated_fields == []
    assert atelier.upstream_values == {}


def test_structure_corrections_survive_a_reimport(admin_client, imported, run_import):
    pagnol = Structure.objects.get(pk=PAGNOL)
    response = edit(admin_client, pagnol, telephone="03 20 11 22 33", reseaux_porteurs=["caf", "mission-locale"])
    assert response.status_code == 302, response.context["adminform"].form.errors
    imported.structure(PAGNOL)["telephone"] = "03 20 00 00 01"
    run_import(imported.write())
    pagnol.refresh_from_db()
    assert pagnol.telephone == "03 20 11 22 33"
    assert pagnol.reseaux_porteurs == ["caf", "mission-locale"]
    assert sorted(pagnol.curated_fields) == ["reseaux_porteurs", "telephone"]
    assert pagnol.upstream_values["telephone"] == "03 20 00 00 01"


def test_saving_runs_the_official_validation_with_french_messages_per_field(admin_client, imported):
    atelier = Service.objects.get(pk=ATELIER)
    response = edit(
        admin_client,
        atelier,
        saved=False,
        nom="ab",
        publics=["tous-publics", "femmes"],
        zone_eligibilite="59,1",
        courriel="pas-un-courriel",
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "Ce texte doit contenir au moins 3 caractères." in errors["nom"]
    assert errors["publics"] == ["`tous-publics` ne peut pas être utilisé avec d’autres valeurs."]
    assert "« 1 » n'est pas un code de zone valide" in errors["zone_eligibilite"][0]
    assert errors["courriel"]
    atelier.refresh_from_db()
    assert atelier.nom == "Ateliers numériques pour débutants"
    assert atelier.curated_fields == []


def test_enum_sets_are_stored_sorted_like_imports_do(admin_client, imported):
    atelier = Service.objects.get(pk=ATELIER)
    edit(admin_client, atelier, modes_mobilisation=["telephoner", "envoyer-un-courriel"])
    atelier.refresh_from_db()
    assert atelier.modes_mobilisation == ["envoyer-un-courriel", "telephoner"]
    assert atelier.curated_fields == ["modes_mobilisation"]


def test_a_service_edit_updates_its_score(admin_client, imported):
    atelier = Service.objects.get(pk=ATELIER)
    before = atelier.score_qualite
    edit(admin_client, atelier, telephone="", courriel="", lien_mobilisation="", modes_mobilisation=[])
    atelier.refresh_from_db()
    assert atelier.score_qualite < before
    assert Structure.objects.get(pk=PAGNOL).score_qualite == atelier.score_qualite


def test_a_curator_save_runs_one_refresh_and_makes_one_version(admin_client, imported, monkeypatch):
    """The save's signals, the corrections and the scores go through one refresh of the derived data."""
    calls = []
    refresh = search_index.refresh

    def counted(**kwargs):
        calls.append(kwargs)
        return refresh(**kwargs)

    monkeypatch.setattr(search_index, "refresh", counted)
    before = data_version.current()
    edit(admin_client, Service.objects.get(pk=ATELIER), nom="Atelier numérique (corrigé)", telephone="0320000000")
    assert len(calls) == 1 and calls[0]["rescore"]
    assert data_version.current() == before + 1  # versions come from a sequence: one bump
