"""The filter form's options: markup kept per set of checked options, counts put in per request."""

import re

import pytest
from django.http import QueryDict
from django.template.loader import get_template

from services.options import Option, OptionGroup, option_groups
from services.pages import search_form

pytestmark = pytest.mark.django_db

BADGE = re.compile(
    r'id="facet-(?P<name>[a-z_]+)-(?P<value>[^"]+)" class="services-facet-count">'
    r'(?P<inside>(?:<span aria-hidden="true">.*?</span><span class="fr-sr-only">.*?</span>)?)</span>'
)


def groups_for(query: str, facets: dict | None):
    filterset = search_form(QueryDict(query))
    filterset.is_valid()
    return option_groups(filterset.form, facets)


def badges(html: str) -> dict[tuple[str, str], str]:
    return {(match["name"], match["value"]): match["inside"] for match in BADGE.finditer(html)}


def test_each_request_gets_its_own_counts_in_the_kept_markup():
    first = groups_for("publics=jeunes", {"publics": {"jeunes": 3, "femmes": 1}})["publics"].html()
    second = groups_for("publics=jeunes", {"publics": {"jeunes": 12}})["publics"].html()
    assert badges(first)[("publics", "jeunes")].startswith('<span aria-hidden="true">(3)</span>')
    assert badges(first)[("publics", "femmes")].endswith(", 1 résultat</span>")
    assert badges(second)[("publics", "jeunes")].startswith('<span aria-hidden="true">(12)</span>')
    assert badges(second)[("publics", "femmes")].startswith('<span aria-hidden="true">(0)</span>')
    assert re.sub(r"<span id=\"facet-.*?</span></span>", "", first) == re.sub(
        r"<span id=\"facet-.*?</span></span>", "", second
    )


def test_checked_options_and_no_counts_are_rendered_as_the_templates_do():
    for query in ("", "thematiques=famille&thematiques=famille--garde-denfants&frais=gratuit", "publics=nope"):
        for facets in (None, {"thematiques": {"famille": 5}, "frais": {"gratuit": 2}}):
            for group in groups_for(query, facets).values():
                plain = OptionGroup(group.name, group.legend, group.options, group.errors, group.template)
                expected = get_template(group.template).render({"group": _Uncached(plain)})
                assert group.html() == expected


class _Uncached:
    """The group with each option's markup straight from checkbox.html: what the kept markup must equal."""

    def __init__(self, group):
        self.__dict__.update(vars(group))
        self.has_selection, self.selection_label = group.has_selection, group.selection_label
        self.options = [_UncachedOption(option) for option in group.options]


class _UncachedOption(Option):
    def __init__(self, option):
        super().__init__(option.name, option.value, option.label, option.count, option.checked)
        self.children = [_UncachedOption(child) for child in option.children] if option.children is not None else None

    def html(self):
        return get_template("services/includes/checkbox.html").render({"option": self})
