"""Training groups: each placement replayed as of its hiring date, as the candidate list the graph offered.

A case informs the fit only if its hire was among the postings the graph strategy could list that day
(same radius, validity, candidate rule and minimum score): the model learns to *order* the graph's
candidates, it cannot add postings the graph never lists. Every skipped case is counted by reason.

A candidate list can run to thousands. All are kept up to ``keep``; beyond that the ``keep`` best by
the hand weights (the hard cases for a top-10 list) and a uniform sample of ``keep`` of the rest, each
sampled row carrying ``log(rest / sample)`` as an offset so that the softmax's denominator stays an
unbiased estimate of the one over every candidate (sampled softmax).
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from graph.learning.model import Group, RankingModel, employer_share, fit, model_of
from graph.learning.moves import MIN_CELL, count_moves
from graph.learning.rank import employer_experience
from graph.matching.match import candidate_frame, frame_of
from graph.matching.scoring import MatchSettings
from graph.matching.vocabulary import FEATURE_NAMES, LEARNED, PART, algorithm_version
from graph.records import CvRecord, PostingRecord
from graph.store import Store
from ontology.errors import ValidationError

# Candidates kept with certainty per case (by hand score), and sampled from the rest when there are more.
KEEP = 150

SKIP_NO_POSTING = "hire names no posting"
SKIP_NOT_OPEN = "hired posting not open on the hiring date, or not located"
SKIP_BAD_CV = "CV unusable (no location or radius out of range)"
SKIP_NO_CANDIDATES = "no candidate postings"
SKIP_NOT_CANDIDATE = "hired posting not among the graph's candidates"


@dataclass(frozen=True, slots=True)
class Choice:
    """One placement as training sees it: the CV as it was, the hiring date and the posting hired into."""

    cv: CvRecord
    hired_on: str
    posting_id: str
    occupation: str = ""  # the hired occupation when the case names it (else the posting's)


@dataclass
class TrainingSet:
    features: tuple[str, ...]
    groups: list[Group] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    first: str = ""  # hiring dates of the cases used
    last: str = ""
    rows: int = 0

    def describe(self) -> dict[str, Any]:
        return {"cases_used": len(self.groups), "cases_skipped": dict(sorted(self.skipped.items())),
                "first_hired_on": self.first, "last_hired_on": self.last, "candidate_rows": self.rows}


def employer_counts(posted: Mapping[str, PostingRecord], choices: Sequence[Choice]
                    ) -> tuple[dict[str, list[int]], dict[int, tuple[str, int]]]:
    """Per employer with at least :data:`MIN_CELL` hires, [hires, hires by citizens who had worked in the
    posting's occupation]; and per choice
    (by position) its hire's (employer, 1 if experienced) so training can leave it out of its own feature."""
    counts: dict[str, list[int]] = {}
    own: dict[int, tuple[str, int]] = {}
    for i, c in enumerate(choices):
        p = posted.get(c.posting_id)
        if p is None or not p.employer:
            continue
        experienced = int(bool(p.occupation) and p.occupation in {w.occupation for w in c.cv.worked_as})
        row = counts.setdefault(p.employer, [0, 0])
        row[0] += 1
        row[1] += experienced
        own[i] = (p.employer, experienced)
    # Employers with fewer hires than the minimum cell are left out (they get all employers' share): the
    # file must not tell that the one person hired at a small firm had experience.
    return {e: v for e, v in sorted(counts.items()) if v[0] >= MIN_CELL}, own


def training_set(
    store: Store, choices: Sequence[Choice], features: Sequence[str], *, settings: MatchSettings | None = None,
    keep: int = KEEP, seed: int = 7, progress: Callable[[int, int], None] | None = None,
    posted: Mapping[str, PostingRecord] | None = None, employers: dict[str, list[int]] | None = None,
    own: dict[int, tuple[str, int]] | None = None,
) -> TrainingSet:
    """The training groups of ``choices`` against the postings in ``store``; deterministic for ``seed``.
    ``posted`` is the hired postings (:func:`hired_postings`; read here when not given); ``employers`` and
    ``own`` (:func:`employer_counts`) give the employer feature, each case's own hire left out of the
    statistics it is fitted with."""
    settings = settings or MatchSettings()
    if posted is None:
        posted = hired_postings(store, choices)
    rng = np.random.default_rng(seed)
    out = TrainingSet(tuple(features))
    days: list[str] = []
    for n, c in enumerate(choices, start=1):
        if progress is not None:
            progress(n, len(choices))
        mine = (own or {}).get(n - 1)
        reason = _add(store, c, posted.get(c.posting_id), settings, out, keep, rng, employers or {}, mine)
        if reason:
            out.skipped[reason] += 1
        else:
            days.append(c.hired_on)
    if days:
        out.first, out.last = min(days), max(days)
    return out


def _add(store: Store, c: Choice, hired: PostingRecord | None, settings: MatchSettings, out: TrainingSet,
         keep: int, rng: np.random.Generator, employers: dict[str, list[int]], mine: tuple[str, int] | None) -> str:
    """Append the group of ``c`` (hired into ``hired``) to ``out``; returns why it was skipped, or ""."""
    if not c.posting_id:
        return SKIP_NO_POSTING
    if hired is None or hired.status_on(c.hired_on) != "open":
        return SKIP_NOT_OPEN
    try:
        f = frame_of(c.cv, settings, None, 1, c.hired_on)
    except ValidationError:
        return SKIP_BAD_CV
    cf = candidate_frame(store, c.cv, settings, f)
    if cf is None:
        return SKIP_NO_CANDIDATES
    at = bisect.bisect_left(cf.ids, c.posting_id)
    if at == len(cf.ids) or cf.ids[at] != c.posting_id or not cf.listed[at]:
        return SKIP_NOT_CANDIDATE
    eligible = np.flatnonzero(cf.listed)
    offset = np.zeros(len(eligible))
    if len(eligible) > 2 * keep:
        ranked = eligible[np.lexsort((eligible, -cf.hand_score[eligible]))]
        top, rest = ranked[:keep], ranked[keep:]
        if at not in set(top.tolist()):
            rest = rest[rest != at]
            top = np.append(top, at)
        sampled = rng.choice(rest, size=keep, replace=False)
        eligible = np.concatenate([top, sampled])
        offset = np.concatenate([np.zeros(len(top)), np.full(keep, np.log(len(rest) / keep))])
    columns = dict(cf.features)
    if PART.employer_experience in out.features:
        def share(employer: str) -> float:
            return employer_share(employers, employer, mine)
        columns[PART.employer_experience] = employer_experience(store, cf, share, eligible)
    x = np.column_stack([columns[name][eligible] for name in out.features])
    out.groups.append(Group(x, int(np.flatnonzero(eligible == at)[0]), offset))
    out.rows += len(eligible)
    return ""


def train(
    store: Store, choices: Sequence[Choice], *, settings: MatchSettings | None = None, seed: int = 7,
    provenance: dict[str, object] | None = None, progress: Callable[[int, int], None] | None = None,
) -> tuple[RankingModel, TrainingSet]:
    """Fit a model on ``choices`` (the caller has already cut them to the training period).

    ``provenance`` (inputs, their hash, the code version, the cut) is written into the model file.

    :raise ValidationError: if no case could be used.
    """
    settings = settings or MatchSettings()
    posted = hired_postings(store, choices)
    employers, own = employer_counts(posted, choices)
    ts = training_set(store, choices, FEATURE_NAMES, settings=settings, seed=seed, progress=progress,
                      posted=posted, employers=employers, own=own)
    result = fit(ts.groups, len(FEATURE_NAMES))
    moves = count_moves(_moves_of(store, posted, choices))
    trained = {**(provenance or {}), **ts.describe(), "algorithm_version": algorithm_version(LEARNED),
               "settings_hash": settings.settings_hash(), "seed": seed,
               "moves": {"from_groups": len(moves), "min_cell": MIN_CELL}}
    return model_of(result, FEATURE_NAMES, trained, moves, employers), ts


def hired_postings(store: Store, choices: Sequence[Choice]) -> dict[str, PostingRecord]:
    """The postings the choices were hired into, read once for every use in training."""
    return store.get_postings(sorted({c.posting_id for c in choices if c.posting_id}))


def _moves_of(store: Store, posted: Mapping[str, PostingRecord], choices: Sequence[Choice]
              ) -> list[tuple[set[str], str]]:
    """(focus unit groups, hired unit group) of every case whose hired occupation is known — those hired
    outside any posting too: they are moves all the same."""
    hired = [c.occupation or (posted[c.posting_id].occupation if c.posting_id in posted else "") for c in choices]
    focus = [set(c.cv.seeks) | {w.occupation for w in c.cv.worked_as} for c in choices]
    concepts = store.concepts({o for o in hired if o} | {o for f in focus for o in f})
    groups = {u: c.isco_group for u, c in concepts.items() if c.kind == "Occupation" and c.isco_group}
    return [({groups[o] for o in f if o in groups}, groups.get(h, "")) for f, h in zip(focus, hired, strict=True)]
