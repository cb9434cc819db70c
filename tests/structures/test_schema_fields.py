"""The models mirror the official schema: every field, with a compatible type.

Expectations are derived from the pydantic models of data-inclusion-schema, not from a hand
list, so a schema upgrade that adds or changes a field makes these tests fail loudly.
"""

import datetime
import enum
import types
import typing

import pydantic
import pytest
from annotated_types import MaxLen
from data_inclusion.schema import v1
from django.contrib.postgres.fields import ArrayField
from django.db import models

from services.models import Service
from structures.models import Structure

# Our own bookkeeping fields, the only model fields the schema does not have.
BOOKKEEPING_FIELDS = {
    "score_qualite",
    "is_published",
    "unpublished_reason",
    "unpublished_note",
    "curated_fields",
    "upstream_values",
    "source_hash",
    "raw_hash",
    "created_at",
    "updated_at",
}
MODEL_SPECIFIC_FIELDS = {
    Structure: {"search_name", "duplicate_group", "not_duplicate", "preferred_in_group"},
    Service: {"search_document"},
}

PAIRS = [(v1.Structure, Structure), (v1.Service, Service)]


def unwrap(annotation):
    """Strip Optional and Annotated: (bare type, nullable, max_length from constraints)."""
    nullable = False
    max_length = None
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        nullable = len(args) < len(typing.get_args(annotation))
        annotation = args[0] if len(args) == 1 else typing.Union[tuple(args)]  # noqa: UP007
    if typing.get_origin(annotation) is typing.Annotated:
        annotation, *metadata = typing.get_args(annotation)
        for item in metadata:
            max_length = getattr(item, "max_length", None) or max_length
    return annotation, nullable, max_length


def model_field(model, name):
    return next(field for field in model._meta.concrete_fields if field.attname == name)


def schema_cases():
    for schema_model, model in PAIRS:
        for name, info in schema_model.model_fields.items():
            yield pytest.param(model, name, info, id=f"{model.__name__}.{name}")


def test_every_model_field_is_a_schema_field_or_bookkeeping():
    for schema_model, model in PAIRS:
        names = {field.attname for field in model._meta.concrete_fields}
        assert names - set(schema_model.model_fields) == BOOKKEEPING_FIELDS | MODEL_SPECIFIC_FIELDS[model]


@pytest.mark.parametrize(("model", "name", "info"), list(schema_cases()))
def test_model_has_schema_field_with_compatible_type(model, name, info):
    field = model_field(model, name)
    annotation, nullable, max_length = unwrap(info.annotation)
    for item in info.metadata:
        if isinstance(item, MaxLen):
            max_length = item.max_length

    assert field.null is (not info.is_required()) is nullable, "nullability must follow the schema"

    origin = typing.get_origin(annotation)
    if name == "structure_id":
        assert isinstance(field, models.ForeignKey)
        assert field.related_model is Structure
    elif origin in (set, list):
        assert isinstance(field, ArrayField)
        (item_type,) = typing.get_args(annotation)
        item_type, _, item_max = unwrap(item_type)
        if isinstance(item_type, type) and issubclass(item_type, enum.Enum):
            assert {value for value, _ in field.base_field.choices} == {m.value for m in item_type}
        else:
            # A union of constrained codes (zone_eligibilite): room for the longest.
            lengths = [unwrap(arg)[2] for arg in typing.get_args(item_type)] + [item_max]
            assert field.base_field.max_length >= max(length or 0 for length in lengths)
    elif isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        assert isinstance(field, models.CharField)
        assert {value for value, _ in field.choices} == {m.value for m in annotation}
    elif annotation is pydantic.HttpUrl:
        assert isinstance(field, models.URLField)
    elif annotation is pydantic.EmailStr:
        assert isinstance(field, models.EmailField)
    elif annotation is datetime.date:
        assert isinstance(field, models.DateField)
    elif annotation is float:
        assert isinstance(field, models.FloatField)
    elif annotation is int:
        assert isinstance(field, models.IntegerField)
    elif annotation is str:
        assert isinstance(field, models.CharField | models.TextField)
        if max_length is not None:
            assert field.max_length == max_length
    else:
        pytest.fail(f"no mapping for schema type {annotation!r}: extend the model and this test")


def test_enum_choices_carry_schema_labels():
    field = Service._meta.get_field("thematiques").base_field
    labels = dict(field.choices)
    assert labels["mobilite--preparer-un-permis"] == v1.Thematique("mobilite--preparer-un-permis").label
