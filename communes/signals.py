"""A commune saved or deleted one by one changes what searches find (eligibility codes, points): a new data
version, so that no cached page outlives it. The communes import bumps it itself."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from communes.models import Commune
from core import data_version


@receiver(post_save, sender=Commune, dispatch_uid="commune-saved")
@receiver(post_delete, sender=Commune, dispatch_uid="commune-deleted")
def commune_changed(sender, raw=False, **kwargs):
    if not raw:
        data_version.bump()
