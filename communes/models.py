from django.contrib.postgres.fields import ArrayField
from django.db import models


class CommuneQuerySet(models.QuerySet):
    def searchable(self):
        """Communes and municipal arrondissements: the places a person says they live in."""
        return self.filter(type__in=[Commune.Type.COMMUNE, Commune.Type.ARRONDISSEMENT])


class Commune(models.Model):
    """A place of the Code officiel géographique (INSEE).

    A commune déléguée may carry the same INSEE code as the commune nouvelle it belongs to
    (its chef-lieu), so the code alone is not unique: (code_insee, type) is.
    """

    class Type(models.TextChoices):
        COMMUNE = "commune", "Commune"
        ARRONDISSEMENT = "arrondissement-municipal", "Arrondissement municipal"
        DELEGUEE = "commune-deleguee", "Commune déléguée"
        ASSOCIEE = "commune-associee", "Commune associée"

    code_insee = models.CharField("code INSEE", max_length=5)
    type = models.CharField(max_length=24, choices=Type.choices, default=Type.COMMUNE)
    nom = models.CharField(max_length=100)
    codes_postaux = ArrayField(models.CharField(max_length=5), default=list, blank=True)
    departement = models.CharField("département", max_length=3)
    region = models.CharField("région", max_length=2, blank=True)
    epci = models.CharField("SIREN de l'EPCI", max_length=9, null=True, blank=True)
    population = models.PositiveIntegerField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name="commune de rattachement",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="subdivisions",
        help_text="Pour un arrondissement municipal ou une commune déléguée ou associée.",
    )

    objects = CommuneQuerySet.as_manager()

    class Meta:
        verbose_name = "commune"
        ordering = ["code_insee", "type"]
        constraints = [models.UniqueConstraint(fields=["code_insee", "type"], name="commune_unique_code_type")]
        indexes = [models.Index(fields=["code_insee"], name="commune_code_insee_idx")]

    def __str__(self):
        return f"{self.nom} ({self.code_insee})"
