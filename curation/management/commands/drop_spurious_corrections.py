"""Repair: drop the corrections that change nothing but line endings or surrounding whitespace.

Before curation.corrections compared normalised values, saving a form from a browser (textareas posted back
with CRLF line endings) marked every multi-line field as corrected: the field stopped following its source.
A correction is spurious when the record's value is, once normalised,
- the source's latest value (upstream_values), or
- the value the field had just before the correction was made, the correction itself having changed nothing
  (read in the record's history), while the source has moved on since: its new value applies.
The source's value is put back, with an entry in the record's history; real corrections are left alone.
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.text import capfirst

from curation import corrections, history
from services import search_index
from services.models import Service
from structures.models import Structure

REASON = "Correction sans changement réel retirée (fins de ligne, espaces)"


def spurious_corrections(record) -> list[str]:
    upstream = record.upstream_values or {}
    entries = None
    found = []
    for column in record.curated_fields:
        if column not in upstream:
            continue
        current = corrections.as_json(getattr(record, column))
        if corrections.same_value(current, upstream[column]):
            found.append(column)
            continue
        if entries is None:
            entries = list(record.history.order_by("history_date", "history_id"))
        made = correction(entries, column)
        if made is None:
            continue
        before, after = (corrections.as_json(getattr(entry, column)) for entry in made)
        if corrections.same_value(before, after) and corrections.same_value(current, after):
            found.append(column)
    return found


def correction(entries: list, column: str) -> tuple | None:
    """The history entries just before and at the latest correction of the column, if the history has them."""
    for previous, entry in reversed(list(zip(entries, entries[1:], strict=False))):
        if column in (entry.curated_fields or []) and column not in (previous.curated_fields or []):
            return previous, entry
    return None


def label(model, column: str) -> str:
    field = next(field for field in model._meta.concrete_fields if field.attname == column)
    return capfirst(str(field.verbose_name))


class Command(BaseCommand):
    help = (
        "Retire les corrections de curateurs qui ne changent que des fins de ligne ou des espaces autour du texte : "
        "la valeur de la source s'applique de nouveau."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Compter et lister sans rien modifier.")

    def handle(self, *args, dry_run=False, verbosity=1, **options):
        dropped = records = 0
        for model in (Structure, Service):
            for record in model.objects.exclude(curated_fields=[]).order_by("pk"):
                columns = spurious_corrections(record)
                if not columns:
                    continue
                records += 1
                dropped += len(columns)
                labels = ", ".join(label(model, column) for column in columns)
                if verbosity > 1:
                    self.stdout.write(f"{model._meta.verbose_name} {record.pk} : {labels}")
                if not dry_run:
                    with transaction.atomic():
                        self.drop(record, columns, labels)
        if verbosity > 0:
            prefix = "Simulation (rien n'a été modifié) — " if dry_run else ""
            self.stdout.write(
                f"{prefix}{dropped} correction(s) sans changement réel retirée(s) sur {records} fiche(s)."
            )

    @staticmethod
    def drop(record, columns: list[str], labels: str) -> None:
        history.record_imported_state(type(record), [record.pk])
        for column in columns:
            corrections.restore_upstream(record, column)
        record._change_reason = f"{REASON} : {labels}"
        with search_index.batch(rescore=True):  # as for a curator's edit
            record.save()
