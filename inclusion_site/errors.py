from django.conf import settings
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template.loader import render_to_string


def rate_limited(request, exception=None):
    """Too many requests from one address: say so in French, with a 429."""
    return render(request, "errors/429.html", status=429)


def server_error(request):
    """The French 500 page. No request context: whatever failed must not be needed to say so."""
    return HttpResponseServerError(render_to_string("500.html", {"site_name": settings.SITE_NAME}))
