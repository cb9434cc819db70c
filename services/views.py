import tempfile

import orjson
from django.db import router
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST, require_safe

from core.page_cache import cached_for_data_version
from core.rate_limits import limit
from services import columns_store, exports, map_points, results
from services.detail import ServiceDetail, StructureDetail
from services.engine import Search
from services.forms import ErrorReportForm
from services.models import SearchEntry, Service
from services.pages import HomePage, PrintedList, SearchPage, SelectionPage, query_url, search_form
from services.presenters import ResultCard
from services.selection import Selection, toggle_link, toggle_url
from structures.models import Structure


def is_fragment(request) -> bool:
    """htmx swaps a fragment, except when restoring history (the back button needs a page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


@require_safe
def home(request):
    """Where and which need. Links to the former search at / (with its parameters) go to the results."""
    if set(request.GET) - {"s"}:
        return redirect(f"{reverse('services:search')}?{request.GET.urlencode()}")
    return render(request, "services/home.html", HomePage(request.GET).context())


@require_safe
@cached_for_data_version(headers=("HX-Request", "HX-History-Restore-Request"))
def search(request):
    page = SearchPage(request.GET)
    fragment = is_fragment(request)
    context = page.context(fragment=fragment)
    results = render_to_string("services/results.html", context, request, using="jinja2")
    if fragment:
        response = HttpResponse(results, status=page.status)
    else:
        response = render(request, "services/search.html", {**context, "results_html": mark_safe(results)})
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_safe
def ready(request):
    """Readiness, for the load balancer: 200 once this worker holds the search index of the current data."""
    alias = router.db_for_read(SearchEntry)
    if columns_store.ready(alias):
        return HttpResponse("prêt", content_type="text/plain; charset=utf-8")
    columns_store.refresh_soon(alias)
    return HttpResponse("index de recherche en préparation", status=503, content_type="text/plain; charset=utf-8")


def invalid_message(filterset) -> str:
    return "Recherche invalide : " + "; ".join(
        f"{error}" for errors in filterset.form.errors.values() for error in errors
    )


def invalid_search(filterset) -> HttpResponse:
    return HttpResponse(invalid_message(filterset), status=400, content_type="text/plain; charset=utf-8")


@require_safe
# Every result of a search, unpaginated: the costliest page to scrape. A social-work office of about 100
# people may share one address: a few exports each an hour.
@limit("300/h")
def export_csv(request):
    filterset = search_form(request.GET)
    if not filterset.is_valid():
        return invalid_search(filterset)
    return exports.csv_response(Search.of(filterset.params()))


@require_safe
@limit("300/h")  # as the CSV: every result of a search
def export_xlsx(request):
    filterset = search_form(request.GET)
    if not filterset.is_valid():
        return invalid_search(filterset)
    params, today = filterset.params(), timezone.localdate()
    site, search = request.build_absolute_uri("/")[:-1], Search.of(params)
    search_url = site + query_url("services:search", request.GET)
    criteria = exports.about(params, request.GET, today, search_url, search.count)

    def make():
        output = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it once sent)
        exports.write_workbook(output, results.every(search), lambda service: site + ResultCard.url(service), criteria)
        output.seek(0)
        return FileResponse(output, as_attachment=True, filename=exports.file_name(params, today))

    return exports.exporting(make)


@require_safe
@cached_for_data_version()
def map_points_view(request):
    """The places of a search's results as GeoJSON, for the map."""
    filterset = search_form(request.GET)
    if not filterset.is_valid():
        return JsonResponse({"erreur": invalid_message(filterset)}, status=400)
    collection = map_points.feature_collection(Search.of(filterset.params()))
    return HttpResponse(orjson.dumps(collection), content_type="application/geo+json")


@require_safe
def print_list(request):
    printed = PrintedList(request)
    return render(request, "services/print_list.html", {"printed": printed}, status=200 if printed.valid else 400)


@require_safe
def selection(request):
    return render(request, "services/selection.html", {"page": SelectionPage(request)})


def search_origin(query):
    """The origin of the search the visitor came from, if the detail URL carries one."""
    if not query:
        return None
    filterset = search_form(query)
    return filterset.params().origin if filterset.is_valid() else None


def detail_context(request, service, *, report_form=None) -> dict:
    query = request.GET.urlencode()
    path = reverse("services:detail", args=[service.id])
    return {
        "service": service,
        "select_toggle": toggle_link(
            service.id,
            service.nom,
            selected=service.id in Selection.from_query(request.GET),
            url=toggle_url(path, request.GET, service.id),
        ),
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


@require_safe
def structure_detail(request, structure_id: str):
    """A structure's page: with its services, so it lives with them (structures sit below services)."""
    structure = get_object_or_404(Structure, pk=structure_id)
    if not structure.is_published:
        return render(request, "structures/gone.html", {"structure": structure}, status=410)
    detail = StructureDetail(structure, now=timezone.now())
    return render(request, "structures/detail.html", {"structure": structure, "detail": detail})
