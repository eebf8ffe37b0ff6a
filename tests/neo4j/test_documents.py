"""How documents sit in the graph: relationships replaced on re-ingest, points only where valid,
skills outside the taxonomy as bare references."""

from __future__ import annotations

from dataclasses import replace

import pytest
from neo4j import Driver

from graph.backends.neo4j import Neo4jStore
from graph.records import CvSkill, PostingRequirement
from ontology.model import Taxonomy
from tests.conformance import documents as d

pytestmark = pytest.mark.neo4j

LINKS = """
MATCH (n {id: $id})-[r]->(x)
RETURN type(r) AS type, x.uri AS uri, properties(r) AS props
ORDER BY type, uri, r.idx
"""


def _links(admin: Driver, doc_id: str) -> list[tuple[str, str]]:
    records, _, _ = admin.execute_query(LINKS, id=doc_id, database_="neo4j")
    return [(r["type"], r["uri"]) for r in records]


def test_reingested_posting_replaces_its_relationships(neo4j_store: Neo4jStore, admin: Driver) -> None:
    p01 = d.postings()[0]
    neo4j_store.upsert_postings([p01])
    assert _links(admin, "p01") == [("FOR_OCCUPATION", d.O + "cook")] + sorted(
        ("REQUIRES_SKILL", r.skill) for r in p01.requirements)
    neo4j_store.upsert_postings([replace(p01, occupation="", requirements=(
        PostingRequirement(d.S + "veg", "optional"), PostingRequirement(d.S + "veg", "essential")))])
    assert _links(admin, "p01") == [("REQUIRES_SKILL", d.S + "veg"), ("REQUIRES_SKILL", d.S + "veg")]
    records, _, _ = admin.execute_query(
        "MATCH (:Posting {id: 'p01'})-[r:REQUIRES_SKILL]->() RETURN r.kind AS kind ORDER BY r.idx",
        database_="neo4j")
    assert [r["kind"] for r in records] == ["optional", "essential"]


def test_reingested_cv_replaces_its_relationships(neo4j_store: Neo4jStore, admin: Driver) -> None:
    cv = d.cvs()[0]
    neo4j_store.upsert_cvs([cv])
    assert _links(admin, "cv-a") == sorted(
        [("HAS_SKILL", s.skill) for s in cv.skills] + [("SEEKS", d.O + "cook")]
        + [("WORKED_AS", w.occupation) for w in cv.worked_as])
    neo4j_store.upsert_cvs([replace(cv, seeks=(), worked_as=(), skills=(CvSkill(d.S + "veg", "declared"),))])
    assert _links(admin, "cv-a") == [("HAS_SKILL", d.S + "veg")]
    assert neo4j_store.delete_cvs(["cv-a"]) == 1
    assert _links(admin, "cv-a") == []


def test_locations_are_points_where_valid(neo4j_store: Neo4jStore, admin: Driver) -> None:
    neo4j_store.upsert_postings(d.postings())
    records, _, _ = admin.execute_query(
        "MATCH (p:Posting) RETURN p.id AS id, p.location AS location ORDER BY id", database_="neo4j")
    points = {r["id"]: r["location"] for r in records}
    assert points["p07"] is None and points["p10"] is None  # no coordinates; latitude 95
    assert (points["p01"].latitude, points["p01"].longitude, points["p01"].srid) == (55.676, 12.568, 4326)


def test_skills_outside_the_taxonomy_are_bare_references(neo4j_store: Neo4jStore, admin: Driver,
                                                        mini_taxonomy: Taxonomy) -> None:
    neo4j_store.upsert_taxonomy(mini_taxonomy)
    neo4j_store.upsert_postings(d.postings())
    records, _, _ = admin.execute_query(
        "MATCH (c:Concept {uri: $uri}) RETURN labels(c) AS labels, c.kind AS kind", uri=d.UNKNOWN_SKILL,
        database_="neo4j")
    assert [(sorted(r["labels"]), r["kind"]) for r in records] == [(["Concept", "Skill"], None)]
    # A taxonomy skill a posting names is the taxonomy's node, not a second one.
    records, _, _ = admin.execute_query(
        "MATCH (c:Concept {uri: $uri}) RETURN count(c) AS n, collect(c.kind) AS kinds", uri=d.S + "teamwork",
        database_="neo4j")
    assert (records[0]["n"], records[0]["kinds"]) == (1, ["Skill"])
