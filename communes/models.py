import math

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import connections, models
from django.db.models import Exists, OuterRef

from communes.departements import DEPARTEMENTS
from core.text import normalize

# Zone codes every person is eligible for: the country code and the schema's "france".
NATIONAL_CODES = ("99100", "france")
# The communes divided into municipal arrondissements (loi PLM): Paris, Marseille, Lyon. Their postal codes are those
# of their arrondissements, none of which names the whole city.
CITIES_WITH_ARRONDISSEMENTS = ("75056", "13055", "69123")
# One degree of latitude on the contract's sphere (radius 6371.0088 km), in km.
KM_PER_DEGREE = 111.19508

# Weights of the lexemes in Commune.search_vector: a query says which kind of lexeme each word may match
# (communes.search), so that "42" can match a postal code without matching a name, and the reverse.
NAME_WEIGHT = "A"
POSTAL_CODE_WEIGHT = "B"
CODE_INSEE_WEIGHT = "C"


def search_document(nom: str, codes_postaux: list[str], code_insee: str) -> tuple[str, str]:
    """The search columns of a place: its normalised name, and its tsvector as PostgreSQL prints it.

    The tsvector is written out here rather than built by to_tsvector(): its parser would have its say on words
    like "1er" or "1e5", and the "unaccent" extension is not available. Lexemes come sorted and positions grouped
    by lexeme, as PostgreSQL prints them, so the importer can compare the stored text with this one.
    """
    search_name = normalize(nom)
    positions: dict[str, list[str]] = {}
    lexemes = [(word, NAME_WEIGHT) for word in search_name.split()]
    lexemes += [(code, POSTAL_CODE_WEIGHT) for code in codes_postaux]
    lexemes.append((code_insee.lower(), CODE_INSEE_WEIGHT))
    for position, (lexeme, weight) in enumerate(lexemes, start=1):
        positions.setdefault(lexeme, []).append(f"{position}{weight}")
    # Lexemes are [0-9a-z]+ (normalize(), postal and INSEE codes): no quote to escape.
    vector = " ".join(f"'{lexeme}':{','.join(positions[lexeme])}" for lexeme in sorted(positions))
    return search_name, vector


class CommuneQuerySet(models.QuerySet):
    def searchable(self):
        """Communes and municipal arrondissements: the places a person says they live in."""
        return self.filter(type__in=Commune.SEARCHABLE_TYPES)

    def by_code(self, code_insee: str):
        """The place a person means by an INSEE code: the commune or arrondissement first,
        else a commune déléguée or associée of that code (its parent is read when asked for)."""
        return self._first(BY_CODE_SQL, [code_insee])

    def nearest(self, latitude: float, longitude: float):
        """The commune or arrondissement whose point is nearest (equirectangular distance,
        precise enough to pick a commune), searched in widening boxes (its parent is read when asked for)."""
        scale = math.cos(math.radians(latitude)) ** 2
        for degrees in (0.1, 0.5, 2, 10):
            box = [latitude - degrees, latitude + degrees, longitude - degrees * 2, longitude + degrees * 2]
            found = self._first(NEAREST_SQL, [*box, latitude, latitude, longitude, longitude, scale])
            if found:
                return found
        return None

    def _first(self, sql: str, params: list):
        """The first place of a query written out (PLACE_SQL), read without the ORM's machinery: every search of a
        commune or a point asks one, and the ORM took longer to build the query and its Commune than PostgreSQL to
        answer (0.8 ms against 0.17 ms this way)."""
        with connections[self.db].cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        return None if row is None else Commune.from_db(self.db, PLACE_FIELDS, row)

    def mark_namesakes(self) -> int:
        """Set `has_namesake` on the communes and arrondissements of the queryset, from every place of the same
        normalised name; return how many rows changed (only those are written, so a second run writes nothing)."""
        others = Commune.objects.searchable().filter(search_name=OuterRef("search_name")).exclude(pk=OuterRef("pk"))
        places = self.searchable()
        marked = places.filter(has_namesake=False).filter(Exists(others)).update(has_namesake=True)
        unmarked = places.filter(has_namesake=True).exclude(Exists(others)).update(has_namesake=False)
        return marked + unmarked


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

    SEARCHABLE_TYPES = (Type.COMMUNE, Type.ARRONDISSEMENT)
    SUBDIVISION_TYPES = (Type.DELEGUEE, Type.ASSOCIEE)

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

    # Written by the import (CommuneQuerySet.mark_namesakes): another commune or arrondissement has the same name.
    has_namesake = models.BooleanField("homonyme", default=False, db_default=False, editable=False)

    # Search helpers (communes.search), written by the import in bulk and by save(): see search_document().
    search_name = models.TextField("nom normalisé", blank=True, editable=False)
    search_vector = SearchVectorField("vecteur de recherche", null=True, blank=True, editable=False)

    objects = CommuneQuerySet.as_manager()

    class Meta:
        verbose_name = "commune"
        ordering = ["code_insee", "type"]
        constraints = [models.UniqueConstraint(fields=["code_insee", "type"], name="commune_unique_code_type")]
        indexes = [
            models.Index(fields=["code_insee"], name="commune_code_insee_idx"),
            models.Index(fields=["search_name"], name="commune_search_name_idx"),
            # Prefix queries ('etien':*) use it too: no pg_trgm needed.
            GinIndex(fields=["search_vector"], name="commune_search_vector_idx"),
            # The order of the suggestions (communes.search.POPULATION_ORDER), for frequent prefixes.
            models.Index(
                models.F("population").desc(nulls_last=True),
                "nom",
                "code_insee",
                "type",
                name="commune_population_idx",
                # SEARCHABLE_TYPES (Meta cannot see the names of the model).
                condition=models.Q(type__in=["commune", "arrondissement-municipal"]),
            ),
            # The boxes of CommuneQuerySet.nearest ("autour de moi"): a band of latitudes rather than every place
            # (5.4 → 0.2 ms).
            models.Index(
                fields=["latitude", "longitude"],
                name="commune_position_idx",
                condition=models.Q(type__in=["commune", "arrondissement-municipal"]),
            ),
        ]

    def __str__(self):
        return f"{self.nom} ({self.code_insee})"

    @property
    def eligibility_codes(self) -> dict[str, list[str]]:
        """Zone codes that make a service eligible to this place's inhabitants, by level.

        Search contract: the commune's code, its département, its EPCI, 99100 and france.
        A subdivision (arrondissement, commune déléguée) adds its parent commune and uses
        the parent's EPCI. Region codes are never used: they collide with départements.
        """
        communes = [self.code_insee]
        epci = self.epci
        if self.parent_id and self.parent:
            communes.append(self.parent.code_insee)
            epci = self.parent.epci or epci
        return {
            "commune": communes,
            "epci": [epci] if epci else [],
            "departement": [self.departement],
            "national": list(NATIONAL_CODES),
        }

    def save(self, *args, **kwargs):
        self.search_name, self.search_vector = search_document(self.nom, self.codes_postaux, self.code_insee)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"nom", "codes_postaux", "code_insee"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_name", "search_vector"}
        super().save(*args, **kwargs)

    @property
    def label(self) -> str:
        """What a person reads: "Lille (59000)", "Paris 11e Arrondissement (75011)", "Paris (75)", "Saint-Denis (93)",
        "Saint-Denis (La Réunion)"."""
        return self.label_for()

    def label_for(self, code_postal: str | None = None) -> str:
        """The label with a given postal code of the place (Marseille 8e with 13008 for someone who typed 13008); else
        its first postal code, or its département when it has none.

        A city of arrondissements and a place with namesakes are labelled with their département: no postal code
        names a whole city of arrondissements, and a département tells namesakes apart at a glance (no two communes
        of a département share their name).
        """
        whole_city = self.type == self.Type.COMMUNE and self.code_insee in CITIES_WITH_ARRONDISSEMENTS
        if whole_city or self.has_namesake or not self.codes_postaux:
            return f"{self.nom} ({departement_label(self.departement)})"
        if code_postal not in self.codes_postaux:
            code_postal = self.codes_postaux[0]
        return f"{self.nom} ({code_postal})"


def departement_label(code: str) -> str:
    """How a label names a département: its number in metropolitan France ("93"), its name overseas ("La Réunion"),
    where numbers (974) say little to most people."""
    return DEPARTEMENTS[code][0] if len(code) == 3 and code in DEPARTEMENTS else code


# The queries of CommuneQuerySet._first. by_code: communes and arrondissements before communes déléguées and
# associées (false sorts first), then by type. nearest: a box, then the equirectangular distance.
PLACE_FIELDS = [field.attname for field in Commune._meta.concrete_fields]
PLACE_SQL = f"SELECT {', '.join(PLACE_FIELDS)} FROM {Commune._meta.db_table}"
SEARCHABLE_SQL = ", ".join(f"'{place_type}'" for place_type in Commune.SEARCHABLE_TYPES)
BY_CODE_SQL = f'{PLACE_SQL} WHERE code_insee = %s ORDER BY type NOT IN ({SEARCHABLE_SQL}), type COLLATE "C" LIMIT 1'
NEAREST_SQL = (
    f"{PLACE_SQL} WHERE type IN ({SEARCHABLE_SQL})"
    " AND latitude BETWEEN %s AND %s AND longitude BETWEEN %s AND %s"
    " ORDER BY (latitude - %s) * (latitude - %s) + (longitude - %s) * (longitude - %s) * %s, code_insee LIMIT 1"
)
