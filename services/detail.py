"""What the service and structure pages show, section by section, computed once (no logic in templates)."""

from datetime import datetime
from urllib.parse import quote, urlencode

from data_inclusion.schema import v1
from django.urls import reverse
from django.utils import timezone

from communes.zones import describe_zone
from core.geo import directions_url, haversine_km
from core.rendering import format_phone, phone_href, plain_excerpt, render_markdown, safe_url, updated_text
from services.presenters import ResultCard, cards_html, format_distance
from structures.hours_display import read_hours
from structures.schema import enum_label
from structures.sources import source_name


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


class StructureDetail:
    """A structure, its published services as result cards, and its other listings (duplicates)."""

    def __init__(self, structure, *, now: datetime):
        self.structure = structure
        self.description = render_markdown(structure.description)
        services = structure.services.published().select_related("structure").order_by("nom", "id")
        self.cards = [ResultCard(service) for service in services]
        self.cards_html = cards_html(self.cards)
        self.hours = read_hours(structure.horaires_accueil, at=now)
        self.site_web = safe_url(structure.site_web)
        self.accessibilite = safe_url(structure.accessibilite_lieu)
        self.source_url = safe_url(structure.lien_source)
        self.source = source_name(structure.source)
        self.updated = updated_text(structure.date_maj, today=timezone.localdate(now))
        self.reseaux = [enum_label(v1.ReseauPorteur, value) for value in structure.reseaux_porteurs or []]
        self.directions_url = directions_url(structure.latitude, structure.longitude)
        self.duplicates = [
            (source_name(other.source), reverse("structures:detail", args=[other.id]))
            for other in self.other_listings(structure)
        ]
        self.phone = format_phone(structure.telephone)
        self.phone_href = phone_href(structure.telephone)

    @staticmethod
    def other_listings(structure):
        if not structure.duplicate_group:
            return []
        published = type(structure).objects.published().filter(duplicate_group=structure.duplicate_group)
        return published.exclude(pk=structure.pk).order_by("source", "id")
