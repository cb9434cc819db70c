"""The admin lives under /admin/ only, behind django-axes (lockouts: tests/curation/test_permissions.py)."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/administration/", "/wp-admin/", "/django-admin/", "/admin.php", "/curation/"])
def test_no_admin_outside_admin(client, path):
    assert client.get(path).status_code == 404


def test_admin_login_is_under_admin_and_brute_force_protected(client):
    assert client.get("/admin/login/").status_code == 200
    assert client.get("/admin/").status_code == 302  # to the login page
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert "axes.middleware.AxesMiddleware" in settings.MIDDLEWARE
    assert settings.AXES_FAILURE_LIMIT <= 5
