from data_inclusion.schema import v1
from django.contrib.postgres.fields import ArrayField, IntegerRangeField
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from structures.records import UpstreamRecord
from structures.schema import enum_choices


class StructureQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)


class Structure(UpstreamRecord):
    """A structure of the data·inclusion schema v1; field names are the schema's."""

    # Identification
    id = models.CharField("identifiant", primary_key=True, help_text="Identifiant data·inclusion (source--id).")
    source = models.CharField(db_index=True)
    nom = models.CharField(max_length=150)
    date_maj = models.DateField("date de dernière modification")
    siret = models.CharField("SIRET", max_length=14, null=True, blank=True, db_index=True)
    lien_source = models.URLField("lien vers la source", max_length=2083, null=True, blank=True)
    reseaux_porteurs = ArrayField(
        models.CharField(choices=enum_choices(v1.ReseauPorteur)),
        verbose_name="réseaux porteurs",
        null=True,
        blank=True,
    )
    # Présentation
    description = models.TextField(max_length=10000, null=True, blank=True)
    # Adresse
    adresse = models.CharField(null=True, blank=True)
    complement_adresse = models.CharField("complément d'adresse", null=True, blank=True)
    commune = models.CharField(null=True, blank=True)
    code_postal = models.CharField(max_length=5, null=True, blank=True)
    code_insee = models.CharField("code INSEE", max_length=5, null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    accessibilite_lieu = models.URLField("accessibilité du lieu", max_length=2083, null=True, blank=True)
    # Contact
    telephone = models.CharField("téléphone", null=True, blank=True)
    courriel = models.EmailField(max_length=254, null=True, blank=True)
    site_web = models.URLField("site web", max_length=2083, null=True, blank=True)
    # Horaires
    horaires_accueil = models.TextField("horaires d'accueil", null=True, blank=True)

    # Search helpers, filled in bulk by imports.
    search_name = models.TextField("nom normalisé", blank=True, editable=False)
    duplicate_group = models.CharField(
        "groupe de doublons",
        null=True,
        blank=True,
        editable=False,
        db_index=True,
        help_text="Identifiant commun aux structures référencées par plusieurs sources.",
    )
    # Curation of duplicate clusters (admin "Doublons" page); imports.clusters honours the first.
    not_duplicate = models.BooleanField(
        "pas un doublon",
        default=False,
        help_text="Un curateur a indiqué que cette structure n'est le doublon d'aucune autre : "
        "elle n'est jamais regroupée.",
    )
    preferred_in_group = models.BooleanField(
        "représente son groupe de doublons",
        default=False,
        help_text="Choisie par un curateur pour représenter son groupe de doublons dans la recherche.",
    )

    objects = StructureQuerySet.as_manager()
    # Field-by-field history of curators' changes (imports write in bulk, without history).
    history = HistoricalRecords(
        excluded_fields=[
            "search_name",
            "duplicate_group",
            "source_hash",
            "raw_hash",
            "score_qualite",
            "upstream_values",
            "updated_at",
        ],
        verbose_name="historique de structure",
        verbose_name_plural="historiques de structures",
        history_change_reason_field=models.TextField(null=True),
    )

    schema_model = v1.Structure

    class Meta:
        verbose_name = "structure"
        ordering = ["nom", "id"]
        indexes = [
            # The admin list's default order, read from the index rather than sorted.
            models.Index(fields=["nom", "id"], name="structure_nom_id"),
            # Small: only corrected records ("modifié par un curateur" filter, dashboard).
            models.Index(fields=["id"], condition=~Q(curated_fields=[]), name="structure_curated"),
        ]

    def __str__(self):
        return self.nom


class OpeningHours(models.Model):
    """An hours string parsed once (structures.opening_hours) into minutes-of-week ranges, keyed by the
    string's md5: the "ouvert maintenant / aujourd'hui" filter asks PostgreSQL which strings are open rather
    than parsing 140,000 strings per search."""

    key = models.CharField("md5 des horaires", max_length=32, primary_key=True)
    hours = models.TextField("horaires")
    weekly = ArrayField(IntegerRangeField(), null=True, help_text="Minutes de la semaine (lundi 0 h = 0).")
    closed_on_public_holidays = models.BooleanField(default=False)
    public_holiday_ranges = ArrayField(IntegerRangeField(), null=True, help_text="Minutes du jour, jours fériés.")

    class Meta:
        verbose_name = "horaires analysés"
        verbose_name_plural = "horaires analysés"

    def __str__(self):
        return self.hours
