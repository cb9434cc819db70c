"""HTML, JSON and CSV answers compressed (gzip) for the browsers that accept it, except those that carry a secret.

A results page weighs ~130 KB and an htmx refresh ~40 KB uncompressed, about a sixth of that compressed: people on
a phone's data plan pay the difference. Static files are compressed once, at collectstatic (whitenoise).

BREACH: an attacker who can make a victim's browser send requests, and can see the length of the compressed
answers, may guess a secret that the answers carry next to text they chose (reflected query parameters). The
public pages carry no secret: no CSRF token, no personal data (core.page_cache shares them between visitors
already). A page that uses the CSRF token (a form that posts: the admin, the error report of a service page)
is sent uncompressed. Django also masks the token differently in every answer and pads the compressed answers
with a random number of bytes (GZipMiddleware.max_random_bytes), which both defeat the attack; leaving those pages
uncompressed removes it.

Placed just below CsrfViewMiddleware: its response phase runs before the one that resets the "token used" flag,
and after every middleware below it, none of which rewrites the body.
"""

from django.conf import settings
from django.middleware.gzip import GZipMiddleware


def carries_csrf_token(request, response) -> bool:
    """Whether the page used the CSRF token (csrf.get_token): the flag the middleware reads below us, or the cookie
    it sets with the answer (views decorated with csrf_protect, the admin's, run it before us)."""
    return bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE")) or settings.CSRF_COOKIE_NAME in response.cookies


class PublicGZipMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        if carries_csrf_token(request, response):
            return response
        return super().process_response(request, response)
