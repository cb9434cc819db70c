"""What structures and services share besides their schema fields: publication state,
quality score, curation bookkeeping and timestamps."""

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models

from structures.schema import schema_errors


class UnpublishedReason(models.TextChoices):
    REMOVED_UPSTREAM = "retire-par-la-source", "Retiré par la source"
    HIDDEN_BY_CURATOR = "masque-par-un-curateur", "Masqué par un curateur"
    STRUCTURE_UNPUBLISHED = "structure-depubliee", "Structure dépubliée"


class UpstreamRecord(models.Model):
    """Abstract base of a record that comes from a data·inclusion producer."""

    score_qualite = models.FloatField(
        "score de qualité",
        null=True,
        blank=True,
        help_text="Entre 0 et 1, calculé avec le module officiel de data·inclusion.",
    )
    is_published = models.BooleanField("publié", default=True, db_index=True)
    unpublished_reason = models.CharField(
        "motif de dépublication", max_length=32, choices=UnpublishedReason.choices, blank=True
    )
    unpublished_note = models.TextField("précision sur la dépublication", blank=True)
    # Curation: names of the fields a curator corrected, which imports must not overwrite,
    # and the latest upstream value of each of them, shown as "différente de la source".
    curated_fields = ArrayField(models.CharField(max_length=64), default=list, blank=True)
    upstream_values = models.JSONField(default=dict, blank=True)
    # Hash of the last imported upstream record, normalised: an unchanged record is not written again.
    source_hash = models.CharField(max_length=32, blank=True)
    # Hash of that record as read (imports.validation.raw_hash): the same record again is not even validated.
    raw_hash = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    schema_model = None  # the data_inclusion.schema.v1 model, set by subclasses

    class Meta:
        abstract = True

    def schema_data(self) -> dict:
        """This record as a dict of the schema's fields, ready for the official validation."""
        data = {}
        for name in self.schema_model.model_fields:
            field = self._meta.get_field(name.removesuffix("_id") if name == "structure_id" else name)
            value = getattr(self, field.attname)
            if isinstance(value, list):
                value = list(value)
            data[name] = value
        return data

    def clean(self):
        super().clean()
        # Forms leave empty optional text as ""; the schema (and our data) says null.
        for field in self._meta.concrete_fields:
            if field.null and getattr(self, field.attname) in ("", []):
                setattr(self, field.attname, None)
        errors = schema_errors(self.schema_model, self.schema_data())
        if errors:
            raise ValidationError(errors)
