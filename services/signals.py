"""Keep the search index in step with records saved one by one (admin, shell, tests).

Imports refresh the index in bulk themselves (imports.pipeline)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

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
