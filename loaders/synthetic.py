"""A realistic data generator: postings, CVs and placements built from ESCO occupation profiles.

Postings and CVs are written from an occupation's profile (most of its essential skills, some
optional ones, a few personal competences) with Danish or English text around the skill labels,
located at postcodes weighted by municipality population. The truth is known (each document's
source occupation), so matching quality can be measured; the generator also makes the service
exercisable at scale (100,000 postings and CVs).

Two outputs: *documents* in the service's JSON input formats (to exercise extraction and ingestion)
and *records* with the skills already linked (to load 100k items without running extraction).
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from graph.matching.geo import Gazetteer
from graph.records import CvRecord, CvSkill, Evidence, PostingRecord, PostingRequirement, WorkedAs
from ontology.model import Concept, Taxonomy

# Occupations with fewer essential skills than this make poor test truth (too easy to cover).
MIN_ESSENTIALS = 5
# Share of citizens who state their occupation as desired (the rest give a free job title).
SEEKS_SHARE = 0.8
# Labour markets concentrate: postings and CVs are drawn from this many occupations, Zipf-weighted
# (exponent below), so a sample of a few thousand postings has several per occupation.
POPULAR_OCCUPATIONS = 400
ZIPF_EXPONENT = 0.8
# Share of postings that carry the portal's ESCO occupation code (Jobnet ads carry an occupation).
POSTING_OCCUPATION_SHARE = 0.9

_DA_POSTING = [
    "Vi søger en {title} til vores team.",
    "Du skal kunne {skill}.",
    "Det er et krav, at du har erfaring med {skill}.",
    "Du har kendskab til {skill}.",
    "Erfaring med {skill} er en fordel.",
    "Det er gerne set, at du kan {skill}.",
]
_EN_POSTING = [
    "We are looking for a {title} to join our team.",
    "You must be able to {skill}.",
    "Experience with {skill} is required.",
    "You have knowledge of {skill}.",
    "Experience with {skill} is nice to have.",
    "It is a plus if you can {skill}.",
]
_DA_CV = [
    "Jeg har erfaring med at {skill}.",
    "I mit tidligere job skulle jeg {skill}.",
    "Jeg er god til {skill}.",
    "Jeg har arbejdet med {skill} i flere år.",
]
_EN_CV = [
    "I have experience in {skill}.",
    "In my previous job I had to {skill}.",
    "I am good at {skill}.",
    "I have worked with {skill} for several years.",
]
_BOILERPLATE = {
    "da": "Vi tilbyder en spændende arbejdsplads med gode kolleger. Alle uanset køn, alder og etnicitet "
          "opfordres til at søge.",
    "en": "We offer an exciting workplace with great colleagues. We welcome applicants regardless of gender, "
          "age or ethnicity.",
}
# Employers a posting of each ISCO major group plausibly comes from (public, private, by sector).
_EMPLOYERS_BY_GROUP = {
    "1": ["Københavns Kommune", "Novo Nordisk", "Danske Bank", "Maersk", "Region Hovedstaden"],
    "2": ["Finansministeriet", "Københavns Universitet", "Rigshospitalet", "Novo Nordisk", "Deloitte",
          "Kammeradvokaten", "Region Hovedstaden", "Københavns Kommune", "Netcompany", "Rambøll"],
    "3": ["Rigshospitalet", "Novozymes", "Danske Bank", "Kommunen", "DSB", "Ørsted"],
    "4": ["Københavns Kommune", "SKAT", "Tryg", "Nordea", "Region Hovedstaden"],
    "5": ["Salling Group", "Coop", "Rema 1000", "ISS", "Kommunens hjemmepleje", "Falck"],
    "6": ["DLG", "Danish Crown", "HedeDanmark"],
    "7": ["NCC", "MT Højgaard", "Bravida", "Vestas", "Carlsberg"],
    "8": ["Arriva", "Movia", "DSV", "PostNord", "Carlsberg"],
    "9": ["ISS", "Coop", "PostNord", "Kommunen", "Salling Group"],
}
_EMPLOYERS = sorted({e for group in _EMPLOYERS_BY_GROUP.values() for e in group})
# The pilot's first target group is newly unemployed academics (ISCO major group 2): this share of the
# sample's citizens come from it, the rest from the whole labour market (skilled workers and others).
ACADEMIC_SHARE = 0.6


@dataclass(frozen=True)
class Profile:
    occupation: Concept
    essential: tuple[Concept, ...]
    optional: tuple[Concept, ...]


def profiles_of(tax: Taxonomy) -> list[Profile]:
    """Occupation profiles with enough essential skills, by occupation URI."""
    ess: dict[str, list[Concept]] = {}
    opt: dict[str, list[Concept]] = {}
    for r in tax.occupation_skills:
        skill = tax.concepts.get(r.skill)
        if skill is not None:
            (ess if r.kind == "essential" else opt).setdefault(r.occupation, []).append(skill)
    out = []
    for uri in sorted(ess):
        occ = tax.concepts.get(uri)
        if occ is not None and len(ess[uri]) >= MIN_ESSENTIALS:
            out.append(Profile(occ, tuple(sorted(ess[uri], key=lambda c: c.uri)),
                               tuple(sorted(opt.get(uri, []), key=lambda c: c.uri))))
    return out


def transversal_skills(tax: Taxonomy) -> list[Concept]:
    members = {m.concept for m in tax.collections if m.collection == "transversal"}
    return sorted((c for c in tax.concepts.values() if c.kind == "Skill" and c.uri in members),
                  key=lambda c: c.uri)


class Generator:
    """Deterministic for a given seed, taxonomy and gazetteer."""

    def __init__(self, tax: Taxonomy, gazetteer: Gazetteer, *, seed: int = 7, as_of: date | None = None) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - reproducible test data, not security
        self.profiles = profiles_of(tax)
        if not self.profiles:
            raise ValueError("the taxonomy has no occupation with enough essential skills to generate from")
        self.transversal = transversal_skills(tax)
        popular = self.rng.sample(self.profiles, min(POPULAR_OCCUPATIONS, len(self.profiles)))
        self.popular = popular
        self.popular_weights = [1.0 / (rank + 1) ** ZIPF_EXPONENT for rank in range(len(popular))]
        self.academic = [(p, w) for p, w in zip(popular, self.popular_weights, strict=True)
                         if p.occupation.isco_group.startswith("2")]
        self.as_of = as_of or date.today()
        self.tax = tax
        # Postcodes weighted by their municipality's population, shared among its postcodes.
        per_muni: dict[str, list[str]] = {}
        for p in gazetteer.places.values():
            per_muni.setdefault(p.municipality_code, []).append(p.postcode)
        self.per_municipality = {m: sorted(codes) for m, codes in per_muni.items()}
        self.postcodes: list[str] = []
        self.weights: list[float] = []
        for muni, codes in sorted(per_muni.items()):
            pop = gazetteer.municipalities.get(muni, ("", 10_000))[1] or 10_000
            for code in sorted(codes):
                self.postcodes.append(code)
                self.weights.append(pop / len(codes))
        self.gazetteer = gazetteer

    # -- helpers ---------------------------------------------------------------------------------
    def _place(self, municipality: str | None = None) -> tuple[str, float, float, str]:
        """A postcode weighted by population — inside ``municipality`` when given (a job centre's citizens
        live in its municipality: the sample placed them anywhere in Denmark before)."""
        codes = self.per_municipality.get(municipality or "")
        code = self.rng.choice(codes) if codes else self.rng.choices(self.postcodes, self.weights)[0]
        p = self.gazetteer.places[code]
        return code, p.lat, p.lon, p.municipality_code

    def _title(self, occ: Concept, lang: str) -> str:
        ls = occ.labels.get(lang) or occ.labels.get("en")
        if ls is None:
            return occ.uri
        options = [ls.preferred, *ls.alt[:3]]
        return self.rng.choice([o for o in options if o])

    @staticmethod
    def _skill_text(skill: Concept) -> str:
        return skill.label("en")

    def pick_profile(self) -> Profile:
        return self.rng.choices(self.popular, self.popular_weights)[0]

    def pick_citizen_profile(self) -> Profile:
        """A citizen of the pilot's target group (an academic) most of the time, else anyone."""
        if self.academic and self.rng.random() < ACADEMIC_SHARE:
            return self.rng.choices([p for p, _ in self.academic], [w for _, w in self.academic])[0]
        return self.pick_profile()

    def _employer(self, occ: Concept) -> str:
        return self.rng.choice(_EMPLOYERS_BY_GROUP.get(occ.isco_group[:1], _EMPLOYERS))

    # -- postings --------------------------------------------------------------------------------
    def posting(self, index: int, profile: Profile | None = None) -> tuple[PostingRecord, dict[str, Any]]:
        """One posting as a record and as a JSON document in the service's posting format."""
        rng = self.rng
        prof = profile or self.pick_profile()
        lang = "da" if rng.random() < 0.7 else "en"
        n_ess = min(len(prof.essential), rng.randint(4, 8))
        essential = rng.sample(prof.essential, n_ess)
        optional = rng.sample(prof.optional, min(len(prof.optional), rng.randint(0, 3)))
        personal = rng.sample(self.transversal, min(len(self.transversal), rng.randint(0, 2)))
        title = self._title(prof.occupation, lang)
        templates = _DA_POSTING if lang == "da" else _EN_POSTING
        sentences = [templates[0].format(title=title)]
        reqs = []
        for s in essential + personal:
            sentences.append(rng.choice(templates[1:4]).format(skill=self._skill_text(s)))
            reqs.append(PostingRequirement(s.uri, "essential"))
        for s in optional:
            sentences.append(rng.choice(templates[4:6]).format(skill=self._skill_text(s)))
            reqs.append(PostingRequirement(s.uri, "optional"))
        text = " ".join(sentences) + " " + _BOILERPLATE[lang]
        code, lat, lon, _muni = self._place()
        published = self.as_of - timedelta(days=rng.randint(0, 60))
        valid = published + timedelta(days=rng.randint(14, 60))
        pid = f"gen-{index:06d}"
        occupation = prof.occupation.uri if rng.random() < POSTING_OCCUPATION_SHARE else ""
        employer = self._employer(prof.occupation)
        rec = PostingRecord(
            id=pid, source="generator", title=title, employer=employer, postcode=code, lat=lat, lon=lon,
            published=published.isoformat(), valid_through=valid.isoformat(), occupation=occupation,
            occupation_score=1.0 if occupation else 0.0, lang=lang,
            requirements=tuple({r.skill: r for r in reqs}.values()),
        )
        doc = {
            "id": pid, "source": "generator", "title": title, "text": text, "employer": employer,
            "location": {"postcode": code}, "published": rec.published, "valid_through": rec.valid_through,
            **({"occupation": occupation} if occupation else {}),
            "_truth": {"occupation": prof.occupation.uri},
        }
        return rec, doc

    def postings(self, n: int) -> Iterator[tuple[PostingRecord, dict[str, Any]]]:
        for i in range(n):
            yield self.posting(i)

    # -- CVs ---------------------------------------------------------------------------------------
    def cv(self, index: int, profile: Profile | None = None, municipality: str | None = None
           ) -> tuple[CvRecord, dict[str, Any]]:
        """One CV as a record (pseudonym = the generated id) and as a JSON document."""
        rng = self.rng
        prof = profile or self.pick_citizen_profile()
        lang = "da"  # the pilot's citizens write in Danish
        k = max(3, int(len(prof.essential) * rng.uniform(0.5, 0.9)))
        skills = rng.sample(prof.essential, min(k, len(prof.essential)))
        skills += rng.sample(prof.optional, min(len(prof.optional), rng.randint(0, 3)))
        skills += rng.sample(self.transversal, min(len(self.transversal), rng.randint(1, 3)))
        templates = _DA_CV if lang == "da" else _EN_CV
        cv_skills = []
        sentences = []
        offset = 0
        for s in {c.uri: c for c in skills}.values():
            label = self._skill_text(s)
            sentence = rng.choice(templates).format(skill=label)
            start = offset + sentence.index(label)
            ev = Evidence(section="competences", start=start, end=start + len(label), text=label,
                          sentence=sentence, label=label)
            cv_skills.append(CvSkill(s.uri, "text", (ev,), lang))
            sentences.append(sentence)
            offset += len(sentence) + 1
        code, lat, lon, muni = self._place(municipality)
        seeks = (prof.occupation.uri,) if rng.random() < SEEKS_SHARE else ()
        title = self._title(prof.occupation, lang)
        cid = f"cv-{index:06d}"
        rec = CvRecord(
            id=cid, municipality=municipality or muni, postcode=code, lat=lat, lon=lon,
            max_km=float(rng.choice([10, 15, 20, 25, 30, 40])), seeks=seeks,
            desired_titles=() if seeks else (title,),
            worked_as=(WorkedAs(prof.occupation.uri),) if rng.random() < 0.5 else (),
            skills=tuple(cv_skills), lang=lang, updated=self.as_of.isoformat(),
        )
        doc = {
            "id": cid, "municipality": rec.municipality, "postcode": code, "max_km": rec.max_km,
            "desired_occupations": list(seeks) or [title],
            "competences": " ".join(sentences),
            "experience": [{"title": title, "start": "2019-01", "end": "2024-06",
                            "text": sentences[0] if sentences else ""}] if rec.worked_as else [],
            "_truth": {"occupation": prof.occupation.uri},
        }
        return rec, doc

    def cvs(self, n: int, municipalities: Sequence[str] | None = None) -> Iterator[tuple[CvRecord, dict[str, Any]]]:
        for i in range(n):
            muni = municipalities[i % len(municipalities)] if municipalities else None
            yield self.cv(i, municipality=muni)
