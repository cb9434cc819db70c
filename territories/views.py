from django.db import router
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from communes.territories import Territory
from core.page_cache import cached_for_data_version
from core.rate_limits import limit
from imports.models import ImportRun
from services.models import SearchEntry
from territories import changes, choosing, exports
from territories.pages import TerritoryPage, chooser_lists

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def territory_or_404(slug: str) -> Territory:
    territory = Territory.parse(slug)
    if territory is None:
        raise Http404("Territoire inconnu")
    return territory


def page_of(request, slug: str) -> TerritoryPage:
    return TerritoryPage(territory_or_404(slug), request.GET, router.db_for_read(SearchEntry))


def is_fragment(request) -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request


@require_safe
@cached_for_data_version(headers=("HX-Request", "HX-History-Restore-Request"))
def index(request):
    query = request.GET.get("q", "")
    context = {"query": query, "found": choosing.matching(query), **chooser_lists()}
    if is_fragment(request):
        return render(request, "territories/includes/suggestions.html", context)
    return render(request, "territories/index.html", context)


@require_safe
@cached_for_data_version()
def territory(request, slug: str):
    page = page_of(request, slug)
    return render(request, "territories/territory.html", page.context(), status=page.status)


@require_safe
@cached_for_data_version()
def map_points(request, slug: str):
    page = page_of(request, slug)
    if not page.valid:
        return JsonResponse({"erreur": "Paramètres invalides."}, status=400)
    return JsonResponse({"besoin": page.need.category, "points": page.access.points(page.need.category)})


def invalid(page: TerritoryPage) -> HttpResponse:
    messages = "; ".join(str(error) for errors in page.form.errors.values() for error in errors)
    return HttpResponse(f"Paramètres invalides : {messages}", status=400, content_type="text/plain; charset=utf-8")


@require_safe
# Every table of a territory: a few each hour per address is plenty for people, not for scrapers.
@limit("60/h")
def export_csv(request, slug: str):
    page = page_of(request, slug)
    make = exports.SHEETS.get(request.GET.get("tableau", "offre"))
    if not page.valid or make is None:
        return invalid(page) if not page.valid else HttpResponse("Tableau inconnu.", status=400)
    sheet = make(page, request.build_absolute_uri)
    response = HttpResponse(exports.csv_text(sheet), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{page.territory.slug}-{sheet.name}.csv"'
    return response


@require_safe
@limit("60/h")
def export_xlsx(request, slug: str):
    page = page_of(request, slug)
    if not page.valid:
        return invalid(page)
    sheets = [make(page, request.build_absolute_uri) for make in exports.SHEETS.values()]
    response = HttpResponse(exports.workbook_bytes(sheets), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{page.territory.slug}.xlsx"'
    return response


@require_safe
@cached_for_data_version()
def run(request, slug: str, run_id: int):
    territory = territory_or_404(slug)
    import_run = get_object_or_404(ImportRun, pk=run_id, status=ImportRun.Status.SUCCEEDED)
    listed = changes.services_of(territory, import_run, router.db_for_read(SearchEntry))
    return render(request, "territories/run.html", {"territory": territory, "run": import_run, "listed": listed})
