"""No personal data of visitors is kept: not in the database, not in the logs, not in caches."""

import logging
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.db import connection

from services.models import ErrorReport
from tests.services.factories import ServiceFactory

pytestmark = pytest.mark.django_db

VISITOR = "203.0.113.77"


def test_report_search_and_errors_keep_no_address_nor_search(client, caplog):
    caplog.set_level(logging.DEBUG)
    service = ServiceFactory()
    client.get("/services/?q=hebergement-urgence-secret", REMOTE_ADDR=VISITOR)
    client.get("/services/export.csv?q=hebergement-urgence-secret", REMOTE_ADDR=VISITOR)
    client.get("/communes/autocomplete/?q=lil", REMOTE_ADDR=VISITOR)
    client.get("/structures/inconnue/?q=hebergement-urgence-secret", REMOTE_ADDR=VISITOR)
    response = client.post(
        f"/services/signaler/{quote(service.id, safe='')}/",
        {"reason": "horaires", "message": "Fermé le lundi", "email": ""},
        REMOTE_ADDR=VISITOR,
        HTTP_USER_AGENT="Navigateur-Visiteur/1.0",
    )
    assert response.status_code == 302

    report = ErrorReport.objects.get()
    stored = [str(value) for value in ErrorReport.objects.values().get().values()]
    stored += [str(value) for row in report.history.values() for value in row.values()]
    assert not any(VISITOR in value or "Navigateur-Visiteur" in value for value in stored)

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert VISITOR not in logged
    assert "hebergement-urgence-secret" not in logged

    # Rate-limit counters are keyed by a hash of the address, never the address itself.
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM rate_limit_counters")
        counters = [key for (key,) in cursor.fetchall()]
    assert len(counters) == 3  # export, autocomplete, report form
    assert not any(VISITOR in key for key in counters + list(cache._cache))
