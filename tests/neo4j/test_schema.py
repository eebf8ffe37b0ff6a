"""Constraints and indexes the store relies on exist, online, with the expected types."""

from __future__ import annotations

import pytest
from neo4j import Driver

from graph.backends.neo4j import Neo4jStore

pytestmark = pytest.mark.neo4j

UNIQUE = {
    "concept_uri": ("Concept", ["uri"]), "occupation_uri": ("Occupation", ["uri"]),
    "skill_uri": ("Skill", ["uri"]), "isco_group_uri": ("IscoGroup", ["uri"]),
    "skill_group_uri": ("SkillGroup", ["uri"]), "collection_name": ("Collection", ["name"]),
    "cv_id": ("Cv", ["id"]), "posting_id": ("Posting", ["id"]),
    "ontology_version_seq": ("OntologyVersion", ["seq"]),
    "recommendation_seq": ("Recommendation", ["seq"]), "recommendation_id": ("Recommendation", ["id"]),
    "feedback_id": ("Feedback", ["id"]), "api_token_id": ("ApiToken", ["id"]),
    "api_token_hash": ("ApiToken", ["tokenHash"]),
    "trial_assignment_key": ("TrialAssignment", ["trial", "cvId"]),
    "exposure_key": ("Exposure", ["week", "target", "cvId"]),
    "write_sequence_name": ("WriteSequence", ["name"]), "posting_removed_id": ("PostingRemoved", ["id"]),
}
INDEXES = {
    "concept_labels": ("FULLTEXT", ["Concept"], ["labelSearch"]),
    "concept_label_search": ("TEXT", ["Concept"], ["labelSearch"]),
    "concept_kind": ("RANGE", ["Concept"], ["kind"]),
    "posting_location": ("POINT", ["Posting"], ["location"]),
    "posting_lat": ("RANGE", ["Posting"], ["lat"]),
    "cv_municipality": ("RANGE", ["Cv"], ["municipality"]),
    "recommendation_cv": ("RANGE", ["Recommendation"], ["cvId"]),
    "recommendation_at": ("RANGE", ["Recommendation"], ["at"]),
    "feedback_recommendation": ("RANGE", ["Feedback"], ["recommendationId"]),
    "posting_seq": ("RANGE", ["Posting"], ["seq"]),
    "posting_removed_seq": ("RANGE", ["PostingRemoved"], ["seq"]),
}


def test_uniqueness_constraints(admin: Driver, neo4j_store: Neo4jStore) -> None:
    records, _, _ = admin.execute_query("SHOW CONSTRAINTS YIELD name, type, labelsOrTypes, properties",
                                        database_="neo4j")
    got = {r["name"]: (r["type"], r["labelsOrTypes"], r["properties"]) for r in records}
    for name, (label, props) in UNIQUE.items():
        assert got.get(name) == ("UNIQUENESS", [label], props), name


def test_indexes_online(admin: Driver, neo4j_store: Neo4jStore) -> None:
    records, _, _ = admin.execute_query(
        "SHOW INDEXES YIELD name, type, labelsOrTypes, properties, state", database_="neo4j")
    got = {r["name"]: (r["type"], r["labelsOrTypes"], r["properties"], r["state"]) for r in records}
    for name, (kind, labels, props) in INDEXES.items():
        assert got.get(name) == (kind, labels, props, "ONLINE"), name
    # Every uniqueness constraint is backed by an online range index.
    for name in UNIQUE:
        assert got[name][0] == "RANGE" and got[name][3] == "ONLINE", name


def test_posting_changes_seek_the_write_number(admin: Driver, neo4j_store: Neo4jStore) -> None:
    """A process catching up reads only what was written after its number: an index seek on Posting.seq
    (and on PostingRemoved.seq), never a scan of every posting."""
    import queries

    for name in ("find_posting_changes", "find_posting_removals"):
        with admin.session(database="neo4j") as session:
            plan = session.run("EXPLAIN " + queries.load(name), since=1).consume().plan
        text = plan["args"]["string-representation"] if plan else ""
        assert "NodeIndexSeekByRange" in text, (name, text)
        assert "NodeByLabelScan" not in text and "AllNodesScan" not in text, name
