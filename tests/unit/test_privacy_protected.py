"""Protected attributes are refused by meaning, not spelling: ten families in five languages, any case,
separator, camelCase, diacritic or look-alike letter; ordinary CV keys still pass."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.records import CvRecord, CvSkill, Evidence, WorkedAs
from loaders.privacy import protected_category, reject_protected_fields
from loaders.privacy.protected import key_words
from ontology.errors import ValidationError

ROOT = Path(__file__).resolve().parents[2]

# family -> language -> field names an exporter might use.
PROTECTED: dict[str, dict[str, list[str]]] = {
    "nationality": {
        "da": ["nationalitet", "statsborgerskab", "Statsborgerskab", "fødeland"],
        "en": ["nationality", "nationalities", "citizenship", "countryOfBirth", "Nationality_Code"],
        "de": ["Nationalität", "Staatsangehörigkeit", "Staatsbuergerschaft", "Herkunftsland"],
        "sv": ["nationalitet", "medborgarskap", "födelseland"],
        "no": ["nasjonalitet", "statsborgerskap", "fødested"],
    },
    "religion": {
        "da": ["religion", "trosretning", "trossamfund", "folkekirkemedlem"],
        "en": ["religion", "religiousAffiliation", "faith", "beliefs"],
        "de": ["Religion", "Religionszugehörigkeit", "Konfession", "Glaubensrichtung"],
        "sv": ["religion", "trosuppfattning", "livsåskådning"],
        "no": ["religion", "livssyn", "trossamfunn"],
    },
    "health": {
        "da": ["helbred", "helbredsoplysninger", "handicap", "sygdom", "diagnose", "funktionsnedsættelse"],
        "en": ["health", "healthConditions", "disabilityStatus", "illness", "diagnosis", "medical_history"],
        "de": ["Gesundheitszustand", "Behinderung", "Krankheit", "Diagnose"],
        "sv": ["hälsa", "hälsotillstånd", "funktionsnedsättning", "sjukdom", "diagnos"],
        "no": ["helse", "funksjonsnedsettelse", "sykdom", "diagnose"],
    },
    "ethnicity": {
        "da": ["etnicitet", "etniskOprindelse", "race", "hudfarve"],
        "en": ["ethnicity", "ethnicBackground", "race", "racial_group"],
        "de": ["ethnischeHerkunft", "Ethnie", "Rasse", "Hautfarbe"],
        "sv": ["etnicitet", "etniskt_ursprung", "ras"],
        "no": ["etnisitet", "etnisk bakgrunn", "hudfarge"],
    },
    "sex": {
        "da": ["køn", "Koen", "kønsidentitet"],
        "en": ["gender", "sex", "genderIdentity", "g\u0435nder"],  # the last with a Cyrillic "е"
        "de": ["Geschlecht", "geschlechtsidentitaet"],
        "sv": ["kön", "könsidentitet"],
        "no": ["kjønn", "kjoenn", "kjønnsidentitet"],
    },
    "sexual orientation": {
        "da": ["seksuelOrientering", "seksuel_orientering"],
        "en": ["sexualOrientation", "sexuality"],
        "de": ["sexuelleOrientierung", "Sexualität"],
        "sv": ["sexuell läggning", "sexuellLäggning"],
        "no": ["seksuell orientering", "seksualitet"],
    },
    "age": {
        "da": ["alder", "fødselsdato", "foedselsdato", "fødselsår", "Fødselsdag"],
        "en": ["age", "birthDate", "date_of_birth", "DOB", "birthYear", "yearOfBirth"],
        "de": ["Alter", "Geburtsdatum", "Geburtsjahr", "geburtstag"],
        "sv": ["ålder", "födelsedatum", "födelseår"],
        "no": ["alder", "fødselsdato", "fødselsår"],
    },
    "marital status": {
        "da": ["civilstand", "civilstatus", "ægteskabeligStilling", "gift"],
        "en": ["maritalStatus", "marital_status", "married", "civilStatus"],
        "de": ["Familienstand", "verheiratet"],
        "sv": ["civilstånd", "äktenskapsstatus"],
        "no": ["sivilstand", "sivilstatus", "ekteskapelig_status"],
    },
    "trade union": {
        "da": ["fagforening", "fagforeningsmedlem", "fagforbund"],
        "en": ["tradeUnion", "unionMembership", "trade_union_member"],
        "de": ["Gewerkschaft", "Gewerkschaftsmitgliedschaft"],
        "sv": ["fackförening", "fackförbund"],
        "no": ["fagforening", "fagforeningsmedlemskap"],
    },
    "political": {
        "da": ["politiskHoldning", "partimedlemskab", "parti", "partitilhørsforhold"],
        "en": ["politicalOpinion", "political_party", "party", "politicalAffiliation"],
        "de": ["politischeMeinung", "Partei", "Parteizugehörigkeit"],
        "sv": ["politiskÅsikt", "partitillhörighet", "parti"],
        "no": ["politisk_oppfatning", "parti", "partimedlemskap"],
    },
}
LANGUAGES = ("da", "en", "de", "sv", "no")
CASES = [(family, lang, key) for family, by_lang in PROTECTED.items() for lang in LANGUAGES for key in by_lang[lang]]

# Keys of ordinary CVs (our schemas, JSON Resume, schema.org postings) and CV words in five languages.
ORDINARY = [
    "name", "label", "languages", "skills", "education", "experience", "desired_occupations", "postcode",
    "municipality", "max_km", "profile", "competences", "declared_skills", "work", "basics", "location",
    "summary", "highlights", "keywords", "network", "url", "phone", "email", "startDate", "endDate", "studyType",
    "area", "institution", "courses", "citizen_ref", "address", "postalCode", "countryCode", "region", "profiles",
    "username", "position", "volunteer", "organization", "score", "awards", "awarder", "issuer", "publications",
    "publisher", "releaseDate", "level", "fluency", "interests", "references", "reference", "projects",
    "description", "roles", "meta", "canonical", "version", "lastModified", "language", "certificates",
    "healthcare", "healthcareExperience", "averageSalary", "stage", "message", "management", "kontakt",
    "kørekort", "uddannelse", "erfaring", "kompetencer", "sprog", "arbejdsgiver", "stilling", "postnummer",
    "Berufserfahrung", "Ausbildung", "Sprachkenntnisse", "Führerschein", "arbetslivserfarenhet", "utbildning",
    "körkort", "arbeidserfaring", "utdanning", "førerkort", "orientation", "jobOrientation", "partner",
    "contract", "international", "nationalPark", "kontor", "konsulent",
]


def _keys(doc: Any) -> Iterator[str]:
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield key
            yield from _keys(value)
    elif isinstance(doc, list):
        for item in doc:
            yield from _keys(item)


def _document_keys() -> set[str]:
    """Every key our fixtures use in documents, and every property our schemas declare."""
    keys: set[str] = set()
    for path in sorted((ROOT / "tests" / "fixtures" / "documents").glob("*.json")):
        keys |= set(_keys(json.loads(path.read_text("utf-8"))))
    for path in sorted((ROOT / "loaders" / "schemas").glob("*.json")):
        schema = json.loads(path.read_text("utf-8"))
        for node in _nodes(schema):
            keys |= set(node.get("properties", {}))
    return keys


def _nodes(doc: Any) -> Iterator[dict[str, Any]]:
    if isinstance(doc, dict):
        yield doc
        for value in doc.values():
            yield from _nodes(value)
    elif isinstance(doc, list):
        for item in doc:
            yield from _nodes(item)


def test_every_family_is_covered_in_every_language() -> None:
    for family, by_lang in PROTECTED.items():
        assert set(by_lang) == set(LANGUAGES), family
        assert all(by_lang[lang] for lang in LANGUAGES), family


@pytest.mark.parametrize(("family", "lang", "key"), CASES, ids=[f"{f}-{lang}-{k}" for f, lang, k in CASES])
def test_protected_keys_are_refused_in_every_language(family: str, lang: str, key: str) -> None:
    assert protected_category(key) is not None, (family, lang, key_words(key))
    doc = {"id": "x", "basics": {"name": "A", "extra": [{"title": "kok", key: "SECRET-VALUE"}]}}
    with pytest.raises(ValidationError) as e:
        reject_protected_fields(doc)
    pointer_key = key.replace("~", "~0").replace("/", "~1")
    assert e.value.field == f"/basics/extra/0/{pointer_key}"
    assert "SECRET-VALUE" not in e.value.detail
    assert "protected attribute" in e.value.detail


@pytest.mark.parametrize("key", ["RELIGION", "Religion", "re-li-gion", "religion_", "re.ligion", "Re Ligion",
                                 "ｒｅｌｉｇｉｏｎ", "rеligiоn", "Nationalit\u0065\u0301t", "HIVStatus",
                                 "religiousAffiliation", "x_religious_affiliation_y"])
def test_spelling_does_not_matter(key: str) -> None:
    assert protected_category(key) is not None, key_words(key)


@pytest.mark.parametrize("key", ORDINARY)
def test_ordinary_cv_keys_pass(key: str) -> None:
    assert protected_category(key) is None, key_words(key)


def test_every_key_our_schemas_and_fixtures_use_passes_except_the_photo() -> None:
    keys = _document_keys()
    assert {"basics", "work", "startDate", "desired_occupations"} <= keys
    # "image" is JSON Resume's photo (refused unless empty) and "gender" the schema's own refusal example.
    flagged = {key for key in keys if protected_category(key) is not None}
    assert flagged <= {"image", "gender"}, flagged


def test_fixture_documents_are_accepted() -> None:
    for path in sorted((ROOT / "tests" / "fixtures" / "documents").glob("*.json")):
        reject_protected_fields(json.loads(path.read_text("utf-8")))


def test_values_are_never_keys() -> None:
    reject_protected_fields({"skills": [{"name": "religion", "keywords": ["gender studies", "health"]}],
                             "summary": "nationality: Danish"})


def test_stored_records_have_no_field_for_a_protected_attribute() -> None:
    for record in (CvRecord, CvSkill, Evidence, WorkedAs):
        for f in dataclasses.fields(record):
            assert protected_category(f.name) is None, (record, f.name)
