"""Links found in producers' text: made clickable, but never trusted."""

from django import template
from django.utils.html import urlize
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter(needs_autoescape=True)
def urlize_external(value, autoescape=True):
    """Django's urlize (http(s) and www. only, text escaped), with rel="nofollow noopener noreferrer".

    The exact ` rel="nofollow"` only comes from urlize's own tags: in escaped text its quotes
    would read `&quot;`, so the replacement cannot touch the producer's text.
    """
    html = urlize(value, nofollow=True, autoescape=autoescape)
    return mark_safe(html.replace(' rel="nofollow"', ' rel="nofollow noopener noreferrer"'))
