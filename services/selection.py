"""Ma sélection: the services a person puts aside to hand over, with no account.

The selection lives in the URL: the ids, each as one ``s`` parameter, percent-encoded like any query value (ids
may hold ``/``, spaces, accents, ``#``, ``?``, ``%``). Search and service pages carry it along their links when
the browser runs no JavaScript; with JavaScript the browser keeps it (static/js/site.js) and the pages never
need it. The selection page lists the services with everything needed to act, printable, and shares its own
canonical link: ``/selection/?s=…``, nothing else.
"""

from dataclasses import dataclass
from html import escape
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.safestring import SafeString

PARAMETER = "s"
# A selection is a short list handed to one person; the URL stays within what SMS and browsers carry well.
MAX_SIZE = 30
MAX_ID_LENGTH = 300


@dataclass(frozen=True)
class Selection:
    ids: tuple[str, ...]

    @classmethod
    def from_query(cls, query) -> "Selection":
        """The ids of the query, in order, once each; empty and overlong values dropped, at most MAX_SIZE."""
        values = query.getlist(PARAMETER) if hasattr(query, "getlist") else []
        ids = dict.fromkeys(value for value in values if value and len(value) <= MAX_ID_LENGTH and "\x00" not in value)
        return cls(tuple(ids)[:MAX_SIZE])

    def __contains__(self, service_id: str) -> bool:
        return service_id in self.ids

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def count(self) -> int:
        return len(self.ids)

    @property
    def query(self) -> str:
        return urlencode([(PARAMETER, service_id) for service_id in self.ids])

    @property
    def url(self) -> str:
        """The selection page, and the link to share."""
        query = self.query
        return reverse("selection") + (f"?{query}" if query else "")

    def toggled(self, service_id: str) -> "Selection":
        if service_id in self.ids:
            return Selection(tuple(value for value in self.ids if value != service_id))
        return Selection((*self.ids, service_id)[:MAX_SIZE])


class ToggleLinks:
    """The links that add a service to the selection or take it out, without JavaScript: the page ``base`` with
    the request's parameters and the selection changed. The other parameters are encoded once for all the links
    of a page (QueryDict.copy() deep-copies: 20 cards a page)."""

    def __init__(self, base: str, query):
        self.base = base
        self.selection = Selection.from_query(query)
        self.others = urlencode(
            [(name, value) for name, values in query.lists() if name != PARAMETER for value in values]
        )

    def url(self, service_id: str, anchor: str = "") -> str:
        encoded = "&".join(part for part in (self.others, self.selection.toggled(service_id).query) if part)
        return f"{self.base}{'?' + encoded if encoded else ''}{anchor}"


def toggle_url(base: str, query, service_id: str, anchor: str = "") -> str:
    return ToggleLinks(base, query).url(service_id, anchor)


# Adds a service to "Ma sélection" or takes it out: a real link that carries the selection in the URL without
# JavaScript; static/js/site.js turns it into a toggle button over the selection the browser keeps (data-select,
# data-select-label). Written here with one escape per value: 20 cards a page, an include each cost ~1 ms a page
# (the standard library's escape is Django's, without its lazy-string wrapper).
TOGGLE = (
    '<a class="fr-btn fr-btn--sm fr-btn--tertiary-no-outline fr-btn--icon-left {icon} services-select" href="{url}"'
    ' data-select="{id}"><span data-select-label>{label}</span><span class="fr-sr-only"> : {name}</span></a>'
)


def toggle_link(service_id: str, name: str, *, selected: bool, url: str) -> SafeString:
    icon, label = ("fr-icon-star-fill", "Retirer de") if selected else ("fr-icon-star-line", "Ajouter à")
    values = {"url": escape(url), "id": escape(service_id), "name": escape(name)}
    return SafeString(TOGGLE.format(icon=icon, label=f"{label} ma sélection", **values))
