"""The search page as a person reads it, computed from the request's parameters."""

from django.core.paginator import Paginator
from django.urls import reverse
from dsfr.utils import list_pages

from services import results
from services.engine import Search
from services.filters import ServiceSearchFilterSet
from services.models import Service
from services.presenters import ResultCard, SearchSummary, oob_count_badges, option_groups, widen_suggestions
from services.search import PAGE_SIZE

OPEN_CHOICES = [("", "Peu importe"), ("maintenant", "Ouvert maintenant"), ("aujourdhui", "Ouvert aujourd'hui")]


def search_form(query) -> ServiceSearchFilterSet:
    return ServiceSearchFilterSet(query, queryset=Service.objects.none())


class SearchPage:
    """The form, and for a valid search its results: count, cards of one page, facet counts, ways to widen."""

    def __init__(self, query):
        self.query = query
        self.filterset = search_form(query)
        self.form = self.filterset.form
        self.valid = self.filterset.is_valid()
        self.search: Search | None = None
        self.page = self.summary = self.facets = None
        self.cards: list[ResultCard] = []
        self.widen: list[tuple[str, str]] = []
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
        self.page = list_pages(paginator.page(number)) if paginator.num_pages > 1 else None
        query = self.query.urlencode()
        self.cards = [
            ResultCard(service, searched=params.thematiques, search_query=query)
            for service in results.page(self.search, number, PAGE_SIZE)
        ]
        self.summary = SearchSummary.of(params, count)
        self.facets = self.search.facet_counts()
        if not count:
            self.widen = widen_suggestions(params, self.filterset.cleaned, reverse("services:search"), self.query)

    @property
    def status(self) -> int:
        return 200 if self.valid else 400

    def context(self, *, fragment: bool) -> dict:
        commune = self.filterset.cleaned.get("commune_obj")
        at_point = self.filterset.cleaned.get("lat") is not None
        groups = option_groups(self.form, self.facets)
        query = self.query.urlencode()
        context = {
            "form": self.form,
            "summary": self.summary,
            "cards": self.cards,
            "page": self.page,
            "widen": self.widen,
            "export_url": reverse("services:export") + (f"?{query}" if query else ""),
            "commune_label": commune.label if commune is not None and not at_point else self.query.get("commune", ""),
            "groups": groups,
            "main_groups": [groups[name] for name in ("publics", "types", "frais", "modes_accueil")],
            "open_choices": OPEN_CHOICES,
        }
        if fragment:
            context.update(oob=True, count_badges=oob_count_badges(groups))
        return context
