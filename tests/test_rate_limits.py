"""Rate limits per visitor address, answered by the French 429 page."""

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


def statuses(client, url, count, **extra):
    return [client.get(url, **extra).status_code for _ in range(count)]


def test_autocomplete_allows_120_requests_a_minute(client):
    assert statuses(client, "/communes/autocomplete/?q=lil", 120) == [200] * 120
    blocked = client.get("/communes/autocomplete/?q=lill")
    assert blocked.status_code == 429
    assert "Trop de demandes" in blocked.content.decode()
    assert "public" not in blocked.get("Cache-Control", "")  # a proxy must not serve the 429 to others
    # Another address is not affected.
    assert client.get("/communes/autocomplete/?q=lil", REMOTE_ADDR="198.51.100.7").status_code == 200


def test_export_allows_30_requests_an_hour(client):
    assert statuses(client, "/services/export.csv", 30) == [200] * 30
    blocked = client.get("/services/export.csv?q=atelier")
    assert blocked.status_code == 429
    assert "Trop de demandes" in blocked.content.decode()
    assert client.get("/services/export.csv", REMOTE_ADDR="198.51.100.7").status_code == 200


def test_search_page_is_not_rate_limited(client):
    assert set(statuses(client, "/services/?q=atelier", 40)) == {200}


@override_settings(TRUSTED_PROXIES=["10.0.0.1"])
def test_behind_the_proxy_each_visitor_has_its_own_counter(client):
    """As in production: REMOTE_ADDR is the proxy's; the visitor is the address the proxy appended."""
    first = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.1"}
    assert statuses(client, "/services/export.csv", 30, **first) == [200] * 30
    assert client.get("/services/export.csv", **first).status_code == 429
    # A forged left-hand entry does not give a new counter…
    forged = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "9.9.9.9, 203.0.113.1"}
    assert client.get("/services/export.csv", **forged).status_code == 429
    # …but another visitor behind the same proxy has one.
    second = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.2"}
    assert client.get("/services/export.csv", **second).status_code == 200
