"""Taxonomy questions on the mini ESCO fixture: the same answer, in the same order, from every backend.

Values written out here were read off the fixture CSVs by hand; the loops over every concept hold each
backend to :mod:`tests.conformance.oracle`, an answer neither backend computed. The store also holds
the hand-made documents, some naming skills and occupations ESCO does not have: none of that may
leak into a taxonomy answer.
"""

from __future__ import annotations

import pytest

from graph.records import ConceptRelation, LabelEntry, OccupationOverlap, ProfileSkill, SkillLink
from graph.store import Store
from ontology.model import CONCEPT_KINDS, Taxonomy, summarise
from tests.conformance import oracle
from tests.conformance.documents import CV_UNKNOWN_SKILL, UNKNOWN_OCCUPATION, UNKNOWN_SKILL

ESCO = "http://data.europa.eu/esco/"
S = ESCO + "skill/mini-"
O = ESCO + "occupation/mini-"
UNKNOWN = (UNKNOWN_SKILL, UNKNOWN_OCCUPATION, CV_UNKNOWN_SKILL, "http://example.org/nothing")


def test_summary_is_the_load_report(mini_store: Store, mini_taxonomy: Taxonomy) -> None:
    summary = mini_store.taxonomy_summary()
    assert summary == summarise(mini_taxonomy)
    assert summary is not None
    # Known by hand; documents naming unknown skills and occupations do not count.
    assert (summary.occupations, summary.skills, summary.isco_groups, summary.skill_groups) == (9, 31, 29, 7)
    assert summary.occupation_skill_relations == {"total": 46, "essential": 27, "optional": 19}
    assert summary.stubs == {"skill group used but not listed in skillGroups": 1}
    assert summary.skipped == {
        "broaderRelationsOccPillar: conceptType not in the package": 1,
        "occupationSkillRelations: occupation not in the package": 1,
        "occupation_labels_da.tsv: label for a concept not in the package": 1,
    }
    assert summary.labels_by_language["da"] == {"IscoGroup": 29, "Occupation": 9, "Skill": 5}
    assert summary.languages == ("en", "da")


def test_one_active_version(mini_store: Store, mini_taxonomy: Taxonomy) -> None:
    [v] = mini_store.ontology_versions()
    assert (v.version, v.languages, v.source, v.checksum, v.active) == (
        "1.1.0", ("en", "da"), mini_taxonomy.source, mini_taxonomy.checksum, True)
    assert v.loaded_at[:2] == "20" and v.loaded_at.endswith("+00:00")


def test_concepts_round_trip_and_exclude_document_references(mini_store: Store, mini_taxonomy: Taxonomy) -> None:
    asked = [*reversed(list(mini_taxonomy.concepts)), *UNKNOWN]
    got = mini_store.concepts(asked)
    assert got == mini_taxonomy.concepts
    assert list(got) == [u for u in asked if u in mini_taxonomy.concepts]  # in the order asked
    stub = got[S + "group-unlisted"]
    assert (stub.kind, stub.stub, stub.label("en")) == ("SkillGroup", True, "cleaning and maintenance")
    python = got[S + "python"]
    assert python.descriptions == {"en": "Ability: Python (computer programming)."}
    assert (python.skill_type, python.reuse_level, python.version) == ("knowledge", "sector-specific", "1.1.0")
    assert mini_store.concepts([]) == {}


def test_concept_relations_by_hand(mini_store: Store) -> None:
    assert mini_store.concept_relations(S + "python") == [
        ConceptRelation("BROADER", "", S + "programming"),
        ConceptRelation("IN_COLLECTION", "digital", ""),
        ConceptRelation("RELATED", "optional", S + "sql"),
        ConceptRelation("REQUIRED_BY", "optional", O + "softdev"),
    ]
    assert mini_store.concept_relations(S + "group-unlisted") == [
        ConceptRelation("NARROWER", "", S + "stubbed")]
    assert ConceptRelation("RELATED_FROM", "optional", S + "python") in mini_store.concept_relations(S + "sql")


def test_concept_relations_of_every_concept(mini_store: Store, mini_taxonomy: Taxonomy) -> None:
    for uri in mini_taxonomy.concepts:
        assert mini_store.concept_relations(uri) == oracle.relations(mini_taxonomy, uri), uri
    for uri in UNKNOWN:
        assert mini_store.concept_relations(uri) == []


@pytest.mark.parametrize("langs", [None, ("da",), ("en", "da"), ()])
def test_labels(mini_store: Store, mini_taxonomy: Taxonomy, langs: tuple[str, ...] | None) -> None:
    for kinds in (CONCEPT_KINDS, ("Skill",), ("Occupation", "IscoGroup"), ()):
        assert list(mini_store.labels(kinds, langs)) == oracle.labels(mini_taxonomy, kinds, langs)


def test_labels_by_hand(mini_store: Store) -> None:
    cook = [e for e in mini_store.labels(["Occupation"]) if e.uri == O + "cook"]
    assert cook == [
        LabelEntry(O + "cook", "Occupation", "da", "kok", "preferred"),
        LabelEntry(O + "cook", "Occupation", "da", "køkkenchef", "alt"),
        LabelEntry(O + "cook", "Occupation", "en", "cook", "preferred"),
        LabelEntry(O + "cook", "Occupation", "en", "chef de partie", "alt"),
        LabelEntry(O + "cook", "Occupation", "en", "line cook", "alt"),
    ]


@pytest.mark.parametrize("text", ["TEAM", "python", "køkken", "Køkken", "c++", " ", "", "no such label", "\n"])
def test_match_labels(mini_store: Store, mini_taxonomy: Taxonomy, text: str) -> None:
    kinds = ("Skill", "Occupation")
    expected = [e for e in oracle.labels(mini_taxonomy, kinds) if text.lower() in e.label.lower()]
    assert mini_store.match_labels(text, kinds) == expected


def test_match_labels_by_hand(mini_store: Store) -> None:
    assert [(e.uri, e.lang, e.label) for e in mini_store.match_labels("TEAM", ["Skill"])] == [
        (S + "teamwork", "da", "arbejde i team"), (S + "teamwork", "da", "teamwork"),
        (S + "teamwork", "en", "work in teams"), (S + "teamwork", "en", "teamwork"),
        (S + "teamwork", "en", "work in a team"),
    ]
    assert mini_store.match_labels("TEAM", ["Occupation"]) == []


def test_occupation_profiles(mini_store: Store, mini_taxonomy: Taxonomy) -> None:
    got = mini_store.occupation_profiles([O + "cook", UNKNOWN_OCCUPATION, S + "python", O + "cook"])
    assert got == {O + "cook": [
        ProfileSkill(S + "cleankitchen", "optional"), ProfileSkill(S + "dishes", "essential"),
        ProfileSkill(S + "foodsafety", "essential"), ProfileSkill(S + "meat", "essential"),
        ProfileSkill(S + "teamwork", "essential"), ProfileSkill(S + "veg", "essential"),
    ]}
    every = list(mini_taxonomy.concepts)
    expected = {u: p for u in every if (p := oracle.profile(mini_taxonomy, u)) is not None}
    got_all = mini_store.occupation_profiles(every)
    assert got_all == expected and list(got_all) == list(expected)


def test_skill_profile_counts(mini_store: Store, mini_taxonomy: Taxonomy) -> None:
    every = list(mini_taxonomy.concepts)
    expected: dict[str, int] = {}
    for r in mini_taxonomy.occupation_skills:
        expected[r.skill] = expected.get(r.skill, 0) + 1
    got = mini_store.skill_profile_counts([*every, UNKNOWN_SKILL, CV_UNKNOWN_SKILL, S + "teamwork"])
    assert got == {u: expected[u] for u in every if u in expected}
    assert got[S + "foodsafety"] >= 2 and mini_store.skill_profile_counts([]) == {}


def test_occupations_sharing(mini_store: Store, mini_taxonomy: Taxonomy) -> None:
    asked = [S + "foodsafety", S + "cleankitchen", S + "foodsafety"]
    assert mini_store.occupations_sharing(asked, min_shared=2) == [
        OccupationOverlap(O + "cook", (ProfileSkill(S + "cleankitchen", "optional"),
                                       ProfileSkill(S + "foodsafety", "essential")), 5, 1),
        OccupationOverlap(O + "kitchen", (ProfileSkill(S + "cleankitchen", "essential"),
                                          ProfileSkill(S + "foodsafety", "essential")), 2, 2),
    ]
    assert mini_store.occupations_sharing([UNKNOWN_SKILL, CV_UNKNOWN_SKILL]) == []
    assert mini_store.occupations_sharing([]) == []
    skills = [u for u, c in mini_taxonomy.concepts.items() if c.kind == "Skill"]
    for min_shared in (0, 1, 2, 3, 5):
        assert mini_store.occupations_sharing(skills, min_shared) == oracle.sharing(mini_taxonomy, skills, min_shared)
    for s in skills:
        assert mini_store.occupations_sharing([s]) == oracle.sharing(mini_taxonomy, [s]), s


def test_skill_neighbours_by_hand(mini_store: Store) -> None:
    progs = ("cpp", "javascript", "rlang", "sql")
    assert mini_store.skill_neighbours([S + "python"]) == [
        SkillLink(S + "python", "broader", S + "programming"),
        *(SkillLink(S + "python", "sibling", S + p, S + "programming") for p in progs),
    ]
    # A skill group parent makes no broader link and no siblings.
    assert mini_store.skill_neighbours([S + "programming"]) == [
        SkillLink(S + "programming", "narrower", S + p) for p in ("cpp", "javascript", "python", "rlang", "sql")]
    # Asked skills never come back as neighbours of each other.
    both = mini_store.skill_neighbours([S + "python", S + "programming"])
    assert {link.target for link in both} == {S + p for p in ("cpp", "javascript", "rlang", "sql")}
    assert mini_store.skill_neighbours([UNKNOWN_SKILL, O + "cook", S + "group-food"]) == []


def test_skill_neighbours_of_every_skill(mini_store: Store, mini_taxonomy: Taxonomy) -> None:
    every = list(mini_taxonomy.concepts)
    for uri in every:
        assert mini_store.skill_neighbours([uri]) == oracle.neighbours(mini_taxonomy, [uri]), uri
    assert mini_store.skill_neighbours(every) == oracle.neighbours(mini_taxonomy, every)


def test_collections_of(mini_store: Store, mini_taxonomy: Taxonomy) -> None:
    got = mini_store.collections_of([S + "teamwork", S + "danish", O + "cook", UNKNOWN_SKILL, S + "danish"])
    assert got == {S + "teamwork": ("transversal",), S + "danish": ("language", "transversal")}
    assert list(got) == [S + "teamwork", S + "danish"]
    every = list(mini_taxonomy.concepts)
    assert mini_store.collections_of(every) == {
        u: c for u in every if (c := oracle.collections(mini_taxonomy, u))}
