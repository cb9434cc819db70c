from data_inclusion.schema import v1
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from core.rendering import format_phone, phone_href, render_markdown, safe_url, updated_text
from services.detail import directions_url
from services.presenters import ResultCard
from services.sources import source_name
from structures.hours_display import read_hours
from structures.models import Structure
from structures.schema import enum_label


@require_safe
def detail(request, structure_id: str):
    structure = get_object_or_404(Structure, pk=structure_id)
    if not structure.is_published:
        return render(request, "structures/gone.html", {"structure": structure}, status=410)
    services = structure.services.published().select_related("structure").order_by("nom", "id")
    duplicates = []
    if structure.duplicate_group:
        duplicates = list(
            Structure.objects.published()
            .filter(duplicate_group=structure.duplicate_group)
            .exclude(pk=structure.pk)
            .order_by("source", "id")
        )
    now = timezone.now()
    context = {
        "structure": structure,
        "description": render_markdown(structure.description),
        "cards": [ResultCard(service) for service in services],
        "hours": read_hours(structure.horaires_accueil, at=now),
        "site_web": safe_url(structure.site_web),
        "accessibilite": safe_url(structure.accessibilite_lieu),
        "source_url": safe_url(structure.lien_source),
        "source": source_name(structure.source),
        "updated": updated_text(structure.date_maj, today=timezone.localdate(now)),
        "reseaux": [enum_label(v1.ReseauPorteur, value) for value in structure.reseaux_porteurs or []],
        "directions_url": directions_url(structure.latitude, structure.longitude),
        "duplicates": [
            (source_name(other.source), reverse("structures:detail", args=[other.id])) for other in duplicates
        ],
        "phone": format_phone(structure.telephone),
        "phone_href": phone_href(structure.telephone),
    }
    return render(request, "structures/detail.html", context)
