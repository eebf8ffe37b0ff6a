"""Posting formats: our JSON (``posting.schema.json``) and schema.org JobPosting JSON-LD
(``posting-schemaorg.schema.json``), detected per document and mapped to :class:`PostingDocument`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from loaders.documents.html import html_to_text, plain_text
from loaders.documents.model import PostingDocument, Section
from loaders.documents.uris import esco_uri
from loaders.documents.validation import SchemaName, validate

# schema.org properties read as text, in this order; each becomes an evidence section of its name.
SCHEMA_ORG_TEXTS: tuple[str, ...] = (
    "description", "responsibilities", "qualifications", "skills", "educationRequirements", "experienceRequirements",
)
# These properties *are* requirements by definition (schema.org: "qualifications: specific
# qualifications required for this role"), so what is found there counts as marked essential unless
# the text itself says otherwise. "responsibilities" and "description" describe the job instead.
SCHEMA_ORG_REQUIREMENT_TEXTS = frozenset(("qualifications", "skills", "educationRequirements", "experienceRequirements"))
_SOURCE_CHARS = re.compile(r"[^a-z0-9._-]+")


def posting_format(doc: Any) -> SchemaName:
    """``posting-schemaorg`` if ``doc`` is typed as a JobPosting (``@type``) or has a schema.org
    ``@context``, else ``posting`` (our format)."""
    if isinstance(doc, Mapping):
        typ = doc.get("@type")
        types = typ if isinstance(typ, list) else [typ]
        if "JobPosting" in types or "schema.org" in str(doc.get("@context", "")):
            return "posting-schemaorg"
    return "posting"


def read_posting(doc: Any) -> PostingDocument:
    """Validate ``doc`` against its format's schema and map it.

    :raise ValidationError: naming the failing field by JSON pointer.
    """
    fmt = posting_format(doc)
    validate(doc, fmt)
    return _from_schema_org(doc) if fmt == "posting-schemaorg" else _from_ours(doc)


def _lang(value: Any) -> str:
    code = str(value or "").strip().lower()[:2]
    return code if code in ("da", "en") else "auto"


def _from_ours(doc: Mapping[str, Any]) -> PostingDocument:
    loc: Mapping[str, Any] = doc["location"]
    return PostingDocument(
        format="jobmatch", id=doc["id"].strip(), source=doc["source"], title=plain_text(doc["title"]).strip(),
        employer=doc["employer"].strip(), postcode=loc.get("postcode", ""),
        lat=float(loc["lat"]) if "lat" in loc else None, lon=float(loc["lon"]) if "lon" in loc else None,
        published=doc["published"], valid_through=doc.get("valid_through", ""),
        occupation=esco_uri(doc.get("occupation", ""), "occupation") or "", url=doc.get("url", ""),
        lang=doc.get("lang", "auto"), sections=(Section("text", plain_text(doc["text"])),),
    )


def _text_of(value: Any) -> str:
    """The text of a schema.org text-ish property: a string, a DefinedTerm/credential object (its
    name and description), or a list of those."""
    if isinstance(value, str):
        return html_to_text(value)
    if isinstance(value, Mapping):
        parts = [value.get(k) for k in ("name", "credentialCategory", "description")]
        return "\n".join(html_to_text(p) for p in parts if isinstance(p, str) and p.strip())
    if isinstance(value, list):
        return "\n".join(t for t in (_text_of(v) for v in value) if t)
    return ""


def _first_place(doc: Mapping[str, Any]) -> tuple[Mapping[str, Any], str]:
    loc = doc["jobLocation"]
    return (loc[0], "/jobLocation/0") if isinstance(loc, list) else (loc, "/jobLocation")


def _occupation(value: Any) -> str:
    """The first ESCO occupation URI among occupationalCategory values (ISCO codes and free names
    cannot be turned into an ESCO occupation here; the title is linked instead)."""
    values = value if isinstance(value, list) else [value]
    for v in values:
        candidates = [v] if isinstance(v, str) else [v.get("@id"), v.get("codeValue"), v.get("url")] \
            if isinstance(v, Mapping) else []
        for c in candidates:
            uri = esco_uri(c, "occupation") if isinstance(c, str) else None
            if uri:
                return uri
    return ""


def _identity(doc: Mapping[str, Any]) -> tuple[str, str]:
    """(id, source): the identifier's value, and its issuer name, else the url's host."""
    ident = doc.get("identifier")
    url = str(doc.get("url", ""))
    host = urlsplit(url).hostname or ""
    source = host.removeprefix("www.")
    if isinstance(ident, Mapping):
        raw_id = str(ident["value"])
        source = str(ident.get("name") or ident.get("propertyID") or source)
    elif ident is not None:
        raw_id = str(ident)
    else:
        raw_id = url
    source = _SOURCE_CHARS.sub("-", source.strip().lower()).strip("-") or "schema.org"
    return raw_id.strip(), source


def _from_schema_org(doc: Mapping[str, Any]) -> PostingDocument:
    place, at = _first_place(doc)
    address = place.get("address")
    postcode = ""
    if isinstance(address, Mapping) and address.get("postalCode") is not None:
        postcode = str(address["postalCode"]).upper().removeprefix("DK").lstrip("-")
    geo = place.get("geo")
    lat = float(geo["latitude"]) if isinstance(geo, Mapping) else None
    lon = float(geo["longitude"]) if isinstance(geo, Mapping) else None
    org = doc["hiringOrganization"]
    raw_id, source = _identity(doc)
    sections = tuple(Section(name, _text_of(doc.get(name))) for name in SCHEMA_ORG_TEXTS)
    return PostingDocument(
        format="schema.org", id=raw_id, source=source, title=html_to_text(doc["title"]),
        employer=(org if isinstance(org, str) else org["name"]).strip(), postcode=postcode, lat=lat, lon=lon,
        published=doc["datePosted"], valid_through=doc.get("validThrough", ""),
        occupation=_occupation(doc.get("occupationalCategory")), url=str(doc.get("url", "")),
        lang=_lang(doc.get("inLanguage")), sections=tuple(s for s in sections if s.text.strip()),
        requirement_sections=SCHEMA_ORG_REQUIREMENT_TEXTS, postcode_field=f"{at}/address/postalCode",
        published_field="/datePosted", valid_through_field="/validThrough",
        occupation_field="/occupationalCategory",
    )
