"""export_communes: the commune table in the CSV format of import_communes (communes and municipal arrondissements).

`make run` uses it when the communes came from the API Géo: the demo generator reads the communes from that file,
not from the database.
"""

import csv
import gzip
import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from communes.models import Commune
from communes.reference import CSV_COLUMNS


class Command(BaseCommand):
    help = (
        "Écrit les communes et arrondissements municipaux de la base dans un fichier CSV au format de "
        "import_communes (compressé en gzip si son nom finit par .gz)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path", type=Path, metavar="FICHIER", help="Fichier à écrire, par exemple communes.csv.gz."
        )

    def handle(self, *args, path: Path, **options):
        rows = Commune.objects.searchable().order_by("code_insee").values_list(*CSV_COLUMNS)
        if not rows.exists():
            raise CommandError("La table des communes est vide : importez d'abord les communes (import_communes).")
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.tmp")
        with (gzip.open if path.suffix == ".gz" else open)(temporary, "wt", encoding="utf-8", newline="") as file:
            writer = csv.writer(file)
            writer.writerow(CSV_COLUMNS)
            for code_insee, nom, codes_postaux, *others in rows.iterator():
                writer.writerow([code_insee, nom, " ".join(codes_postaux), *("" if v is None else v for v in others)])
        os.replace(temporary, path)  # never a truncated file where make looks for a complete one
        if options["verbosity"] >= 1:
            self.stdout.write(f"Communes : {rows.count()} écrites dans {path}.")
