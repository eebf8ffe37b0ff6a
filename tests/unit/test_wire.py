"""Wire shapes from one source: records serialise, read back and are described by the same dataclasses."""

from __future__ import annotations

import json
from dataclasses import fields, replace

from jsonschema import Draft202012Validator

from graph.codec import cv_from_dict, cv_to_dict, posting_from_dict, posting_to_dict
from graph.matching.explain import (
    Alternative,
    MatchedSkill,
    MatchResult,
    NearbyPosting,
    PathStep,
    SkillRef,
    Suggestion,
    result_json,
)
from graph.records import (
    CvRecord,
    CvSkill,
    Evidence,
    PostingMeta,
    PostingRecord,
    PostingRequirement,
    WorkedAs,
)
from graph.wire import REF_PREFIX, components

S = "http://data.europa.eu/esco/skill/"
EV = Evidence("profile", 3, 9, "Python", "I use Python daily.", "Python")
SEMANTIC = replace(EV, how="semantic", similarity=0.0, via="", by="tok-1", at="2026-12-06")
CV = CvRecord(id="cv_x", municipality="0101", postcode="2100", lat=55.7, lon=12.5, max_km=20.0,
              seeks=("o1",), worked_as=(WorkedAs("o2", "2020"),),
              skills=(CvSkill(S + "py", "text", (EV, SEMANTIC), "en"),), lang="en", updated="2026-12-06")
POSTING = PostingRecord(id="p1", source="jobnet", title="Dev", employer="X", postcode="2100", lat=55.7, lon=12.5,
                        published="2026-12-01", valid_through="", requirements=(PostingRequirement(S + "py", "essential",
                                                                                                   (EV,)),))
META = PostingMeta("p1", "Dev", "X", 55.7, 12.5, "2026-12-01", "", "o1", n_essential=1, n_optional=0)
MATCHED = MatchedSkill(SkillRef(S + "py", "Python"), "essential", "exact", SkillRef(S + "py", "Python"), 1.0, False,
                       (EV,), (PathStep("cv:cv_x", "HAS_SKILL", S + "py"), PathStep("posting:p1", "REQUIRES_SKILL:essential",
                                                                                      S + "py")))
RESULT = MatchResult(
    cv_id="cv_x", strategy="graph", valid_on="2026-12-06", radius_km=20.0, algorithm_version="graph-match/1.1",
    settings_hash="abc", ontology_version="1.1.1",
    suggestions=(Suggestion(1, META, 0.5, {"essential_skills": 0.45}, 1.2, None, "none", (MATCHED,), ()),),
    alternatives=(Alternative(1, SkillRef("o3", "Analyst"), "2421", 0.4, {"graph_closeness": 0.4}, 1, 5, (MATCHED,),
                              (), 1, (NearbyPosting.of(META, 2.5),)),),
)


def _validator(name: str) -> Draft202012Validator:
    schemas = components([MatchResult, CvRecord, PostingRecord])
    return Draft202012Validator({"$ref": REF_PREFIX + name, "components": {"schemas": schemas}})


def test_records_round_trip_and_omit_what_is_unset() -> None:
    data = cv_to_dict(CV)
    assert cv_from_dict(json.loads(json.dumps(data))) == CV
    plain, semantic = data["skills"][0]["evidence"]
    assert set(plain) == {"section", "start", "end", "text", "sentence", "label"}  # as records before
    assert semantic["similarity"] == 0.0 and semantic["how"] == "semantic" and "via" not in semantic
    assert "read_by" not in data and "rejected" not in data
    assert cv_from_dict({k: v for k, v in data.items() if k not in ("lang", "updated")}) == replace(
        CV, lang="", updated="")  # a record from before a field existed reads with its default
    assert posting_from_dict(posting_to_dict(POSTING)) == POSTING and "owner" not in posting_to_dict(POSTING)


def test_what_goes_out_is_what_the_schema_describes() -> None:
    body = json.loads(json.dumps(result_json(RESULT)))
    assert not list(_validator("MatchResult").iter_errors(body))
    suggestion = body["suggestions"][0]
    assert suggestion["matched"][0]["path"][0] == ["cv:cv_x", "HAS_SKILL", S + "py"]
    assert "n_essential" not in suggestion["posting"]  # internal to ranking
    assert body["alternatives"][0]["postings"][0]["distance_km"] == 2.5
    assert not list(_validator("CvRecord").iter_errors(cv_to_dict(CV)))
    assert not list(_validator("PostingRecord").iter_errors(posting_to_dict(POSTING)))
    # Drift is caught: a key the dataclass does not have, or a wrong type, fails the schema.
    suggestion["surprise"] = 1
    assert list(_validator("MatchResult").iter_errors(body))
    assert list(_validator("CvRecord").iter_errors({**cv_to_dict(CV), "max_km": "far"}))


def test_every_field_of_a_record_is_in_its_schema() -> None:
    schemas = components([MatchResult, CvRecord, PostingRecord])
    for tp in (Suggestion, Alternative, MatchedSkill, Evidence, CvRecord, PostingRecord, NearbyPosting):
        props = set(schemas[tp.__name__]["properties"])
        assert props == {f.name for f in fields(tp)}, tp
    assert set(schemas["PostingMeta"]["properties"]) == {f.name for f in fields(PostingMeta)} - {"n_essential",
                                                                                                  "n_optional"}
