"""Whole responses of public pages kept in the cache, keyed on the data version.

The key holds everything the answer depends on: host, path, query parameters (sorted), the request headers
the view varies on, and the data version (core.data_version), bumped by every import and every change.
A change therefore makes every older entry unreachable at once: nobody is ever served results older than the
data, and entries need no invalidation, they simply expire or are evicted.

Only what is the same for every visitor is kept: answers 200 to GET requests of visitors without a session
(a curator logged in always gets a fresh page), that set no cookie, do not use the CSRF token or the session,
nor a CSP nonce, and do not forbid caching.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import router
from django.http import HttpResponse

from core import data_version
from core.models import DataVersion

KEY_PREFIX = "page"
DEFAULT_TIMEOUT = 60 * 60
CACHE_STATUS_HEADER = "X-Cache"


def cacheable_request(request) -> bool:
    return settings.PAGE_CACHE and request.method == "GET" and settings.SESSION_COOKIE_NAME not in request.COOKIES


def cache_key(request, headers: tuple[str, ...], version: int) -> str:
    query = sorted((name, value) for name in request.GET for value in request.GET.getlist(name))
    varying = [(name, request.headers.get(name, "")) for name in headers]
    text = repr((request.get_host(), request.path, query, varying))
    return f"{KEY_PREFIX}:{version}:{hashlib.sha256(text.encode()).hexdigest()}"


def cacheable_response(request, response) -> bool:
    session = getattr(request, "session", None)
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not (session is not None and session.accessed)
        # A page that used its CSP nonce (django-csp) must not be served with another request's header.
        and getattr(request, "_csp_nonce", None) is None
        and "private" not in cache_control
        and "no-store" not in cache_control
    )


def cached_for_data_version(*, headers: tuple[str, ...] = (), timeout: int = DEFAULT_TIMEOUT):
    """Serve the view's answer from the cache while the data has not changed.

    `headers`: the request headers the answer depends on (those of its Vary header, e.g. "HX-Request").
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            # Read where the view will read its data (a replica, maybe): see inclusion_site.db_router. Read once:
            # what the view keys on the data version (the engine's columns, the communes) uses the same.
            using = router.db_for_read(DataVersion)
            version = data_version.current(using=using)
            with data_version.reading(using, version):
                return cached_view(request, version, *args, **kwargs)

        def cached_view(request, version, *args, **kwargs):
            if not cacheable_request(request):
                return view(request, *args, **kwargs)
            key = cache_key(request, headers, version)
            stored = cache.get(key)
            if stored is not None:
                status, response_headers, content = stored
                response = HttpResponse(content, status=status, headers=response_headers)
                response[CACHE_STATUS_HEADER] = "HIT"
                return response
            response = view(request, *args, **kwargs)
            if cacheable_response(request, response):
                cache.set(key, (response.status_code, dict(response.items()), response.content), timeout)
                response[CACHE_STATUS_HEADER] = "MISS"
            return response

        return wrapper

    return decorator
