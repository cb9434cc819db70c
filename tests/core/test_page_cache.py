"""Cached search fragments and autocompletes, on real cache servers: each worker's memory and Redis.

The Redis tests use their own database number (TEST_REDIS_URL, default redis://127.0.0.1:6379/7) and flush
only that one. Without a reachable Redis they are skipped, except under CI (CI=true), where they fail.
"""

import os

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory

from core.page_cache import cached_for_data_version
from services.models import Service
from tests.communes.factories import CommuneFactory
from tests.curation.test_corrections import ATELIER, edit
from tests.imports.conftest import Dataset

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/7")


def redis_reachable() -> bool:
    import redis

    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.fixture(params=["locmem", "redis"])
def page_cache(request, settings):
    if request.param == "redis":
        if not redis_reachable():
            if os.environ.get("CI"):
                pytest.fail(f"Redis is not reachable at {REDIS_URL}")
            pytest.skip(f"Redis is not reachable at {REDIS_URL}")
        settings.CACHES = {
            **settings.CACHES,
            "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL},
        }
    else:
        settings.CACHES = {**settings.CACHES, "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    yield request.param
    cache.clear()


@pytest.fixture
def imported(tmp_path):
    """The import fixtures (services around Lille), imported like open data."""
    from django.core.management import call_command

    CommuneFactory(code_insee="59350", nom="Lille", codes_postaux=["59000"], departement="59")
    dataset = Dataset(tmp_path / "data")

    def run():
        call_command("import_datainclusion", str(dataset.write()), verbosity=0)

    run()
    dataset.run = run
    return dataset


def search(client, **extra):
    return client.get("/services/", {"code_commune": "59350", "rayon_km": "100"}, **extra)


def test_a_search_is_served_from_the_cache_until_an_import_changes_the_data(page_cache, imported):
    visitor = Client()
    first = search(visitor, **HTMX)
    again = search(visitor, **HTMX)
    assert first.status_code == again.status_code == 200
    assert (first["X-Cache"], again["X-Cache"]) == ("MISS", "HIT")
    assert again.content == first.content
    assert "HX-Request" in again["Vary"]

    imported.service(ATELIER)["nom"] = "Atelier numérique renommé par la source"
    imported.run()

    after = search(visitor, **HTMX)
    assert after["X-Cache"] == "MISS"
    assert "Atelier numérique renommé par la source" in after.content.decode()


def test_a_curator_change_shows_in_the_next_answer(page_cache, imported, admin_user):
    visitor = Client()
    assert search(visitor)["X-Cache"] == "MISS"
    assert search(visitor)["X-Cache"] == "HIT"

    curator = Client()
    curator.force_login(admin_user)
    edit(curator, Service.objects.get(pk=ATELIER), nom="Atelier corrigé par une curatrice")

    after = search(visitor)
    assert after["X-Cache"] == "MISS"
    assert "Atelier corrigé par une curatrice" in after.content.decode()


def test_page_and_fragment_are_cached_apart(page_cache, imported):
    visitor = Client()
    page, fragment = search(visitor), search(visitor, **HTMX)
    assert (page["X-Cache"], fragment["X-Cache"]) == ("MISS", "MISS")
    assert b"<html" in page.content and b"<html" not in fragment.content
    assert search(visitor)["X-Cache"] == search(visitor, **HTMX)["X-Cache"] == "HIT"


def test_the_autocomplete_is_cached_until_the_communes_change(page_cache, imported):
    visitor = Client()
    assert visitor.get("/communes/autocomplete/", {"q": "lil"})["X-Cache"] == "MISS"
    assert visitor.get("/communes/autocomplete/", {"q": "lil"})["X-Cache"] == "HIT"
    json_answer = visitor.get("/communes/autocomplete/", {"q": "lil"}, HTTP_ACCEPT="application/json")
    assert json_answer["X-Cache"] == "MISS" and json_answer["Content-Type"] == "application/json"

    CommuneFactory(code_insee="59347", nom="Lillers", codes_postaux=["62190"], departement="62", population=9000)

    after = visitor.get("/communes/autocomplete/", {"q": "lil"})
    assert after["X-Cache"] == "MISS" and "Lillers" in after.content.decode()


def test_logged_in_visitors_get_fresh_pages_that_are_not_kept(page_cache, imported, admin_user):
    curator = Client()
    curator.force_login(admin_user)
    assert "X-Cache" not in search(curator)
    assert search(Client())["X-Cache"] == "MISS"


def test_invalid_searches_are_not_kept(page_cache, imported):
    visitor = Client()
    assert visitor.get("/services/", {"code_commune": "99999"}, **HTMX).status_code == 400
    assert "X-Cache" not in visitor.get("/services/", {"code_commune": "99999"}, **HTMX)


def test_answers_with_a_csrf_token_or_a_cookie_are_not_kept(page_cache):
    @cached_for_data_version()
    def with_form(request):
        return HttpResponse(f'<input name="csrfmiddlewaretoken" value="{get_token(request)}">')

    @cached_for_data_version()
    def with_cookie(request):
        response = HttpResponse("Bonjour")
        response.set_cookie("vu", "1")
        return response

    for view in (with_form, with_cookie):
        view(RequestFactory().get("/page/"))
        assert "X-Cache" not in view(RequestFactory().get("/page/"))
