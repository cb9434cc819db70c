import os
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from imports.api_client import ApiError, fetch_all
from imports.pipeline import ImportAborted, run_import
from imports.readers import UnreadableFile, find_published_file, read_records
from imports.runs import ImportBusy
from imports.unpublishing import ALLOW_MASS_UNPUBLISH

PHASE_LABELS = {
    "read": "lecture",
    "validate": "validation",
    "write": "écriture",
    "index": "index de recherche",
    "columns": "colonnes",
}


def french(number: float, decimals: int) -> str:
    return f"{number:,.{decimals}f}".replace(",", "\u202f").replace(".", ",")


class Command(BaseCommand):
    help = (
        "Importe les structures et services de data·inclusion (fichiers JSON, Parquet ou CSV, "
        "ou l'API) : validation officielle, mise à jour sans perte, dépublication des absents."
    )
    # Django's system checks import every URL and view first: 0.8 s of a daily re-import that takes a few seconds,
    # for checks of the site that `manage.py check` (deployment, CI) and runserver make, not of this job.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "path_or_url",
            nargs="?",
            help=(
                "Dossier contenant les exports (structures-inclusion-AAAA-MM-JJ.* et services-inclusion-…, "
                "ou structures.* et services.*), ou adresse de l'API data·inclusion."
            ),
        )
        parser.add_argument("--structures", type=Path, help="Fichier des structures.")
        parser.add_argument("--services", type=Path, help="Fichier des services.")
        parser.add_argument(
            "--source", action="append", dest="sources", metavar="NOM", help="N'importer que cette source."
        )
        parser.add_argument(
            "--partial",
            action="store_true",
            help="Import partiel : ne dépublie pas les enregistrements absents.",
        )
        parser.add_argument(
            ALLOW_MASS_UNPUBLISH,
            action="store_true",
            dest="allow_mass_unpublish",
            help="Autoriser un import complet qui dépublie plus de 20 % des enregistrements publiés d'une source.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Tout vérifier sans rien enregistrer.")
        parser.add_argument(
            "--wait",
            action="store_true",
            help="Si un import est déjà en cours, attendre sa fin (sinon : s'arrêter aussitôt, sans rien modifier).",
        )

    def handle(self, *args, path_or_url=None, structures=None, services=None, sources=None, **options):
        verbosity = options["verbosity"]
        timings: dict = {}
        start = time.perf_counter()
        read_start = time.perf_counter()
        try:
            if path_or_url and path_or_url.startswith(("http://", "https://")):
                token = os.environ.get("DATA_INCLUSION_API_TOKEN") or getattr(
                    settings, "DATA_INCLUSION_API_TOKEN", None
                )
                structure_records = fetch_all(path_or_url, "structures", token=token, sources=sources)
                service_records = fetch_all(path_or_url, "services", token=token, sources=sources)
                origin = path_or_url
            else:
                structures_path, services_path = self.resolve_paths(path_or_url, structures, services)
                # A kind without a file is not part of the run (None): none of its records is unpublished.
                structure_records = read_records(structures_path) if structures_path else None
                service_records = read_records(services_path) if services_path else None
                origin = ", ".join(str(path) for path in (structures_path, services_path) if path)
                if verbosity > 0:
                    taken = (
                        f"{label} : {path.name if path else 'aucun fichier'}"
                        for label, path in (("structures", structures_path), ("services", services_path))
                    )
                    self.stdout.write(f"Fichiers lus — {' ; '.join(taken)}.")
        except (UnreadableFile, ApiError) as exc:
            raise CommandError(f"Import annulé, rien n'a été modifié. {exc}") from exc
        timings["read"] = round(time.perf_counter() - read_start, 3)

        show_progress = verbosity > 0 and sys.stderr.isatty()
        try:
            # Files stream (memory bounded by what the import holds at once); the API's answers are lists.
            result = run_import(
                structures=structure_records,
                services=service_records,
                origin=origin,
                sources=sources,
                full=not options["partial"],
                allow_mass_unpublish=options["allow_mass_unpublish"],
                dry_run=options["dry_run"],
                progress=self.progress_bar if show_progress else None,
                timings=timings,
                wait=options["wait"],
                notify=self.stderr.write if verbosity > 0 else None,
            )
        except (ImportAborted, ImportBusy) as exc:
            raise CommandError(f"Import annulé, rien n'a été modifié. {exc}") from exc
        total = time.perf_counter() - start
        if verbosity > 0:
            prefix = "Simulation (rien n'a été enregistré) — " if options["dry_run"] else ""
            if show_progress:
                self.stderr.write(self.phases(result), style_func=str)
            self.stdout.write(f"{prefix}{result.summary()} ({total:.1f} s)")
            for note in result.notes:
                self.stdout.write(f"Remarque : {note}")
            for kind, label in (("structures", "structures"), ("services", "services")):
                reasons = result.counts[kind]["rejets_par_motif"]
                if reasons:
                    self.stdout.write(f"Rejets des {label} par motif :")
                    for reason in reasons:
                        self.stdout.write(f"  {reason['nombre']} × [{reason['champ']}] {reason['motif']}")
            if verbosity > 1:
                for batch in (result.structures, result.services):
                    for rejection in batch.rejections:
                        self.stdout.write(
                            f"  rejet {rejection.kind} {rejection.record_id} [{rejection.field}] : {rejection.message}"
                        )

    def resolve_paths(self, path_or_url, structures, services):
        if path_or_url:
            folder = Path(path_or_url)
            if not folder.is_dir():
                raise UnreadableFile(f"{folder} : dossier introuvable.")
            structures = structures or find_published_file(folder, "structures")
            services = services or find_published_file(folder, "services")
        if not structures and not services:
            raise UnreadableFile(
                "Indiquez un dossier contenant les exports data·inclusion (structures-inclusion-AAAA-MM-JJ.json, "
                "services-inclusion-….parquet…, ou structures.* et services.*), ou --structures / --services."
            )
        return structures, services

    @staticmethod
    def phases(result) -> str:
        """Each phase's time and pace, after the bars (the write and index phases are set-based: no bar)."""
        records = result.counts["structures"]["lues"] + result.counts["services"]["lues"]
        shown = []
        for phase, label in PHASE_LABELS.items():
            seconds = result.timings.get(phase)
            if seconds:
                shown.append(f"{label} {french(seconds, 1)} s ({french(records / seconds, 0)} enr./s)")
        return "Durées — " + " ; ".join(shown) + "."

    @staticmethod
    def progress_bar(items, label, records):
        """A bar over the records examined (``items``), with the count of those read (``records``) when known."""
        from tqdm import tqdm

        total = getattr(records, "estimated_count", None) if not hasattr(records, "__len__") else len(records)
        return tqdm(items, desc=label, total=total, unit=" enr.", file=sys.stderr, smoothing=0.1)
