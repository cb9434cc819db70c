"""Charts of the territories' pages drawn as SVG on the server: their numbers are in the tables beside them."""

from django import template

register = template.Library()


@register.filter
def segments(percents) -> list[tuple[str, str, int]]:
    """Stacked bar segments from percents: (x, width, index), as SVG attributes (never localised: "12.5")."""
    found, start = [], 0.0
    for index, percent in enumerate(percents):
        found.append((f"{start:.2f}", f"{percent:.2f}", index))
        start += percent
    return found


@register.filter
def svg_number(value) -> str:
    return f"{float(value or 0):.2f}"


@register.filter
def percent(share) -> str:
    """A share (0–1) as people read it: "12,5 %", "–" when there is nothing to share."""
    if share is None:
        return "–"
    return f"{100 * share:.1f}".replace(".", ",") + "\u00a0%"


@register.filter
def rate(value) -> str:
    """A count per 10,000 inhabitants: "3,4", "–" without inhabitants."""
    return "–" if value is None else f"{value:.1f}".replace(".", ",")


@register.filter
def km(value) -> str:
    if value is None:
        return "aucun service"
    return f"{value:.1f}".replace(".", ",") + "\u00a0km"
