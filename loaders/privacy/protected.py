"""Refuse CVs that carry protected attributes as fields.

A CV field for age, birth date, gender, nationality, ethnicity, health, religion, marital or family
status, sexual orientation, political or trade-union affiliation, a photo, or a CPR number (which
encodes birth date and sex) is rejected with a :class:`ValidationError` naming the field. Rejecting,
rather than silently dropping, makes the sending system fix its export: a silent drop would hide that
it collects and ships these attributes at all, and the next field name we do not know would pass.

Matching never sees such attributes in any case: :class:`graph.records.CvRecord` has no field for
them and only ESCO URIs leave the extractor. Keys are compared after lower-casing and removing
everything but letters and digits, so ``birthDate``, ``birth_date`` and ``Birth-Date`` are one key.
An empty value (``""``, ``null``, ``[]``, ``{}``) carries no attribute and is let through, because
common exporters (JSON Resume's ``basics.image``) always write the key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ontology.errors import ValidationError

_CATEGORIES: dict[str, tuple[str, ...]] = {
    "age or birth date": (
        "age", "alder", "birthdate", "dateofbirth", "dob", "birthday", "birthyear", "yearofbirth",
        "fodselsdato", "fødselsdato", "fødselsår", "fodselsaar", "fødselsdag",
    ),
    "gender or sex": ("gender", "sex", "køn", "kon", "kønsidentitet", "genderidentity"),
    "nationality or origin": (
        "nationality", "nationalitet", "citizenship", "statsborgerskab", "countryofbirth", "birthplace",
        "placeofbirth", "fødested", "fodested", "fødeland", "herkomst",
    ),
    "ethnicity or race": ("ethnicity", "ethnic", "ethnicorigin", "etnicitet", "race", "etniskoprindelse"),
    "health or disability": (
        "health", "healthstatus", "helbred", "helbredsforhold", "disability", "disabilities", "handicap",
        "medicalcondition", "medicalconditions", "diagnosis", "diagnose", "sygdom",
    ),
    "religion or belief": ("religion", "religiousbelief", "faith", "belief", "trosretning", "tro"),
    "marital or family status": (
        "maritalstatus", "civilstand", "civilstatus", "married", "children", "numberofchildren", "børn",
        "pregnant", "pregnancy", "gravid",
    ),
    "sexual orientation": ("sexualorientation", "seksuelorientering"),
    "political or trade-union affiliation": (
        "politicalopinion", "politicalaffiliation", "party", "tradeunion", "unionmembership", "fagforening",
    ),
    "photo": ("photo", "picture", "image", "portrait", "foto", "billede", "avatar"),
    "CPR number": ("cpr", "cprnumber", "cprnr", "personnummer", "ssn", "nationalid", "personalidentitynumber"),
}
PROTECTED_FIELDS: dict[str, str] = {key: category for category, keys in _CATEGORIES.items() for key in keys}
_NOT_ALNUM = re.compile(r"[\W_]+")


def _normal(key: str) -> str:
    return _NOT_ALNUM.sub("", key.lower())


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | dict) and not value)


def _pointer_token(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def reject_protected_fields(doc: Any, path: str = "") -> None:
    """Walk ``doc`` (parsed JSON) and refuse the first field that carries a protected attribute.

    :raise ValidationError: with ``field`` the JSON pointer of that field (e.g. ``/basics/gender``).
        The message names the category, never the value.
    """
    if isinstance(doc, Mapping):
        for key, value in doc.items():
            where = f"{path}/{_pointer_token(str(key))}"
            category = PROTECTED_FIELDS.get(_normal(str(key)))
            if category is not None and not _empty(value):
                raise ValidationError(
                    f"field {where} carries a protected attribute ({category}); jobmatch refuses CVs "
                    "with such fields so the sending system stops exporting them",
                    field=where,
                )
            reject_protected_fields(value, where)
    elif isinstance(doc, list):
        for i, item in enumerate(doc):
            reject_protected_fields(item, f"{path}/{i}")
