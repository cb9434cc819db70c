"""The database going away mid-request: a French 503 page instead of a stack trace.

Django drops a connection that raised (``errors_occurred``) at the end of the request and checks
reused connections before the next one (``CONN_HEALTH_CHECKS``), so the site reconnects by itself
once the database is back: nothing to restart.
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


def unavailable_response(request) -> HttpResponse:
    # Rendered with the request (for CSP and context processors) but the template itself never
    # touches the database: a page that needs it could not be shown now.
    response = HttpResponse(render_to_string("errors/503.html", request=request), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    # A proxy or a browser must not keep the outage page once the database is back.
    add_never_cache_headers(response)
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        # The path only: no query string, no address (visitors' searches are not logged).
        logger.error("Database unavailable while serving %s", request.path, exc_info=exception)
        return unavailable_response(request)
