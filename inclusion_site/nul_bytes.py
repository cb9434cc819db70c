"""NUL bytes in what the admin is sent: a 400, never a crash.

The admin turns query parameters into database lookups as they come (`?commune=…`, `?source__exact=…`, its
filters, its search), and object ids from the URL into primary-key lookups. PostgreSQL refuses a NUL byte in
any text, so one would reach the database as an error: every admin page gets the same answer here instead.
The public pages validate their input themselves (forms, the record-id converter) and say what is wrong.
"""

from django.core.exceptions import BadRequest

ADMIN_PREFIX = "/admin/"
NUL = "\x00"


def has_nul(data) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in data.lists())


class RejectNulBytesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(ADMIN_PREFIX) and (
            NUL in request.path or has_nul(request.GET) or (request.method == "POST" and has_nul(request.POST))
        ):
            raise BadRequest("NUL byte in an admin request")
        return self.get_response(request)
