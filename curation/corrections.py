"""Curators' corrections over imported data.

A schema field a curator changes is listed in ``curated_fields``: imports then keep the
curator's value and store the upstream one in ``upstream_values[field]`` (imports/writer.py).
Values are compared and stored as the import stores them: PostgreSQL's ``to_jsonb`` of the
column (dates as ISO strings, sets as sorted lists). Only a real change is a correction: texts are
compared with their line endings and surrounding whitespace normalised (``normalised``), since
browsers post every textarea back with CRLF line endings.
"""

import json
from collections.abc import Iterable

from django.core.exceptions import FieldDoesNotExist
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import Model


def schema_field_names(model: type[Model]) -> list[str]:
    """Column names of the schema's fields (``structure_id`` for a service's structure)."""
    return [name for name in model.schema_model.model_fields if name != "id"]


def column_of(model: type[Model], form_field: str) -> str | None:
    """The curated-field name (a column) of a form field, or None if not a schema field."""
    try:
        field = model._meta.get_field(form_field)
    except FieldDoesNotExist:
        return None
    column = field.attname
    return column if column in schema_field_names(model) else None


def as_json(value):
    """A Python value as the import's JSON (dates as ISO strings)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def stored_values(record: Model) -> dict:
    """The record's row as stored (before an edit is saved), as JSON."""
    table = record._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT to_jsonb(t) FROM {table} AS t WHERE t.id = %s", [record.pk])
        row = cursor.fetchone()
    value = row[0] if row else {}
    return json.loads(value) if isinstance(value, str) else value


def normalised(value):
    """A value as corrections compare it: text with LF line endings and no surrounding whitespace, empty text
    as no value (forms give "" where imports store null); other values as they are."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n").strip() or None
    return value


def same_value(first, second) -> bool:
    """Whether two stored (JSON) values are the same for a reader."""
    return normalised(first) == normalised(second)


def set_from_json(record: Model, column: str, value) -> None:
    """Set a column from its stored (JSON) value."""
    field = next(field for field in record._meta.concrete_fields if field.attname == column)
    if value is not None:
        value = field.target_field.to_python(value) if field.is_relation else field.to_python(value)
    setattr(record, column, value)


def record_corrections(record: Model, columns: Iterable[str], stored: dict) -> list[str]:
    """Mark ``columns`` as corrected on ``record`` (not saved); returns the newly marked ones.

    A column whose value is the stored one once normalised did not change: it keeps the stored
    value and is no correction. Texts are kept with LF line endings, as sources write them.
    The value before the first correction of a field is the upstream one: it is kept at once,
    so that the change form can show it and restore it before any new import. A field edited
    back to the upstream value is no longer a correction.
    """
    curated = list(record.curated_fields or [])
    upstream = dict(record.upstream_values or {})
    newly = []
    for column in columns:
        value = getattr(record, column)
        if same_value(as_json(value), stored.get(column)):
            set_from_json(record, column, stored.get(column))
            continue
        if isinstance(value, str):
            setattr(record, column, value.replace("\r\n", "\n").replace("\r", "\n"))
        if column not in curated:
            curated.append(column)
            upstream[column] = stored.get(column)
            newly.append(column)
        if same_value(as_json(getattr(record, column)), upstream.get(column)):
            curated.remove(column)
            upstream.pop(column, None)
            if column in newly:
                newly.remove(column)
    record.curated_fields = curated
    record.upstream_values = upstream
    return newly


def restore_upstream(record: Model, column: str) -> None:
    """Put back the upstream value of a corrected field and forget the correction (not saved)."""
    set_from_json(record, column, (record.upstream_values or {}).get(column))
    record.curated_fields = [name for name in record.curated_fields if name != column]
    record.upstream_values = {name: v for name, v in record.upstream_values.items() if name != column}
