"""The search form's checkboxes: each option with its facet count, grouped by parameter, and their markup.

A form carries ~160 checkboxes whose markup depends on the request only through the checked states and the counts:
each group's template is rendered once per set of checked states (and labels, errors), with numbered slots where
the counts go, and each request fills in the counts (rendering the checkboxes' templates cost ~15 ms a page)."""

import functools
import re
from dataclasses import dataclass

import orjson
from data_inclusion.schema import v1
from django.template.loader import get_template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from services.search import CATEGORIES, THEMATIQUES_OF

COUNT_BADGE = '<span id="{id}" class="services-facet-count">{count}</span>'
COUNT_TEXT = '<span aria-hidden="true">({n})</span><span class="fr-sr-only">, {n} résultat{s}</span>'
# Stands for an option's count badge while the rest of the markup is rendered: "\x00<index of the option>\x00".
SLOT = re.compile("\x00([0-9]+)\x00")
# Rendered groups kept per process: one per combination of checked options seen (most searches check a few).
MAX_GROUPS = 512
NEEDS_TEMPLATE = "services/includes/needs_fieldset.html"
# The groups of checkboxes after the needs, in the form's order.
OTHER_GROUPS = ("publics", "types", "frais", "modes_accueil", "sources")
_groups: dict[tuple, tuple] = {}


@dataclass
class Option:
    name: str  # the parameter
    value: str
    label: str
    count: int | None
    checked: bool
    children: list["Option"] | None = None  # a category's thématiques

    @property
    def narrowed(self) -> bool:
        """A chosen need narrowed to some of its chosen sub-needs (services.search.effective_thematiques)."""
        return self.checked and any(child.checked for child in self.children or [])

    @property
    def open(self) -> bool:
        """Its sub-needs are shown: one of them is chosen."""
        return any(child.checked for child in self.children or [])

    @property
    def dom_id(self) -> str:
        return f"{self.name}-{self.value}"

    @property
    def count_id(self) -> str:
        return f"facet-{self.name}-{self.value}"

    def count_badge(self) -> SafeString:
        """How many results selecting the option would give, read out in full by screen readers (static/js/search.js
        writes the same after an htmx refresh)."""
        # Plain formatting with one escape: a form carries ~160 badges (format_html per badge cost 5 ms a page).
        # The count is an int, the id the only text.
        return mark_safe(COUNT_BADGE.format(id=escape(self.count_id), count=self.count_html()))

    def count_html(self) -> str:
        return count_text(self.count)

    def html(self) -> SafeString:
        """The checkbox, its label and its count (templates/services/includes/checkbox.html)."""
        before, after = checkbox_parts(self.name, self.value, self.label, self.checked)
        return mark_safe(before + self.count_html() + after)

    def key(self) -> tuple:
        """All its markup shows but the count."""
        children = tuple(child.key() for child in self.children) if self.children is not None else None
        return (self.name, self.value, self.label, self.checked, children)


@dataclass
class _Slot(Option):
    """An option whose count is a numbered slot, filled in per request."""

    slot: int = -1

    def count_html(self) -> str:
        return f"\x00{self.slot}\x00"


@functools.lru_cache(maxsize=4096)
def count_text(count: int | None) -> str:
    """The inside of an option's count badge."""
    return "" if count is None else COUNT_TEXT.format(n=int(count), s="s" if count > 1 else "")


@functools.lru_cache(maxsize=4096)
def checkbox_parts(name: str, value: str, label: str, checked: bool) -> tuple[str, str]:
    """checkbox.html rendered for an option, split around its count."""
    html = get_template("services/includes/checkbox.html").render(
        {"option": _Slot(name, value, label, None, checked, slot=0)}
    )
    before, _, after = SLOT.split(html)
    return before, after


def group_html(group: "OptionGroup") -> SafeString:
    """group.template rendered for the group. Its markup but the counts is looked up by all it shows (so sources
    renamed or added by an import, or errors, get their own entry); the counts are then put in their slots."""
    key = (group.template, group.name, group.legend, tuple(str(error) for error in group.errors))
    key += tuple(option.key() for option in group.options)
    parts = _groups.get(key)
    if parts is None:
        parts = _render_with_slots(group)
        if len(_groups) >= MAX_GROUPS:
            _groups.clear()
        _groups[key] = parts
    options = list(group.all_options())
    return mark_safe("".join(part if type(part) is str else count_text(options[part].count) for part in parts))


def _render_with_slots(group: "OptionGroup") -> tuple[str | int, ...]:
    """The group's markup as text and, in place of each count, the index of its option in all_options()."""
    index = iter(range(10_000))

    def slotted(option: Option) -> _Slot:
        copy = _Slot(option.name, option.value, option.label, option.count, option.checked, slot=next(index))
        copy.children = [slotted(child) for child in option.children] if option.children is not None else None
        return copy

    copy = OptionGroup(group.name, group.legend, [slotted(option) for option in group.options], group.errors)
    pieces = SLOT.split(get_template(group.template).render({"group": copy}))
    return tuple(int(piece) if position % 2 else piece for position, piece in enumerate(pieces))


def facet_counts_data(form, facets: dict | None) -> str:
    """Every option's count, by parameter and value (null without results), in JSON: an htmx fragment sends them as
    data that static/js/search.js writes into the form's badges as count_badge() does, rather than ~160 rendered
    badges. The options are those of option_groups(), read from the choices without making them."""
    facets = facets or {}
    counts: dict[str, dict[str, int | None]] = {}
    for name, values in option_values(form):
        found = facets.get(name)
        counts[name] = {value: None if found is None else found.get(value, 0) for value in values}
    return orjson.dumps(counts).decode()


def option_values(form):
    """(parameter, its values) of every checkbox of the search form, in the form's order."""
    yield "thematiques", need_values()
    for name in OTHER_GROUPS:
        yield name, [value for value, _ in form.fields[name].choices]


@functools.cache
def need_values() -> list[str]:
    """The needs' values as the form shows them: each category, then its thématiques."""
    return [value for category in CATEGORIES for value in (category, *THEMATIQUES_OF[category])]


@dataclass
class OptionGroup:
    name: str
    legend: str
    options: list[Option]
    errors: list[str]
    template: str = "services/includes/option_group.html"

    def html(self) -> SafeString:
        return group_html(self)

    @property
    def has_selection(self) -> bool:
        return any(option.checked for option in self.all_options())

    @property
    def selection_label(self) -> str:
        count = sum(option.checked for option in self.all_options())
        return f"{count} choisi{'s' if count > 1 else ''}"

    def all_options(self):
        for option in self.options:
            yield option
            yield from option.children or []


def option_groups(form, facets: dict | None) -> dict[str, OptionGroup]:
    """Every checkbox of the search form, with its facet count when results exist."""
    facets = facets or {}
    data = form.data

    def options(name, choices):
        selected = set(data.getlist(name)) if hasattr(data, "getlist") else set()
        counts = facets.get(name)
        return [
            Option(name, value, label, None if counts is None else counts.get(value, 0), value in selected)
            for value, label in choices
        ]

    categories = options("thematiques", [(c.value, c.label) for c in v1.Categorie])
    thematiques = options("thematiques", [(t.value, t.label) for t in v1.Thematique])
    for category in categories:
        category.children = [option for option in thematiques if option.value in THEMATIQUES_OF[category.value]]
    errors = form.errors.get("thematiques", [])
    groups = {"thematiques": OptionGroup("thematiques", "Besoin", categories, errors, NEEDS_TEMPLATE)}
    for name in OTHER_GROUPS:
        field = form.fields[name]
        groups[name] = OptionGroup(name, field.label, options(name, field.choices), form.errors.get(name, []))
    return groups
