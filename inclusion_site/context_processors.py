from django.conf import settings


def site(request):
    """Values every page shows: no database query here, it runs on every request."""
    return {"site_name": settings.SITE_NAME}
