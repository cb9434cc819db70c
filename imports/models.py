from django.contrib.postgres.fields import ArrayField
from django.db import models


class ImportRun(models.Model):
    """One run of the data·inclusion import, with its counts: the curators' audit trail."""

    class Status(models.TextChoices):
        RUNNING = "en-cours", "En cours"
        SUCCEEDED = "reussi", "Réussi"
        FAILED = "echoue", "Échoué"
        # The process ended without a word (killed, machine restarted): see imports.runs.
        INTERRUPTED = "interrompu", "Interrompu"

    started_at = models.DateTimeField("début", auto_now_add=True)
    finished_at = models.DateTimeField("fin", null=True, blank=True)
    origin = models.CharField("origine", help_text="Fichiers ou adresse de l'API importés.")
    sources = ArrayField(models.CharField(), verbose_name="sources", default=list, blank=True)
    full = models.BooleanField(
        "import complet", default=True, help_text="Les enregistrements absents de la source sont dépubliés."
    )
    status = models.CharField("état", max_length=16, choices=Status.choices, default=Status.RUNNING)
    counts = models.JSONField("compteurs", default=dict, blank=True)
    timings = models.JSONField("durées par phase (s)", default=dict, blank=True)
    message = models.TextField(blank=True)
    # Where the run's process is (or was): whom to look for when a run seems stuck.
    host = models.CharField("machine", max_length=255, blank=True)
    pid = models.PositiveIntegerField("processus", null=True, blank=True)

    class Meta:
        verbose_name = "import"
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"Import du {self.started_at:%d/%m/%Y %H:%M} ({self.get_status_display()})"


class RejectedRecord(models.Model):
    """A record an import refused, with the reason in French."""

    class Kind(models.TextChoices):
        STRUCTURE = "structure", "Structure"
        SERVICE = "service", "Service"

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="rejected_records")
    kind = models.CharField("type", max_length=16, choices=Kind.choices)
    record_id = models.CharField("identifiant", blank=True)
    source = models.CharField(blank=True)
    field = models.CharField("champ", blank=True)
    message = models.TextField("motif")

    class Meta:
        verbose_name = "enregistrement rejeté"
        verbose_name_plural = "enregistrements rejetés"
        ordering = ["run", "kind", "record_id", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.record_id} : {self.message}"
