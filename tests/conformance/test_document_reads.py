"""Document questions on the hand-made CVs and postings (see :mod:`tests.conformance.documents` for what
each posting pins down): every backend gives the answer written out here, in this order."""

from __future__ import annotations

from graph.records import BBox, Candidates, PostingMeta, ProfileSkill, RequirementHit
from graph.store import Store
from tests.conformance import documents as d
from tests.conformance.documents import AARHUS, CPH, DAY, EVERYWHERE, UNKNOWN_OCCUPATION, UNKNOWN_SKILL

S = d.S
O = d.O


def _ids(metas: list[PostingMeta] | tuple[PostingMeta, ...]) -> list[str]:
    return [m.id for m in metas]


def test_get_documents_round_trip(mini_store: Store) -> None:
    cvs = {cv.id: cv for cv in d.cvs()}
    got = mini_store.get_cvs(["cv-c", "nobody", "cv-a", "cv-c"])
    assert got == {"cv-c": cvs["cv-c"], "cv-a": cvs["cv-a"]}
    assert list(got) == ["cv-c", "cv-a"]
    postings = {p.id: p for p in d.postings()}
    assert mini_store.get_postings(list(postings)) == postings
    assert mini_store.get_postings(["nope"]) == {}
    assert mini_store.get_postings(["p03"])["p03"].requirements == postings["p03"].requirements


def test_cv_ids(mini_store: Store) -> None:
    assert mini_store.cv_ids() == ["cv-a", "cv-b", "cv-c"]
    assert mini_store.cv_ids("0101") == ["cv-a", "cv-c"]
    assert mini_store.cv_ids("9999") == []


def test_posting_count_and_ids(mini_store: Store) -> None:
    assert mini_store.posting_count() == 10
    assert mini_store.posting_ids() == [f"p{i:02d}" for i in range(1, 11)]


def test_postings_in_by_hand(mini_store: Store) -> None:
    # p02 published on the day, p03 on the box edge and valid through the day, p08 dates with times.
    got = mini_store.postings_in(CPH, DAY)
    assert _ids(got) == ["p01", "p02", "p03", "p08", "p09"]
    assert got[0] == PostingMeta(id="p01", title="Kok til frokostkøkken", employer="Kantine ApS", lat=55.676,
                                 lon=12.568, published="2026-02-01", valid_through="2026-03-31",
                                 occupation=O + "cook", n_essential=3, n_optional=2)
    assert (got[2].n_essential, got[2].n_optional, got[2].published) == (2, 2, "")
    assert _ids(mini_store.postings_in(CPH, "2026-02-28")) == ["p01", "p03", "p05", "p09"]
    assert _ids(mini_store.postings_in(CPH, "2026-03-02")) == ["p01", "p02", "p06", "p09"]
    assert _ids(mini_store.postings_in(AARHUS, DAY)) == ["p04"]
    # Open-ended postings only, when asked on "" (the far future, as the embedded store reads it).
    assert _ids(mini_store.postings_in(EVERYWHERE, "")) == ["p02"]
    # p10 has latitude 95: no valid point, but the plain lat/lon comparison still places it.
    assert _ids(mini_store.postings_in(EVERYWHERE, DAY)) == ["p01", "p02", "p03", "p04", "p08", "p09", "p10"]
    # A box just off the edge excludes p03; an empty box holds nothing.
    assert "p03" not in _ids(mini_store.postings_in(BBox(55.6000001, 12.4, 55.8, 12.7), DAY))
    assert mini_store.postings_in(BBox(55.8, 12.7, 55.6, 12.4), DAY) == []


def test_postings_requiring_by_hand(mini_store: Store) -> None:
    asked = [S + "teamwork", S + "python", UNKNOWN_SKILL, S + "foodsafety", S + "python"]
    got = mini_store.postings_requiring(asked, CPH, DAY)
    assert got.ids == ("p01", "p02", "p03", "p08")
    assert got.skills == (S + "foodsafety", S + "python", S + "teamwork", UNKNOWN_SKILL)
    assert got.hits() == [
        RequirementHit("p01", S + "foodsafety", "essential"),
        RequirementHit("p01", S + "teamwork", "optional"),
        RequirementHit("p02", S + "foodsafety", "essential"),
        RequirementHit("p02", UNKNOWN_SKILL, "essential"),
        # Required twice: both rows, in the order the posting lists them.
        RequirementHit("p03", S + "python", "essential"),
        RequirementHit("p03", S + "python", "optional"),
        RequirementHit("p08", S + "teamwork", "optional"),
    ]
    assert got.hit_posting == (0, 0, 1, 1, 2, 2, 3)
    assert got.hit_essential == (True, False, True, True, True, False, False)
    # The ranking columns agree with the postings' metadata.
    metas = mini_store.posting_metas(got.ids)
    assert list(metas) == list(got.ids)
    assert [(m.lat, m.lon, m.occupation, m.n_essential, m.n_optional) for m in metas.values()] == list(
        zip(got.lats, got.lons, got.occupations, got.n_essential, got.n_optional, strict=True))
    assert metas["p01"] == mini_store.postings_in(CPH, DAY)[0]


def test_posting_metas(mini_store: Store) -> None:
    everything = {m.id: m for m in mini_store.postings_in(EVERYWHERE, DAY)}
    # Any stored posting, current or not, in the order asked; unknown ids left out.
    got = mini_store.posting_metas(["p08", "nope", "p05", "p01", "p08"])
    assert list(got) == ["p08", "p05", "p01"]
    assert got["p08"] == everything["p08"] and got["p01"] == everything["p01"]
    assert got["p05"].id == "p05" and got["p05"].title
    assert mini_store.posting_metas([]) == {}


def test_postings_requiring_nothing(mini_store: Store) -> None:
    assert mini_store.postings_requiring([], CPH, DAY) == Candidates()
    assert mini_store.postings_requiring(["http://example.org/none"], CPH, DAY) == Candidates()
    assert mini_store.postings_requiring([S + "dishes"], CPH, "2027-01-01") == Candidates()
    got = mini_store.postings_requiring([S + "dishes"], EVERYWHERE, DAY)
    assert got.ids == ("p01", "p04")


def test_postings_requiring_a_skill_from_every_box(mini_store: Store) -> None:
    got = mini_store.postings_requiring([S + "teamwork"], EVERYWHERE, DAY)
    # p05 expired, p06 not yet published, p07 has no location.
    assert got.ids == ("p01", "p08", "p10")
    assert [h.kind for h in got.hits()] == ["optional", "optional", "essential"]


def test_postings_for_occupations(mini_store: Store) -> None:
    assert _ids(mini_store.postings_for_occupations([O + "cook"], CPH, DAY)) == ["p01"]
    assert _ids(mini_store.postings_for_occupations([O + "cook"], EVERYWHERE, DAY)) == ["p01", "p04", "p10"]
    assert _ids(mini_store.postings_for_occupations(
        [UNKNOWN_OCCUPATION, O + "softdev", O + "softdev"], CPH, DAY)) == ["p03", "p08"]
    assert mini_store.postings_for_occupations([], CPH, DAY) == []
    assert mini_store.postings_for_occupations([O + "nurse"], EVERYWHERE, DAY) == []
    assert mini_store.postings_for_occupations([O + "webdev"], CPH, DAY) == mini_store.postings_in(CPH, DAY)[-1:]


def test_requirements_of(mini_store: Store) -> None:
    got = mini_store.requirements_of(["p03", "nope", "p09", "p02"])
    assert got == {
        "p03": [ProfileSkill(S + "programming", "essential"), ProfileSkill(S + "python", "essential"),
                ProfileSkill(S + "python", "optional"), ProfileSkill(S + "sql", "optional")],
        "p09": [],
        "p02": [ProfileSkill(S + "cleankitchen", "essential"), ProfileSkill(S + "foodsafety", "essential"),
                ProfileSkill(S + "stubbed", "optional"), ProfileSkill(UNKNOWN_SKILL, "essential")],
    }
    assert list(got) == ["p03", "p09", "p02"]
