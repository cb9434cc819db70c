"""The site shell: base page, production settings."""

import os
import subprocess
import sys

import pytest
from bs4 import BeautifulSoup
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_home_page_uses_dsfr_shell_and_bundled_htmx(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr"' in html
    assert BeautifulSoup(html, "html.parser").title.get_text(strip=True) == "Trouver un service d'insertion"
    assert 'href="#contenu"' in html  # skip link
    assert "/static/dsfr/dist/dsfr/dsfr.min.css" in html  # from our static files
    assert "/static/django_htmx/htmx-2.min.js" in html  # never a CDN
    assert 'id="pied-de-page"' in html


def test_locale_and_time_zone():
    assert settings.LANGUAGE_CODE == "fr"
    assert settings.TIME_ZONE == "Europe/Paris"
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def run_prod_check(extra_env: dict[str, str]) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "inclusion_site.settings.prod",
        **extra_env,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("redis_url", [None, "redis://127.0.0.1:6379/0"])
def test_production_settings_pass_check_deploy_silencing_nothing(redis_url):
    """With or without Redis: nothing reported, nothing silenced (the rate-limit store included)."""
    result = run_prod_check(
        {
            "SECRET_KEY": "k7#Qz!8vLr2@pX9mWn4$Tb6&Yh1^Jc5*Ud3(Fe0)Gs-Ai+Ko=Mq[Pt]Rw{Vx}Zy",
            "ALLOWED_HOSTS": "trouver.example.org",
            **({"REDIS_URL": redis_url} if redis_url else {}),
        }
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout, result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = run_prod_check({"SECRET_KEY": "", "ALLOWED_HOSTS": "trouver.example.org"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/", 200),
        ("/services/?q=atelier", 200),
        ("/services/export.csv", 200),
        ("/communes/autocomplete/?q=lil", 200),
        ("/services/dora--inconnu/", 404),
        ("/structures/dora--inconnue/", 404),
    ],
)
def test_public_pages_answer_head(client, path, status):
    """Uptime monitors and link checkers send HEAD: the same status as GET, no body."""
    response = client.head(path)
    assert response.status_code == status
    assert (b"".join(response.streaming_content) if response.streaming else response.content) == b""
