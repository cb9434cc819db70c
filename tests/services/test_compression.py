"""Answers compressed with gzip for the browsers that accept it, but never one that carries the CSRF token (BREACH:
inclusion_site.compression)."""

import gzip

import pytest

pytestmark = pytest.mark.django_db

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


def test_results_page_and_htmx_refresh_are_compressed_and_read_the_same(client, offer):
    for extra in ({}, {"HTTP_HX_REQUEST": "true"}):
        plain = client.get("/services/", {"code_commune": "59350"}, **extra)
        compressed = client.get("/services/", {"code_commune": "59350"}, **GZIP, **extra)
        assert "Content-Encoding" not in plain
        assert compressed["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in compressed["Vary"]
        assert gzip.decompress(compressed.content) == plain.content
        assert len(compressed.content) < len(plain.content) / 3


def test_a_page_with_the_csrf_token_is_never_compressed(client, offer):
    service_page = client.get(f"/services/{offer[0].id}/", **GZIP)
    assert service_page.status_code == 200
    assert b'name="csrfmiddlewaretoken"' in service_page.content  # the error report form
    assert "Content-Encoding" not in service_page
    admin_login = client.get("/admin/login/", **GZIP)
    assert b"csrfmiddlewaretoken" in admin_login.content
    assert "Content-Encoding" not in admin_login
