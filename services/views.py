from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST, require_safe

from inclusion_site.caching import cached_for_data_version
from inclusion_site.rate_limits import limit
from inclusion_site.spreadsheet import SafeCsvWriter
from services.detail import ServiceDetail
from services.engines import facet_counts
from services.filters import ServiceSearchFilterSet
from services.forms import ErrorReportForm
from services.models import Service
from services.presenters import (
    ResultCard,
    SearchSummary,
    oob_count_badges,
    option_groups,
    pagination,
    widen_suggestions,
)
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


@require_safe
@cached_for_data_version(headers=("HX-Request", "HX-History-Restore-Request"))
def search(request):
    filterset = search_filterset(request)
    context = {"form": filterset.form, "summary": None, "cards": [], "facets": None}
    status = 200
    if filterset.is_valid() and request.GET:
        results = filterset.qs
        number = filterset.page_number
        results[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]  # one query: the page and the total
        paginator = Paginator(results, PAGE_SIZE)
        if number > max(paginator.num_pages, 1):
            filterset.form.add_error(
                "page", f"Cette page n'existe pas : les résultats tiennent en {paginator.num_pages} page(s)."
            )
            status = 400
        else:
            page = paginator.page(number)
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
                facets=facet_counts(results.query),
            )
    elif not filterset.is_valid():
        status = 400
    commune = filterset.cleaned.get("commune_obj")
    typed = request.GET.get("commune", "")
    context["commune_label"] = commune.label if commune is not None and not filterset.cleaned.get("lat") else typed
    groups = option_groups(filterset, context["facets"])
    context.update(
        groups=groups,
        main_groups=[groups[name] for name in ("publics", "types", "frais", "modes_accueil")],
        open_choices=[("", "Peu importe"), *filterset.form.fields["ouvert"].choices[1:]],
    )
    fragment = is_fragment(request)
    if fragment:
        context.update(oob=True, count_badges=oob_count_badges(groups))
        response = render(request, "services/includes/results.html", context, status=status)
    else:
        response = render(request, "services/search.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


class Echo:
    def write(self, value):
        return value


@require_safe
# Every result of a search, unpaginated: the costliest page to scrape. A social-work office of about 100
# people may share one address: a few exports each an hour.
@limit("300/h")
def export_csv(request):
    filterset = search_filterset(request)
    if not filterset.is_valid():
        messages = "; ".join(f"{error}" for errors in filterset.form.errors.values() for error in errors)
        return HttpResponse(f"Recherche invalide : {messages}", status=400, content_type="text/plain; charset=utf-8")
    rows = iter(filterset.qs)
    writer = SafeCsvWriter(Echo())  # cells that would run as formulas are written as text

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


def search_origin(query):
    """The origin of the search the visitor came from, if the detail URL carries one."""
    if not query:
        return None
    filterset = ServiceSearchFilterSet(query, queryset=Service.objects.none())
    return filterset.origin() if filterset.is_valid() else None


def detail_context(request, service, *, report_form=None) -> dict:
    query = request.GET.urlencode()
    return {
        "service": service,
        "detail": ServiceDetail(
            service,
            now=timezone.now(),
            origin=search_origin(request.GET),
            search_query=query,
            page_url=request.build_absolute_uri(reverse("services:detail", args=[service.id])),
        ),
        "report_form": report_form or ErrorReportForm(),
        "report_sent": request.GET.get("signalement") == "merci",
    }


def published_service_or_gone(request, service_id: str):
    """The service, or the response to send instead: 404 unknown, 410 unpublished."""
    service = get_object_or_404(Service.objects.select_related("structure"), pk=service_id)
    if not (service.is_published and service.structure.is_published):
        return service, render(request, "services/gone.html", {"service": service}, status=410)
    return service, None


@require_safe
def detail(request, service_id: str):
    service, gone = published_service_or_gone(request, service_id)
    return gone or render(request, "services/detail.html", detail_context(request, service))


@require_POST
@limit("5/h", method="POST")
def report_error(request, service_id: str):
    service, gone = published_service_or_gone(request, service_id)
    if gone:
        return gone
    form = ErrorReportForm(request.POST)
    if form.is_spam:
        # Look like a success to the bot; store nothing.
        return redirect(reverse("services:detail", args=[service.id]) + "?signalement=merci#signaler")
    if not form.is_valid():
        context = detail_context(request, service, report_form=form)
        return render(request, "services/detail.html", context, status=400)
    report = form.save(commit=False)
    report.service = service
    report.save()
    return redirect(reverse("services:detail", args=[service.id]) + "?signalement=merci#signaler")
