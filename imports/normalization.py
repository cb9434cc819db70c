"""One normalisation for every input: JSON, CSV, Parquet and API records become the same values.

data·inclusion publishes its exports with pandas, so one record reaches us in several shapes:
``date_maj`` as epoch milliseconds (JSON), a ``date`` (Parquet) or text (CSV, API); an integer
column with nulls as floats (``3.0``) or text (``"3.0"``); lists as lists, as Python repr text
(``"['a', 'b']"``, CSV) or as the producer template's ``"a, b"``; missing values as ``None``,
``NaN`` or empty text. ``normalize`` turns all of them into one form — ISO dates, numbers,
sorted lists of trimmed text, ``None`` — so that the change hash taken on it is the same for the
same content in any format, and validation sees what the schema expects.

Values of an unexpected type are left as they are: the validation that follows rejects them with
a French message rather than this module guessing.
"""

import ast
import csv
import json
import math
import types
import typing
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime

from data_inclusion.schema import v1

SCHEMA_MODELS = {"structure": v1.Structure, "service": v1.Service}
# Lists whose order means nothing (pydantic sets): sorted, so that a reordering is no change.
SET_FIELDS = frozenset(
    ("thematiques", "publics", "modes_accueil", "modes_mobilisation", "mobilisable_par", "reseaux_porteurs")
)
# Above this, a number in a date column is epoch milliseconds (pandas' default), below it seconds.
EPOCH_MILLISECONDS_FROM = 100_000_000_000


def _is_nan(value) -> bool:
    return isinstance(value, float) and math.isnan(value)


def to_text(value):
    if isinstance(value, str):
        return value.strip() or None
    return None if _is_nan(value) else value


def to_date(value):
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, datetime):  # also pandas' Timestamp
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float) and not isinstance(value, bool):
        if _is_nan(value):
            return None
        seconds = value / 1000 if abs(value) >= EPOCH_MILLISECONDS_FROM else value
        try:
            return datetime.fromtimestamp(seconds, UTC).date().isoformat()
        except (OverflowError, OSError, ValueError):
            return value
    return value


def to_float(value):
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            value = float(text)
        except ValueError:
            return text
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return None if _is_nan(value) else value


def to_int(value):
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            value = float(text)
        except ValueError:
            return text
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return int(value) if value.is_integer() else value
    return value


def parse_list(value: str) -> list[str]:
    """A list written as text: JSON (``["a", "b"]``), Python repr (``['a', 'b']``, pandas'
    ``to_csv``), PostgreSQL (``{a,b}``), comma-separated (``a, b``, the producer template) or a
    single bare value."""
    text = value.strip()
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            try:
                parsed = ast.literal_eval(text)
            except (ValueError, SyntaxError, MemoryError, RecursionError):
                return [text]
        return [str(item) for item in parsed] if isinstance(parsed, list | tuple) else [text]
    if text.startswith("{") and text.endswith("}"):
        inner = text[1:-1]
        return next(csv.reader([inner], skipinitialspace=True)) if inner else []
    return text.split(",")


def _to_list(value, *, as_set: bool):
    if value.__class__ is list:
        # The common case (JSON, Parquet): a list of text. str.strip raises TypeError on anything else, which
        # the general path below handles.
        try:
            items = [item for item in map(str.strip, value) if item]
        except TypeError:
            pass
        else:
            return sorted(set(items)) if as_set else items
    if isinstance(value, str):
        if not value.strip():
            return None
        value = parse_list(value)
    elif _is_nan(value):
        return None
    elif not isinstance(value, list | tuple):
        return value
    items = [item.strip() if isinstance(item, str) else item for item in value]
    items = [item for item in items if item is not None and item != ""]
    if as_set and all(isinstance(item, str) for item in items):
        return sorted(set(items))
    return items


def to_list(value):
    return _to_list(value, as_set=False)


def to_set(value):
    return _to_list(value, as_set=True)


def _base_types(annotation) -> set:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _base_types(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return set().union(*(_base_types(arg) for arg in typing.get_args(annotation)))
    if origin in (list, set):
        return {list}
    return {annotation}


def _converter(name: str, annotation) -> Callable:
    kinds = _base_types(annotation)
    if list in kinds:
        return to_set if name in SET_FIELDS else to_list
    if date in kinds:
        return to_date
    if int in kinds:
        return to_int
    if float in kinds:
        return to_float
    return to_text


CONVERTERS = {
    kind: tuple((name, _converter(name, info.annotation)) for name, info in model.model_fields.items())
    for kind, model in SCHEMA_MODELS.items()
}


# Text fields apart: most fields are text, trimmed inline rather than through a call (the import normalises
# millions of values).
TEXT_FIELDS = {
    kind: tuple(name for name, convert in converters if convert is to_text) for kind, converters in CONVERTERS.items()
}
OTHER_FIELDS = {
    kind: tuple(item for item in converters if item[1] is not to_text) for kind, converters in CONVERTERS.items()
}


def normalize(kind: str, record: Mapping) -> dict:
    """The schema fields of ``record`` in one canonical form (missing fields are None)."""
    get = record.get
    canonical = {
        name: (value.strip() or None)
        if (value := get(name)).__class__ is str
        else None
        if value is None
        else to_text(value)
        for name in TEXT_FIELDS[kind]
    }
    for name, convert in OTHER_FIELDS[kind]:
        value = get(name)
        canonical[name] = None if value is None else convert(value)
    return canonical
