"""Log filters of the LOGGING setting."""

import logging


class ClientErrorsOneLine(logging.Filter):
    """An expected client error (4xx: bad request, forbidden, not found, gone, too many requests) is one line.

    Django logs them through django.request and django.security with the exception that produced them
    (PermissionDenied, BadRequest, DisallowedHost…): its traceback says nothing about our code and buries
    the real errors. A 5xx keeps its traceback.
    """

    def filter(self, record):
        if 400 <= getattr(record, "status_code", 0) < 500:
            record.exc_info = None
            record.exc_text = None
        return True
