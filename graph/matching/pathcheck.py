"""Check explanation paths against the store: does every step name an edge the graph holds?

Used by the tests and available to ethics review: a suggestion whose path has a step the store cannot
confirm is an explanation that no longer (or never) held.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from graph.matching.explain import PathStep
from graph.store import Store

CV_PREFIX = "cv:"
POSTING_PREFIX = "posting:"


def unsupported_steps(store: Store, steps: Iterable[PathStep]) -> list[PathStep]:
    """The steps the store does not hold, in the order given (empty when every step exists)."""
    steps = list(steps)
    cv_ids = {s.source.removeprefix(CV_PREFIX) for s in steps if s.source.startswith(CV_PREFIX)}
    posting_ids = {s.source.removeprefix(POSTING_PREFIX) for s in steps if s.source.startswith(POSTING_PREFIX)}
    cvs = store.get_cvs(cv_ids)
    postings = store.get_postings(posting_ids)
    requires = {s.source for s in steps if s.relation.startswith("REQUIRES:")}
    profiles = store.occupation_profiles(requires)
    parents: dict[str, set[str]] = defaultdict(set)
    for child in {s.source for s in steps if s.relation == "BROADER"}:
        parents[child] = {r.other for r in store.concept_relations(child) if r.relation == "BROADER"}

    def holds(s: PathStep) -> bool:
        rel, _, kind = s.relation.partition(":")
        if rel in ("HAS_SKILL", "SEEKS", "WORKED_AS"):
            cv = cvs.get(s.source.removeprefix(CV_PREFIX))
            if cv is None:
                return False
            if rel == "HAS_SKILL":
                return any(k.skill == s.target for k in cv.skills)
            if rel == "SEEKS":
                return s.target in cv.seeks
            return any(w.occupation == s.target for w in cv.worked_as)
        if rel in ("REQUIRES_SKILL", "FOR_OCCUPATION"):
            p = postings.get(s.source.removeprefix(POSTING_PREFIX))
            if p is None:
                return False
            if rel == "FOR_OCCUPATION":
                return p.occupation == s.target
            return any(r.skill == s.target and r.kind == kind for r in p.requirements)
        if rel == "REQUIRES":
            return any(p.skill == s.target and p.kind == kind for p in profiles.get(s.source, ()))
        if rel == "BROADER":
            return s.target in parents.get(s.source, set())
        return False

    return [s for s in steps if not holds(s)]
