"""A demo service of a written structure: what it is, for whom, where, how to get in."""

from data_inclusion.schema import v1

from demo import contacts, descriptions
from demo.text import clip

ALL_THEMATIQUES = [thematique.value for thematique in v1.Thematique]
THEMATIQUES_BY_CATEGORY = {c.value: [t for t in ALL_THEMATIQUES if t.startswith(f"{c.value}--")] for c in v1.Categorie}
TOUS_PUBLICS, GRATUIT, PAYANT = v1.Public.TOUS_PUBLICS.value, v1.Frais.GRATUIT.value, v1.Frais.PAYANT.value
REMOTE, LINK = v1.ModeAccueil.A_DISTANCE.value, v1.ModeMobilisation.UTILISER_LIEN_MOBILISATION.value
SPECIFIC_PUBLICS = [public.value for public in v1.Public if public != TOUS_PUBLICS]
ALL_TYPES = [type_.value for type_ in v1.TypeService]
PACED_TYPES = frozenset({v1.TypeService.FORMATION, v1.TypeService.ATELIER, v1.TypeService.ACCOMPAGNEMENT})
ADDRESS_FIELDS = ("commune", "code_postal", "code_insee", "adresse", "complement_adresse", "longitude", "latitude")
WEBMAILS = frozenset({"gmail.com", "orange.fr", "wanadoo.fr"})


def make_service(generator, structure) -> dict:
    rng, vocabulary, texts = generator.rng, generator.vocabulary["services"], generator.vocabulary["texts"]
    kind, place, parent, draws = structure.kind, structure.place, structure.record, vocabulary["draws"]
    precisions = vocabulary["publics_precisions"]
    theme = generator.draw(kind["thematiques"])
    primary = theme if "--" in theme else rng.choice(THEMATIQUES_BY_CATEGORY[theme])
    categorie = primary.split("--")[0]
    template = rng.choice(vocabulary["services"][primary])
    producer = generator.producers[parent["source"]]
    service_id, local_id = generator.ids.make(rng, parent["source"], producer["service_ids"], template["nom"])
    type_ = template["type"]
    if (draw := rng.random()) < 0.12:  # not given, or not the most fitting
        type_ = None if draw < 0.08 else rng.choice(ALL_TYPES)
    frais, frais_precisions = _frais(rng, template, texts)
    publics = _publics(rng, kind, vocabulary["categories"][categorie]["publics"])
    modes_accueil = generator.draw(draws["modes_accueil"])
    modes_mobilisation = generator.draw(draws["modes_mobilisation"]) or []
    paced = type_ in PACED_TYPES and rng.random() < 0.3
    link_share = 0.9 if LINK in modes_mobilisation else 0.05
    return {
        "source": parent["source"],
        "structure_id": parent["id"],
        "id": service_id,
        "nom": clip(f"{template['nom']} – {parent['commune']}") if rng.random() < 0.1 else template["nom"],
        "description": descriptions.service(rng, texts, vocabulary, template["nom"], categorie, type_, parent),
        "lien_source": generator.maybe(
            0.85, contacts.link, producer.get("service_link"), local_id, structure.local_id
        ),
        "date_maj": generator.date(),
        "type": type_,
        "thematiques": generator.maybe(0.98, _thematiques, generator, primary, kind),
        "frais": frais,
        "frais_precisions": frais_precisions,
        "publics": publics,
        "publics_precisions": generator.maybe(0.2, rng.choice, precisions[publics[0]]) if publics else None,
        "conditions_acces": generator.maybe(0.35, rng.choice, texts["conditions_acces"]),
        **_address(generator, place, parent, remote_only=modes_accueil == [REMOTE]),
        "telephone": _contact(rng, parent["telephone"], generator.telephone, place),
        "courriel": _contact(rng, parent["courriel"], _courriel, rng, vocabulary, categorie, parent),
        "modes_accueil": modes_accueil,
        "zone_eligibilite": _zone(generator, place, parent),
        "contact_nom_prenom": generator.maybe(0.15, " ".join, map(rng.choice, texts["contact_names"])),
        "lien_mobilisation": generator.maybe(link_share, _lien_mobilisation, rng, draws, parent),
        "modes_mobilisation": modes_mobilisation or None,
        "mobilisable_par": generator.draw((draws["prescribed"] if kind["prescribed"] else draws)["mobilisable_par"]),
        "mobilisation_precisions": generator.maybe(0.2, rng.choice, texts["mobilisation_precisions"]),
        "volume_horaire_hebdomadaire": rng.choice(draws["weekly_hours"]) if paced else None,
        "nombre_semaines": rng.choice(draws["weeks"]) if paced else None,
        "horaires_accueil": generator.horaires(kind["horaires"], 0.35),
    }


def _thematiques(generator, primary: str, kind: dict) -> list[str]:
    """The primary thématique, often with others of its catégorie, sometimes of its kind or any."""
    rng, chosen, draw = generator.rng, [primary], generator.rng.random()
    for _ in range(0 if draw < 0.5 else 1 if draw < 0.85 else 2):
        if rng.random() < 0.8:
            chosen.append(rng.choice(THEMATIQUES_BY_CATEGORY[primary.split("--")[0]]))
        elif rng.random() < 0.75:
            theme = generator.draw(kind["thematiques"])
            chosen.append(theme if "--" in theme else rng.choice(THEMATIQUES_BY_CATEGORY[theme]))
        else:
            chosen.append(rng.choice(ALL_THEMATIQUES))
    return list(dict.fromkeys(chosen))


def _frais(rng, template: dict, texts: dict) -> tuple[str | None, str | None]:
    """A paid service says so most of the time, with its own précisions; the others are mostly free."""
    draw, precision = rng.random(), rng.random()
    if template.get("frais") == PAYANT:
        if draw < 0.85:
            return PAYANT, template.get("frais_precisions") if precision < 0.85 else None
        return None, None
    if draw < 0.75:
        return GRATUIT, rng.choice(texts["frais_precisions_gratuit"]) if precision < 0.08 else None
    if draw < 0.82:
        return PAYANT, rng.choice(texts["frais_precisions_payant"]) if precision < 0.8 else None
    return None, None


def _publics(rng, kind: dict, affinity: list[str]) -> list[str] | None:
    """Often the kind's publics, else everyone, or the publics of the catégorie; now and then one more."""
    draw = rng.random()
    if draw < 0.08:
        return None
    if kind["publics"] and draw < 0.6:
        publics = rng.sample(kind["publics"], rng.randint(1, len(kind["publics"])))
    elif draw < 0.45:
        return [TOUS_PUBLICS]
    else:
        publics = rng.sample(affinity, min(len(affinity), rng.choice((1, 1, 2, 2, 3))))
    if rng.random() < 0.1:
        publics.append(rng.choice(SPECIFIC_PUBLICS))
    return list(dict.fromkeys(publics))


def _address(generator, place, parent: dict, *, remote_only: bool) -> dict:
    """None for some remote services, mostly the structure's, else its own: a permanence, a second site."""
    rng, draw = generator.rng, generator.rng.random()
    if remote_only and draw < 0.4:
        return dict.fromkeys(ADDRESS_FIELDS)
    if draw < 0.88:
        return {name: parent[name] for name in ADDRESS_FIELDS}
    if rng.random() < 0.4:
        place = rng.choice(generator.geography.by_departement[place.departement])
    return generator.location(place, complement_share=0.2)


def _contact(rng, inherited: str | None, make, *args) -> str | None:
    """Often the structure's, sometimes its own, else none."""
    draw = rng.random()
    return inherited if draw < 0.45 else make(*args) if draw < 0.57 else None


def _zone(generator, place, parent: dict) -> list[str] | None:
    """At the level drawn, or the département when the place has no EPCI or region."""
    geography, zone = generator.geography, generator.draw(generator.vocabulary["services"]["draws"]["zones"])
    if zone == "communes":
        neighbours = geography.by_epci[place.epci] if place.epci else [place.code_insee]
        return list(dict.fromkeys([place.code_insee, *generator.rng.sample(neighbours, min(len(neighbours), 3))]))
    return {
        "commune": [parent["code_insee"] or place.code_insee],
        "epci": [place.epci or place.departement],
        "departement": [place.departement],
        "region": list(geography.region_departements.get(place.region, [place.departement])),
        "france": ["france"],
        "pays": ["99100"],
    }.get(zone)


def _domain(structure: dict) -> str | None:
    """The structure's own domain name, if it has one (not a webmail, not a social network)."""
    if structure["courriel"]:
        domain = structure["courriel"].split("@", 1)[1]
    elif structure["site_web"] and "facebook" not in structure["site_web"]:
        domain = structure["site_web"].split("/")[2].removeprefix("www.")
    else:
        return None
    return None if domain in WEBMAILS else domain


def _courriel(rng, vocabulary: dict, categorie: str, structure: dict) -> str | None:
    """A service's own address at its structure's domain, else the structure's."""
    if domain := _domain(structure):
        mailboxes = vocabulary["categories"][categorie].get("mailboxes", [])
        return f"{rng.choice([*mailboxes, 'accueil', 'inscriptions'])}@{domain}"
    return structure["courriel"]


def _lien_mobilisation(rng, draws: dict, structure: dict) -> str | None:
    if domain := _domain(structure):
        return f"https://{'' if domain.count('.') > 1 else 'www.'}{domain}/{rng.choice(draws['link_paths'])}"
    return None
