from data_inclusion.schema import v1
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from structures.models import Structure
from structures.records import UpstreamRecord
from structures.schema import enum_choices


def enum_array(schema_enum, verbose_name):
    """A PostgreSQL array of schema enum values (the schema's sets)."""
    return ArrayField(
        models.CharField(choices=enum_choices(schema_enum)), verbose_name=verbose_name, null=True, blank=True
    )


class ServiceQuerySet(models.QuerySet):
    def published(self):
        """Published services of published structures: the only ones the public ever sees."""
        return self.filter(is_published=True, structure__is_published=True)


class Service(UpstreamRecord):
    """A service of the data·inclusion schema v1; field names are the schema's."""

    # Identification
    id = models.CharField("identifiant", primary_key=True, help_text="Identifiant data·inclusion (source--id).")
    source = models.CharField(db_index=True)
    structure = models.ForeignKey(
        Structure, on_delete=models.PROTECT, related_name="services", verbose_name="structure"
    )
    nom = models.CharField(max_length=150)
    date_maj = models.DateField("date de dernière modification")
    lien_source = models.URLField("lien vers la source", max_length=2083, null=True, blank=True)
    # Présentation
    description = models.TextField(max_length=10000)
    type = models.CharField("type de service", choices=enum_choices(v1.TypeService), null=True, blank=True)
    thematiques = enum_array(v1.Thematique, "thématiques")
    # Publics et conditions
    publics = enum_array(v1.Public, "publics")
    publics_precisions = models.TextField("précisions sur les publics", null=True, blank=True)
    conditions_acces = models.TextField("conditions d'accès", null=True, blank=True)
    zone_eligibilite = ArrayField(
        models.CharField(max_length=9), verbose_name="zone d'éligibilité", null=True, blank=True
    )
    # Frais et durée
    frais = models.CharField(choices=enum_choices(v1.Frais), null=True, blank=True)
    frais_precisions = models.TextField("précisions sur les frais", null=True, blank=True)
    volume_horaire_hebdomadaire = models.FloatField(
        "volume horaire hebdomadaire", null=True, blank=True, validators=[MinValueValidator(0)]
    )
    nombre_semaines = models.PositiveIntegerField(
        "nombre de semaines", null=True, blank=True, validators=[MinValueValidator(1)]
    )
    # Adresse et accueil
    modes_accueil = enum_array(v1.ModeAccueil, "modes d'accueil")
    adresse = models.CharField(null=True, blank=True)
    complement_adresse = models.CharField("complément d'adresse", null=True, blank=True)
    commune = models.CharField(null=True, blank=True)
    code_postal = models.CharField(max_length=5, null=True, blank=True)
    code_insee = models.CharField("code INSEE", max_length=5, null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    horaires_accueil = models.TextField("horaires d'accueil", null=True, blank=True)
    # Contact
    telephone = models.CharField("téléphone", null=True, blank=True)
    courriel = models.EmailField(max_length=254, null=True, blank=True)
    contact_nom_prenom = models.CharField("nom et prénom du contact", null=True, blank=True)
    # Mobilisation
    modes_mobilisation = enum_array(v1.ModeMobilisation, "modes de mobilisation")
    mobilisable_par = enum_array(v1.PersonneMobilisatrice, "mobilisable par")
    lien_mobilisation = models.URLField("lien de mobilisation", max_length=2083, null=True, blank=True)
    mobilisation_precisions = models.TextField("précisions sur la mobilisation", null=True, blank=True)

    # The normalised text of the service's own fields and labels (services.search_index writes it), which the
    # search index turns into French lexemes with its structure's name.
    search_document = models.TextField("texte de recherche", blank=True, editable=False)

    objects = ServiceQuerySet.as_manager()
    # Field-by-field history of curators' changes (imports write in bulk, without history).
    history = HistoricalRecords(
        excluded_fields=[
            "search_document",
            "source_hash",
            "raw_hash",
            "score_qualite",
            "upstream_values",
            "updated_at",
        ],
        verbose_name="historique de service",
        verbose_name_plural="historiques de services",
        history_change_reason_field=models.TextField(null=True),
    )

    schema_model = v1.Service

    class Meta:
        verbose_name = "service"
        ordering = ["nom", "id"]
        # Searches read the search index (SearchEntry), not this table: no index serves them here.
        indexes = [
            # The admin list's default order, read from the index rather than sorted.
            models.Index(fields=["nom", "id"], name="service_nom_id"),
            # Small: only corrected records ("modifié par un curateur" filter, dashboard).
            models.Index(fields=["id"], condition=~Q(curated_fields=[]), name="service_curated"),
        ]

    def __str__(self):
        return self.nom


class ErrorReport(models.Model):
    """A visitor says a service's information is wrong; curators handle it in the admin."""

    class Reason(models.TextChoices):
        CLOSED = "service-ferme", "Le service n'existe plus ou a fermé"
        CONTACT = "coordonnees", "Les coordonnées sont fausses (téléphone, adresse, courriel)"
        HOURS = "horaires", "Les horaires sont faux"
        CONDITIONS = "conditions", "Les conditions d'accès ou les publics sont faux"
        OTHER = "autre", "Autre erreur"

    class Status(models.TextChoices):
        NEW = "nouveau", "Nouveau"
        HANDLED = "traite", "Traité"

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="error_reports")
    reason = models.CharField("motif", max_length=32, choices=Reason.choices)
    message = models.TextField("message", max_length=2000)
    email = models.EmailField("courriel de contact", blank=True)
    status = models.CharField("état", max_length=16, choices=Status.choices, default=Status.NEW, db_index=True)
    created_at = models.DateTimeField("reçu le", auto_now_add=True)
    handled_at = models.DateTimeField("traité le", null=True, blank=True)

    # Who handled a report, and when it changed state.
    history = HistoricalRecords(
        verbose_name="historique de signalement",
        verbose_name_plural="historiques de signalements",
        history_change_reason_field=models.TextField(null=True),
    )

    class Meta:
        verbose_name = "signalement d'erreur"
        verbose_name_plural = "signalements d'erreur"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_reason_display()} — {self.service_id}"


class SearchEntry(models.Model):
    """One narrow row per searchable service: a published service of a published structure, with what the
    search contract looks at and its structure's duplicate group and score copied in. Written only by
    services.search_index.refresh; copied into each web worker's memory (services.columns)."""

    service = models.OneToOneField(Service, primary_key=True, on_delete=models.CASCADE, related_name="search_entry")
    structure_id = models.CharField()
    duplicate_group = models.CharField(null=True)
    structure_score = models.FloatField(null=True)
    structure_date = models.DateField()
    # A curator chose this structure to represent its duplicate group in search.
    structure_preferred = models.BooleanField(default=False)
    source = models.CharField()
    type = models.CharField(null=True)
    frais = models.CharField(null=True)
    thematiques = ArrayField(models.CharField(), null=True)
    publics = ArrayField(models.CharField(), null=True)
    modes_accueil = ArrayField(models.CharField(), null=True)
    zone_eligibilite = ArrayField(models.CharField(max_length=9), null=True)
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)
    score_qualite = models.FloatField(null=True)
    # The service's hours, else its structure's (what the "ouvert" filter looks at).
    hours = models.TextField(null=True)
    # Where the service is (its commune's INSEE code), when its record was last updated, and whether it or its
    # structure gives a phone or an e-mail: territories' figures and the search filters behind them.
    code_insee = models.CharField(max_length=5, null=True)
    date_maj = models.DateField(null=True)
    has_contact = models.BooleanField(default=False)
    # The French lexemes of the service's text and its structure's name, separated by spaces (free text ``q``),
    # computed again only when that text changes (text_hash).
    text_hash = models.CharField(max_length=32, default="")
    lexemes = models.TextField(default="")

    class Meta:
        verbose_name = "entrée de l'index de recherche"
        verbose_name_plural = "entrées de l'index de recherche"

    def __str__(self):
        return self.service_id
