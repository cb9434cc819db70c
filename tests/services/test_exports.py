"""The machine export of a search: every result, never cut, a few at once on the whole site."""

import csv
import io

import psycopg
import pytest
from django.db import connection
from django.test import override_settings

from core import slots
from tests.services.factories import ServiceFactory

pytestmark = pytest.mark.django_db


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
