"""Download the communes from the API Géo (geo.api.gouv.fr) into import records.

Standard library only. The answers are read tolerantly: a field the API leaves out is empty, a type may be
spelled "commune-deleguee" or "COMD", the point is GeoJSON (`{"type": "Point", "coordinates": [lon, lat]}`).
"""

import gzip
import http.client
import json
import urllib.error
import urllib.request
import zlib

from communes.models import Commune
from communes.records import CommuneRecord, InvalidData, make_record

TIMEOUT_SECONDS = 60
COMMUNE_FIELDS = "nom,code,codesPostaux,codeDepartement,codeRegion,codeEpci,centre,population"
SUBDIVISION_FIELDS = "nom,code,type,chefLieu,codeDepartement,codeRegion,codeEpci,centre"

# (name in error messages, path and query, type of the items when the answer does not say it)
ENDPOINTS = (
    ("/communes", f"/communes?fields={COMMUNE_FIELDS}&format=json&geometry=centre", Commune.Type.COMMUNE),
    (
        "/communes?type=arrondissement-municipal",
        f"/communes?fields={COMMUNE_FIELDS}&format=json&geometry=centre&type=arrondissement-municipal",
        Commune.Type.ARRONDISSEMENT,
    ),
    (
        "/communes_associees_deleguees",
        f"/communes_associees_deleguees?fields={SUBDIVISION_FIELDS}&format=json&geometry=centre",
        None,
    ),
)


def fetch_records(base_url: str, *, timeout: float = TIMEOUT_SECONDS) -> list[CommuneRecord]:
    """Download every endpoint, then parse: nothing is returned unless every answer is complete and valid."""
    answers = [
        (name, download_json(base_url.rstrip("/") + path, timeout=timeout), type_) for name, path, type_ in ENDPOINTS
    ]
    records = {}
    for name, items, default_type in answers:
        if not isinstance(items, list):
            raise InvalidData(f"API Géo {name} : la réponse n'est pas une liste.")
        for position, item in enumerate(items, start=1):
            record = parse_item(item, default_type=default_type, origin=f"API Géo {name}, élément {position}")
            # /communes may or may not list the arrondissements too; the arrondissements' endpoint is the better
            # source for them, and it comes later.
            records[record.key] = record
    return list(records.values())


def download_json(url: str, *, timeout: float):
    request = urllib.request.Request(
        url,
        headers={
            "Accept": "application/json",
            "Accept-Encoding": "gzip",
            "User-Agent": "trouver-un-service-insertion/import_communes",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
            if response.headers.get("Content-Encoding", "").lower() == "gzip":
                body = gzip.decompress(body)
    except urllib.error.HTTPError as error:
        # The error holds the open response: close it rather than leave it to the garbage collector.
        error.close()
        raise InvalidData(f"Téléchargement impossible de {url} : le serveur a répondu {error.code}.") from error
    except urllib.error.URLError as error:
        raise InvalidData(f"Téléchargement impossible de {url} : {error.reason}.") from error
    except (OSError, EOFError, http.client.HTTPException, zlib.error) as error:
        # Timeouts, connections reset or cut short, broken gzip answers.
        raise InvalidData(f"Téléchargement impossible de {url} : {error or type(error).__name__}.") from error
    try:
        return json.loads(body)
    except ValueError as error:
        raise InvalidData(f"Réponse illisible de {url} : JSON invalide ({error}).") from error


def parse_item(item, *, default_type: str | None, origin: str) -> CommuneRecord:
    if not isinstance(item, dict):
        raise InvalidData(f"{origin} : objet attendu.")
    code = item.get("code")
    if isinstance(code, str):
        origin = f"{origin} (code {code})"
    type_ = item.get("type") or default_type
    if not type_:
        # Read as a commune, a commune déléguée would replace its commune nouvelle when they share their code.
        raise InvalidData(f"{origin} : type manquant.")
    latitude, longitude = parse_point(item.get("centre"), origin)
    return make_record(
        origin=origin,
        code_insee=code,
        nom=item.get("nom"),
        codes_postaux=item.get("codesPostaux"),
        departement=item.get("codeDepartement"),
        region=item.get("codeRegion"),
        epci=item.get("codeEpci"),
        population=item.get("population"),
        latitude=latitude,
        longitude=longitude,
        type=type_,
        parent_code=parse_parent(item),
    )


def parse_parent(item: dict):
    """The code of the commune a subdivision belongs to: `chefLieu` for a commune déléguée or associée."""
    for name in ("chefLieu", "codeParent", "commune"):
        value = item.get(name)
        if isinstance(value, dict):
            value = value.get("code")
        if value:
            return value
    return None


def parse_point(centre, origin: str) -> tuple[float | None, float | None]:
    if centre is None:
        return None, None
    coordinates = centre.get("coordinates") if isinstance(centre, dict) else None
    if not isinstance(coordinates, list) or len(coordinates) != 2:
        raise InvalidData(f"{origin} : centre invalide « {centre} » (point GeoJSON attendu).")
    longitude, latitude = coordinates
    return latitude, longitude
