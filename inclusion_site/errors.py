from django.conf import settings
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers


def locked_out(request, original_response=None, credentials=None):
    """django-axes' lockout (AXES_LOCKOUT_CALLABLE): the French page, a 429, and when to try again."""
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT}
    response = render(request, "admin/lockout.html", context, status=429)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    add_never_cache_headers(response)
    return response


def server_error(request):
    """The French 500 page. No request context: whatever failed must not be needed to say so."""
    return HttpResponseServerError(render_to_string("500.html", {"site_name": settings.SITE_NAME}))
