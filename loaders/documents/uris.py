"""Recognising ESCO URIs among free strings (desired occupations, declared skills, portal fields)."""

from __future__ import annotations

import re

# ESCO concept ids are UUIDs; letters beyond hex are allowed so hand-made fixtures ("mini-cook") and
# local concepts in the same namespace pass. https is accepted and normalised to ESCO's http form.
_ESCO = re.compile(r"^https?://data\.europa\.eu/esco/(?P<kind>occupation|skill)/(?P<id>[0-9A-Za-z-]+)$")


def looks_like_uri(value: str) -> bool:
    return value.strip().lower().startswith(("http://", "https://"))


def esco_uri(value: str, kind: str) -> str | None:
    """The normalised ESCO URI if ``value`` is one of ``kind`` (``occupation`` or ``skill``), else None."""
    m = _ESCO.match(value.strip())
    if m is None or m["kind"] != kind:
        return None
    return f"http://data.europa.eu/esco/{kind}/{m['id']}"
