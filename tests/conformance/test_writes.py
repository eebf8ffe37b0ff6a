"""Writes, on an empty store of each backend: taxonomy loads (idempotent, replacing, versioned) and
document upserts (replacing by id), and what each does to the answers."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from graph.records import CvSkill, PostingRecord, PostingRequirement, ProfileSkill, SkillLink
from graph.store import Store
from ontology.model import (
    CONCEPT_KINDS,
    Broader,
    CollectionMember,
    Concept,
    LabelSet,
    OccupationSkill,
    SkillSkill,
    Taxonomy,
    summarise,
)
from tests.conformance import documents as d
from tests.conformance import oracle
from tests.conformance.documents import CPH, DAY, EVERYWHERE, UNKNOWN_SKILL

S = d.S
O = d.O
RUST = S + "new-rust"


def variant(tax: Taxonomy) -> Taxonomy:
    """Another version: C++ gone, Rust new, the unlisted skill group now a Skill, teamwork optional for
    cooks, and the skill documents name (UNKNOWN_SKILL) now part of the taxonomy."""
    gone = S + "cpp"
    concepts = {u: c for u, c in tax.concepts.items() if u != gone}
    concepts[RUST] = Concept(uri=RUST, kind="Skill", labels={"en": LabelSet("Rust", ("rust programming",))},
                             version="1.1.0-local", skill_type="knowledge", reuse_level="sector-specific")
    concepts[UNKNOWN_SKILL] = Concept(uri=UNKNOWN_SKILL, kind="Skill", labels={"en": LabelSet("wash dishes by hand")},
                                      version="1.1.0-local")
    unlisted = S + "group-unlisted"
    concepts[unlisted] = replace(concepts[unlisted], kind="Skill", stub=False)

    def kept(*uris: str) -> bool:
        return gone not in uris

    occupation_skills = [
        OccupationSkill(r.occupation, r.skill, "optional" if (r.occupation, r.skill) == (O + "cook", S + "teamwork")
                        else r.kind)
        for r in tax.occupation_skills if kept(r.occupation, r.skill)]
    return Taxonomy(
        version="1.1.0-local", languages=("en",), source="test variant", checksum="variant-checksum",
        concepts=concepts,
        occupation_skills=[*occupation_skills, OccupationSkill(O + "softdev", RUST, "optional")],
        skill_skills=[*(r for r in tax.skill_skills if kept(r.source, r.target)),
                      SkillSkill(RUST, S + "python", "optional")],
        broader=[*(b for b in tax.broader if kept(b.child, b.parent)), Broader(RUST, S + "programming"),
                 Broader(UNKNOWN_SKILL, S + "group-food")],
        collections=[*(m for m in tax.collections if kept(m.concept)), CollectionMember("digital", RUST)],
        skipped=Counter({"made by hand": 2}), stubs=Counter(),
    )


def assert_answers(store: Store, tax: Taxonomy) -> None:
    """Every taxonomy question, asked about every concept, answered as the taxonomy says."""
    every = [*tax.concepts, S + "cpp", RUST, UNKNOWN_SKILL]
    assert store.taxonomy_summary() == summarise(tax)
    assert store.concepts(every) == tax.concepts
    assert list(store.labels(CONCEPT_KINDS)) == oracle.labels(tax, CONCEPT_KINDS)
    assert store.occupation_profiles(every) == {
        u: p for u in every if (p := oracle.profile(tax, u)) is not None}
    assert store.collections_of(every) == {u: c for u in every if (c := oracle.collections(tax, u))}
    for uri in every:
        assert store.concept_relations(uri) == oracle.relations(tax, uri), uri
        assert store.skill_neighbours([uri]) == oracle.neighbours(tax, [uri]), uri
        assert store.occupations_sharing([uri]) == oracle.sharing(tax, [uri]), uri


def test_empty_store_answers_nothing(empty_store: Store) -> None:
    store = empty_store
    store.ping()
    assert store.taxonomy_summary() is None
    assert store.ontology_versions() == []
    assert store.concepts([S + "python"]) == {}
    assert list(store.labels(CONCEPT_KINDS)) == []
    assert store.match_labels("a", CONCEPT_KINDS) == []
    assert store.concept_relations(S + "python") == []
    assert store.occupation_profiles([O + "cook"]) == {}
    assert store.occupations_sharing([S + "python"]) == []
    assert store.skill_neighbours([S + "python"]) == []
    assert store.collections_of([S + "python"]) == {}
    assert store.cv_ids() == [] and store.get_cvs(["cv-a"]) == {} and store.delete_cvs(["cv-a"]) == 0
    assert store.posting_count() == 0 and store.get_postings(["p01"]) == {} and store.posting_ids() == []
    assert store.postings_in(EVERYWHERE, DAY) == []
    assert store.postings_requiring([S + "python"], EVERYWHERE, DAY).ids == ()
    assert store.posting_metas(["p01"]) == {}
    assert store.postings_for_occupations([O + "cook"], EVERYWHERE, DAY) == []
    assert store.requirements_of(["p01"]) == {}
    assert store.upsert_cvs([]) == 0 and store.upsert_postings([]) == 0


def test_loading_the_same_package_twice(empty_store: Store, mini_taxonomy: Taxonomy) -> None:
    store = empty_store
    assert store.upsert_taxonomy(mini_taxonomy) == summarise(mini_taxonomy)
    assert store.upsert_taxonomy(mini_taxonomy) == summarise(mini_taxonomy)
    [version] = store.ontology_versions()
    assert (version.version, version.checksum, version.active) == ("1.1.0", mini_taxonomy.checksum, True)
    assert_answers(store, mini_taxonomy)


def test_a_new_version_replaces_the_taxonomy(empty_store: Store, mini_taxonomy: Taxonomy) -> None:
    store = empty_store
    other = variant(mini_taxonomy)
    store.upsert_taxonomy(mini_taxonomy)
    store.upsert_postings(d.postings())
    assert store.upsert_taxonomy(other) == summarise(other)
    assert [(v.version, v.active) for v in store.ontology_versions()] == [("1.1.0", False), ("1.1.0-local", True)]
    assert_answers(store, other)
    # Known by hand: the former stub group is a skill parent now; Rust sits under programming.
    assert store.skill_neighbours([S + "stubbed"]) == [SkillLink(S + "stubbed", "broader", S + "group-unlisted")]
    assert SkillLink(S + "python", "sibling", RUST, S + "programming") in store.skill_neighbours([S + "python"])
    assert store.concepts([S + "cpp"]) == {}
    assert store.match_labels("rust", ["Skill"])[0].uri == RUST
    assert store.match_labels("c plus", ["Skill"]) == []

    # Back to the first package: a third version entry, and the first package's answers again.
    store.upsert_taxonomy(mini_taxonomy)
    assert [v.version for v in store.ontology_versions()] == ["1.1.0", "1.1.0-local", "1.1.0"]
    assert [v.active for v in store.ontology_versions()] == [False, False, True]
    assert_answers(store, mini_taxonomy)
    # Documents are untouched by taxonomy loads.
    assert store.get_postings(["p02"])["p02"] == d.postings()[1]
    assert store.postings_requiring([UNKNOWN_SKILL], CPH, DAY).ids == ("p02",)


def test_documents_before_and_beside_the_taxonomy(empty_store: Store, mini_taxonomy: Taxonomy) -> None:
    store = empty_store
    # Documents first: the skills they name are not concepts, and do not become ones.
    store.upsert_postings(d.postings())
    store.upsert_cvs(d.cvs())
    assert store.concepts([S + "python", UNKNOWN_SKILL]) == {}
    assert store.taxonomy_summary() is None
    store.upsert_taxonomy(mini_taxonomy)
    assert_answers(store, mini_taxonomy)
    # A version that lists the unknown skill makes it a concept; documents still find it either way.
    other = variant(mini_taxonomy)
    store.upsert_taxonomy(other)
    assert store.concepts([UNKNOWN_SKILL])[UNKNOWN_SKILL].label() == "wash dishes by hand"
    assert store.concept_relations(UNKNOWN_SKILL) == oracle.relations(other, UNKNOWN_SKILL)
    assert store.postings_requiring([UNKNOWN_SKILL], CPH, DAY).ids == ("p02",)
    store.upsert_taxonomy(mini_taxonomy)
    assert store.concepts([UNKNOWN_SKILL]) == {}
    assert store.concept_relations(UNKNOWN_SKILL) == []
    assert store.postings_requiring([UNKNOWN_SKILL], CPH, DAY).ids == ("p02",)
    assert store.get_cvs(["cv-a"])["cv-a"] == d.cvs()[0]


def test_upserting_a_posting_replaces_its_requirements(empty_store: Store) -> None:
    store = empty_store
    store.upsert_postings(d.postings())
    p01 = d.postings()[0]
    new = replace(p01, title="Kok (ny)", occupation=O + "kitchen",
                  requirements=(PostingRequirement(S + "veg", "essential"),))
    assert store.upsert_postings([new]) == 1
    assert store.posting_count() == 10
    assert store.get_postings(["p01"]) == {"p01": new}
    assert store.requirements_of(["p01"]) == {"p01": [ProfileSkill(S + "veg", "essential")]}
    assert "p01" not in store.postings_requiring([S + "foodsafety"], CPH, DAY).ids
    hit = store.postings_requiring([S + "veg", S + "foodsafety"], CPH, DAY)
    assert hit.ids == ("p01", "p02")
    assert (hit.n_essential[0], hit.n_optional[0], hit.occupations[0]) == (1, 0, O + "kitchen")
    meta = store.posting_metas(["p01"])["p01"]
    assert (meta.title, meta.n_essential, meta.n_optional) == ("Kok (ny)", 1, 0)
    assert [m.id for m in store.postings_for_occupations([O + "cook"], CPH, DAY)] == []
    assert [m.id for m in store.postings_for_occupations([O + "kitchen"], CPH, DAY)] == ["p01", "p02"]
    # Dropping the location: the posting leaves every box.
    store.upsert_postings([replace(new, lat=None, lon=None)])
    assert "p01" not in [m.id for m in store.postings_in(EVERYWHERE, DAY)]


def test_deleting_postings_takes_them_out_of_every_answer(empty_store: Store) -> None:
    store = empty_store
    store.upsert_postings(d.postings())
    before = store.postings_requiring([S + "foodsafety"], CPH, DAY).ids
    assert "p01" in before
    assert store.delete_postings(["p01", "p01", "nobody"]) == 1
    assert store.delete_postings(["p01"]) == 0
    assert store.posting_count() == 9 and "p01" not in store.posting_ids()
    assert store.get_postings(["p01"]) == {} and store.posting_metas(["p01"]) == {}
    assert store.requirements_of(["p01"]).get("p01", []) == []
    assert store.postings_requiring([S + "foodsafety"], CPH, DAY).ids == tuple(i for i in before if i != "p01")
    assert "p01" not in [m.id for m in store.postings_in(EVERYWHERE, DAY)]


def test_the_last_record_of_an_id_wins(empty_store: Store) -> None:
    store = empty_store
    first, second = d.postings()[0], replace(d.postings()[0], title="second", requirements=())
    assert store.upsert_postings([first, second]) == 2
    assert store.posting_count() == 1 and store.posting_ids() == ["p01"]
    assert store.get_postings(["p01"]) == {"p01": second}
    assert store.requirements_of(["p01"]) == {"p01": []}
    cv = d.cvs()[0]
    assert store.upsert_cvs([cv, replace(cv, municipality="0751")]) == 2
    assert store.cv_ids("0751") == ["cv-a"] and store.cv_ids("0101") == []


def test_cvs_replace_and_delete(empty_store: Store) -> None:
    store = empty_store
    cvs = d.cvs()
    assert store.upsert_cvs(cvs) == 3
    changed = replace(cvs[0], municipality="0751", skills=(CvSkill(S + "veg", "declared"),), seeks=(),
                      worked_as=(), lat=None, lon=None)
    store.upsert_cvs([changed])
    assert store.get_cvs(["cv-a"]) == {"cv-a": changed}
    assert store.cv_ids("0751") == ["cv-a", "cv-b"]
    assert store.delete_cvs(["cv-a", "cv-a", "nobody"]) == 1
    assert store.delete_cvs(["cv-a"]) == 0
    assert store.cv_ids() == ["cv-b", "cv-c"]
    assert store.get_cvs(["cv-a", "cv-b"]) == {"cv-b": cvs[1]}


def test_many_postings_across_write_batches(empty_store: Store) -> None:
    """2,500 postings (more than one write batch): every third is outside the box, every fifth expired."""
    store = empty_store

    def posting(i: int) -> PostingRecord:
        lat = 55.7 if i % 3 else 57.0
        valid = "2026-02-01" if i % 5 == 0 else "2026-12-31"
        reqs = (PostingRequirement(S + ("python" if i % 2 else "sql"), "essential"),
                PostingRequirement(S + "teamwork", "optional"))
        return PostingRecord(id=f"bulk-{i:05d}", source="bulk", title=f"job {i}", employer="E", postcode="2100",
                             lat=lat, lon=12.5, published="2026-01-01", valid_through=valid,
                             occupation=O + "softdev", requirements=reqs)

    postings = [posting(i) for i in range(2500)]
    assert store.upsert_postings(postings) == 2500
    assert store.posting_count() == 2500
    current_inside = [p.id for i, p in enumerate(postings) if i % 3 and i % 5]
    assert [m.id for m in store.postings_in(CPH, DAY)] == current_inside
    got = store.postings_requiring([S + "python"], CPH, DAY)
    assert list(got.ids) == [p.id for i, p in enumerate(postings) if i % 3 and i % 5 and i % 2]
    assert got.skills == (S + "python",) and set(got.hit_essential) == {True}
    assert len(store.postings_requiring([S + "teamwork", S + "sql"], CPH, DAY).hit_posting) == 2 * len(
        [i for i in range(2500) if i % 3 and i % 5 and i % 2 == 0]) + len(
        [i for i in range(2500) if i % 3 and i % 5 and i % 2])
    assert len(store.postings_for_occupations([O + "softdev"], CPH, DAY)) == len(current_inside)

