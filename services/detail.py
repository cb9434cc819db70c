"""What the service page shows, section by section, computed once (no logic in templates)."""

from datetime import datetime
from urllib.parse import quote, urlencode

from data_inclusion.schema import v1
from django.urls import reverse
from django.utils import timezone

from communes.zones import describe_zone
from core.geo import haversine_km
from core.rendering import plain_excerpt, render_markdown, safe_url, updated_text
from services.presenters import ResultCard, format_distance
from services.sources import source_name
from structures.hours_display import read_hours
from structures.schema import enum_label


def directions_url(latitude: float | None, longitude: float | None) -> str | None:
    if latitude is None or longitude is None:
        return None
    return f"https://www.openstreetmap.org/directions?to={latitude:.5f}%2C{longitude:.5f}"


def duration_text(hours_per_week: float | None, weeks: int | None) -> str:
    parts = []
    if hours_per_week:
        hours = f"{hours_per_week:g}".replace(".", ",")
        parts.append(f"{hours} h par semaine")
    if weeks:
        parts.append(f"pendant {weeks} semaine{'s' if weeks > 1 else ''}")
    return " ".join(parts)


class ServiceDetail:
    def __init__(self, service, *, now: datetime, origin=None, search_query: str = "", page_url: str = ""):
        structure = service.structure
        self.service = service
        self.structure = structure
        self.card = ResultCard(service)
        self.structure_url = reverse("structures:detail", args=[structure.id])
        self.thematiques = [enum_label(v1.Thematique, value) for value in service.thematiques or []]
        self.type = enum_label(v1.TypeService, service.type) if service.type else ""
        self.source = source_name(service.source)
        self.source_url = safe_url(service.lien_source)
        self.updated = updated_text(service.date_maj, today=timezone.localdate(now))
        self.summary = plain_excerpt(service.description)
        # Comment mobiliser
        self.actions = self.card.actions
        self.mobilisable_par = [enum_label(v1.PersonneMobilisatrice, v) for v in service.mobilisable_par or []]
        self.mobilisation_precisions = render_markdown(service.mobilisation_precisions)
        # Où et quand
        self.address = self.card.address or ", ".join(
            part for part in (structure.adresse, structure.code_postal, structure.commune) if part
        )
        latitude = service.latitude if service.latitude is not None else structure.latitude
        longitude = service.longitude if service.longitude is not None else structure.longitude
        self.directions_url = directions_url(latitude, longitude)
        self.distance = ""
        if origin is not None and latitude is not None and longitude is not None:
            self.distance = format_distance(haversine_km(latitude, longitude, origin.latitude, origin.longitude))
            self.origin_label = origin.commune.label
        self.hours = read_hours(service.horaires_accueil or structure.horaires_accueil, at=now)
        self.hours_from_structure = bool(self.hours) and not service.horaires_accueil
        self.remote = self.card.remote
        # Pour qui
        self.publics = self.card.publics
        self.publics_precisions = render_markdown(service.publics_precisions)
        self.conditions_acces = render_markdown(service.conditions_acces)
        self.zone = describe_zone(service.zone_eligibilite)
        # Frais et durée
        self.frais = self.card.frais
        self.frais_precisions = render_markdown(service.frais_precisions)
        self.duration = duration_text(service.volume_horaire_hebdomadaire, service.nombre_semaines)
        # Description
        self.description = render_markdown(service.description)
        # Navigation and sharing
        self.back_url = f"{reverse('services:search')}?{search_query}" if search_query else ""
        self.share_mailto = "mailto:?" + urlencode(
            {"subject": service.nom, "body": f"{service.nom} — {structure.nom}\n{page_url}"}, quote_via=quote
        )
        self.share_sms = "sms:?&body=" + quote(f"{service.nom} : {page_url}")
        self.page_url = page_url
