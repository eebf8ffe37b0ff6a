"""Hand-made CVs and postings over the mini ESCO fixture, shared by the matching and conformance tests."""

from __future__ import annotations

from graph.records import CvRecord, CvSkill, Evidence, PostingRecord, PostingRequirement, WorkedAs

E = "http://data.europa.eu/esco/"


def S(name: str) -> str:
    return f"{E}skill/mini-{name}"


def O(name: str) -> str:
    return f"{E}occupation/mini-{name}"


# Copenhagen (2100 Ø), Frederiksberg, Roskilde (~30 km), Aarhus (~155 km)
KBH = (55.7072, 12.572)
FRB = (55.6786, 12.5323)
ROSKILDE = (55.6415, 12.0803)
AARHUS = (56.1567, 10.2108)


def ev(text: str, section: str = "profile") -> Evidence:
    sentence = f"I have experience with {text}."
    return Evidence(section=section, start=23, end=23 + len(text), text=text, sentence=sentence, label=text)


def cv(cv_id: str, skills: list[str], *, seeks: tuple[str, ...] = (), worked: tuple[str, ...] = (),
       titles: tuple[str, ...] = (), at: tuple[float, float] = KBH, max_km: float = 20.0) -> CvRecord:
    return CvRecord(
        id=cv_id, municipality="0101", postcode="2100", lat=at[0], lon=at[1], max_km=max_km,
        seeks=seeks, desired_titles=titles, worked_as=tuple(WorkedAs(o) for o in worked),
        skills=tuple(CvSkill(S(s), "text", (ev(s),), "en") for s in skills),
    )


def posting(pid: str, title: str, occupation: str, essential: list[str], optional: list[str] = (),  # type: ignore[assignment]
            *, at: tuple[float, float] = FRB, published: str = "2026-11-01", valid_through: str = "2026-12-31"
            ) -> PostingRecord:
    reqs = tuple(PostingRequirement(S(s), "essential") for s in essential) + tuple(
        PostingRequirement(S(s), "optional") for s in optional)
    return PostingRecord(id=pid, source="test", title=title, employer="Employer " + pid, postcode="2000",
                         lat=at[0], lon=at[1], published=published, valid_through=valid_through,
                         occupation=O(occupation) if occupation else "", lang="en", requirements=reqs)


POSTINGS = [
    posting("p-cook-1", "Cook for busy restaurant", "cook", ["dishes", "meat", "foodsafety"], ["teamwork"]),
    posting("p-cook-far", "Cook in Aarhus", "cook", ["dishes", "meat", "foodsafety"], at=AARHUS),
    posting("p-cook-old", "Cook (expired)", "cook", ["dishes", "meat"], valid_through="2026-10-01"),
    posting("p-kitchen", "Kitchen porter", "kitchen", ["cleankitchen", "foodsafety"], ["teamwork"], at=KBH),
    posting("p-dev-py", "Python developer", "softdev", ["python", "sql", "teamwork"], ["javascript"]),
    posting("p-dev-prog", "Software developer", "softdev", ["programming", "sql"], ["teamwork"], at=KBH),
    posting("p-web", "Frontend developer", "webdev", ["javascript", "webdesign"], ["initiative"]),
    posting("p-shop", "Sales assistant", "shop", ["customers", "till", "display"], ["danish"], at=ROSKILDE),
    posting("p-warehouse", "Warehouse worker", "warehouse", ["stock", "pick"], ["forklift", "teamwork"]),
    posting("p-nurse", "Nurse", "nurse", ["nursing", "medication", "hcHygiene", "teamwork"]),
    posting("p-bus", "Bus driver", "bus", ["drivebus", "traffic"], ["customers"], at=KBH),
    posting("p-unskilled", "Helper wanted", "", []),
]
TODAY = "2026-11-21"
