"""Rows formatted by core.bulk.copy_line read back by PostgreSQL as they were: arrays above all, whose plain
elements take a shortcut (core.bulk._array) and whose others are quoted one by one."""

import pytest
from django.db import connection

from core.bulk import copy_line, copy_text

ARRAYS = [
    [],
    ["famille--garde-d-enfants", "mobilite", "numerique"],
    ["un seul"],
    ["a,b", "c"],
    [",", ""],
    ["", "x"],
    ["NULL", "x"],
    ["Null"],
    ["nullable", "annuler"],
    ['guillemet "double"', "barre \\ oblique", "accolade {}", "tab\there", "ligne\nnouvelle"],
    ["x", None],
    [1, 2.5],
    ["accentuée", "œuvre", "🙂"],
]


@pytest.mark.django_db
def test_arrays_are_read_back_as_written():
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE copied (n int, items text[])")
    with copy_text("copied", ("n", "items")) as buffer:
        for number, items in enumerate(ARRAYS):
            buffer.write(copy_line((number, items)))
    with connection.cursor() as cursor:
        cursor.execute("SELECT items FROM copied ORDER BY n")
        read = [row[0] for row in cursor.fetchall()]
    assert read == [[None if item is None else str(item) for item in items] for items in ARRAYS]
