"""The demo dataset: structures and their services, streamed to data·inclusion JSON files.

Everything is drawn from one `random.Random(seed)` in a fixed order, so a seed, a communes file and a day
give the same files. Each structure is written with its services right away: memory stays flat.
"""

import os
import random
from collections import Counter, deque, namedtuple
from contextlib import ExitStack
from datetime import date
from pathlib import Path

import orjson

from communes.departements import DEPARTEMENTS
from demo import contacts, descriptions
from demo.geography import Geography, Place
from demo.services import make_service
from demo.text import clip, de, short_slug
from demo.vocabulary import weighted

# Share of structures that repeat, under another producer, a structure already written.
DUPLICATE_SHARE = 0.04
RECENT_STRUCTURES = 500  # how far back a duplicate may look
DATE_SPAN_DAYS = 3 * 365
MALFORMED_HORAIRES_SHARE = 0.015

# What a duplicate or a service needs to know about a written structure.
Written = namedtuple("Written", "record kind place local_id")


class Generator:
    def __init__(self, vocabulary: dict, geography: Geography, *, seed: int = 42, today: date | None = None):
        self.vocabulary, self.geography = vocabulary, geography
        self.producers = vocabulary["producers"]["producers"]
        self.rng = random.Random(seed)
        self.today_ordinal = (today or date.today()).toordinal()
        self.ids = contacts.Ids(vocabulary["producers"]["unusual_ids"])
        self.recent: deque[Written] = deque(maxlen=RECENT_STRUCTURES)
        self.entities: set[tuple] = set()  # (kind, name template, commune) already named
        self.establishments: Counter[str] = Counter()  # SIREN -> establishments so far
        self.sources: Counter[str] = Counter()  # structures written by producer
        self.duplicates = 0
        kinds = vocabulary["structures"]["kind"]
        self.all_kinds = weighted((kind, kind["weight"]) for kind in kinds)
        self.mean_services = sum(kind["weight"] * kind["services_mean"] for kind in kinds) / self.all_kinds[1][-1]

    def draw(self, table: tuple):
        return self.rng.choices(table[0], cum_weights=table[1])[0]

    def maybe(self, share: float, make, *args):
        """make(*args) for `share` of the records, else None: a field producers often leave out."""
        return make(*args) if self.rng.random() < share else None

    def write(self, out_dir: Path, *, structures: int, services: int) -> None:
        """structures.json and services.json, renamed into place once complete: never a truncated file."""
        out_dir.mkdir(parents=True, exist_ok=True)
        names, counts = ("structures.json", "services.json"), [0, 0]
        with ExitStack() as stack:
            files = [stack.enter_context(open(out_dir / f".{name}.tmp", "wb")) for name in names]
            for structure, its_services in self.generate(structures=structures, services=services):
                for index, record in ((0, structure), *((1, service) for service in its_services)):
                    files[index].write((b",\n" if counts[index] else b"[\n") + orjson.dumps(record))
                    counts[index] += 1
            for file, count in zip(files, counts, strict=True):
                file.write(b"\n]\n" if count else b"[]\n")
        for name in names:
            os.replace(out_dir / f".{name}.tmp", out_dir / name)

    def generate(self, *, structures: int, services: int):
        """Yields (structure, [its services]); exactly `structures` and `services` records."""
        if services and not structures:
            raise ValueError("services need structures")
        remaining = services
        for index in range(structures):
            written, left = self._structure(), structures - index
            # Each kind has its own mean (a France Travail agency lists many services, a crèche one), scaled
            # as we go so that the total comes out exact.
            mean = written.kind["services_mean"] * remaining / (left * self.mean_services)
            count = min(remaining, int(self.rng.expovariate(1.0) * mean + 0.5), max(20, int(mean * 8)))
            count = remaining if left == 1 else count
            remaining -= count
            self.sources[written.record["source"]] += 1
            yield written.record, [make_service(self, written) for _ in range(count)]

    def _structure(self) -> Written:
        if self.recent and self.rng.random() < DUPLICATE_SHARE:
            written = self._duplicate(self.rng.choice(self.recent))
        else:
            place = self.geography.pick(self.rng)
            kind = self.draw(self.all_kinds)
            while not kind["min_population"] <= place.population <= kind["max_population"]:
                kind = self.draw(self.all_kinds)  # until it fits the commune's size: the kinds that fit, weighted
            written = self._new_structure(kind, place, self._source(kind, place))
        self.recent.append(written)
        return written

    def _source(self, kind: dict, place: Place, exclude: str | None = None) -> str:
        """A producer of the kind other than `exclude` that covers the place (some cover a few départements)."""
        while True:
            source = self.draw(kind["sources"])
            departements = self.producers[source].get("departements")
            if source != exclude and (departements is None or place.departement in departements):
                return source

    def _name(self, kind: dict, place: Place) -> tuple[str, list[str] | None, str]:
        """The name, its own réseaux if any, and its distinctive part (for e-mail and website names)."""
        rng, pools = self.rng, self.vocabulary["structures"]["pools"]
        name = self.draw(kind["names"])
        dept, dept_de = DEPARTEMENTS.get(place.departement, (place.departement, f"du {place.departement}"))
        place_name = rng.choice(pools["places"]) if rng.random() < 0.5 else None
        company = rng.choice(pools["companies"]) if rng.random() < 0.4 else None
        values = {
            "commune": place.nom,
            "de_commune": de(place.nom),
            "dept": dept,
            "dept_de": dept_de,
            "nom": place_name or f"{rng.choice(pools['name_heads'])} {rng.choice(pools['name_tails'])}",
            "entreprise": company or f"{rng.choice(pools['company_heads'])}'{rng.choice(pools['company_tails'])}",
            "quartier": rng.choice(pools["quartiers"]),
            "secteur": rng.choice(pools["secteurs"]),
        }
        template = name["nom"]
        nom = template.format(**values)
        distinctive = values["nom"] if "{nom}" in template else values["entreprise"]
        if "{nom}" not in template and "{entreprise}" not in template:
            # A second « CCAS de Lille » is one of its antennas.
            entity = (kind["key"], template, place.parent_code or place.code_insee)
            if entity in self.entities:
                nom = rng.choice(kind["antennas"]).format(base=nom, **values)
            self.entities.add(entity)
            distinctive = nom
        return clip(nom), name.get("reseaux"), distinctive

    def _new_structure(self, kind: dict, place: Place, source: str, nom=None, reseaux=None) -> Written:
        rng, producer = self.rng, self.producers[source]
        nom, reseaux, distinctive = (nom, reseaux, nom) if nom else self._name(kind, place)
        structure_id, local_id = self.ids.make(rng, source, producer["structure_ids"], nom)
        name_slug, commune_slug = short_slug(distinctive) or "contact", short_slug(place.nom) or "mairie"

        def contact(templates: list[str]) -> str:
            return rng.choice(templates).format(c=commune_slug, n=name_slug, d=place.departement.lower())

        location = self.location(place, complement_share=0.15)
        if rng.random() < 0.05:
            location["latitude"] = location["longitude"] = None
        if rng.random() < 0.03:
            location["adresse"] = location["complement_adresse"] = None
        if place.parent_code and rng.random() < 0.2:
            location["code_insee"] = place.parent_code  # some producers give Paris, not its arrondissement
        acceslibre = f"{place.departement.lower()}-{commune_slug}/a/{kind['key']}/erp/{name_slug}-{commune_slug}/"
        record = {
            "source": source,
            "id": structure_id,
            "nom": nom,
            "date_maj": self.date(),
            "description": descriptions.structure(rng, self.vocabulary["texts"], kind["descriptions"], place.nom),
            "lien_source": self.maybe(0.9, contacts.link, producer.get("structure_link"), local_id),
            "siret": self.maybe(producer["siret"], contacts.siret, rng, kind, place, self.establishments),
            **location,
            "code_insee": location["code_insee"] if rng.random() < 0.99 else None,
            "telephone": self.maybe(0.5, kind.get, "national_telephone") or self.maybe(0.8, self.telephone, place),
            "courriel": self.maybe(0.6, contact, kind["email"]) if kind["email"] else None,
            "site_web": self.maybe(0.5, contact, kind["web"]) if kind["web"] else None,
            "horaires_accueil": self.horaires(kind["horaires"], 0.65),
            "accessibilite_lieu": f"https://acceslibre.beta.gouv.fr/app/{acceslibre}" if rng.random() < 0.08 else None,
            "reseaux_porteurs": list(reseaux) if (reseaux := reseaux or self.draw(kind["reseaux"])) else None,
        }
        return Written(record, kind, place, local_id)

    def _duplicate(self, original: Written) -> Written:
        """The same structure as `original`, sent by another producer: same SIRET, or the same name,
        address and commune, or both; the rest as that producer has it."""
        rng, before = self.rng, original.record
        self.duplicates += 1
        source = self._source(original.kind, original.place, exclude=before["source"])
        variant = rng.random()
        same_place = variant < 0.7 or not before["siret"]
        nom = before["nom"]
        if not same_place:  # same SIRET, the name as the other producer writes it
            nom = nom.upper() if rng.random() < 0.5 else nom.replace(" – ", " - ")
        # Producers often agree on the réseaux, not always.
        reseaux = before["reseaux_porteurs"] if rng.random() < 0.8 else None
        written = self._new_structure(original.kind, original.place, source, nom=nom, reseaux=reseaux)
        record = written.record
        if variant >= (0.3 if before["siret"] else 0.5):
            record["siret"] = before["siret"]
        if same_place:
            for name in ("adresse", "commune", "code_postal", "code_insee", "complement_adresse"):
                record[name] = before[name]
            if before["latitude"] is not None and rng.random() < 0.8:
                record["latitude"], record["longitude"] = before["latitude"], before["longitude"]
        for name, share in (("telephone", 0.5), ("courriel", 0.4)):
            if rng.random() < share:
                record[name] = before[name]
        return written

    # Shared by structures and services

    def date(self) -> date:
        # Skewed towards recent updates: half of them within the last year.
        return date.fromordinal(self.today_ordinal - int(DATE_SPAN_DAYS * self.rng.random() ** 1.7))

    def horaires(self, profile: str, share: float) -> str | None:
        horaires, draw = self.vocabulary["horaires"], self.rng.random()
        if draw < MALFORMED_HORAIRES_SHARE:
            return self.rng.choice(horaires["malformed"])
        return self.draw(horaires["profiles"][profile]) if draw < share else None

    def location(self, place: Place, *, complement_share: float) -> dict:
        """The address fields of a record somewhere in the commune."""
        rng, places = self.rng, self.vocabulary["places"]
        adresse = rng.choice(places["streets"])
        if place.population < 1_000 and rng.random() < 0.5:
            adresse = rng.choice(places["village_addresses"])  # villages often have no street number
        elif adresse.startswith("place") and rng.random() < 0.5:
            adresse = adresse[0].upper() + adresse[1:]
        else:
            suffix = rng.choice((" bis", " ter", "B")) if rng.random() < 0.05 else ""
            adresse = f"{int(1 + 120 * rng.random() ** 2.5)}{suffix} {adresse}"
        latitude, longitude = self.geography.coordinates(rng, place)
        return {
            "commune": place.nom,
            "code_postal": rng.choice(place.codes_postaux) if place.codes_postaux else None,
            "code_insee": place.code_insee,
            "adresse": adresse,
            "complement_adresse": self.maybe(complement_share, rng.choice, places["address_complements"]),
            "longitude": longitude,
            "latitude": latitude,
        }

    def telephone(self, place: Place) -> str:
        return contacts.telephone(self.rng, place, self.vocabulary["places"]["phone"])
