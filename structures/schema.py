"""Bridge between our models and the official data·inclusion schema v1.

The schema package is the source of truth: enum values and labels, field rules and the
validation itself come from it. This module only adapts them to Django and says the
validation errors in French.
"""

import enum
import functools
from collections.abc import Iterable, Mapping

import pydantic


def enum_choices(schema_enum: type[enum.Enum]) -> list[tuple[str, str]]:
    """Django choices from a schema enum, with the schema's French labels."""
    return [(member.value, member.label) for member in schema_enum]


@functools.lru_cache(maxsize=4096)
def enum_label(schema_enum: type[enum.Enum], value: str) -> str:
    """The schema's French label of a value (the value itself when the schema does not know it). Cached: a page of
    results asks ~70 of them, of a few hundred values."""
    try:
        return schema_enum(value).label
    except ValueError:
        return value


# Messages for pydantic's error types, in French. Errors raised by the schema's own
# validators (type "value_error" with a French text) keep the schema's words.
MESSAGES = {
    "missing": "Ce champ est obligatoire.",
    "string_type": "Ce champ doit être un texte.",
    "string_too_short": "Ce texte doit contenir au moins {min_length} caractères.",
    "string_too_long": "Ce texte doit contenir au plus {max_length} caractères.",
    "string_pattern_mismatch": "Ce format n'est pas valide.",
    "too_short": "Indiquez au moins {min_length} valeur(s).",
    "too_long": "Indiquez au plus {max_length} valeur(s).",
    "enum": "« {input} » n'est pas une valeur autorisée.",
    "literal_error": "« {input} » n'est pas une valeur autorisée.",
    "url_parsing": "Cette adresse web n'est pas valide.",
    "url_scheme": "L'adresse web doit commencer par http:// ou https://.",
    "url_type": "Cette adresse web n'est pas valide.",
    "url_too_long": "Cette adresse web est trop longue.",
    "date_parsing": "Cette date n'est pas valide (format attendu : AAAA-MM-JJ).",
    "date_from_datetime_parsing": "Cette date n'est pas valide (format attendu : AAAA-MM-JJ).",
    "date_type": "Cette date n'est pas valide (format attendu : AAAA-MM-JJ).",
    "float_parsing": "Ce champ doit être un nombre.",
    "float_type": "Ce champ doit être un nombre.",
    "finite_number": "Ce champ doit être un nombre fini.",
    "int_parsing": "Ce champ doit être un nombre entier.",
    "int_type": "Ce champ doit être un nombre entier.",
    "int_from_float": "Ce champ doit être un nombre entier.",
    "greater_than_equal": "Cette valeur doit être supérieure ou égale à {ge}.",
    "greater_than": "Cette valeur doit être supérieure à {gt}.",
    "set_type": "Ce champ doit être une liste de valeurs.",
    "list_type": "Ce champ doit être une liste de valeurs.",
    "bool_parsing": "Ce champ doit valoir vrai ou faux.",
}
ZONE_CODE_MESSAGE = (
    "« {input} » n'est pas un code de zone valide : code commune (5 caractères), département "
    "(2 ou 3), EPCI (9 chiffres), pays (99xxx) ou « france »."
)
EMAIL_MESSAGE = "Cette adresse électronique n'est pas valide."
FALLBACK_MESSAGE = "Cette valeur n'est pas valide."


def french_message(error: Mapping) -> str:
    error_type = error["type"]
    if error_type == "value_error":
        if error["loc"] and error["loc"][0] == "courriel":
            return EMAIL_MESSAGE
        message = str(error.get("ctx", {}).get("error") or error["msg"])
        return message.removeprefix("Value error, ")
    template = MESSAGES.get(error_type)
    if template is None:
        return FALLBACK_MESSAGE
    context = {"input": _short(error.get("input")), **(error.get("ctx") or {})}
    try:
        return template.format(**context)
    except (KeyError, IndexError):
        return FALLBACK_MESSAGE


def _short(value, limit: int = 80) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def schema_errors(schema_model: type[pydantic.BaseModel], data: Mapping) -> dict[str, list[str]]:
    """Validate ``data`` with the official model; return French messages per field.

    An empty dict means the record is valid. A union type (zone_eligibilite) reports one
    error per alternative: they are folded into one message per list item.
    """
    try:
        schema_model.model_validate(data)
    except pydantic.ValidationError as exc:
        return group_errors(exc.errors(include_url=False))
    return {}


def group_errors(errors: Iterable[Mapping]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    seen_items: set[tuple] = set()
    for error in errors:
        loc = error["loc"]
        field = str(loc[0]) if loc else "__all__"
        if field == "zone_eligibilite" and len(loc) >= 2:
            item = loc[:2]
            if item in seen_items:
                continue
            seen_items.add(item)
            message = ZONE_CODE_MESSAGE.format(input=_short(error.get("input")))
        else:
            message = french_message(error)
        messages = grouped.setdefault(field, [])
        if message not in messages:
            messages.append(message)
    return grouped
