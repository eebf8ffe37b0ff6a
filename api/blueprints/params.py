"""Reading query parameters and JSON bodies, failing with a problem that names the field.

A wrong query value is a 422 naming the parameter; a body that is not JSON is a 400; a body sent with
another content type is a 415. Messages never quote the value (it could be a CV sentence).
"""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime
from typing import Any

from flask import request

from api.errors import MalformedBodyError, UnsupportedMediaTypeError
from ontology.errors import ValidationError


def int_arg(name: str, default: int | None, lo: int, hi: int) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError(f"{name} must be a whole number", field=name) from None
    if not lo <= value <= hi:
        raise ValidationError(f"{name} must be between {lo} and {hi}", field=name)
    return value


def float_arg(name: str, lo_exclusive: float, hi: float) -> float | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = float(raw)
    except ValueError:
        raise ValidationError(f"{name} must be a number", field=name) from None
    if not lo_exclusive < value <= hi:  # also rejects nan
        raise ValidationError(f"{name} must be more than {lo_exclusive:g} and at most {hi:g}", field=name)
    return value


def choice_arg(name: str, choices: tuple[str, ...], default: str) -> str:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if raw not in choices:
        raise ValidationError(f"{name} must be one of {', '.join(choices)}", field=name)
    return raw


def str_arg(name: str, max_len: int = 200) -> str | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    if len(raw) > max_len:
        raise ValidationError(f"{name} must have at most {max_len} characters", field=name)
    return raw


def date_arg(name: str) -> str | None:
    """An ISO calendar date ``YYYY-MM-DD``."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    try:
        return date.fromisoformat(raw).isoformat() if len(raw) == 10 else _bad_date(name)
    except ValueError:
        return _bad_date(name)


def _bad_date(name: str) -> str:
    raise ValidationError(f"{name} must be a date YYYY-MM-DD", field=name)


def instant_arg(name: str) -> str | None:
    """A date or date-time, normalised to the UTC form audit records use, so that comparing the
    strings compares the instants. A date means its midnight UTC; a time without zone is UTC."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise ValidationError(f"{name} must be an ISO date or date-time", field=name) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="milliseconds")


def json_body() -> Any:
    """The request's JSON document.

    :raise UnsupportedMediaTypeError: (415) unless the content type is JSON.
    :raise MalformedBodyError: (400) if the body is not valid UTF-8 JSON.
    """
    mimetype = request.mimetype
    if mimetype != "application/json" and not (mimetype.startswith("application/") and mimetype.endswith("+json")):
        raise UnsupportedMediaTypeError("send the body as application/json", field="Content-Type")
    raw = request.get_data(cache=True)  # over MAX_CONTENT_LENGTH this raises 413
    try:
        doc = json.loads(raw.decode("utf-8"), parse_constant=_NonFinite)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        # Position only; the text around it could be personal data.
        pos = getattr(e, "pos", getattr(e, "start", 0))
        raise MalformedBodyError(f"the body is not valid JSON (at character {pos})") from None
    except RecursionError:
        raise MalformedBodyError(f"the body is nested too deeply (at most {MAX_DEPTH} levels)") from None
    check_document(doc)
    return doc


# Nesting a real document needs (a CV in JSON Resume is 4-5 levels deep); deeper is an attack or a bug.
MAX_DEPTH = 32
# C0 control characters other than tab, line feed and carriage return have no place in a document.
_CONTROL = frozenset(chr(c) for c in range(32)) - {"\t", "\n", "\r"} | {"\x7f"}


class _NonFinite(float):
    """What ``NaN``, ``Infinity`` and ``-Infinity`` parse to, so the walk can name the field."""

    def __new__(cls, text: str) -> _NonFinite:
        return super().__new__(cls, float(text))


def _pointer(parts: list[str]) -> str:
    return "/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts) if parts else "/"


def _check_text(text: str, parts: list[str]) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError("is not valid Unicode (a lone surrogate)", field=_pointer(parts)) from None
    if any(ch in _CONTROL for ch in text):
        raise ValidationError("contains a control character", field=_pointer(parts))


def check_document(doc: Any) -> None:
    """Refuse what a JSON parser accepts but no field may hold: non-finite numbers, lone surrogates,
    control characters, nesting deeper than :data:`MAX_DEPTH`. Iterative, so depth cannot crash it.

    :raise ValidationError: (422) naming the first offending field as a JSON pointer.
    """
    stack: list[tuple[Any, list[str]]] = [(doc, [])]
    while stack:
        value, parts = stack.pop()
        if len(parts) > MAX_DEPTH:
            raise ValidationError(f"is nested too deeply (at most {MAX_DEPTH} levels)", field=_pointer(parts))
        if isinstance(value, _NonFinite) or (isinstance(value, float) and not math.isfinite(value)):
            raise ValidationError("must be a finite number (NaN and Infinity are not numbers)", field=_pointer(parts))
        if isinstance(value, str):
            _check_text(value, parts)
        elif isinstance(value, dict):
            for key, item in value.items():
                _check_text(key, parts)
                stack.append((item, [*parts, key]))
        elif isinstance(value, list):
            stack.extend((item, [*parts, str(i)]) for i, item in enumerate(value))


def object_body() -> dict[str, Any]:
    """A JSON object body. :raise ValidationError: (422) if it is JSON but not an object."""
    body = json_body()
    if not isinstance(body, dict):
        raise ValidationError("the body must be a JSON object", field="/")
    return body


def lang_arg() -> str:
    return choice_arg("lang", ("da", "en"), "da")
