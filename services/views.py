import csv

from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from services.facets import facet_counts
from services.filters import ServiceSearchFilterSet
from services.models import Service
from services.presenters import ResultCard, SearchSummary, option_groups, pagination, widen_suggestions
from services.search import PAGE_SIZE

EXPORT_COLUMNS = [
    "id",
    "nom",
    "structure_id",
    "structure_nom",
    "commune",
    "code_postal",
    "distance_km",
    "modes_accueil",
    "thematiques",
    "telephone",
    "courriel",
    "lien_source",
]


def is_fragment(request) -> bool:
    """htmx swaps a fragment, except when restoring history (the back button needs a page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def search_filterset(request) -> ServiceSearchFilterSet:
    return ServiceSearchFilterSet(request.GET, queryset=Service.objects.all())


@require_GET
def search(request):
    filterset = search_filterset(request)
    context = {"form": filterset.form, "summary": None, "cards": [], "facets": None}
    status = 200
    if filterset.is_valid() and request.GET:
        results = filterset.qs.select_related("structure")
        paginator = Paginator(results, PAGE_SIZE)
        if filterset.page_number > max(paginator.num_pages, 1):
            filterset.form.add_error(
                "page", f"Cette page n'existe pas : les résultats tiennent en {paginator.num_pages} page(s)."
            )
            status = 400
        else:
            page = paginator.page(filterset.page_number)
            filters = filterset.search_filters()
            base_url = reverse("services:search")
            query = request.GET.urlencode()
            context.update(
                page=page,
                pagination=pagination(page, base_url, request.GET),
                export_url=reverse("services:export") + (f"?{query}" if query else ""),
                widen=widen_suggestions(filterset, base_url, request.GET) if not paginator.count else [],
                cards=[
                    ResultCard(service, searched=filters.thematiques, search_query=query)
                    for service in page.object_list
                ],
                summary=SearchSummary.from_filterset(filterset, paginator.count),
                facets=facet_counts(
                    lambda base: Service.objects.search(
                        origin=filterset.origin(),
                        radius_km=filterset.radius_km,
                        filters=base,
                        collapse_duplicates=not filterset.cleaned.get("doublons"),
                    ),
                    filters,
                ),
            )
    elif not filterset.is_valid():
        status = 400
    commune = filterset.cleaned.get("commune_obj")
    typed = request.GET.get("commune", "")
    context["commune_label"] = commune.label if commune is not None and not filterset.cleaned.get("lat") else typed
    groups = option_groups(filterset, context["facets"])
    context.update(
        groups=groups, main_groups=[groups[name] for name in ("publics", "types", "frais", "modes_accueil")]
    )
    fragment = is_fragment(request)
    if fragment:
        response = render(request, "services/includes/results.html", {**context, "oob": True}, status=status)
    else:
        response = render(request, "services/search.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


class Echo:
    def write(self, value):
        return value


@require_GET
def export_csv(request):
    filterset = search_filterset(request)
    if not filterset.is_valid():
        messages = "; ".join(f"{error}" for errors in filterset.form.errors.values() for error in errors)
        return HttpResponse(f"Recherche invalide : {messages}", status=400, content_type="text/plain; charset=utf-8")
    rows = filterset.qs.select_related("structure").iterator(chunk_size=2000)
    writer = csv.writer(Echo())

    def lines():
        yield "\ufeff"  # lets spreadsheet software read UTF-8
        yield writer.writerow(EXPORT_COLUMNS)
        for service in rows:
            yield writer.writerow(
                [
                    service.id,
                    service.nom,
                    service.structure_id,
                    service.structure.nom,
                    service.commune or "",
                    service.code_postal or "",
                    "" if service.distance_km is None else f"{service.distance_km:.2f}",
                    "|".join(service.modes_accueil or []),
                    "|".join(service.thematiques or []),
                    service.telephone or "",
                    service.courriel or "",
                    service.lien_source or "",
                ]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="services-insertion.csv"'
    return response


@require_GET
def detail(request, service_id: str):
    service = get_object_or_404(Service.objects.select_related("structure"), pk=service_id)
    if not (service.is_published and service.structure.is_published):
        return render(request, "services/gone.html", {"service": service}, status=410)
    return render(request, "services/detail.html", {"service": service, "card": ResultCard(service)})
