"""Records saved or deleted one by one (admin, shell, tests) reach the one writer of derived data
(services.search_index). Imports write in bulk and call it themselves."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from services import search_index
from services.models import Service
from structures.models import Structure


@receiver(post_save, sender=Service, dispatch_uid="service-saved")
@receiver(post_delete, sender=Service, dispatch_uid="service-deleted")
def service_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        # The structure too: its score counts the service, which may be gone.
        search_index.changed(service_ids=[instance.pk], structure_ids=[instance.structure_id])


@receiver(post_save, sender=Structure, dispatch_uid="structure-saved")
@receiver(post_delete, sender=Structure, dispatch_uid="structure-deleted")
def structure_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        search_index.changed(structure_ids=[instance.pk])
