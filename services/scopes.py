"""Filters on where a service is and what its record holds: the searches behind the figures of territories.

- ``territoire``: services located in the territory, by the commune their record names (code_insee).
- ``habitants``: services open to the territory's residents: eligible, by the contract's rule, for one of its
  communes at least.
- ``sur_place``: offered on site at a known point (the services distances are measured to).
- ``maj_depuis`` / ``maj_avant``: date_maj on or after / before a day.
- ``sans``: records without a way to contact them, without hours, or without coordinates.

Each gives a mask over the index's rows (services.columns); services.engine applies them with the other filters.
"""

from datetime import date

import numpy as np

from services.columns import Columns
from services.search import SearchParams

DATE_ORIGIN = date(2000, 1, 1)  # services.columns counts date_maj in days since then
MISSING = {"contact": "Sans contact", "horaires": "Sans horaires", "coordonnees": "Sans coordonnées"}


def days(day: date) -> int:
    return (day - DATE_ORIGIN).days


def missing(columns: Columns, what: str) -> np.ndarray:
    if what == "contact":
        return ~columns.has_contact
    if what == "horaires":
        return columns.matrix("hours_key")[:, 0] < 0
    return np.isnan(columns.latitude)


def masks(params: SearchParams, columns: Columns) -> dict[str, np.ndarray]:
    """The filters of the search among the above, each as a mask over every row."""
    found = {}
    if params.territoire is not None:
        codes = columns.codes("code_insee", params.territoire.commune_codes)
        found["territoire"] = np.isin(columns.matrix("code_insee")[:, 0], codes)
    if params.habitants is not None:
        found["habitants"] = columns.eligible_for(params.habitants.eligibility_codes)
    if params.sur_place:
        found["sur_place"] = columns.offered_on_site
    if params.maj_depuis is not None:
        found["maj_depuis"] = columns.date_days >= days(params.maj_depuis)
    if params.maj_avant is not None:
        found["maj_avant"] = columns.date_days < days(params.maj_avant)
    if params.sans:
        found["sans"] = missing(columns, params.sans)
    return found
