from django.conf import settings

from services.selection import Selection


def site(request):
    """Values every page shows: no database query here, it runs on every request."""
    return {
        "site_name": settings.SITE_NAME,
        # Carried in the URL when the browser runs no JavaScript (services.selection).
        "selection": Selection.from_query(request.GET),
    }
