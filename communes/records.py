"""A commune as our CSV files and the API Géo give it, validated into one record: what both readers share."""

import dataclasses
import math
import re
from collections.abc import Iterable

from communes.models import Commune, search_document
from communes.reference import arrondissement_parent

# Fields written by the import, the parent aside (it is resolved once the communes are saved).
DATA_FIELDS = ("nom", "codes_postaux", "departement", "region", "epci", "population", "latitude", "longitude")
# Spellings of the type in our files and in the API Géo (long names, or the INSEE short codes).
TYPE_ALIASES = {
    "commune": Commune.Type.COMMUNE,
    "commune-actuelle": Commune.Type.COMMUNE,
    "com": Commune.Type.COMMUNE,
    "arrondissement-municipal": Commune.Type.ARRONDISSEMENT,
    "arm": Commune.Type.ARRONDISSEMENT,
    "commune-deleguee": Commune.Type.DELEGUEE,
    "comd": Commune.Type.DELEGUEE,
    "commune-associee": Commune.Type.ASSOCIEE,
    "coma": Commune.Type.ASSOCIEE,
}

CODE_INSEE_RE = re.compile(r"^(?:\d{2}|2[AB])\d{3}$")
CODE_POSTAL_RE = re.compile(r"^\d{5}$")
DEPARTEMENT_RE = re.compile(r"^(?:\d{2,3}|2[AB])$")
REGION_RE = re.compile(r"^\d{2}$")
EPCI_RE = re.compile(r"^\d{9}$")
INTEGER_RE = re.compile(r"^\d+$")
NOM_MAX_LENGTH = Commune._meta.get_field("nom").max_length
POPULATION_MAX = 2**31 - 1  # PostgreSQL integer


class InvalidData(Exception):
    """A file or an API answer that cannot be imported. The message is French and says where."""


@dataclasses.dataclass(frozen=True)
class CommuneRecord:
    code_insee: str
    type: str
    nom: str
    codes_postaux: list[str]
    departement: str
    region: str
    epci: str | None
    population: int | None
    latitude: float | None
    longitude: float | None
    parent_code: str | None
    # Where the record comes from, for error messages: "communes.csv.gz, ligne 12".
    origin: str = dataclasses.field(compare=False)

    @property
    def key(self) -> tuple[str, str]:
        return (self.code_insee, self.type)

    def data(self) -> tuple:
        return tuple(getattr(self, name) for name in DATA_FIELDS)

    def search_data(self) -> tuple[str, str]:
        return search_document(self.nom, self.codes_postaux, self.code_insee)


def make_record(
    *,
    origin: str,
    code_insee,
    nom,
    codes_postaux,
    departement,
    region,
    epci,
    population,
    latitude,
    longitude,
    type=None,
    parent_code=None,
) -> CommuneRecord:
    """Validate already-typed values (from a CSV row or an API item) into a record.

    An empty type means "a commune or, by its code, a municipal arrondissement".
    """

    def invalid(message):
        return InvalidData(f"{origin} : {message}")

    def text(name, value, *, required=False):
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise invalid(f"{name} invalide « {value} » (texte attendu).")
        value = value.strip()
        if required and not value:
            raise invalid(f"{name} manquant.")
        return value

    code_insee = text("code INSEE", code_insee, required=True)
    if not CODE_INSEE_RE.match(code_insee):
        raise invalid(f"code INSEE invalide « {code_insee} ».")

    nom = text("nom", nom, required=True)
    if len(nom) > NOM_MAX_LENGTH:
        raise invalid(f"nom trop long ({len(nom)} caractères, {NOM_MAX_LENGTH} au plus).")

    if codes_postaux is None:
        codes_postaux = []
    if not isinstance(codes_postaux, list):
        raise invalid(f"codes postaux invalides « {codes_postaux} » (liste attendue).")
    for code_postal in codes_postaux:
        if not isinstance(code_postal, str) or not CODE_POSTAL_RE.match(code_postal):
            raise invalid(f"code postal invalide « {code_postal} ».")

    departement = text("département", departement, required=True)
    if not DEPARTEMENT_RE.match(departement):
        raise invalid(f"département invalide « {departement} ».")

    region = text("région", region)
    if region == departement and len(region) == 3:
        # The collectivités d'outre-mer (975, 977, 978, 984, 986…) belong to no INSEE region; the files
        # and the API Géo repeat the collectivity's code as a pseudo-region. Region codes are two digits.
        region = ""
    if region and not REGION_RE.match(region):
        raise invalid(f"région invalide « {region} ».")

    epci = text("EPCI", epci) or None
    if epci is not None and not EPCI_RE.match(epci):
        raise invalid(f"SIREN d'EPCI invalide « {epci} ».")

    if population is not None and (
        isinstance(population, bool) or not isinstance(population, int) or not 0 <= population <= POPULATION_MAX
    ):
        raise invalid(f"population invalide « {population} ».")

    def coordinate(name, value, limit):
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise invalid(f"{name} invalide « {value} ».")
        value = float(value)
        if not math.isfinite(value) or abs(value) > limit:
            raise invalid(f"{name} invalide « {value} ».")
        return value

    latitude = coordinate("latitude", latitude, 90)
    longitude = coordinate("longitude", longitude, 180)
    if (latitude is None) != (longitude is None):
        raise invalid("latitude et longitude doivent être données ensemble.")

    type_value = text("type", type).lower()
    parent_code = text("commune de rattachement", parent_code) or None
    if not type_value or type_value in ("commune", "commune-actuelle", "com"):
        # A file or endpoint of "communes" also holds the municipal arrondissements: their code tells them apart.
        arrondissement_of = arrondissement_parent(code_insee)
        if arrondissement_of:
            type_value = Commune.Type.ARRONDISSEMENT
            parent_code = parent_code or arrondissement_of
        else:
            type_value = Commune.Type.COMMUNE
    elif type_value in TYPE_ALIASES:
        type_value = TYPE_ALIASES[type_value]
        if type_value == Commune.Type.ARRONDISSEMENT:
            parent_code = parent_code or arrondissement_parent(code_insee)
    else:
        raise invalid(f"type invalide « {type} ».")
    if type_value == Commune.Type.COMMUNE:
        parent_code = None
    if parent_code is not None and not CODE_INSEE_RE.match(parent_code):
        raise invalid(f"code INSEE de la commune de rattachement invalide « {parent_code} ».")

    return CommuneRecord(
        code_insee=code_insee,
        type=type_value,
        nom=nom,
        codes_postaux=codes_postaux,
        departement=departement,
        region=region,
        epci=epci,
        population=population,
        latitude=latitude,
        longitude=longitude,
        parent_code=parent_code,
        origin=origin,
    )


def check_unique(records: Iterable[CommuneRecord]) -> None:
    seen = {}
    for record in records:
        if record.key in seen:
            raise InvalidData(
                f"{record.origin} : {record.code_insee} ({record.type}) figure déjà en {seen[record.key].origin}."
            )
        seen[record.key] = record
