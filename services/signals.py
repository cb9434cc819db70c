"""Keep the search index in step with records saved one by one (admin, shell, tests).

Imports refresh the index in bulk themselves (imports.pipeline). Every save or deletion bumps
the data version (pages show more than the index holds), so nothing derived from the data goes
stale."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from communes.models import Commune
from services import data_version
from services.models import Service
from services.search_index import refresh_search_entries
from structures.models import Structure


@receiver(post_save, sender=Service, dispatch_uid="service-search-entry")
def service_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        refresh_search_entries(service_ids=[instance.pk])


@receiver(post_save, sender=Structure, dispatch_uid="structure-search-entries")
def structure_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        refresh_search_entries(structure_ids=[instance.pk])


@receiver(post_save, sender=Service, dispatch_uid="service-saved-version")
@receiver(post_save, sender=Structure, dispatch_uid="structure-saved-version")
@receiver(post_delete, sender=Service, dispatch_uid="service-deleted-version")
@receiver(post_delete, sender=Structure, dispatch_uid="structure-deleted-version")
@receiver(post_save, sender=Commune, dispatch_uid="commune-saved-version")
@receiver(post_delete, sender=Commune, dispatch_uid="commune-deleted-version")
def data_changed(sender, raw=False, **kwargs):
    if not raw:
        data_version.bump()
