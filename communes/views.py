from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from communes.search import MAX_LENGTH, suggest
from communes.suggestions import listbox
from core.page_cache import cached_for_data_version
from core.rate_limits import limit


def wants_json(request) -> bool:
    # Browsers and htmx accept */*: only an explicit preference for JSON (or ?format=json) gets it.
    if request.GET.get("format") == "json":
        return True
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


@require_safe
# Generous: people type, one request per keystroke (after htmx's delay); scripts get the 429 page (outside the
# public caching below: it is this visitor's answer only).
@limit("120/m")
# The communes only change at import: a suggestion list can be reused for an hour, by the browser or a proxy.
@cache_control(public=True, max_age=3600)
@vary_on_headers("Accept")
@cached_for_data_version(headers=("Accept",))
def autocomplete(request):
    """Suggestions for the commune field: the listbox fragment, or JSON."""
    query = request.GET.get("q", "")
    as_json = wants_json(request)
    if len(query) > MAX_LENGTH:
        message = f"Recherche trop longue : {MAX_LENGTH} caractères au plus."
        if as_json:
            return JsonResponse({"erreur": message}, status=400)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
    communes = suggest(query)
    if as_json:
        return JsonResponse(
            [
                {
                    "code": commune.code_insee,
                    "nom": commune.nom,
                    "label": commune.suggestion_label,
                    "codes_postaux": commune.codes_postaux,
                    "departement": commune.departement,
                    "population": commune.population,
                }
                for commune in communes
            ],
            safe=False,
        )
    return HttpResponse(listbox(communes))
