"""Hand-made CVs and postings over the mini ESCO fixture, each there to pin one behaviour.

The day everything is asked on is ``DAY`` (2026-03-01); ``CPH`` is a box around Copenhagen. What each
posting is for:

=====  =========================================================================================
p01    current, inside, cook; 3 essential + 2 optional requirements
p02    published on DAY itself, open-ended (no valid_through); requires a skill ESCO does not hold
p03    exactly on the box's south and east edges; published "" (always); valid_through == DAY;
       requires python twice (essential, then optional)
p04    current but in Aarhus (outside the box)
p05    expired the day before DAY
p06    published the day after DAY
p07    no location at all
p08    dates with a time part; occupation URI ESCO does not hold
p09    current, inside, no requirements
p10    latitude 95 (not a valid point: Neo4j keeps lat/lon but no location point)
=====  =========================================================================================
"""

from __future__ import annotations

from graph.records import (
    BBox,
    CvRecord,
    CvSkill,
    Evidence,
    PostingRecord,
    PostingRequirement,
    WorkedAs,
)
from ontology.model import RequirementKind

ESCO = "http://data.europa.eu/esco/"
S = ESCO + "skill/mini-"
O = ESCO + "occupation/mini-"
UNKNOWN_SKILL = "http://example.org/skill/unlisted-dishwashing"
UNKNOWN_OCCUPATION = "http://example.org/occupation/not-in-esco"
CV_UNKNOWN_SKILL = "http://example.org/skill/knife-work"

DAY = "2026-03-01"
CPH = BBox(south=55.6, west=12.4, north=55.8, east=12.7)
AARHUS = BBox(south=56.0, west=10.0, north=56.3, east=10.4)
EVERYWHERE = BBox(south=-100.0, west=-200.0, north=100.0, east=200.0)


def _req(skill: str, kind: RequirementKind = "essential", *evidence: Evidence) -> PostingRequirement:
    return PostingRequirement(skill if "://" in skill else S + skill, kind, tuple(evidence))


def _posting(pid: str, lat: float | None, lon: float | None, published: str, valid_through: str,
             occupation: str = "", reqs: tuple[PostingRequirement, ...] = (), title: str = "") -> PostingRecord:
    return PostingRecord(id=pid, source="hand-made", title=title or f"posting {pid}", employer="Kantine ApS",
                         postcode="2100", lat=lat, lon=lon, published=published, valid_through=valid_through,
                         occupation=occupation, occupation_score=0.75 if occupation else 0.0, lang="da",
                         url=f"https://jobs.example.org/{pid}", requirements=reqs)


def postings() -> list[PostingRecord]:
    ev = Evidence(section="description", start=10, end=22, text="fødevarehygiejne",
                  sentence="Du kender til fødevarehygiejne og HACCP.", label="food hygiene")
    return [
        _posting("p01", 55.676, 12.568, "2026-02-01", "2026-03-31", O + "cook",
                 (_req("dishes"), _req("meat"), _req("foodsafety", "essential", ev), _req("teamwork", "optional"),
                  _req("cleankitchen", "optional")), title="Kok til frokostkøkken"),
        _posting("p02", 55.70, 12.55, DAY, "", O + "kitchen",
                 (_req("cleankitchen"), _req("foodsafety"), _req("stubbed", "optional"), _req(UNKNOWN_SKILL))),
        _posting("p03", 55.6, 12.7, "", DAY, O + "softdev",
                 (_req("python"), _req("sql", "optional"), _req("python", "optional"), _req("programming"))),
        _posting("p04", 56.15, 10.21, "2026-01-01", "2026-12-31", O + "cook", (_req("dishes"),)),
        _posting("p05", 55.68, 12.57, "2026-01-01", "2026-02-28", O + "cook", (_req("teamwork"),)),
        _posting("p06", 55.68, 12.57, "2026-03-02", "2026-12-31", O + "cook", (_req("teamwork"),)),
        _posting("p07", None, None, "2026-01-01", "2026-12-31", O + "cook", (_req("teamwork"),)),
        _posting("p08", 55.7, 12.6, "2026-03-01T09:30:00", "2026-03-01T23:59:59", UNKNOWN_OCCUPATION,
                 (_req("teamwork", "optional"),)),
        _posting("p09", 55.71, 12.52, "2026-01-01", "2026-12-31", O + "webdev"),
        _posting("p10", 95.0, 12.5, "2026-01-01", "2026-12-31", O + "cook", (_req("teamwork"),)),
    ]


def cvs() -> list[CvRecord]:
    ev = Evidence(section="experience", start=0, end=8, text="teamwork", sentence="Godt til teamwork.",
                  label="teamwork")
    return [
        CvRecord(id="cv-a", municipality="0101", postcode="2100", lat=55.70, lon=12.56, max_km=20.0,
                 seeks=(O + "cook",), desired_titles=("kok",),
                 worked_as=(WorkedAs(O + "kitchen", "2019-01", "2021-06"), WorkedAs(O + "cook", "2021-07", "")),
                 skills=(CvSkill(S + "teamwork", "text", (ev,), "da"), CvSkill(S + "dishes", "declared"),
                         CvSkill(CV_UNKNOWN_SKILL, "text", (), "da")),
                 lang="da", updated="2026-02-01"),
        CvRecord(id="cv-b", municipality="0751", postcode="8000", lat=None, lon=None, max_km=0.0,
                 skills=(CvSkill(S + "python", "declared"), CvSkill(S + "sql", "occupation"))),
        CvRecord(id="cv-c", municipality="0101", postcode="2200", lat=55.69, lon=12.55, max_km=5.5,
                 desired_titles=("butiksassistent", "kassemedarbejder"), lang="da"),
    ]
