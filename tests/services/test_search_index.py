"""The one writer of derived data (services.search_index): search index, texts, scores, parsed hours."""

import pytest
from django.db import connection

from core import data_version
from core.text import normalize
from services import lexemes, search_index
from services.models import SearchEntry, Service
from structures.models import OpeningHours, Structure
from tests.services.factories import ServiceFactory
from tests.structures.factories import StructureFactory

pytestmark = pytest.mark.django_db


def test_saving_a_service_indexes_it_and_hiding_it_removes_it():
    service = ServiceFactory(frais="gratuit")
    assert SearchEntry.objects.get(pk=service.pk).frais == "gratuit"
    service.frais = "payant"
    service.save()
    assert SearchEntry.objects.get(pk=service.pk).frais == "payant"
    service.is_published = False
    service.save()
    assert not SearchEntry.objects.filter(pk=service.pk).exists()


def test_structure_changes_reach_its_services_entries():
    structure = StructureFactory(nom="Centre social Pagnol")
    services = ServiceFactory.create_batch(3, structure=structure)
    structure.duplicate_group = structure.id
    structure.nom = "Maison de quartier Wazemmes"
    structure.save()
    entries = SearchEntry.objects.filter(service__in=services)
    assert {entry.duplicate_group for entry in entries} == {structure.id}
    # The structure's name is among its services' words.
    assert entries.filter(lexemes__regex=r"\mwazemm\M").count() == 3
    assert not entries.filter(lexemes__regex=r"\mpagnol\M").exists()
    structure.is_published = False
    structure.save()
    assert not SearchEntry.objects.filter(service__in=services).exists()


def test_a_full_refresh_writes_only_differences():
    ServiceFactory.create_batch(5)
    assert search_index.refresh() == 0  # already in step, through the signals
    Service.objects.update(frais="payant")  # a bulk change, as imports make
    assert search_index.refresh() == 5
    assert set(SearchEntry.objects.values_list("frais", flat=True)) == {"payant"}
    assert search_index.refresh() == 0


def test_rows_written_without_their_text_get_it():
    structure = StructureFactory(nom="Épicerie solidaire")
    Service.objects.bulk_create([ServiceFactory.build(id="dora--bulk", structure=structure, nom="Colis alimentaires")])
    Structure.objects.filter(pk=structure.pk).update(search_name="")
    search_index.refresh()
    assert Structure.objects.get(pk=structure.pk).search_name == "epicerie solidaire"
    assert Service.objects.get(pk="dora--bulk").search_document.startswith("colis alimentaires")
    assert SearchEntry.objects.filter(pk="dora--bulk", lexemes__regex=r"\msolidair\M").exists()


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ([0.95, 0.96], 0.96),  # 0.955 on decimal values, rounded half up (on floats, 0.95499999…)
        ([0.5, 0.505], 0.5),  # 0.5025
        ([0.1, 0.2, None], 0.15),  # services without a score are left out
        ([], 0.0),  # no service
    ],
)
def test_a_structure_score_is_the_mean_of_its_services_scores(scores, expected):
    structure = StructureFactory()
    for score in scores:
        ServiceFactory(structure=structure, score_qualite=score)
    ServiceFactory(structure=structure, score_qualite=0.01, is_published=False)  # not counted
    assert Structure.objects.get(pk=structure.pk).score_qualite == expected


def test_the_lexemes_are_computed_again_only_when_the_text_changes():
    service = ServiceFactory(nom="Atelier CV")
    SearchEntry.objects.filter(pk=service.pk).update(lexemes="marqueur")
    service.frais = "payant"
    service.save()
    assert SearchEntry.objects.filter(pk=service.pk, lexemes__regex=r"\mmarqueur\M").exists()  # same text: kept
    service.nom = "Atelier lettre de motivation"
    service.save()
    assert SearchEntry.objects.filter(pk=service.pk, lexemes__regex=r"\mmotiv\M").exists()


def test_new_hours_are_parsed_once():
    ServiceFactory(horaires_accueil="Mo-Fr 09:00-12:00")
    ServiceFactory(horaires_accueil="Mo-Fr 09:00-12:00")
    ServiceFactory(horaires_accueil="ouvert le matin")
    parsed = {hours.hours: hours.weekly for hours in OpeningHours.objects.all()}
    assert parsed["Mo-Fr 09:00-12:00"] and parsed["ouvert le matin"] is None


def test_saves_gathered_in_a_batch_make_one_refresh_and_one_version():
    structure = StructureFactory()
    services = ServiceFactory.create_batch(3, structure=structure)
    before = data_version.current()
    with search_index.batch():
        for service in services:
            service.frais = "payant"
            service.save()
        structure.nom = "Nouveau nom"
        structure.save()
    assert data_version.current() == before + 1  # versions come from a sequence: one bump
    assert set(SearchEntry.objects.filter(service__in=services).values_list("frais", flat=True)) == {"payant"}


def test_a_batch_that_fails_refreshes_nothing():
    service = ServiceFactory()
    before = data_version.current()
    with pytest.raises(RuntimeError), search_index.batch():
        service.save()
        raise RuntimeError
    assert data_version.current() == before


LEXEME_TEXTS = [
    "",
    "atelier numerique pour les demandeurs d emploi",
    "le la les de des du et a au aux en dans pour par sur avec sans sous",  # stop words only
    "1er rendez vous 12h30 2e etage h2o covid19 75011 0612345678 3e age",
    "accompagnement accompagnements accompagner accompagnee insertion socioprofessionnelle",
    "x " + "tres" * 600,  # a word longer than the dictionary takes
    "cafe creche noel oeuvre aide alimentaire epicerie solidaire solidarite",
]


def test_the_lexicon_gives_postgresql_s_lexemes_of_normalised_texts():
    lexicon = lexemes.Lexicon(lambda: connection)
    made = lexicon.lexemes([normalize(text) for text in LEXEME_TEXTS])
    made_again = lexicon.lexemes([normalize(text) for text in reversed(LEXEME_TEXTS)])  # every word known now

    with connection.cursor() as cursor:
        expected = []
        for text in LEXEME_TEXTS:
            cursor.execute(
                "SELECT array_to_string(tsvector_to_array(to_tsvector('french', %s)), ' ')", [normalize(text)]
            )
            expected.append(cursor.fetchone()[0])
        cursor.execute("SELECT md5(%s)", [LEXEME_TEXTS[1]])
        expected_hash = cursor.fetchone()[0]
    assert made == expected
    assert made_again == expected[::-1]
    assert lexemes.text_hash(LEXEME_TEXTS[1]) == expected_hash
