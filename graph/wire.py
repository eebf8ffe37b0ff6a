"""Wire shapes from one source: the dataclasses that leave the process, as JSON and as JSON Schema.

A result (suggestions, alternatives, their paths and evidence), a CV and a posting go out exactly as
their dataclasses say — through a pydantic ``TypeAdapter`` over the existing frozen dataclasses, which
serialises them (:func:`to_json`), reads them back (:func:`from_json`) and describes them
(:func:`components`, which the OpenAPI document uses). The codecs (:mod:`graph.codec`) and the result
JSON (:func:`graph.matching.explain.result_json`) are these calls, so a field added to a record reaches
the store, the audit trail, the API and its schema at once, and the contract tests hold responses to it.

Why pydantic: it is already installed with spaCy, is well kept, works over standard dataclasses without
changing them into models, and generates JSON Schema 2020-12 (what OpenAPI 3.1 uses).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from pydantic import TypeAdapter

T = TypeVar("T")
Json = dict[str, Any]
REF_PREFIX = "#/components/schemas/"


_ADAPTERS: dict[object, TypeAdapter[Any]] = {}


def adapter(tp: type[Any]) -> TypeAdapter[Any]:
    """The (cached) adapter of a record type; building one compiles its schema, so it is done once.
    (Two threads racing here build two equal adapters; either is kept.)"""
    found = _ADAPTERS.get(tp)
    if found is None:
        found = _ADAPTERS[tp] = TypeAdapter(tp)
    return found


def to_json(obj: object) -> Any:
    """``obj`` as JSON-able data, exactly as it goes on the wire and into the store."""
    return adapter(type(obj)).dump_python(obj, mode="json")


def from_json(tp: type[T], data: Any) -> T:
    """A ``tp`` read back from its JSON data (what :func:`to_json` wrote, or any older record: fields
    added later have defaults). :raise pydantic.ValidationError: if ``data`` is not a ``tp``."""
    value: T = adapter(tp).validate_python(data)
    return value


def components(types: Iterable[type[Any]]) -> dict[str, Json]:
    """JSON Schemas (serialisation mode) of ``types`` and every record they contain, by class name, with
    references into OpenAPI's ``components/schemas``. Nested records refuse properties they do not
    declare; the top-level ones stay open so that an answer can extend them (``allOf`` with
    ``unevaluatedProperties: false`` in the composing schema)."""
    out: dict[str, Json] = {}
    tops = set()
    for tp in types:
        schema = adapter(tp).json_schema(mode="serialization", ref_template=REF_PREFIX + "{model}")
        for name, sub in schema.pop("$defs", {}).items():
            out[name] = sub
        out[tp.__name__] = schema
        tops.add(tp.__name__)
    for name, schema in out.items():
        _tidy(schema)
        if name not in tops and schema.get("type") == "object":
            schema["additionalProperties"] = False
    return out


def _tidy(node: Any) -> None:
    """Drop generated titles (the component's name says it) throughout a schema — the keyword, not a
    property that happens to be called ``title``."""
    if isinstance(node, dict):
        node.pop("title", None)
        for key, value in node.items():
            if key in ("properties", "$defs"):
                for sub in value.values():
                    _tidy(sub)
            else:
                _tidy(value)
    elif isinstance(node, list):
        for value in node:
            _tidy(value)
