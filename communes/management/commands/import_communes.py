from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from communes import geo_api
from communes.importer import ImportResult, find_files, read_csv, save_communes
from communes.models import Commune
from communes.records import InvalidData, check_unique

# How many communes without a known parent are named in the warning; the rest are counted.
ORPHANS_SHOWN = 10


class Command(BaseCommand):
    help = (
        "Importe les communes, arrondissements municipaux et communes déléguées ou associées : depuis nos fichiers "
        "CSV (gzip ou non, ou un dossier qui les contient), ou depuis l'API Géo sans chemin. Met à jour les communes "
        "existantes et n'en supprime aucune."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths",
            nargs="*",
            metavar="CHEMIN",
            type=Path,
            help="Fichier CSV (communes.csv.gz, communes_deleguees_associees.csv.gz) ou dossier qui les contient. "
            "Sans chemin : téléchargement depuis settings.GEO_API_URL.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Tout vérifier et compter, sans rien enregistrer.")
        parser.add_argument("--quiet", action="store_true", help="N'affiche rien (comme --verbosity 0).")

    def handle(self, *args, paths, dry_run, quiet, verbosity, **options):
        self.verbosity = 0 if quiet else verbosity
        try:
            records = self.read_records(paths)
            check_unique(records)
            with transaction.atomic():
                result = save_communes(records)
                if dry_run:
                    transaction.set_rollback(True)
        except InvalidData as error:
            raise CommandError(f"Import des communes annulé, rien n'a été modifié. {error}") from error
        self.report(result, dry_run=dry_run)

    def read_records(self, paths: list[Path]):
        if not paths:
            if self.verbosity >= 2:
                self.stdout.write(f"Téléchargement depuis {settings.GEO_API_URL}…")
            return geo_api.fetch_records(settings.GEO_API_URL)
        files = []
        for path in paths:
            for file in find_files(path):
                # The same file reached twice (a directory and one of its files) is read once.
                if file.resolve() not in {known.resolve() for known in files}:
                    files.append(file)
        records = []
        for file in files:
            if self.verbosity >= 2:
                self.stdout.write(f"Lecture de {file}…")
            records += read_csv(file)
        return records

    def report(self, result: ImportResult, *, dry_run: bool):
        if self.verbosity < 1:
            return
        if result.orphans:
            shown = ", ".join(
                f"{record.code_insee} ({Commune.Type(record.type).label.lower()}, rattachée à {record.parent_code})"
                for record in result.orphans[:ORPHANS_SHOWN]
            )
            more = len(result.orphans) - ORPHANS_SHOWN
            if more > 0:
                shown += f" et {plural(more, 'autre')}"
            self.stdout.write(
                self.style.WARNING(
                    f"Commune de rattachement introuvable pour {plural(len(result.orphans), 'subdivision')} : {shown}."
                )
            )
        line = (
            f"Communes : {plural(result.read, 'lue')}, {plural(result.created, 'créée')}, "
            f"{plural(result.updated, 'mise', 'mises')} à jour, {plural(result.unchanged, 'inchangée')}."
        )
        if dry_run:
            line += " Simulation : rien n'a été enregistré."
        self.stdout.write(line)


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    # French typography groups thousands with a space: 37 590.
    number = f"{count:,}".replace(",", " ")
    return f"{number} {singular if count == 1 else plural_form or singular + 's'}"
