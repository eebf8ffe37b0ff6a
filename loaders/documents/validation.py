"""The published JSON Schemas (draft 2020-12, ``loaders/schemas/*.json``) and validation against them.

A failure becomes one :class:`ValidationError` whose ``field`` is the JSON pointer of the failing
value (``/max_km``, ``/basics/location/postalCode``). Messages are written here from the schema, not
taken from ``jsonschema``: its messages quote the offending value, which in a CV may be a name or a
sentence, and rejection reasons go to stderr, logs and report files.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any, Literal

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaError
from jsonschema.exceptions import best_match

from ontology.errors import ValidationError

SchemaName = Literal["cv", "cv-jsonresume", "posting", "posting-schemaorg"]
SCHEMA_NAMES: tuple[SchemaName, ...] = ("cv", "cv-jsonresume", "posting", "posting-schemaorg")


@cache
def schema(name: SchemaName) -> dict[str, Any]:
    """Return the published schema ``loaders/schemas/<name>.schema.json`` (read once, on first use)."""
    text = resources.files("loaders").joinpath("schemas", f"{name}.schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@cache
def _validator(name: SchemaName) -> Draft202012Validator:
    return Draft202012Validator(schema(name), format_checker=Draft202012Validator.FORMAT_CHECKER)


def pointer(path: Any) -> str:
    """The JSON pointer (RFC 6901) of a path of keys and indexes; ``""`` is the whole document."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def validate(doc: Any, name: SchemaName) -> None:
    """Check ``doc`` against schema ``name``.

    :raise ValidationError: for the most relevant failure, ``field`` its JSON pointer.
    """
    error = best_match(_validator(name).iter_errors(doc))
    if error is None:
        return
    field, reason = describe(error)
    where = field or "the document"
    raise ValidationError(f"{where}: {reason}", field=field)


def describe(error: SchemaError) -> tuple[str, str]:
    """(pointer, reason) of a schema error, naming the missing or unexpected key where there is one.

    The reason never contains the instance's value.
    """
    at = pointer(error.absolute_path)
    kind, limit, sub = error.validator, error.validator_value, error.schema
    instance = error.instance
    hint = f" ({sub['description']})" if isinstance(sub, dict) and "description" in sub else ""
    if kind == "required" and isinstance(instance, dict):
        missing = next((k for k in limit if k not in instance), "")
        return f"{at}/{missing}", "is required"
    if kind == "dependentRequired" and isinstance(instance, dict):
        for key, needs in limit.items():
            gone = next((n for n in needs if key in instance and n not in instance), None)
            if gone is not None:
                return f"{at}/{gone}", f"is required together with {key}"
    if kind == "additionalProperties" and isinstance(instance, dict):
        known = set(sub.get("properties", {}))
        extra = sorted(k for k in instance if k not in known)
        return f"{at}/{extra[0]}" if extra else at, "is not an accepted field"
    if kind == "type":
        return at, f"must be of type {_or(limit)}"
    if kind in ("enum", "const"):
        values = limit if kind == "enum" else [limit]
        return at, f"must be {_or(json.dumps(v, ensure_ascii=False) for v in values)}"
    if kind == "pattern":
        return at, f"has the wrong format{hint}"
    if kind == "format":
        return at, f"is not a valid {limit}"
    if kind in ("minLength", "maxLength"):
        return at, f"must have {'at least' if kind == 'minLength' else 'at most'} {limit} characters"
    if kind in ("minItems", "maxItems"):
        return at, f"must have {'at least' if kind == 'minItems' else 'at most'} {limit} items"
    bounds = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}
    if kind in bounds:
        return at, f"must be {bounds[kind]} {limit}"
    if kind in ("anyOf", "oneOf", "contains"):
        return at, f"does not match any accepted form{hint}"
    return at, f"is invalid ({kind}){hint}"


def _or(values: Any) -> str:
    items = [values] if isinstance(values, str) else [str(v) for v in values]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]
