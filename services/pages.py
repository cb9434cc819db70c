"""The search pages as a person reads them, computed from the request's parameters: the home page's choices, the
results page (and its htmx fragment), the printable list, Ma sélection."""

from functools import cached_property, lru_cache
from itertools import groupby
from operator import attrgetter
from urllib.parse import quote, urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.translation import get_language

from services import results
from services.criteria import RESULTS_ANCHOR, Criteria
from services.detail import ServiceDetail
from services.engine import Search
from services.filters import ServiceSearchFilterSet
from services.models import Service
from services.options import facet_counts_data, option_groups
from services.presenters import (
    ResultCard,
    SearchSummary,
    detail_url,
    hours_text,
    need_choices,
    widen_suggestions,
    with_params,
)
from services.search import PAGE_SIZE, RADII_KM
from services.selection import MAX_SIZE, PARAMETER, Selection, ToggleLinks, toggle_url

OPEN_CHOICES = [("", "Peu importe"), ("maintenant", "Ouvert maintenant"), ("aujourdhui", "Ouvert aujourd'hui")]
# The printable list: enough to hand over, short enough to print.
PRINT_SIZE = 100


def search_form(query) -> ServiceSearchFilterSet:
    return ServiceSearchFilterSet(query, queryset=Service.objects.none())


def query_url(name: str, query) -> str:
    """The URL named, with the query (a QueryDict, or already encoded)."""
    encoded = query if isinstance(query, str) else query.urlencode()
    return path_of(name) + (f"?{encoded}" if encoded else "")


def path_of(name: str) -> str:
    """reverse(name) for a route without arguments, kept per script prefix: ~50 µs each, five a results page."""
    return _path_of(name, get_script_prefix())


@lru_cache(maxsize=64)
def _path_of(name: str, script_prefix: str) -> str:
    return reverse(name)


class SearchPage:
    """The form, and for a valid search its results: count, cards of one page, facet counts, active filters,
    ways to widen."""

    def __init__(self, query):
        self.query = query
        self.base_url = path_of("services:search")
        self.filterset = search_form(query)
        self.form = self.filterset.form
        self.valid = self.filterset.is_valid()
        self.selection = Selection.from_query(query)
        self.search: Search | None = None
        self.page = self.summary = self.facets = self.criteria = None
        self.cards: list[ResultCard] = []
        self.widen: list[tuple[str, str]] = []
        self.wider_radius: tuple[str, str] | None = None
        if self.valid and query:
            self.run()

    def run(self) -> None:
        params = self.filterset.params()
        self.search = Search.of(params)
        count, number = self.search.count, self.filterset.page_number
        paginator = Paginator(range(count), PAGE_SIZE)
        if number > max(paginator.num_pages, 1):
            self.form.add_error(
                "page", f"Cette page n'existe pas : les résultats tiennent en {paginator.num_pages} page(s)."
            )
            self.valid = False
            return
        self.page = listed_page(paginator, number) if paginator.num_pages > 1 else None
        if self.page is not None:
            self.page.hrefs = page_hrefs(self.query, self.page)
        query = self.encoded
        first = (number - 1) * PAGE_SIZE + 1
        toggles, today, language = ToggleLinks(self.base_url, self.query), timezone.localdate(), get_language()
        self.cards = [
            ResultCard(
                service,
                searched=params.thematiques,
                search_query=query,
                position=position,
                selected=service.id in self.selection,
                select_url=toggles.url(service.id, f"#resultat-{position}"),
                today=today,
                language=language,
            )
            for position, service in enumerate(results.page(self.search, number, PAGE_SIZE), start=first)
        ]
        self.summary = SearchSummary.of(params, count, on_site=self.search.on_site_count)
        self.criteria = Criteria(params, self.query, self.base_url)
        self.facets = self.search.facet_counts()
        if not count:
            widen = widen_suggestions(params, self.filterset.cleaned, self.base_url, self.query)
            self.widen = [(label, url + RESULTS_ANCHOR) for label, url in widen]
        elif params.origin is not None and not self.summary.on_site:
            bigger = [radius for radius in RADII_KM if radius > params.radius_km]
            if bigger:
                url = with_params(self.base_url, self.query, rayon_km=bigger[0], page=None) + RESULTS_ANCHOR
                self.wider_radius = (f"Chercher dans un rayon de {bigger[0]} km", url)

    @cached_property
    def encoded(self) -> str:
        """The query, encoded once for the page's links."""
        return self.query.urlencode()

    @property
    def status(self) -> int:
        return 200 if self.valid else 400

    @property
    def count_text(self) -> str:
        """The sentence under the title: how many results, or that the search must be corrected."""
        if self.form.errors:
            return "Recherche incomplète : corrigez les champs signalés."
        return self.summary.text if self.summary else ""

    def commune_choices(self) -> list[tuple[str, str]]:
        """Links to the places a typed commune may mean (the form without JavaScript)."""
        return [
            (
                place.suggestion_label,
                with_params(self.base_url, self.query, commune=place.suggestion_label, code_commune=place.code_insee)
                + RESULTS_ANCHOR,
            )
            for place in self.form.commune_choices
        ]

    def context(self, *, fragment: bool) -> dict:
        """What the results need (templates/jinja2/services/results.html); the page adds its form, the fragment what
        htmx swaps outside the results (the counts as data)."""
        criteria, encoded = self.criteria, self.encoded
        context = {
            "form": self.form,
            "summary": self.summary,
            "criteria": criteria,
            "document_title": f"{criteria.title(self.summary.count)} — {settings.SITE_NAME}"
            if criteria
            else settings.SITE_NAME,
            "heading": criteria.heading if criteria else "Trouver un service d'insertion",
            "filter_count": len(criteria.chips) if criteria else 0,
            "count_text": self.count_text,
            "card_groups": [(on_site, list(cards)) for on_site, cards in groupby(self.cards, attrgetter("on_site"))],
            "page": self.page,
            "widen": self.widen,
            "wider_radius": self.wider_radius,
            "commune_choices": self.commune_choices(),
            "export_url": query_url("services:export", encoded),
            "xlsx_url": query_url("services:export_xlsx", encoded),
            "print_url": query_url("services:print", encoded),
            "map_url": query_url("services:map", encoded),
        }
        if fragment:
            context.update(oob=True, facet_counts=facet_counts_data(self.form, self.facets))
        else:
            context.update(self.form_context())
        return context

    def form_context(self) -> dict:
        """The search form of the page (templates/services/includes/search_form.html)."""
        commune = self.filterset.cleaned.get("commune_obj")
        at_point = self.filterset.cleaned.get("lat") is not None
        groups = option_groups(self.form, self.facets)
        return {
            "commune_label": commune.label if commune is not None and not at_point else self.query.get("commune", ""),
            "groups": groups,
            "main_groups": [groups[name] for name in ("publics", "types", "frais", "modes_accueil")],
            "advanced_open": bool(self.query.get("sources") or self.query.get("doublons"))
            or bool(self.query.get("score_qualite_minimum")),
            "open_choices": OPEN_CHOICES,
            "selection": self.selection,
            "map": {"tiles_url": settings.MAP_TILES_URL, "attribution": settings.MAP_ATTRIBUTION},
        }


def listed_page(paginator: Paginator, number: int):
    """The page with the numbers its pagination shows (``pages_list``, django-dsfr's name), in order: the first two,
    the page and its neighbours, the last two, "…" for a gap of more than one page. (django-dsfr's list_pages
    orders them as a set does: "690, 1, 2, …, 689" on the first of 690 pages.)"""
    page = paginator.page(number)
    elided = paginator.get_elided_page_range(number, on_each_side=1, on_ends=2)
    page.pages_list = [item if isinstance(item, int) else "…" for item in elided]
    return page


def page_hrefs(query, page) -> dict:
    """The pagination's links (templates/jinja2/services/pagination.html), each the search's query with its page
    number, as django-dsfr's url_remplace_params writes them."""
    # The query encoded once, around its page number (values are percent-encoded: "&" only separates pairs), as
    # QueryDict would with page set: in its place, else last.
    params = []
    for name, values in query.lists():
        params += [("page", "0")] if name == "page" else [(name, value) for value in values]
    if "page" not in query:
        params.append(("page", "0"))
    pairs = urlencode(params).split("&")
    at = pairs.index("page=0")
    before, after = "&".join(pairs[:at] + [""]), "&".join([""] + pairs[at + 1 :])

    def href(number) -> str:
        return f"?{before}page={number}{after}#resultats"

    paginator = page.paginator
    return {
        "first": href(1),
        "previous": href(page.previous_page_number()) if page.has_previous() else "",
        "next": href(page.next_page_number()) if page.has_next() else "",
        "last": href(paginator.num_pages),
        "current": href(page.number),
        "pages": [(item, "" if item == "…" else href(item)) for item in page.pages_list or []],
    }


class HomePage:
    """The first step: where, and which need."""

    def __init__(self, query):
        self.selection = Selection.from_query(query)

    def context(self) -> dict:
        return {"needs": need_choices(), "selection": self.selection}


class PrintedList:
    """The first PRINT_SIZE results of a search, compact, with its criteria and the date: a list to hand over."""

    def __init__(self, request):
        self.filterset = search_form(request.GET)
        self.valid = self.filterset.is_valid()
        self.entries: list[tuple[ResultCard, str]] = []  # each with its hours on one line
        self.count = 0
        if not self.valid:
            return
        params = self.filterset.params()
        search = Search.of(params)
        self.count = search.count
        self.criteria = Criteria(params, request.GET, reverse("services:search"))
        self.entries = [
            (
                ResultCard(
                    service, searched=params.thematiques, page_url=request.build_absolute_uri(detail_url(service.id))
                ),
                hours_text(service.horaires_accueil or service.structure.horaires_accueil),
            )
            for service in results.page(search, 1, PRINT_SIZE)
        ]
        self.date = timezone.localdate()
        self.search_url = request.build_absolute_uri(query_url("services:search", request.GET))


class SelectionPage:
    """The selected services, in the order they were chosen, with all a page needs to act on each."""

    def __init__(self, request):
        self.selection = Selection.from_query(request.GET)
        now = timezone.now()
        found = Service.objects.select_related("structure").in_bulk(self.selection.ids)
        self.entries = []
        self.withdrawn = []
        for service_id in self.selection.ids:
            service = found.get(service_id)
            if service is None or not (service.is_published and service.structure.is_published):
                self.withdrawn.append(service.nom if service is not None else service_id)
                continue
            page_url = request.build_absolute_uri(reverse("services:detail", args=[service.id]))
            detail = ServiceDetail(service, now=now, page_url=page_url)
            self.entries.append((detail, toggle_url(reverse("selection"), request.GET, service.id)))
        self.share_url = request.build_absolute_uri(self.selection.url)
        self.truncated = len(request.GET.getlist(PARAMETER)) > MAX_SIZE
        names = "\n".join(f"- {detail.service.nom} ({detail.structure.nom})" for detail, _ in self.entries)
        body = (
            f"Voici des services d'insertion qui peuvent vous aider :\n{names}\n\nTous les détails : {self.share_url}"
        )
        self.share_mailto = "mailto:?" + urlencode(
            {"subject": "Une sélection de services d'insertion", "body": body}, quote_via=quote
        )
        self.share_sms = "sms:?&body=" + quote(f"Des services d'insertion pour vous : {self.share_url}")
