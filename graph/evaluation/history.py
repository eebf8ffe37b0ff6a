"""Replay each placement as of its hiring date and note where the hire sits in every strategy's list.

Each strategy is called exactly as the service calls it, with ``valid_on`` = the hiring date, so the
store's own validity filter decides which postings existed then: a posting published later or
closed earlier can never be suggested. Only the case's CV and date reach a strategy; grouping
columns are joined to the outcomes afterwards (:mod:`graph.evaluation.breakdown`) and never enter
this module.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from graph.evaluation.cases import Case, Rejection
from graph.matching.explain import MatchResult
from graph.matching.scoring import MatchSettings
from graph.records import OntologyVersion
from graph.store import Store
from ontology.errors import ValidationError

log = logging.getLogger(__name__)

StrategyFn = Callable[..., MatchResult]
# Progress is logged this often: a 10,000-case replay takes minutes.
_LOG_EVERY = 1000


@dataclass(frozen=True, slots=True)
class Listing:
    """One strategy's list for one case and the hire's place in it (1-based; 0 = not in the list)."""

    suggested: tuple[str, ...]
    posting_rank: int
    occupation_rank: int
    isco_rank: int


@dataclass(frozen=True)
class Outcome:
    """What the replay of one case found. ``posting_status`` says whether the posting metrics apply:
    ``open`` (the obtained posting was current on the hiring date), ``not_open``, ``no_location``,
    or "" when the hire names no posting."""

    case_id: str
    line: int
    hired_on: str
    posting_id: str
    posting_status: str
    occupation: str  # the hired ESCO occupation; "" if unknown
    isco_group: str
    outside_desired: bool | None  # None: no desired occupation recorded, or the occupation unknown
    outside_focus: bool | None  # outside desired, past and their ISCO unit groups
    alternatives: tuple[str, ...] | None  # occupations find_alternatives listed (outside-desired cases)
    ontology_of_then: str
    listings: dict[str, Listing] = field(default_factory=dict)

    @property
    def alternatives_hit(self) -> bool | None:
        return None if self.alternatives is None else self.occupation in self.alternatives


@dataclass
class Replay:
    outcomes: list[Outcome]
    rejections: list[Rejection]
    versions: dict[str, tuple[str, str]]  # strategy -> (algorithm version, settings hash)


def version_of_then(case: Case, history: Sequence[OntologyVersion]) -> str:
    """The ESCO version the case was coded in: its own record, else the store's version history
    (the last version loaded on or before the hiring date), else "" (not recorded)."""
    if case.ontology_version:
        return case.ontology_version
    then = [v for v in history if v.loaded_at[:10] <= case.hired_on]
    return max(then, key=lambda v: v.loaded_at).version if then else ""


def posting_status(store: Store, posting_id: str, day: str) -> str:
    rec = store.get_postings([posting_id]).get(posting_id)
    return "missing" if rec is None else rec.status_on(day)


def _is_occupation(store: Store, uri: str) -> bool:
    c = store.concepts([uri]).get(uri)
    return c is not None and c.kind == "Occupation"


def first_rank(values: Sequence[str], wanted: str) -> int:
    if not wanted:
        return 0
    for i, v in enumerate(values, start=1):
        if v == wanted:
            return i
    return 0


def replay(
    store: Store,
    cases: Sequence[Case],
    strategies: Mapping[str, StrategyFn],
    *,
    depth: int,
    alternatives: StrategyFn | None,
    settings: MatchSettings | None = None,
    ontology_version: str = "",
    history: Sequence[OntologyVersion] = (),
    file: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> Replay:
    """Replay ``cases`` against the postings in ``store`` with each strategy (top ``depth``).

    ``alternatives`` (``find_alternatives``) is asked for every case hired outside its desired
    occupations. A case the strategies refuse (ValidationError) is rejected with its line and field;
    a hired occupation the loaded taxonomy does not know is rejected at ``/hired/occupation``.
    """
    settings = settings or MatchSettings()
    isco: dict[str, str] = {}

    def isco_of(uris: Sequence[str]) -> list[str]:
        unknown = sorted({u for u in uris if u and u not in isco})
        if unknown:
            found = store.concepts(unknown)
            for u in unknown:
                c = found.get(u)
                isco[u] = c.isco_group if c is not None and c.kind == "Occupation" else ""
        return [isco.get(u, "") if u else "" for u in uris]

    outcomes: list[Outcome] = []
    rejections: list[Rejection] = []
    versions: dict[str, tuple[str, str]] = {}
    for n, case in enumerate(cases, start=1):
        if n % _LOG_EVERY == 0:
            log.info("replayed %d of %d cases", n, len(cases))
        if progress is not None:
            progress(n, len(cases))
        try:
            outcomes.append(_replay_case(store, case, strategies, depth, alternatives, settings, ontology_version,
                                         history, isco_of, versions))
        except ValidationError as e:
            # The matchers name CV fields bare ("radius_km", "postcode"); point them into the case line.
            inner = e.field or ""
            pointer = inner if inner.startswith("/") else f"/cv/{inner}" if inner else ""
            rejections.append(Rejection.of(file, case.line, ValidationError(e.detail, field=pointer)))
    return Replay(outcomes, rejections, versions)


def _replay_case(
    store: Store, case: Case, strategies: Mapping[str, StrategyFn], depth: int, alternatives: StrategyFn | None,
    settings: MatchSettings, ontology_version: str, history: Sequence[OntologyVersion],
    isco_of: Callable[[Sequence[str]], list[str]], versions: dict[str, tuple[str, str]],
) -> Outcome:
    day = case.hired_on
    status = posting_status(store, case.hire.posting_id, day) if case.hire.posting_id else ""
    occupation = case.hire.occupation
    if occupation and not _is_occupation(store, occupation):
        raise ValidationError(f"/hired/occupation: not an occupation of the loaded ESCO version "
                              f"{ontology_version or '(unnamed)'}", field="/hired/occupation")
    if not occupation and case.hire.posting_id:
        rec = store.get_postings([case.hire.posting_id]).get(case.hire.posting_id)
        occupation = rec.occupation if rec is not None else ""
        if occupation and not _is_occupation(store, occupation):
            occupation = ""  # the posting was coded in another taxonomy: its occupation is unknown here
    group = isco_of([occupation])[0] if occupation else ""

    listings: dict[str, Listing] = {}
    for name, fn in strategies.items():
        res = fn(store, case.cv, settings=settings, limit=depth, valid_on=day, ontology_version=ontology_version)
        versions.setdefault(name, (res.algorithm_version, res.settings_hash))
        ids = tuple(s.posting.id for s in res.suggestions)
        occs = [s.posting.occupation for s in res.suggestions]
        listings[name] = Listing(
            suggested=ids,
            posting_rank=first_rank(ids, case.hire.posting_id) if status == "open" else 0,
            occupation_rank=first_rank(occs, occupation),
            isco_rank=first_rank(isco_of(occs), group),
        )

    seeks, past = set(case.cv.seeks), {w.occupation for w in case.cv.worked_as}
    outside_desired = (occupation not in seeks) if seeks and occupation else None
    outside_focus = None
    alts: tuple[str, ...] | None = None
    if outside_desired:
        focus_groups = {g for g in isco_of(sorted(seeks | past)) if g}
        outside_focus = occupation not in past and group not in focus_groups
        if alternatives is not None:
            res = alternatives(store, case.cv, settings=settings, valid_on=day, ontology_version=ontology_version)
            versions.setdefault("alternatives", (res.algorithm_version, res.settings_hash))
            alts = tuple(a.occupation.uri for a in res.alternatives)
    elif outside_desired is False:
        outside_focus = False
    return Outcome(
        case_id=case.case_id, line=case.line, hired_on=day, posting_id=case.hire.posting_id,
        posting_status=status, occupation=occupation, isco_group=group, outside_desired=outside_desired,
        outside_focus=outside_focus, alternatives=alts, ontology_of_then=version_of_then(case, history),
        listings=listings,
    )
