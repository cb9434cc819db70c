from django.shortcuts import render


def rate_limited(request, exception=None):
    """Too many requests from one address: say so in French, with a 429."""
    return render(request, "errors/429.html", status=429)
