"""The pages every site of the State links from its footer: accessibility statement, legal notice, personal data."""

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_safe


def legal_page(template: str):
    @require_safe
    def view(request):
        return render(request, f"legal/{template}.html", {"legal": settings.LEGAL})

    return view


accessibility = legal_page("accessibilite")
legal_notice = legal_page("mentions-legales")
personal_data = legal_page("donnees-personnelles")
