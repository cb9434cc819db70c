"""History of curated records (django-simple-history), field by field.

Imports write in bulk with SQL, without history. So that a curator's entry shows only the
curator's changes, the record's stored state is added to its history first whenever it
changed since its latest entry (it was created or updated by an import): that entry is dated
when the import wrote it and carries no user.
"""

import dataclasses
from collections.abc import Iterable, Iterator

from django.db.models import Max, Model, QuerySet
from django.utils import timezone
from django.utils.text import capfirst
from simple_history.template_utils import HistoricalRecordContextHelper

IMPORTED_STATE = "État importé de la source"
CHUNK = 2000


def _chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def record_imported_state(model: type[Model], pks: Iterable) -> int:
    """Add the stored state of the records whose latest history entry is older; returns how many."""
    if not hasattr(model, "updated_at"):
        return 0  # records created through the ORM: their history starts with their creation
    history = model.history.model
    added = 0
    for chunk in _chunks(list(pks)):
        latest = dict(
            history.objects.filter(id__in=chunk).order_by().values_list("id").annotate(last=Max("history_date"))
        )
        created, changed = [], []
        for record in model.objects.filter(pk__in=chunk):
            if record.pk not in latest:
                created.append(record)
            elif record.updated_at > latest[record.pk]:
                changed.append(record)
            else:
                continue
            record._history_date = record.updated_at
            record._history_user = None  # written by an import, not by the current user
        for records, update in ((created, False), (changed, True)):
            if records:
                model.history.bulk_history_create(records, update=update, default_change_reason=IMPORTED_STATE)
        added += len(created) + len(changed)
    return added


def update_with_history(queryset: QuerySet, *, values: dict, user, reason: str) -> list:
    """Update the records of ``queryset`` in bulk and add one history entry to each.

    Returns the primary keys of the updated records.
    """
    model = queryset.model
    pks = list(queryset.order_by().values_list("pk", flat=True))
    record_imported_state(model, pks)
    now = timezone.now()
    if hasattr(model, "updated_at"):
        values = {**values, "updated_at": now}
    for chunk in _chunks(pks):
        model.objects.filter(pk__in=chunk).update(**values)
        model.history.bulk_history_create(
            model.objects.filter(pk__in=chunk),
            update=True,
            default_user=user,
            default_change_reason=reason,
            default_date=now,
        )
    return pks


class LabelledHistoryHelper(HistoricalRecordContextHelper):
    """History diffs in curators' words: enum labels rather than slugs, field names as labels."""

    FIELD_LABELS = {"curated_fields": "Champs corrigés"}

    def format_delta_change(self, change):
        formatted = super().format_delta_change(change)
        if change.field in self.FIELD_LABELS:
            formatted = dataclasses.replace(formatted, field=self.FIELD_LABELS[change.field])
        return formatted

    def prepare_delta_change_value(self, change, value):
        if value in (None, "", []):
            return ""
        if change.field == "curated_fields":
            fields = {field.attname: field for field in self.model._meta.concrete_fields}
            return [capfirst(str(fields[name].verbose_name)) if name in fields else name for name in value]
        field = self.model._meta.get_field(change.field)
        choices = dict(getattr(getattr(field, "base_field", None), "choices", None) or field.choices or [])
        if choices:
            if isinstance(value, list):
                return [choices.get(item, item) for item in value]
            return choices.get(value, value)
        return super().prepare_delta_change_value(change, value)
