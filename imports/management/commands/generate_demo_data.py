"""Writes a realistic synthetic offre d'insertion in the data·inclusion open-data JSON format.

It is the demo dataset (`make run`) and the benchmark dataset of the site: structures.json and
services.json, every record valid for the official schema v1 models, spread over the real
communes of the Commune table.
"""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from communes.models import Commune
from imports.demo.generator import DemoDataGenerator
from imports.demo.geography import Geography


def french_number(number: int) -> str:
    return f"{number:,}".replace(",", " ")


def departement_codes(value: str) -> list[str]:
    codes = []
    for code in value.split(","):
        code = code.strip().upper()
        if code:
            codes.append(code.zfill(2) if code.isdigit() else code)
    return codes


class Command(BaseCommand):
    help = (
        "Écrit un jeu de démonstration réaliste (structures.json et services.json) au format open data de "
        "data·inclusion, réparti sur les communes importées."
    )

    def add_arguments(self, parser):
        parser.add_argument("--structures", type=int, default=1000, help="Nombre de structures (défaut : 1000).")
        parser.add_argument("--services", type=int, default=1400, help="Nombre de services (défaut : 1400).")
        parser.add_argument("--seed", type=int, default=42, help="Graine du tirage aléatoire (défaut : 42).")
        parser.add_argument("--out", default=".data/demo", help="Dossier de sortie (défaut : .data/demo).")
        parser.add_argument(
            "--departements",
            type=departement_codes,
            default=None,
            help="Codes de départements séparés par des virgules, par exemple 59,69,75,13,23,48.",
        )

    def handle(self, *args, **options):
        structures, services = options["structures"], options["services"]
        if structures < 0 or services < 0:
            raise CommandError("Les nombres de structures et de services ne peuvent pas être négatifs.")
        if services and not structures:
            raise CommandError("Impossible de générer des services sans structure : indiquez --structures.")
        if not Commune.objects.exists():
            raise CommandError(
                "La table des communes est vide. Importez d'abord les communes : python manage.py import_communes "
                "<dossier des fichiers communes> (ou sans argument, pour les télécharger depuis geo.api.gouv.fr)."
            )
        departements = options["departements"]
        try:
            geography = Geography.from_database(departements)
        except ValueError:
            geography = None
        if departements:
            known = geography.by_departement if geography else {}
            unknown = [code for code in departements if code not in known]
            if unknown:
                raise CommandError(f"Aucune commune importée pour le(s) département(s) : {', '.join(unknown)}.")
        if geography is None:
            raise CommandError("Aucune commune utilisable (France métropolitaine et outre-mer) dans la table.")

        out = Path(options["out"])
        started = time.monotonic()
        summary = DemoDataGenerator(geography, seed=options["seed"]).write(
            out, structures=structures, services=services
        )
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"Jeu de démonstration : {french_number(summary.structures)} structures, "
                f"{french_number(summary.services)} services écrits dans {out}."
            )
        if options["verbosity"] >= 2:
            sources = ", ".join(f"{source} {count}" for source, count in sorted(summary.sources.items()))
            self.stdout.write(
                f"Doublons inter-sources : {summary.duplicates}. Sources : {sources}. "
                f"Durée : {time.monotonic() - started:.1f} s."
            )
