"""The data·inclusion API client, against a real local HTTP server (tests/imports/api_server.py)."""

import pytest
from django.core.management.base import CommandError

from imports import api_client
from imports.api_client import ApiError, fetch_all
from services.models import Service
from structures.models import Structure
from tests.imports.api_server import FakeApi

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch):
    monkeypatch.setattr(api_client, "BACKOFF_SECONDS", 0.01)
    monkeypatch.setenv("DATA_INCLUSION_API_TOKEN", "secret")


@pytest.fixture
def api(dataset):
    with FakeApi({"structures": dataset.structures, "services": dataset.services}) as server:
        yield server


@pytest.mark.parametrize("suffix", ["", "/", "/api/v1", "/api/v1/"])
def test_base_url_with_or_without_api_v1(api, run_import, suffix):
    run_import(api.url + suffix)
    assert Structure.objects.count() == 3
    assert Service.objects.count() == 3
    assert all(path.startswith(("/api/v1/structures?", "/api/v1/services?")) for path in api.requests)


def test_pages_are_followed_with_the_envelope(api, monkeypatch):
    monkeypatch.setattr(api_client, "PAGE_SIZE", 2)
    records = fetch_all(api.url, "structures", token="secret")
    assert len(records) == 3
    assert [path.split("?")[1].split("&")[0] for path in api.requests] == ["page=1", "page=2"]


def test_pages_ask_for_at_most_the_api_maximum(api):
    fetch_all(api.url, "services", token="secret")
    assert "size=10000" in api.requests[0]
    assert api_client.PAGE_SIZE <= 10_000


def test_sources_are_passed_to_the_api(api, run_import):
    run_import(api.url, sources=["soliguide"])
    assert all("sources=soliguide" in path for path in api.requests)
    assert set(Service.objects.values_list("source", flat=True)) == {"soliguide"}


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (401, "refuse le jeton \\(401\\) : absent, invalide ou expiré. Vérifiez DATA_INCLUSION_API_TOKEN"),
        (403, "refuse l'accès \\(403\\) : ce jeton n'est pas autorisé"),
        (422, "refuse la requête \\(422\\) : erreur simulée"),
        (404, "a répondu 404"),
    ],
)
def test_refusals_are_explained_in_french_and_not_retried(api, run_import, status, message):
    api.failures = [status]
    with pytest.raises(CommandError, match=f"Import annulé, rien n'a été modifié. L'API data·inclusion {message}"):
        run_import(api.url)
    assert len(api.requests) == 1
    assert not Structure.objects.exists()


def test_a_refused_parameter_is_named(api, monkeypatch):
    monkeypatch.setattr(api_client, "PAGE_SIZE", 20_000)
    with pytest.raises(ApiError, match="422.*query.size : Input should be less than or equal to 10000"):
        fetch_all(api.url, "services", token="secret")


def test_a_wrong_token_is_refused(api, run_import, monkeypatch):
    monkeypatch.setenv("DATA_INCLUSION_API_TOKEN", "wrong")
    with pytest.raises(CommandError, match="401"):
        run_import(api.url)


def test_server_errors_are_retried_with_back_off_then_succeed(api, run_import):
    api.failures = [503, 502, 500]
    run_import(api.url)
    assert Service.objects.count() == 3
    assert len(api.requests) == 3 + 2  # three failures, then structures and services


def test_server_errors_abort_after_the_last_retry(api, run_import):
    api.failures = [503] * (api_client.RETRIES + 1)
    with pytest.raises(CommandError, match="a répondu 503 après 4 essais"):
        run_import(api.url)
    assert len(api.requests) == api_client.RETRIES + 1
    assert not Structure.objects.exists()


def test_a_timeout_is_retried(api, monkeypatch):
    monkeypatch.setattr(api_client, "TIMEOUT_SECONDS", 0.2)
    api.delays = [1.0]  # the first answer comes too late
    assert len(fetch_all(api.url, "structures", token="secret")) == 3
    assert len(api.requests) == 2


def test_an_api_that_never_answers_in_time_aborts(api, monkeypatch):
    monkeypatch.setattr(api_client, "TIMEOUT_SECONDS", 0.1)
    monkeypatch.setattr(api_client, "RETRIES", 1)
    api.delays = [0.5, 0.5]
    with pytest.raises(ApiError, match="injoignable ou ne répond pas .* 2 essais"):
        fetch_all(api.url, "structures", token="secret")
