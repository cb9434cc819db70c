from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def home(request):
    # Placeholder home until the search page lands (issue "Public search").
    return render(request, "home.html")
