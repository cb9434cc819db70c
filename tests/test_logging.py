"""The log is read by people: an expected client error is one line, a crash keeps its traceback."""

import io
import logging

import pytest
from django.test import Client

from tests.curation.conftest import staff_user
from tests.services.factories import ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def console():
    """What the configured console handler writes (its formatter and filters, on a stream of ours)."""
    configured = next(handler for handler in logging.getLogger().handlers if handler.get_name() == "console")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(configured.formatter)
    for log_filter in configured.filters:
        handler.addFilter(log_filter)
    django_logger = logging.getLogger("django")
    django_logger.addHandler(handler)
    yield stream
    django_logger.removeHandler(handler)


def test_expected_client_errors_are_one_line_without_traceback(client, console):
    ServiceFactory(id="dora--retire", is_published=False)
    nobody = Client()
    nobody.force_login(staff_user("personne"))  # staff, but no permission
    answers = [
        nobody.get("/admin/curation/tableau-de-bord/"),  # PermissionDenied
        nobody.get("/admin/services/service/?commune=%00"),  # BadRequest
        client.get("/services/inconnu/"),  # Http404
        client.get("/services/dora--retire/"),  # unpublished
        client.get("/", HTTP_HOST="evil.example"),  # SuspiciousOperation (DisallowedHost)
        *(client.get("/communes/autocomplete/?q=li") for _ in range(121)),  # the last one: rate limited
    ]
    assert [answer.status_code for answer in answers[:5]] + [answers[-1].status_code] == [403, 400, 404, 410, 400, 429]
    lines = console.getvalue().splitlines()
    assert "Traceback" not in console.getvalue()
    assert len(lines) == 6, lines
    for status_text in ("Forbidden", "NUL byte", "Not Found", "Gone", "Invalid HTTP_HOST", "Too Many Requests"):
        assert sum(status_text in line for line in lines) == 1, (status_text, lines)


def test_a_crash_keeps_its_traceback(console):
    logger = logging.getLogger("django.request")
    try:
        raise RuntimeError("boom")
    except RuntimeError as error:
        logger.error("Internal Server Error: /", exc_info=error, extra={"status_code": 500})
    assert "Traceback" in console.getvalue() and "RuntimeError: boom" in console.getvalue()
