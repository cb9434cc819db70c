"""The demo dataset: structures and their services, streamed to data·inclusion JSON files.

Everything is drawn from one `random.Random(seed)` in a fixed order, so a seed, a Commune
table and a day give the same files. Each structure is written with its services right
away: memory stays flat, whatever the size.
"""

import bisect
import random
from collections import deque
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from data_inclusion.schema import v1

from communes.departements import DEPARTEMENTS
from imports.demo import contacts, descriptions, horaires, identifiers, kinds, places, vocabulary
from imports.demo.geography import Geography, Place
from imports.demo.output import JsonArrayWriter
from imports.demo.text import de, short_slug, slugify
from imports.demo.weighted import Weighted

NAME_MAX_LENGTH = 150
# Share of structures that repeat, under another producer, a structure already written.
DUPLICATE_SHARE = 0.04
RECENT_STRUCTURES = 500  # how far back a duplicate may look
DATE_SPAN_DAYS = 3 * 365
MALFORMED_HORAIRES_SHARE = 0.015

THEMATIQUES_BY_CATEGORY: dict[str, list[str]] = {}
for _thematique in v1.Thematique:
    THEMATIQUES_BY_CATEGORY.setdefault(_thematique.value.split("--")[0], []).append(_thematique.value)
ALL_THEMATIQUES = [thematique.value for thematique in v1.Thematique]
SPECIFIC_PUBLICS = [public.value for public in v1.Public if public != v1.Public.TOUS_PUBLICS]
ALL_TYPES = [type_.value for type_ in v1.TypeService]

MODES_ACCUEIL = Weighted(
    (
        (["en-presentiel"], 52),
        (["en-presentiel", "a-distance"], 20),
        (["a-distance"], 10),
        (None, 18),
    )
)
MODES_MOBILISATION = Weighted(
    (
        (["telephoner", "se-presenter"], 18),
        (["telephoner"], 12),
        (["se-presenter"], 10),
        (["envoyer-un-courriel", "telephoner"], 12),
        (["utiliser-lien-mobilisation"], 8),
        (["envoyer-un-courriel"], 6),
        (["telephoner", "envoyer-un-courriel", "se-presenter"], 8),
        (["utiliser-lien-mobilisation", "telephoner"], 5),
        (["envoyer-un-courriel", "se-presenter", "telephoner", "utiliser-lien-mobilisation"], 3),
        (None, 18),
    )
)
MOBILISABLE_PAR = Weighted(
    ((["usagers", "professionnels"], 45), (["professionnels"], 18), (["usagers"], 20), (None, 17))
)
PRESCRIBED = Weighted(((["professionnels"], 60), (["usagers", "professionnels"], 30), (None, 10)))
PRESCRIBED_KINDS = frozenset({"aci", "ei", "etti", "ai", "geiq", "esat-ea"})
ZONES = Weighted(
    (
        ("commune", 18),
        ("communes", 4),
        ("epci", 15),
        ("departement", 25),
        ("region", 6),
        ("france", 7),
        ("pays", 2),
        (None, 23),
    )
)
WEEKLY_HOURS = (1, 2, 3, 3.5, 6, 7, 12, 20, 24, 35)
WEEKS = (1, 2, 4, 6, 8, 10, 12, 16, 26, 52)
WEBMAILS = frozenset({"gmail.com", "orange.fr", "wanadoo.fr"})
SERVICE_MAILBOXES = {
    "numerique": ("numerique", "mediation.numerique"),
    "trouver-un-emploi": ("emploi", "recrutement"),
    "preparer-sa-candidature": ("emploi",),
    "choisir-un-metier": ("orientation",),
    "se-former": ("formation",),
    "mobilite": ("mobilite",),
    "logement-hebergement": ("logement",),
    "famille": ("famille", "parentalite"),
    "sante": ("sante",),
    "equipement-et-alimentation": ("aide.alimentaire", "epicerie"),
    "difficultes-financieres": ("budget",),
    "lecture-ecriture-calcul": ("cours.francais",),
    "creer-une-entreprise": ("creation",),
}
LINK_PATHS = ("inscription", "demande", "rendez-vous", "formulaire", "candidature")


@dataclass
class Summary:
    structures: int = 0
    services: int = 0
    duplicates: int = 0
    sources: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class Written:
    """What a duplicate or a service needs to know about a written structure."""

    record: dict
    kind: kinds.Kind
    place: Place
    local_id: str


class DemoDataGenerator:
    def __init__(self, geography: Geography, *, seed: int = 42, today: date | None = None):
        self.rng = random.Random(seed)
        self.geography = geography
        self.today = today or date.today()
        self.today_ordinal = self.today.toordinal()
        self.ids = identifiers.IdFactory()
        self.duplicates = 0
        self.recent: deque[Written] = deque(maxlen=RECENT_STRUCTURES)
        self.entities: set[tuple] = set()  # (kind, name template, commune) already named
        self.establishments: dict[str, int] = {}  # SIREN -> establishments so far
        self.names = {kind.key: Weighted((name, name.weight) for name in kind.names) for kind in kinds.KINDS}
        self.reseaux = {kind.key: Weighted(kind.reseaux) for kind in kinds.KINDS}
        self.themes = {kind.key: Weighted(kind.themes) for kind in kinds.KINDS}
        self.horaires = {key: Weighted(pairs) for key, pairs in horaires.PROFILES.items()}
        self._kinds_by_band: dict[int, Weighted[kinds.Kind]] = {}
        self._band_limits = sorted(
            {kind.min_population for kind in kinds.KINDS}
            | {kind.max_population + 1 for kind in kinds.KINDS if kind.max_population is not None}
        )
        self._sources: dict[tuple, Weighted[str]] = {}
        self.mean_services = sum(kind.weight * kind.services_mean for kind in kinds.KINDS) / sum(
            kind.weight for kind in kinds.KINDS
        )

    # Output

    def write(self, out_dir: Path, *, structures: int, services: int) -> Summary:
        out_dir.mkdir(parents=True, exist_ok=True)
        summary = Summary()
        with (
            JsonArrayWriter(out_dir / "structures.json") as structures_file,
            JsonArrayWriter(out_dir / "services.json") as services_file,
        ):
            for structure, structure_services in self.generate(structures=structures, services=services):
                structures_file.write(structure)
                for service in structure_services:
                    services_file.write(service)
                summary.sources[structure["source"]] = summary.sources.get(structure["source"], 0) + 1
            summary.structures, summary.services = structures_file.count, services_file.count
        summary.duplicates = self.duplicates
        return summary

    def generate(self, *, structures: int, services: int):
        """Yields (structure, [its services]); exactly `structures` and `services` records."""
        if services and not structures:
            raise ValueError("services need structures")
        self.duplicates = 0
        remaining = services
        for index in range(structures):
            written = self._structure()
            left = structures - index
            if left == 1:
                count = remaining
            else:
                # Each kind has its own mean (a France Travail agency lists many services, a
                # crèche one); scaled as we go so that the total comes out exact.
                mean = written.kind.services_mean * remaining / (left * self.mean_services)
                count = min(remaining, int(self.rng.expovariate(1.0) * mean + 0.5), max(20, int(mean * 8)))
            remaining -= count
            yield written.record, [self._service(written) for _ in range(count)]

    # Structures

    def _structure(self) -> Written:
        rng = self.rng
        if self.recent and rng.random() < DUPLICATE_SHARE:
            written = self._duplicate(rng.choice(self.recent))
        else:
            place = self.geography.pick(rng)
            kind = self._kind(place)
            written = self._new_structure(kind, place, self._source(kind, place))
        self.recent.append(written)
        return written

    def _kind(self, place: Place) -> kinds.Kind:
        band = bisect.bisect(self._band_limits, place.population)
        if band not in self._kinds_by_band:
            self._kinds_by_band[band] = Weighted(
                (kind, kind.weight)
                for kind in kinds.KINDS
                if kind.min_population <= place.population
                and (kind.max_population is None or place.population <= kind.max_population)
            )
        return self._kinds_by_band[band].pick(self.rng)

    def _source(self, kind: kinds.Kind, place: Place, exclude: str | None = None) -> str:
        available = tuple(source for source, _ in kind.sources if source != exclude and self._serves(source, place))
        key = (kind.key, available)
        if key not in self._sources:
            pairs = [(source, weight) for source, weight in kind.sources if source in available]
            self._sources[key] = Weighted(pairs or [(s, 1) for s in ("dora", "soliguide") if s != exclude])
        return self._sources[key].pick(self.rng)

    @staticmethod
    def _serves(source: str, place: Place) -> bool:
        territory = kinds.TERRITORIAL_SOURCES.get(source)
        return territory is None or getattr(place, territory[0]) in territory[1]

    def _name(self, kind: kinds.Kind, place: Place) -> tuple[str, tuple[str, ...] | None, str]:
        rng = self.rng
        name = self.names[kind.key].pick(rng)
        dept, dept_de = DEPARTEMENTS.get(place.departement, (place.departement, f"du {place.departement}"))
        values = {
            "commune": place.nom,
            "de_commune": de(place.nom),
            "dept": dept,
            "dept_de": dept_de,
            "nom": rng.choice(kinds.PLACE_NAMES)
            if rng.random() < 0.5
            else f"{rng.choice(kinds.NAME_HEADS)} {rng.choice(kinds.NAME_TAILS)}",
            "entreprise": rng.choice(kinds.COMPANY_NAMES)
            if rng.random() < 0.4
            else f"{rng.choice(kinds.COMPANY_HEADS)}'{rng.choice(kinds.COMPANY_TAILS)}",
            "quartier": rng.choice(places.QUARTIERS),
            "secteur": rng.choice(kinds.SECTEURS),
        }
        nom = name.template.format(**values)
        distinctive = values["nom"] if "{nom}" in name.template else values["entreprise"]
        if "{nom}" not in name.template and "{entreprise}" not in name.template:
            # A second « CCAS de Lille » is one of its antennas.
            entity = (kind.key, name.template, place.parent_code or place.code_insee)
            if entity in self.entities:
                nom = rng.choice(kind.antennas).format(base=nom, **values)
            self.entities.add(entity)
            distinctive = nom
        return _clip(nom), name.reseaux, distinctive

    def _new_structure(
        self,
        kind: kinds.Kind,
        place: Place,
        source: str,
        nom: str | None = None,
        reseaux: tuple[str, ...] | None = None,
    ) -> Written:
        rng = self.rng
        if nom is None:
            nom, reseaux, distinctive = self._name(kind, place)
        else:
            distinctive = nom
        structure_id = self.ids.make(rng, source, identifiers.STRUCTURE_ID_STYLE[source], slugify(nom))
        local_id = structure_id.split("--", 1)[1]
        name_slug = short_slug(distinctive) or "contact"
        commune_slug = place.slug or "mairie"

        siret = None
        if rng.random() < identifiers.SIRET_RATE.get(source, 0.6):
            siren = contacts.siren_of(rng, kind.siren, kind.key, place)
            establishment = self.establishments.get(siren, 0) + 1
            self.establishments[siren] = establishment
            siret = contacts.siret_of(siren, establishment)

        latitude, longitude = self.geography.coordinates(rng, place) if rng.random() < 0.95 else (None, None)
        code_insee = place.code_insee
        if place.parent_code and rng.random() < 0.2:
            code_insee = place.parent_code  # some producers give Paris, not its arrondissement
        has_address = rng.random() < 0.97
        record = {
            "source": source,
            "id": structure_id,
            "nom": nom,
            "date_maj": self._date(),
            "description": descriptions.structure_description(
                rng, kind_sentences=kind.descriptions, commune=place.nom
            ),
            "lien_source": identifiers.link(identifiers.STRUCTURE_LINKS.get(source), local_id)
            if rng.random() < 0.9
            else None,
            "siret": siret,
            "commune": place.nom,
            "code_postal": self.geography.code_postal(rng, place),
            "code_insee": code_insee if rng.random() < 0.99 else None,
            "adresse": self.geography.address(rng, place) if has_address else None,
            "complement_adresse": rng.choice(places.ADDRESS_COMPLEMENTS)
            if has_address and rng.random() < 0.15
            else None,
            "longitude": longitude,
            "latitude": latitude,
            "telephone": ("3949" if kind.key == "france-travail" and rng.random() < 0.5 else None)
            or (contacts.telephone(rng, place) if rng.random() < 0.8 else None),
            "courriel": contacts.fill(rng.choice(kind.email), commune_slug, name_slug, place.departement)
            if kind.email and rng.random() < 0.6
            else None,
            "site_web": contacts.fill(rng.choice(kind.web), commune_slug, name_slug, place.departement)
            if kind.web and rng.random() < 0.5
            else None,
            "horaires_accueil": self._horaires(kind.horaires, 0.65),
            "accessibilite_lieu": (
                f"https://acceslibre.beta.gouv.fr/app/{place.departement.lower()}-{commune_slug}"
                f"/a/{slugify(kind.key)}/erp/{name_slug}-{commune_slug}/"
            )
            if rng.random() < 0.08
            else None,
            "reseaux_porteurs": list(reseaux) if (reseaux := reseaux or self.reseaux[kind.key].pick(rng)) else None,
        }
        return Written(record, kind, place, local_id)

    def _duplicate(self, original: Written) -> Written:
        """The same structure as `original`, sent by another producer: same SIRET, or the same
        name, address and commune, or both; the rest as that producer has it."""
        rng = self.rng
        self.duplicates += 1
        before = original.record
        source = self._source(original.kind, original.place, exclude=before["source"])
        variant = rng.random()
        same_place = variant < 0.7 or not before["siret"]
        if same_place:
            nom = before["nom"]
        else:
            # Same SIRET, the name as the other producer writes it.
            nom = before["nom"].upper() if rng.random() < 0.5 else before["nom"].replace(" – ", " - ")
        # Producers often agree on the réseaux, not always.
        reseaux = tuple(before["reseaux_porteurs"] or ()) if rng.random() < 0.8 else None
        written = self._new_structure(original.kind, original.place, source, nom=nom, reseaux=reseaux)
        record = written.record
        if before["siret"] and variant >= 0.3:
            record["siret"] = before["siret"]
        elif before["siret"] is None and variant >= 0.5:
            record["siret"] = None
        if same_place:
            for name in ("adresse", "commune", "code_postal", "code_insee", "complement_adresse"):
                record[name] = before[name]
            if before["latitude"] is not None and rng.random() < 0.8:
                record["latitude"], record["longitude"] = before["latitude"], before["longitude"]
        if rng.random() < 0.5:
            record["telephone"] = before["telephone"]
        if rng.random() < 0.4:
            record["courriel"] = before["courriel"]
        return written

    def _date(self) -> date:
        # Skewed towards recent updates: half of them within the last year.
        return date.fromordinal(self.today_ordinal - int(DATE_SPAN_DAYS * self.rng.random() ** 1.7))

    def _horaires(self, profile: str, share: float) -> str | None:
        draw = self.rng.random()
        if draw < MALFORMED_HORAIRES_SHARE:
            return self.rng.choice(horaires.MALFORMED)
        if draw < share:
            return self.horaires[profile].pick(self.rng)
        return None

    # Services

    def _service(self, structure: Written) -> dict:
        rng = self.rng
        kind, place, parent = structure.kind, structure.place, structure.record
        source = parent["source"]
        theme = self.themes[kind.key].pick(rng)
        if "--" in theme:
            primary, categorie = theme, theme.split("--")[0]
        else:
            primary, categorie = rng.choice(THEMATIQUES_BY_CATEGORY[theme]), theme
        template = rng.choice(vocabulary.SERVICES[primary])
        service_id = self.ids.make(rng, source, identifiers.SERVICE_ID_STYLE[source], slugify(template.nom))
        local_id = service_id.split("--", 1)[1]

        nom = template.nom
        if rng.random() < 0.1 and parent["commune"]:
            nom = _clip(f"{nom} – {parent['commune']}")
        type_ = template.type
        draw = rng.random()
        if draw < 0.08:
            type_ = None
        elif draw < 0.12:
            type_ = rng.choice(ALL_TYPES)

        frais, frais_precisions = self._frais(template)
        publics = self._publics(kind, categorie)
        modes_accueil = MODES_ACCUEIL.pick(rng)
        modes_mobilisation = MODES_MOBILISATION.pick(rng)
        mobilisable_par = (PRESCRIBED if kind.key in PRESCRIBED_KINDS else MOBILISABLE_PAR).pick(rng)
        link_mode = modes_mobilisation is not None and "utiliser-lien-mobilisation" in modes_mobilisation

        address = self._service_address(place, parent, remote_only=modes_accueil == ["a-distance"])
        structure_local_id = structure.local_id
        paced = type_ in ("formation", "atelier", "accompagnement") and rng.random() < 0.3
        return {
            "source": source,
            "structure_id": parent["id"],
            "id": service_id,
            "nom": nom,
            "description": descriptions.service_description(
                rng,
                nom=template.nom,
                categorie=categorie,
                type_=type_,
                structure_nom=parent["nom"],
                commune=parent["commune"],
            ),
            "lien_source": identifiers.link(identifiers.SERVICE_LINKS.get(source), local_id, structure_local_id)
            if rng.random() < 0.85
            else None,
            "date_maj": self._date(),
            "type": type_,
            "thematiques": self._thematiques(primary, categorie, kind) if rng.random() < 0.98 else None,
            "frais": frais,
            "frais_precisions": frais_precisions,
            "publics": publics,
            "publics_precisions": rng.choice(vocabulary.PUBLICS_PRECISIONS[publics[0]])
            if publics and rng.random() < 0.2
            else None,
            "conditions_acces": rng.choice(vocabulary.CONDITIONS_ACCES) if rng.random() < 0.35 else None,
            **address,
            "telephone": self._service_contact(parent["telephone"], lambda: contacts.telephone(rng, place)),
            "courriel": self._service_contact(parent["courriel"], lambda: _service_courriel(rng, categorie, parent)),
            "modes_accueil": modes_accueil,
            "zone_eligibilite": self._zone(place, parent),
            "contact_nom_prenom": f"{rng.choice(vocabulary.FIRST_NAMES)} {rng.choice(vocabulary.LAST_NAMES)}"
            if rng.random() < 0.15
            else None,
            "lien_mobilisation": self._lien_mobilisation(parent)
            if (link_mode and rng.random() < 0.9) or rng.random() < 0.05
            else None,
            "modes_mobilisation": modes_mobilisation,
            "mobilisable_par": mobilisable_par,
            "mobilisation_precisions": rng.choice(vocabulary.MOBILISATION_PRECISIONS) if rng.random() < 0.2 else None,
            "volume_horaire_hebdomadaire": rng.choice(WEEKLY_HOURS) if paced else None,
            "nombre_semaines": rng.choice(WEEKS) if paced else None,
            "horaires_accueil": self._horaires(kind.horaires, 0.35),
        }

    def _thematiques(self, primary: str, categorie: str, kind: kinds.Kind) -> list[str]:
        rng = self.rng
        chosen = [primary]
        draw = rng.random()
        extra = 0 if draw < 0.5 else 1 if draw < 0.85 else 2
        for _ in range(extra):
            if rng.random() < 0.8:
                chosen.append(rng.choice(THEMATIQUES_BY_CATEGORY[categorie]))
            elif rng.random() < 0.75:
                theme = self.themes[kind.key].pick(rng)
                chosen.append(theme if "--" in theme else rng.choice(THEMATIQUES_BY_CATEGORY[theme]))
            else:
                chosen.append(rng.choice(ALL_THEMATIQUES))
        return list(dict.fromkeys(chosen))

    def _frais(self, template: vocabulary.ServiceTemplate) -> tuple[str | None, str | None]:
        rng = self.rng
        draw = rng.random()
        if template.frais == "payant":
            if draw < 0.85:
                precisions = template.frais_precisions if rng.random() < 0.85 else None
                return "payant", precisions
            return None, None
        if draw < 0.75:
            return "gratuit", rng.choice(vocabulary.FRAIS_PRECISIONS_GRATUIT) if rng.random() < 0.08 else None
        if draw < 0.82:
            return "payant", rng.choice(vocabulary.FRAIS_PRECISIONS_PAYANT) if rng.random() < 0.8 else None
        return None, None

    def _publics(self, kind: kinds.Kind, categorie: str) -> list[str] | None:
        rng = self.rng
        draw = rng.random()
        if draw < 0.08:
            return None
        if kind.publics and draw < 0.6:
            publics = rng.sample(kind.publics, rng.randint(1, len(kind.publics)))
        elif draw < 0.45:
            return ["tous-publics"]
        else:
            affinity = vocabulary.PUBLICS_BY_CATEGORY[categorie]
            publics = rng.sample(affinity, min(len(affinity), rng.choice((1, 1, 2, 2, 3))))
        if rng.random() < 0.1:
            publics.append(rng.choice(SPECIFIC_PUBLICS))
        return list(dict.fromkeys(publics))

    def _service_address(self, place: Place, parent: dict, *, remote_only: bool) -> dict:
        rng = self.rng
        fields = ("commune", "code_postal", "code_insee", "adresse", "complement_adresse", "longitude", "latitude")
        draw = rng.random()
        if remote_only and draw < 0.4:
            return dict.fromkeys(fields)
        if draw < 0.88:
            return {name: parent[name] for name in fields}
        # Its own address: elsewhere in the commune, or a permanence in another town nearby.
        if rng.random() < 0.4:
            place = self.geography.pick_in_departement(rng, place.departement)
        latitude, longitude = self.geography.coordinates(rng, place)
        return {
            "commune": place.nom,
            "code_postal": self.geography.code_postal(rng, place),
            "code_insee": place.code_insee,
            "adresse": self.geography.address(rng, place),
            "complement_adresse": rng.choice(places.ADDRESS_COMPLEMENTS) if rng.random() < 0.2 else None,
            "longitude": longitude,
            "latitude": latitude,
        }

    def _service_contact(self, inherited: str | None, make) -> str | None:
        draw = self.rng.random()
        if draw < 0.45:
            return inherited
        if draw < 0.57:
            return make()
        return None

    def _zone(self, place: Place, parent: dict) -> list[str] | None:
        rng = self.rng
        zone = ZONES.pick(rng)
        if zone == "epci" and not place.epci:
            zone = "departement"
        if zone == "region" and place.region not in self.geography.region_departements:
            zone = "departement"
        if zone == "commune":
            return [parent["code_insee"] or place.code_insee]
        if zone == "communes":
            neighbours = self.geography.by_epci.get(place.epci or "", [place.code_insee])
            return list(dict.fromkeys([place.code_insee, *rng.sample(neighbours, min(len(neighbours), 3))]))
        if zone == "epci":
            return [place.epci]
        if zone == "departement":
            return [place.departement]
        if zone == "region":
            return list(self.geography.region_departements[place.region])
        if zone == "france":
            return ["france"]
        if zone == "pays":
            return ["99100"]
        return None

    def _lien_mobilisation(self, parent: dict) -> str | None:
        domain = _domain(parent)
        if domain is None or domain in WEBMAILS:
            return None
        return f"https://{'' if domain.count('.') > 1 else 'www.'}{domain}/{self.rng.choice(LINK_PATHS)}"


def _clip(name: str) -> str:
    """Schema: at most 150 characters, not ending with a full stop."""
    return name[:NAME_MAX_LENGTH].rstrip(" .–-")


def _service_courriel(rng, categorie: str, structure: dict) -> str | None:
    """A service's own address at its structure's domain, if the structure has one of its own."""
    domain = _domain(structure)
    if domain is None or domain in WEBMAILS:
        return structure["courriel"]
    return f"{rng.choice(SERVICE_MAILBOXES.get(categorie, ('accueil',)) + ('accueil', 'inscriptions'))}@{domain}"


def _domain(structure: dict) -> str | None:
    if structure["courriel"]:
        return structure["courriel"].split("@", 1)[1]
    site = structure["site_web"]
    if site and "facebook" not in site:
        return site.split("/")[2].removeprefix("www.")
    return None
