from django.db import models

from imports.models import ImportRun
from services.models import Service


class ImportChange(models.Model):
    """A service an import added, changed or removed (unpublished): what each run did, territory by territory.

    Written by territories.changes when the run succeeds, inside its transaction: the rows the run wrote carry its
    transaction's timestamp (``updated_at = now()``). Unchanged records are not written by imports, so a run that
    changed nothing adds nothing here."""

    class Kind(models.TextChoices):
        ADDED = "ajoute", "Ajoutés"
        CHANGED = "modifie", "Modifiés"
        REMOVED = "retire", "Retirés"

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)

    class Meta:
        verbose_name = "changement importé"
        verbose_name_plural = "changements importés"
        constraints = [models.UniqueConstraint(fields=["run", "service"], name="import_change_unique")]

    def __str__(self):
        return f"{self.get_kind_display()} : {self.service_id}"
