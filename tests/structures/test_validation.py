"""model.clean() runs the official schema validation and says what is wrong in French."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from tests.services.factories import ServiceFactory
from tests.structures.factories import StructureFactory

pytestmark = pytest.mark.django_db


def errors_of(instance) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as excinfo:
        instance.full_clean()
    return excinfo.value.message_dict


def test_valid_records_pass():
    service = ServiceFactory()
    service.full_clean()
    service.structure.full_clean()


def test_structure_errors_are_per_field_and_french():
    structure = StructureFactory.build(
        nom="ab",
        siret="123",
        date_maj=datetime.date.today() + datetime.timedelta(days=3),
        site_web="javascript:alert(1)",
        courriel="pas-un-courriel",
        reseaux_porteurs=["caf", "reseau-inconnu"],
    )
    errors = errors_of(structure)
    assert "Ce texte doit contenir au moins 3 caractères." in errors["nom"]
    assert "La date de dernière modification ne peut pas être dans le futur." in errors["date_maj"]
    assert "L'adresse web doit commencer par http:// ou https://." in errors["site_web"]
    assert "Cette adresse électronique n'est pas valide." in errors["courriel"]
    assert "« reseau-inconnu » n'est pas une valeur autorisée." in errors["reseaux_porteurs"]
    assert "siret" in errors


def test_service_schema_rules_beyond_django_field_checks():
    structure = StructureFactory()
    service = ServiceFactory.build(
        structure=structure,
        publics=["tous-publics", "femmes"],
        zone_eligibilite=["59", "1"],
        thematiques=["mobilite--voler"],
    )
    errors = errors_of(service)
    assert errors["publics"] == ["`tous-publics` ne peut pas être utilisé avec d’autres valeurs."]
    assert len(errors["zone_eligibilite"]) == 1
    assert "« 1 » n'est pas un code de zone valide" in errors["zone_eligibilite"][0]
    assert "« mobilite--voler » n'est pas une valeur autorisée." in errors["thematiques"]


def test_empty_optional_text_becomes_null():
    service = ServiceFactory.build(structure=StructureFactory(), telephone="", frais_precisions="")
    service.full_clean()
    assert service.telephone is None
    assert service.frais_precisions is None


def test_missing_required_description_is_reported():
    service = ServiceFactory.build(structure=StructureFactory(), description="")
    errors = errors_of(service)
    assert errors["description"]
