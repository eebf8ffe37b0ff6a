"""Documents → records: formats, schemas, scrubbing before extraction, linking, evidence, postings."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from graph.backends.memory.graph_store import MemoryStore
from graph.codec import cv_to_dict
from graph.matching.geo import Gazetteer, bbox_around
from loaders.documents import (
    DEFAULT_VALIDITY_DAYS,
    SCHEMA_NAMES,
    cv_format,
    cv_record_from,
    posting_format,
    posting_record_from,
    read_documents,
    schema,
)
from loaders.documents.evidence import MAX_EVIDENCE_PER_SKILL, MAX_SENTENCE_CHARS
from loaders.documents.html import html_to_text
from loaders.privacy import PseudonymKey, Scrubber, pseudonymise
from ontology.errors import ValidationError
from ontology.model import Taxonomy
from tests.fixtures.documents.keyword_extractor import KeywordExtractor

DOCS = Path(__file__).resolve().parent.parent / "fixtures" / "documents"
KEY = PseudonymKey(b"unit-test-key-0123456789abcdefghij")
TODAY = date(2026, 1, 15)
ESCO = "http://data.europa.eu/esco/"
# What the Danish fixture CV says about Mette that must never be stored or seen by the extractor.
METTE_PII = ("Mette", "Kirstine", "Sørensen", "mette.k.sorensen", "example.dk", "120370", "22 33 44 55",
             "0101-A4711", "52 år")


def load(name: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((DOCS / name).read_text("utf-8"))
    return doc


@pytest.fixture
def store(tmp_path: Path, mini_taxonomy: Taxonomy) -> Iterator[MemoryStore]:
    s = MemoryStore(tmp_path).open()
    s.upsert_taxonomy(mini_taxonomy)
    yield s
    s.close()


@pytest.fixture
def extractor(store: MemoryStore) -> KeywordExtractor:
    return KeywordExtractor.from_store(store)


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.load(DOCS / "geo")


def cv(doc: dict[str, Any], extractor: KeywordExtractor, gazetteer: Gazetteer) -> Any:
    return cv_record_from(doc, extractor=extractor, gazetteer=gazetteer, key=KEY, today=TODAY)


def posting(doc: dict[str, Any], extractor: KeywordExtractor, gazetteer: Gazetteer) -> Any:
    return posting_record_from(doc, extractor=extractor, gazetteer=gazetteer)


# -- schemas and formats -----------------------------------------------------------------------------
@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_published_schemas_are_valid_draft_2020_12(name: Any) -> None:
    s = schema(name)
    Draft202012Validator.check_schema(s)
    assert s["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_formats_are_detected_per_document() -> None:
    assert cv_format(load("cv_da.json")) == "cv"
    assert cv_format(load("cv_jsonresume.json")) == "cv-jsonresume"
    assert cv_format({"basics": {}}) == "cv-jsonresume"
    assert posting_format(load("posting_da.json")) == "posting"
    assert posting_format(load("posting_schemaorg.json")) == "posting-schemaorg"
    assert posting_format({"@type": ["JobPosting", "Thing"]}) == "posting-schemaorg"


def _without(doc: dict[str, Any], *path: str | int) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    node: Any = out
    for p in path[:-1]:
        node = node[p]
    del node[path[-1]]
    return out


def _with(doc: dict[str, Any], value: Any, *path: str | int) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    node: Any = out
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = value
    return out


CV_DA = load("cv_da.json")
CV_JR = load("cv_jsonresume.json")
P_DA = load("posting_da.json")
P_SO = load("posting_schemaorg.json")


@pytest.mark.parametrize(("doc", "field"), [
    (_with(CV_DA, -5, "max_km"), "/max_km"),
    (_with(CV_DA, "25", "max_km"), "/max_km"),
    (_without(CV_DA, "postcode"), "/postcode"),
    (_with(CV_DA, "101", "municipality"), "/municipality"),
    (_with(CV_DA, 25, "maxkm"), "/maxkm"),
    (_with(CV_DA, "2020-13", "experience", 0, "start"), "/experience/0/start"),
    (_without(CV_DA, "experience", 1, "title"), "/experience/1/title"),
    (_with(CV_DA, "de", "lang"), "/lang"),
    (_without(CV_JR, "basics", "location", "postalCode"), "/basics/location/postalCode"),
    (_with(CV_JR, "SE", "basics", "location", "countryCode"), "/basics/location/countryCode"),
    (_without(CV_JR, "meta", "jobmatch", "max_km"), "/meta/jobmatch/max_km"),
    (_with(CV_JR, "June 2019", "work", 0, "startDate"), "/work/0/startDate"),
])
def test_cv_schema_errors_name_the_field(doc: dict[str, Any], field: str, extractor: KeywordExtractor,
                                         gazetteer: Gazetteer) -> None:
    with pytest.raises(ValidationError) as e:
        cv(doc, extractor, gazetteer)
    assert e.value.field == field


@pytest.mark.parametrize(("doc", "field"), [
    (_without(P_DA, "title"), "/title"),
    (_with(P_DA, {}, "location"), "/location"),
    (_with(P_DA, {"lat": 56.1}, "location"), "/location/lon"),
    (_with(P_DA, "Jobnet DK", "source"), "/source"),
    (_with(P_DA, "10/01/2026", "published"), "/published"),
    (_with(P_DA, f"{ESCO}skill/mini-stock", "occupation"), "/occupation"),
    (_without(P_SO, "datePosted"), "/datePosted"),
    (_with(P_SO, {"@type": "Place", "address": {"addressCountry": "DK"}}, "jobLocation"), "/jobLocation/address/postalCode"),
])
def test_posting_schema_errors_name_the_field(doc: dict[str, Any], field: str, extractor: KeywordExtractor,
                                              gazetteer: Gazetteer) -> None:
    with pytest.raises(ValidationError) as e:
        posting(doc, extractor, gazetteer)
    assert e.value.field == field


def test_validation_messages_never_quote_the_document(extractor: KeywordExtractor, gazetteer: Gazetteer) -> None:
    doc = _with(CV_DA, "Mette Sørensens vej 4", "postcode")
    with pytest.raises(ValidationError) as e:
        cv(doc, extractor, gazetteer)
    assert e.value.field == "/postcode"
    assert "Mette" not in e.value.detail and "vej" not in e.value.detail


# -- CVs ---------------------------------------------------------------------------------------------
def test_danish_cv_becomes_a_pseudonymous_linked_record(extractor: KeywordExtractor, gazetteer: Gazetteer) -> None:
    rec = cv(load("cv_da.json"), extractor, gazetteer)
    assert rec.id == pseudonymise("0101-A4711", KEY)
    assert (rec.municipality, rec.postcode, rec.lat, rec.lon, rec.max_km) == ("0101", "2100", 55.7072, 12.572, 25.0)
    assert rec.seeks == (f"{ESCO}occupation/mini-warehouse", f"{ESCO}occupation/mini-shop")
    assert rec.desired_titles == ("Lagerarbejder",)
    assert [(w.occupation.rsplit("/", 1)[1], w.start, w.end) for w in rec.worked_as] == [
        ("mini-warehouse", "2015-03", "2023-12"), ("mini-shop", "2010", "2015")]
    by_uri = {s.skill.rsplit("/", 1)[1]: s for s in rec.skills}
    assert set(by_uri) == {"mini-cleankitchen", "mini-customers", "mini-danish", "mini-forklift", "mini-stock",
                           "mini-teamwork"}
    assert by_uri["mini-forklift"].source == "declared"  # declared and read in the text: one skill
    assert by_uri["mini-stock"].source == "declared" and by_uri["mini-stock"].evidence == ()
    assert by_uri["mini-cleankitchen"].source == "text"
    assert (rec.lang, rec.updated) == ("da", "2026-01-15")


def test_evidence_offsets_point_into_the_scrubbed_section(extractor: KeywordExtractor, gazetteer: Gazetteer) -> None:
    doc = load("cv_da.json")
    rec = cv(doc, extractor, gazetteer)
    s = Scrubber([doc["name"]], [doc["email"]], [doc["phone"]])
    sections = {"profile": s.scrub(doc["profile"]), "experience[0]": s.scrub(doc["experience"][0]["text"]),
                "experience[1]": s.scrub(doc["experience"][1]["text"]), "competences": s.scrub(doc["competences"]),
                "languages": "dansk\nengelsk", "declared_skills[0]": "truckkørsel"}
    evidence = [e for skill in rec.skills for e in skill.evidence]
    assert {e.section for e in evidence} == {"profile", "experience[0]", "experience[1]", "competences", "languages"}
    for e in evidence:
        text = sections[e.section]
        assert text[e.start:e.end] == e.text
        assert e.text in e.sentence and e.sentence in text
    teamwork = next(sk for sk in rec.skills if sk.skill.endswith("mini-teamwork"))
    assert any(e.sentence == "[NAME] kolleger siger, at hun er god til teamwork." for e in teamwork.evidence)


def test_no_personal_data_reaches_the_extractor_or_the_stored_record(
    extractor: KeywordExtractor, gazetteer: Gazetteer, store: MemoryStore, tmp_path: Path
) -> None:
    rec = cv(load("cv_da.json"), extractor, gazetteer)
    store.upsert_cvs([rec])
    stored = json.dumps(cv_to_dict(store.get_cvs([rec.id])[rec.id]), ensure_ascii=False)
    store.close()
    on_disk = (tmp_path / "jobmatch.sqlite").read_bytes().decode("utf-8", "replace")
    seen = "\n".join(extractor.seen)
    for pii in METTE_PII:
        assert pii.lower() not in stored.lower(), pii
        assert pii.lower() not in on_disk.lower(), pii
        assert pii.lower() not in seen.lower(), pii
    assert "[CPR]" in seen and "[EMAIL]" in seen and "[PHONE]" in seen and "[AGE]" in seen
    # Only sentences that evidence a skill are kept: the CPR sentence is not.
    assert "CPR" not in stored


def test_full_cv_text_is_not_stored(extractor: KeywordExtractor, gazetteer: Gazetteer) -> None:
    doc = load("cv_en.json")
    rec = cv(doc, extractor, gazetteer)
    stored = json.dumps(cv_to_dict(rec))
    assert "Hotel Royal" not in stored  # employer: not stored
    assert "200 rooms" not in stored  # a sentence with no skill: not stored
    assert "John" not in stored and "john.smith" not in stored and "87654321" not in stored


def test_long_unpunctuated_text_keeps_only_a_window(extractor: KeywordExtractor, gazetteer: Gazetteer) -> None:
    filler = " ".join(["ordinary words"] * 200)
    doc = _with(load("cv_en.json"), f"{filler} customer service {filler}", "profile")
    rec = cv(doc, extractor, gazetteer)
    ev = next(s for s in rec.skills if s.skill.endswith("mini-customers")).evidence[0]
    assert ev.section == "profile" and "customer service" in ev.sentence
    assert len(ev.sentence) <= MAX_SENTENCE_CHARS + 2


def test_evidence_per_skill_is_capped(extractor: KeywordExtractor, gazetteer: Gazetteer) -> None:
    doc = _with(load("cv_en.json"), "Teamwork. " * 10, "profile")
    rec = cv(doc, extractor, gazetteer)
    assert len(next(s for s in rec.skills if s.skill.endswith("mini-teamwork")).evidence) == MAX_EVIDENCE_PER_SKILL


def test_json_resume_cv_maps_to_the_same_record_shape(extractor: KeywordExtractor, gazetteer: Gazetteer) -> None:
    rec = cv(load("cv_jsonresume.json"), extractor, gazetteer)
    assert rec.id == pseudonymise("0461-C777", KEY)
    assert (rec.municipality, rec.postcode, rec.max_km) == ("0461", "5000", 30.0)
    assert rec.seeks == (f"{ESCO}occupation/mini-softdev",)  # from basics.label
    assert rec.desired_titles == ("Software developer",)
    assert [w.occupation for w in rec.worked_as] == [f"{ESCO}occupation/mini-webdev"]
    sources = {s.skill.rsplit("/", 1)[1]: s.source for s in rec.skills}
    assert sources["mini-python"] == "declared" and sources["mini-webdesign"] == "declared"
    assert sources["mini-sql"] == "text"
    sections = {e.section for s in rec.skills for e in s.evidence}
    assert {"profile", "experience[0]", "education[0]", "skills[0]", "skills[0].keywords[1]"} <= sections
    seen = "\n".join(extractor.seen)
    for never in ("Anne", "Marie", "Østergaard", "31 41 59 26", "amo@example.org", "Peter Jensen", "church",
                  "Acme", "Vestergade"):
        assert never not in seen, never
    assert "Østergaard" not in json.dumps(cv_to_dict(rec), ensure_ascii=False)


def test_protected_fields_are_rejected_before_schema_validation(extractor: KeywordExtractor,
                                                                gazetteer: Gazetteer) -> None:
    with pytest.raises(ValidationError) as e:
        cv(_with(load("cv_en.json"), "male", "gender"), extractor, gazetteer)
    assert e.value.field == "/gender" and "protected" in e.value.detail
    with pytest.raises(ValidationError) as e:
        cv(_with(CV_JR, "me.png", "basics", "image"), extractor, gazetteer)
    assert e.value.field == "/basics/image"


@pytest.mark.parametrize(("doc", "field"), [
    (_with(CV_DA, "9999", "postcode"), "/postcode"),
    (_with(CV_JR, "9999", "basics", "location", "postalCode"), "/basics/location/postalCode"),
    (_with(CV_DA, "0999", "municipality"), "/municipality"),
    (_with(CV_DA, ["https://example.com/jobs/cook"], "desired_occupations"), "/desired_occupations/0"),
    (_with(CV_DA, [f"{ESCO}skill/mini-stock"], "desired_occupations"), "/desired_occupations/0"),
    (_with(CV_DA, ["truck", f"{ESCO}occupation/mini-cook"], "declared_skills"), "/declared_skills/1"),
])
def test_unknown_places_and_wrong_uris_name_the_field(doc: dict[str, Any], field: str, extractor: KeywordExtractor,
                                                      gazetteer: Gazetteer) -> None:
    with pytest.raises(ValidationError) as e:
        cv(doc, extractor, gazetteer)
    assert e.value.field == field


def test_desired_titles_link_only_above_the_threshold(extractor: KeywordExtractor, gazetteer: Gazetteer) -> None:
    doc = _with(load("cv_en.json"), ["kitchen helper", "https://data.europa.eu/esco/occupation/mini-bus"],
                "desired_occupations")
    rec = cv(doc, extractor, gazetteer)
    # "kitchen helper" only shares a word with "kitchen porter" (score 0.3): kept as a title, not linked.
    assert rec.desired_titles == ("kitchen helper",)
    assert rec.seeks == (f"{ESCO}occupation/mini-bus",)  # https normalised to ESCO's http URI


# -- postings ----------------------------------------------------------------------------------------
def test_posting_requirements_follow_the_markers(extractor: KeywordExtractor, gazetteer: Gazetteer) -> None:
    rec = posting(load("posting_da.json"), extractor, gazetteer)
    assert rec.id == "jobnet:48213" and rec.source == "jobnet"
    assert (rec.postcode, rec.lat, rec.lon) == ("8000", 56.1535, 10.2034)
    assert rec.published == "2026-01-10"
    assert rec.valid_through == "2026-03-11"  # published + DEFAULT_VALIDITY_DAYS
    assert (date(2026, 3, 11) - date(2026, 1, 10)).days == DEFAULT_VALIDITY_DAYS
    kinds = {r.skill.rsplit("/", 1)[1]: r.kind for r in rec.requirements}
    # "Krav: truckkørsel" essential; "en fordel med kundeservice" optional; unmarked "samarbejde" in a
    # posting that marks its requirements is background: optional.
    assert kinds == {"mini-forklift": "essential", "mini-customers": "optional", "mini-teamwork": "optional"}
    assert (rec.occupation, rec.occupation_score) == (f"{ESCO}occupation/mini-warehouse", 0.7)
    assert rec.lang == "da"
    assert "87 65 43 21" not in "\n".join(extractor.seen) and "hanne@firma.dk" not in "\n".join(extractor.seen)


def test_unmarked_requirements_are_essential_when_nothing_is_marked(extractor: KeywordExtractor,
                                                                    gazetteer: Gazetteer) -> None:
    doc = _with(load("posting_da.json"), "Du kan truckkørsel og kundeservice.", "text")
    assert {r.kind for r in posting(doc, extractor, gazetteer).requirements} == {"essential"}
    only_optional = "Du kan truckkørsel.\nGerne kundeservice."
    kinds = {r.skill.rsplit("/", 1)[1]: r.kind
             for r in posting(_with(doc, only_optional, "text"), extractor, gazetteer).requirements}
    assert kinds == {"mini-forklift": "essential", "mini-customers": "optional"}


def test_a_skill_marked_essential_anywhere_is_essential(extractor: KeywordExtractor, gazetteer: Gazetteer) -> None:
    doc = _with(load("posting_da.json"), "Gerne kundeservice.\nKrav: kundeservice.", "text")
    (req,) = posting(doc, extractor, gazetteer).requirements
    assert req.kind == "essential" and len(req.evidence) == 2


def test_schema_org_posting(extractor: KeywordExtractor, gazetteer: Gazetteer) -> None:
    rec = posting(load("posting_schemaorg.json"), extractor, gazetteer)
    assert (rec.id, rec.source, rec.employer) == ("jobindex:r123", "jobindex", "Restaurant Nord")
    assert (rec.published, rec.valid_through, rec.postcode) == ("2026-01-05", "2026-02-28", "9000")
    kinds = {r.skill.rsplit("/", 1)[1]: r.kind for r in rec.requirements}
    # skills/qualifications are requirements by definition; the description's unmarked mentions are not.
    assert kinds == {"mini-dishes": "essential", "mini-cleankitchen": "essential", "mini-foodsafety": "essential",
                     "mini-meat": "optional", "mini-teamwork": "optional"}
    assert "mini-customers" not in kinds  # only inside <script>
    evidence = [e for r in rec.requirements for e in r.evidence]
    assert all("<" not in e.sentence for e in evidence)
    assert any(e.sentence == "You prepare meat dishes & sauces" and e.section == "description" for e in evidence)
    assert rec.occupation == f"{ESCO}occupation/mini-cook"  # ISCO 5120 given: linked from the title
    assert "98 76 54 32" not in "\n".join(extractor.seen)


def test_schema_org_variants(extractor: KeywordExtractor, gazetteer: Gazetteer) -> None:
    doc = load("posting_schemaorg.json")
    doc["identifier"] = "r999"
    doc["occupationalCategory"] = [{"@type": "CategoryCode", "codeValue": "5120", "inCodeSet": "ISCO-08"},
                                   {"@type": "CategoryCode", "codeValue": f"{ESCO}occupation/mini-kitchen"}]
    doc["jobLocation"] = [{"@type": "Place", "geo": {"latitude": "55.5", "longitude": "9.5"},
                           "address": {"postalCode": "DK-9999"}}]
    del doc["validThrough"]
    rec = posting(doc, extractor, gazetteer)
    assert (rec.id, rec.source) == ("jobindex.dk:r999", "jobindex.dk")
    assert (rec.occupation, rec.occupation_score) == (f"{ESCO}occupation/mini-kitchen", 1.0)
    assert (rec.lat, rec.lon, rec.postcode) == (55.5, 9.5, "9999")  # coordinates win over an unknown postcode
    assert rec.valid_through == "2026-03-06"


@pytest.mark.parametrize(("doc", "field"), [
    (_with(P_DA, {"postcode": "9999"}, "location"), "/location/postcode"),
    (_with(P_DA, "2026-01-01", "valid_through"), "/valid_through"),
    (_with(P_DA, "2026-02-30", "published"), "/published"),
    (_with(P_SO, {"address": {"postalCode": "9999"}}, "jobLocation"), "/jobLocation/address/postalCode"),
])
def test_posting_place_and_date_errors_name_the_field(doc: dict[str, Any], field: str, extractor: KeywordExtractor,
                                                      gazetteer: Gazetteer) -> None:
    with pytest.raises(ValidationError) as e:
        posting(doc, extractor, gazetteer)
    assert e.value.field == field


def test_expired_postings_are_stored_but_drop_out_of_matching(extractor: KeywordExtractor, gazetteer: Gazetteer,
                                                              store: MemoryStore) -> None:
    current = posting(load("posting_da.json"), extractor, gazetteer)
    expired = posting(_with(_with(load("posting_da.json"), "40001", "id"), "2025-12-31", "valid_through")
                      | {"published": "2025-12-01"}, extractor, gazetteer)
    store.upsert_postings([current, expired])
    assert store.posting_count() == 2
    box = bbox_around(56.1535, 10.2034, 10)
    assert [p.id for p in store.postings_in(box, TODAY.isoformat())] == ["jobnet:48213"]
    assert [p.id for p in store.postings_in(box, "2025-12-15")] == ["jobnet:40001"]


def test_html_to_text_keeps_blocks_apart() -> None:
    html = "<h2>Om jobbet</h2><p>Du skal&nbsp;kunne <b>lave mad</b>.</p><ul><li>Krav: kørekort</li><li>A &amp; B</li></ul>"
    assert html_to_text(html) == "Om jobbet\nDu skal kunne lave mad.\nKrav: kørekort\nA & B"


# -- bulk files --------------------------------------------------------------------------------------
def test_jsonl_is_read_line_by_line_with_line_numbers() -> None:
    raws = list(read_documents(DOCS / "cvs.jsonl"))
    assert [r.line for r in raws] == [1, 2, 3, 4, 5, 7, 8, 9]  # line 6 is blank
    assert [r.line for r in raws if r.error] == [2, 9]
    assert "Mette" not in raws[1].error


def test_array_and_single_object_files(tmp_path: Path) -> None:
    arr = tmp_path / "a.json"
    arr.write_text(json.dumps([load("cv_en.json"), 3, load("cv_da.json")], indent=2), "utf-8")
    assert [(r.line, bool(r.error)) for r in read_documents(arr)] == [(1, False), (2, True), (3, False)]
    assert [r.line for r in read_documents(DOCS / "cv_da.json")] == [1]  # pretty-printed single object
    bom = tmp_path / "bom.jsonl"
    bom.write_bytes(b"\xef\xbb\xbf" + json.dumps(load("cv_en.json")).encode() + b"\n")
    assert [r.error for r in read_documents(bom)] == [""]


@pytest.mark.parametrize("content", [b"", b"\n\n", b"[{\"id\": 1},"])
def test_unusable_files_are_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(ValidationError) as e:
        list(read_documents(path))
    assert e.value.field == "FILE"
