"""Generated hiring history from a documented hiring process that is *not* any strategy's formula.

:func:`generate_history` writes placements and a postings corpus for ``jobmatch sample placements``.
Unlike :func:`loaders.placements.generate_placements` (a posting written from the CV's own profile for
each hire, which flatters the graph strategy because it reads the same profiles), a hire here is a
*choice among the postings open on the hiring day* within the citizen's commute, by a random-utility
process (McFadden), with these parts:

==========================  ==========================================================================
part                        in the utility of posting j for citizen i
==========================  ==========================================================================
skills                      3·(share of j's essential requirements among i's *true* skills) +
                            1·(share of its optional ones). The CV the service reads is the true
                            skills with reading noise: each dropped with 25 %, plus 2 skills of
                            another occupation.
desired occupation          1.5 if j's occupation is one i seeks
employers' preferences      each employer values experience differently: u(0, 3) if i worked as j's
                            occupation (the employer's own draw)
commuting                   2·exp(−km / 6): a steep local decay, not the graph strategy's 15 km
posting age                 1·exp(−days since publication / 10): applications arrive early
hidden factor               a posting appeal ~ N(0, 0.5) no strategy sees, and Gumbel noise per pair
==========================  ==========================================================================

Citizens consider the open postings within their stated commute whose essential requirements they meet
at least a quarter of (by their true skills), or that are for an occupation they seek or held; 15 % of hires are outside any posting (networks, unsolicited
applications) and a citizen with nothing to consider is hired outside postings too. Every posting
carries its occupation code (the one it was written from), so "same occupation" is measurable for
every hire.

What it can show: whether a strategy, or a model fitted on the earlier period, recovers a hiring
process that weighs observable things (skills, occupation, distance, age) in proportions the hand
weights did not guess. What it cannot show: anything about real hiring — the proportions above are
made up, and real employers weigh things (references, interviews, wages) that no CV shows.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import numpy as np
from scipy import sparse

from graph.codec import cv_to_dict
from graph.matching.match import haversine_np
from graph.records import CvRecord, CvSkill, PostingRecord
from loaders.placements import (
    HIRING_DAYS,
    LEAD_DAYS,
    MAX_OPEN_DAYS,
    MIN_OPEN_DAYS,
    NO_POSTING_SHARE,
    GeneratedPlacements,
    _population_band,
)
from loaders.synthetic import Generator

W_ESSENTIAL, W_OPTIONAL, W_DESIRED, MAX_EXPERIENCE = 3.0, 1.0, 1.5, 3.0
W_COMMUTE, COMMUTE_KM, W_FRESH, FRESH_DAYS = 2.0, 6.0, 1.0, 10.0
APPEAL_SD = 0.5
# A citizen applies where they meet a quarter of the essential requirements, or for an occupation they
# seek or held: nobody applies to be a cook because both CV and posting say "teamwork".
CONSIDER_SHARE = 0.25
READ_DROP, READ_EXTRA = 0.25, 2
HIRING_PROCESS = {
    "utility": {"essential_share": W_ESSENTIAL, "optional_share": W_OPTIONAL, "desired_occupation": W_DESIRED,
                "experience_by_employer": f"uniform(0, {MAX_EXPERIENCE})",
                "commute": f"{W_COMMUTE}*exp(-km/{COMMUTE_KM})", "posting_age": f"{W_FRESH}*exp(-days/{FRESH_DAYS})",
                "posting_appeal": f"normal(0, {APPEAL_SD})", "noise": "gumbel(0, 1)"},
    "considered": f"essential share >= {CONSIDER_SHARE}, or a desired or past occupation, within the commute",
    "reading_noise": {"drop": READ_DROP, "extra_skills": READ_EXTRA},
    "outside_postings": NO_POSTING_SHARE,
}


def _day(d: date) -> int:
    return (d - date(1970, 1, 1)).days


class _Corpus:
    """The postings as arrays: where, when, for what, by whom, and their requirements as sparse rows."""

    def __init__(self, postings: list[PostingRecord], skill_index: dict[str, int], rng: np.random.Generator) -> None:
        self.postings = postings
        self.lat = np.array([p.lat for p in postings], dtype=np.float64)
        self.lon = np.array([p.lon for p in postings], dtype=np.float64)
        self.published = np.array([_day(date.fromisoformat(p.published)) for p in postings])
        self.valid = np.array([_day(date.fromisoformat(p.valid_through)) for p in postings])
        self.occupation = [p.occupation for p in postings]
        employers = sorted({p.employer for p in postings})
        experience = {e: float(v) for e, v in zip(employers, rng.uniform(0, MAX_EXPERIENCE, len(employers)),
                                                   strict=True)}
        self.experience = np.array([experience[p.employer] for p in postings])
        self.appeal = rng.normal(0.0, APPEAL_SD, len(postings))
        self.ess = self._matrix(postings, skill_index, "essential")
        self.opt = self._matrix(postings, skill_index, "optional")
        n_ess = np.asarray(self.ess.sum(axis=1)).ravel()
        n_opt = np.asarray(self.opt.sum(axis=1)).ravel()
        self.n_ess, self.n_opt = np.maximum(n_ess, 1), np.maximum(n_opt, 1)

    @staticmethod
    def _matrix(postings: list[PostingRecord], skill_index: dict[str, int], kind: str) -> sparse.csr_matrix:
        rows, cols = [], []
        for i, p in enumerate(postings):
            for r in p.requirements:
                if r.kind == kind:
                    rows.append(i)
                    cols.append(skill_index[r.skill])
        return sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(postings), len(skill_index)))


def _read_with_noise(gen: Generator, cv: CvRecord) -> CvRecord:
    """What the service reads of a CV: some true skills missed, a few of another occupation added."""
    rng = gen.rng
    kept = [s for s in cv.skills if rng.random() >= READ_DROP] or list(cv.skills[:1])
    other = gen.pick_profile()
    extra = [CvSkill(s.uri, "text", (), cv.lang) for s in rng.sample(other.essential, min(READ_EXTRA,
                                                                                       len(other.essential)))]
    have = {s.skill for s in kept}
    return replace(cv, skills=tuple(kept + [s for s in extra if s.skill not in have]))


def generate_history(gen: Generator, *, cases: int, postings: int, start: date) -> GeneratedPlacements:
    """``cases`` placements hired from ``start`` over a year by the process in the module docstring, and
    ``postings`` postings open around those dates. Deterministic for the generator's seed."""
    rng = gen.rng
    nrng = np.random.default_rng(rng.randrange(2**32))
    first = start - timedelta(days=LEAD_DAYS)
    corpus_list: list[PostingRecord] = []
    for j in range(postings):
        prof = gen.pick_profile()
        rec, _ = gen.posting(j, prof)
        published = first + timedelta(days=rng.randrange(HIRING_DAYS + LEAD_DAYS))
        valid = published + timedelta(days=rng.randint(MIN_OPEN_DAYS, MAX_OPEN_DAYS))
        corpus_list.append(replace(rec, id=f"post-{j:06d}", occupation=prof.occupation.uri, occupation_score=1.0,
                                   published=published.isoformat(), valid_through=valid.isoformat()))
    skill_index: dict[str, int] = {}
    for p in corpus_list:
        for r in p.requirements:
            skill_index.setdefault(r.skill, len(skill_index))
    corpus = _Corpus(corpus_list, skill_index, nrng)

    out = GeneratedPlacements(postings=corpus_list)
    for i in range(cases):
        prof = gen.pick_citizen_profile()
        true_cv, _doc = gen.cv(i, prof)
        hired_on = start + timedelta(days=rng.randrange(HIRING_DAYS))
        cv = replace(_read_with_noise(gen, true_cv), updated=(hired_on - timedelta(days=rng.randint(7, 90))).isoformat())
        hired, kind = _choose(gen, corpus, true_cv, cv, hired_on, skill_index, nrng)
        out.cases.append({"case_id": f"case-{i:06d}", "cv": cv_to_dict(cv), "hired": hired,
                          "hired_on": hired_on.isoformat(), "ontology_version": gen.tax.version})
        out.groups.append({"case_id": f"case-{i:06d}", "hire": kind,
                           "posted": "yes" if "posting_id" in hired else "no",
                           "cv_language": cv.lang or "unknown", "desired_stated": "yes" if cv.seeks else "no",
                           "home_area": _population_band(gen, cv.municipality)})
    return out


def _choose(gen: Generator, corpus: _Corpus, true_cv: CvRecord, cv: CvRecord, hired_on: date,
            skill_index: dict[str, int], nrng: np.random.Generator) -> tuple[dict[str, Any], str]:
    """The hire of one citizen: a posting by the utility above, or an occupation outside postings."""
    own = true_cv.seeks[0] if true_cv.seeks else (true_cv.worked_as[0].occupation if true_cv.worked_as else "")
    if gen.rng.random() < NO_POSTING_SHARE:
        return {"occupation": own or gen.pick_profile().occupation.uri, "postcode": cv.postcode}, "outside postings"
    day = _day(hired_on)
    assert cv.lat is not None and cv.lon is not None  # the generator locates every CV
    km = haversine_np(cv.lat, cv.lon, corpus.lat, corpus.lon)
    seeks, past = set(true_cv.seeks), {w.occupation for w in true_cv.worked_as}
    truth = np.zeros(len(skill_index))
    for s in true_cv.skills:
        if s.skill in skill_index:
            truth[skill_index[s.skill]] = 1.0
    open_near = np.flatnonzero((corpus.published <= day) & (corpus.valid >= day) & (km <= (cv.max_km or 25.0)))
    ess = corpus.ess[open_near] @ truth
    opt = corpus.opt[open_near] @ truth
    occ = [corpus.occupation[j] for j in open_near.tolist()]
    desired = np.array([o in seeks for o in occ], dtype=np.float64)
    worked = np.array([o in past for o in occ], dtype=np.float64)
    ess_share = ess / corpus.n_ess[open_near]
    considered = (ess_share >= CONSIDER_SHARE) | (desired > 0) | (worked > 0)
    if not considered.any():
        return {"occupation": own or gen.pick_profile().occupation.uri, "postcode": cv.postcode}, "outside postings"
    utility = (W_ESSENTIAL * ess_share + W_OPTIONAL * opt / corpus.n_opt[open_near]
               + W_DESIRED * desired + corpus.experience[open_near] * worked
               + W_COMMUTE * np.exp(-km[open_near] / COMMUTE_KM)
               + W_FRESH * np.exp(-(day - corpus.published[open_near]) / FRESH_DAYS)
               + corpus.appeal[open_near] + nrng.gumbel(0.0, 1.0, len(open_near)))
    utility[~considered] = -np.inf
    j = int(open_near[int(np.argmax(utility))])
    hired_occ = corpus.occupation[j]
    kind = ("desired occupation" if hired_occ in seeks else "own occupation" if hired_occ in past | {own}
            else "other occupation")
    return {"posting_id": corpus.postings[j].id}, kind
