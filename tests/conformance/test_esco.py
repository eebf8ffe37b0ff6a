"""The full ESCO 1.1.1 package (+ Danish occupation labels) in both backends, loaded once for this
module: the same summary, and the same answers on a fixed sample of concepts, in the same order.

Counts are known from the package; samples are held to :mod:`tests.conformance.oracle` where that is
cheap, and to each other everywhere.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from graph.backends.memory.graph_store import MemoryStore
from graph.backends.neo4j import Neo4jStore
from ontology.model import CONCEPT_KINDS, Taxonomy, summarise
from tests.conformance import neo4j_server, oracle

pytestmark = [pytest.mark.neo4j, pytest.mark.esco, pytest.mark.slow]


@pytest.fixture(scope="module")
def stores(request: pytest.FixtureRequest, esco_111: Taxonomy) -> Iterator[tuple[MemoryStore, Neo4jStore]]:
    memory = MemoryStore().open()
    memory.upsert_taxonomy(esco_111)
    neo4j = neo4j_server.fresh_store(request.config)
    neo4j.upsert_taxonomy(esco_111)
    yield memory, neo4j
    memory.close()


@pytest.fixture(scope="module")
def sample(esco_111: Taxonomy) -> dict[str, list[str]]:
    rng = random.Random(111)
    by_kind = {k: sorted(u for u, c in esco_111.concepts.items() if c.kind == k) for k in CONCEPT_KINDS}
    return {
        "concepts": rng.sample(sorted(esco_111.concepts), 300),
        "occupations": rng.sample(by_kind["Occupation"], 150),
        "skills": rng.sample(by_kind["Skill"], 400),
        "skill_groups": rng.sample(by_kind["SkillGroup"], 30),
    }


def test_summary(stores: tuple[MemoryStore, Neo4jStore], esco_111: Taxonomy) -> None:
    memory, neo4j = stores
    expected = summarise(esco_111)
    assert memory.taxonomy_summary() == expected
    assert neo4j.taxonomy_summary() == expected
    # Known from the package (and tests/unit/test_esco_real.py).
    assert (expected.occupations, expected.skills, expected.isco_groups, expected.skill_groups) == (
        3007, 13896, 619, 640)
    assert expected.occupation_skill_relations == {"total": 123788, "essential": 64891, "optional": 58897}
    assert (expected.skill_skill_relations, expected.broader_relations, expected.collection_memberships) == (
        5899, 24272, 2380)
    assert [(v.version, v.active) for v in neo4j.ontology_versions()] == [("1.1.1", True)]
    assert [(v.version, v.checksum) for v in neo4j.ontology_versions()] == [
        (v.version, v.checksum) for v in memory.ontology_versions()]


def test_concepts(stores: tuple[MemoryStore, Neo4jStore], sample: dict[str, list[str]], esco_111: Taxonomy) -> None:
    memory, neo4j = stores
    got = neo4j.concepts(sample["concepts"])
    assert got == memory.concepts(sample["concepts"]) == {u: esco_111.concepts[u] for u in sample["concepts"]}
    assert list(got) == sample["concepts"]
    everything = list(esco_111.concepts)
    assert neo4j.concepts(everything) == esco_111.concepts


def test_concept_relations(stores: tuple[MemoryStore, Neo4jStore], sample: dict[str, list[str]],
                           esco_111: Taxonomy) -> None:
    memory, neo4j = stores
    for uri in sample["concepts"] + sample["skill_groups"]:
        assert neo4j.concept_relations(uri) == memory.concept_relations(uri), uri
    for uri in sample["concepts"][:20]:
        assert neo4j.concept_relations(uri) == oracle.relations(esco_111, uri), uri


def test_occupation_profiles(stores: tuple[MemoryStore, Neo4jStore], sample: dict[str, list[str]],
                             esco_111: Taxonomy) -> None:
    memory, neo4j = stores
    asked = sample["occupations"] + sample["skills"][:10]
    got = neo4j.occupation_profiles(asked)
    assert got == memory.occupation_profiles(asked)
    assert list(got) == sample["occupations"]
    assert sum(len(p) for p in neo4j.occupation_profiles(
        [u for u, c in esco_111.concepts.items() if c.kind == "Occupation"]).values()) == 123788
    for uri in sample["occupations"][:20]:
        assert got[uri] == oracle.profile(esco_111, uri)


def test_skill_profile_counts(stores: tuple[MemoryStore, Neo4jStore], sample: dict[str, list[str]],
                              esco_111: Taxonomy) -> None:
    memory, neo4j = stores
    asked = sample["skills"] + sample["occupations"][:5]
    got = neo4j.skill_profile_counts(asked)
    assert got == memory.skill_profile_counts(asked) and got
    expected: dict[str, int] = {}
    for r in esco_111.occupation_skills:
        expected[r.skill] = expected.get(r.skill, 0) + 1
    assert got == {u: expected[u] for u in dict.fromkeys(asked) if u in expected}


def test_occupations_sharing(stores: tuple[MemoryStore, Neo4jStore], sample: dict[str, list[str]],
                             esco_111: Taxonomy) -> None:
    memory, neo4j = stores
    skills = sample["skills"]
    for start, size, min_shared in ((0, 5, 1), (5, 20, 2), (25, 60, 3), (85, 300, 5)):
        asked = skills[start:start + size]
        assert neo4j.occupations_sharing(asked, min_shared) == memory.occupations_sharing(asked, min_shared)
    assert neo4j.occupations_sharing(skills[:10], 1) == oracle.sharing(esco_111, skills[:10], 1)


def test_skill_neighbours(stores: tuple[MemoryStore, Neo4jStore], sample: dict[str, list[str]],
                          esco_111: Taxonomy) -> None:
    memory, neo4j = stores
    for uri in sample["skills"][:100]:
        assert neo4j.skill_neighbours([uri]) == memory.skill_neighbours([uri]), uri
    assert neo4j.skill_neighbours(sample["skills"]) == memory.skill_neighbours(sample["skills"])
    assert neo4j.skill_neighbours(sample["skills"][:30]) == oracle.neighbours(esco_111, sample["skills"][:30])


def test_collections_of(stores: tuple[MemoryStore, Neo4jStore], esco_111: Taxonomy) -> None:
    memory, neo4j = stores
    everything = list(esco_111.concepts)
    got = neo4j.collections_of(everything)
    assert got == memory.collections_of(everything)
    assert list(got) == list(memory.collections_of(everything))
    assert sum(len(c) for c in got.values()) == len({(m.collection, m.concept) for m in esco_111.collections})


def test_labels(stores: tuple[MemoryStore, Neo4jStore], esco_111: Taxonomy) -> None:
    memory, neo4j = stores
    for kinds, langs in ((CONCEPT_KINDS, None), (("Occupation",), ("da",)), (("Skill", "SkillGroup"), ("en",))):
        assert list(neo4j.labels(kinds, langs)) == list(memory.labels(kinds, langs))


@pytest.mark.parametrize("text", ["manage", "Sygeplejerske", "æ", "C++", "sql", "zz-no-such-label"])
def test_match_labels(stores: tuple[MemoryStore, Neo4jStore], text: str) -> None:
    memory, neo4j = stores
    for kinds in (("Occupation",), ("Skill", "Occupation")):
        assert neo4j.match_labels(text, kinds) == memory.match_labels(text, kinds)


def test_reloading_esco_changes_nothing(stores: tuple[MemoryStore, Neo4jStore], esco_111: Taxonomy,
                                        request: pytest.FixtureRequest) -> None:
    """Last in the module: a second load of the same package leaves the graph as it was."""
    from tests.neo4j.graph_counts import counts

    memory, neo4j = stores
    admin = neo4j_server.admin(request.config)
    before = counts(admin)
    assert before["loaded concepts"] == len(esco_111.concepts)
    assert before["-REQUIRES-"] == 123788 and before["-BROADER-"] == 24272
    assert neo4j.upsert_taxonomy(esco_111) == summarise(esco_111)
    assert counts(admin) == before
    assert len(neo4j.ontology_versions()) == 1
    uri = "http://data.europa.eu/esco/occupation/00030d09-2b3a-4efd-87cc-c4ea39d27c34"
    assert neo4j.concept_relations(uri) == memory.concept_relations(uri)


def test_exports_agree(stores: tuple[MemoryStore, Neo4jStore]) -> None:
    """What the nightly batch's snapshot copies out of Neo4j is what the embedded store holds."""
    memory, neo4j = stores
    mine, theirs = memory.export_taxonomy(), neo4j.export_taxonomy()
    assert mine is not None and theirs is not None
    assert theirs.concepts == mine.concepts
    assert theirs.occupation_skills == mine.occupation_skills
    assert theirs.skill_skills == mine.skill_skills
    assert theirs.broader == mine.broader
    assert theirs.collections == mine.collections
    assert summarise(theirs) == summarise(mine)
