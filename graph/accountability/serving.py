"""The one use case that serves a recommendation list: trial arm → compute → crowding guard → audit record.

The API, the CLI and the nightly batch all go through :class:`ListServer`, built by the one
composition root (:mod:`api.wiring`) from the same :class:`ServingPolicy`, and :mod:`.replay`
recomputes a record through :func:`compute` with the recorded inputs — so what is served, what is
recorded and what is replayed cannot drift apart.

A list is served in three steps, so the batch can run the middle one in parallel:

1. :meth:`ListServer.plan` — the citizen's trial arm (a write: assigned on first sight), what the arm
   allows (control: automatch instead of graph matches, no alternatives), and the limit;
2. :func:`compute` — pure matching on a store (any process, any thread);
3. :meth:`ListServer.settle` — the crowding guard (a read and a write of exposures) and the audit
   draft with the policy's metadata; :meth:`ListServer.record` appends drafts to the chain.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from typing import Any, Literal

from graph.accountability.audit import Actor, append_drafts, draft_of
from graph.accountability.group_append import GroupAppend
from graph.accountability.trial import (
    CONTROL,
    TREATMENT,
    TrialConfig,
    arm_for,
    assign,
    crowding_filter,
    iso_week,
)
from graph.codec import cv_to_dict
from graph.learning.model import RankingModel
from graph.learning.rank import learned_match
from graph.ledger import AuditRecord, Ledger
from graph.matching.alternatives import find_alternatives
from graph.matching.automatch import automatch
from graph.matching.explain import MatchResult, result_json
from graph.matching.match import empty_result, match_postings
from graph.matching.scoring import MatchSettings
from graph.matching.similarity import OccupationVectors, VectorShelf
from graph.matching.vocabulary import (
    ALTERNATIVES,
    AUTOMATCH,
    DISTANCE_SORT,
    GRAPH,
    LEARNED,
    NEWEST_SORT,
    REQUEST_STRATEGIES,
    SCORE_SORT,
    SORT_NAMES,
)
from graph.records import CvRecord
from graph.store import Store
from ontology.errors import ValidationError

Kind = Literal["matches", "alternatives"]
KINDS: tuple[Kind, ...] = ("matches", "alternatives")
CONTROL_NOTE = "control group in the trial: no graph recommendations (business as usual: automatch)"
# The strategies that are the trial's treatment: a control citizen gets automatch instead of either.
RECOMMENDING = frozenset({GRAPH, LEARNED})


@dataclass(frozen=True, slots=True)
class ServeRequest:
    kind: Kind = "matches"
    strategy: str = GRAPH
    radius_km: float | None = None
    limit: int | None = None
    valid_on: str | None = None
    lang: str = "da"
    # Steering by the consultant (matches): an ISCO group prefix the posting's occupation must have, the
    # posting's greatest age in days, and the order (graph.matching.vocabulary.SORTS).
    isco: str | None = None
    max_age_days: int | None = None
    sort: str = SCORE_SORT


@dataclass(frozen=True)
class ServingPolicy:
    """What governs every served list, whoever asks: built once by the composition root from settings."""

    settings: MatchSettings = field(default_factory=MatchSettings)
    trial: TrialConfig | None = None
    crowding_cap: int | None = None
    local_additions_version: str = ""
    reading_model: str = ""  # how CVs are read now (JOBMATCH_READING_MODEL)
    ranking_model: RankingModel | None = None  # the learned strategy's weights (JOBMATCH_RANKING_MODEL)
    vectors: VectorShelf | None = None  # the reading model's occupation vectors (alternatives)

    def vectors_for(self, ontology_version: str) -> OccupationVectors | None:
        return self.vectors.current(ontology_version) if self.vectors is not None else None


@dataclass(frozen=True)
class Plan:
    """One list to compute: the request as asked and as the citizen's arm allows it."""

    cv: CvRecord
    actor: Actor  # as filed: with the citizen's municipality when the asker has none (admin, CLI, batch)
    request: ServeRequest
    effective: ServeRequest  # limit resolved; strategy as the arm allows
    arm: str | None
    notes: tuple[str, ...]
    day: date
    ontology_version: str
    guard: bool  # the crowding guard applies (treatment arm, graph matches, a cap configured)
    snapshot: bool = True  # the record carries the CV as it was (the batch leaves it out: 100k a night)


@dataclass(frozen=True)
class Served:
    result: MatchResult
    record: AuditRecord
    arm: str | None
    held_back: tuple[str, ...]
    data: dict[str, Any] = field(default_factory=dict)  # result_json(result), as the record holds it


def effective_limit(request: ServeRequest, settings: MatchSettings) -> int:
    if request.limit is not None:
        return request.limit
    return settings.alt_default_limit if request.kind == "alternatives" else settings.default_limit


def active_ontology_version(store: Store) -> str:
    active = [v.version for v in store.ontology_versions() if v.active]
    return active[0] if active else ""


def check_strategy(strategy: str, model: RankingModel | None) -> None:
    """:raise ValidationError: (field ``strategy``) for an unknown strategy, or ``learned`` with no model."""
    if strategy not in REQUEST_STRATEGIES:
        raise ValidationError(f"strategy must be one of {', '.join(REQUEST_STRATEGIES)}", field="strategy")
    if strategy == LEARNED and model is None:
        raise ValidationError("strategy learned needs a ranking model; none is configured (JOBMATCH_RANKING_MODEL)",
                              field="strategy")


def compute(store: Store, cv: CvRecord, request: ServeRequest, settings: MatchSettings, *,
            ontology_version: str, extra_limit: int = 0, model: RankingModel | None = None,
            vectors: OccupationVectors | None = None) -> MatchResult:
    """The result for ``request`` before any crowding guard (``extra_limit`` asks for spare items);
    ``model`` ranks the ``learned`` strategy, ``vectors`` give alternatives their description part."""
    check_strategy(request.strategy, model)
    if request.sort not in SORT_NAMES:
        raise ValidationError(f"sort must be one of {', '.join(SORT_NAMES)}", field="sort")
    limit = request.limit
    if extra_limit and limit is not None:
        limit = min(settings.max_limit, limit + extra_limit)
    steered = request.isco is not None or request.max_age_days is not None
    args: dict[str, Any] = {"settings": settings, "radius_km": request.radius_km,
                            # Filters apply to the ranked list: rank the longest list, then keep what passes.
                            "limit": settings.max_limit if steered else limit,
                            "valid_on": request.valid_on, "lang": request.lang, "ontology_version": ontology_version}
    if request.kind == "alternatives":
        alt = find_alternatives(store, cv, moves=model.moves if model is not None else None, vectors=vectors,
                                **args)
        if request.isco is None:
            return alt
        kept = [a for a in alt.alternatives if a.isco_group.startswith(request.isco)][:limit]
        return replace(alt, alternatives=tuple(replace(a, rank=i) for i, a in enumerate(kept, start=1)))
    if request.strategy == LEARNED:
        assert model is not None  # check_strategy
        return steer(store, learned_match(store, cv, model=model, **args), request, limit)
    fn = match_postings if request.strategy == GRAPH else automatch
    return steer(store, fn(store, cv, **args), request, limit)


def steer(store: Store, result: MatchResult, request: ServeRequest, limit: int | None) -> MatchResult:
    """The consultant's filters and order over a ranked list of postings, ranks renumbered."""
    items = list(result.suggestions)
    if request.max_age_days is not None:
        oldest = (date.fromisoformat(result.valid_on) - timedelta(days=request.max_age_days)).isoformat()
        items = [s for s in items if not s.posting.published or s.posting.published >= oldest]
    if request.isco is not None:
        occupations = store.concepts({s.posting.occupation for s in items if s.posting.occupation})
        items = [s for s in items if s.posting.occupation in occupations
                 and occupations[s.posting.occupation].isco_group.startswith(request.isco)]
    if request.sort == DISTANCE_SORT:
        items.sort(key=lambda s: (s.distance_km, s.rank))
    elif request.sort == NEWEST_SORT:
        items.sort(key=lambda s: (s.posting.published or "", -s.rank), reverse=True)
    if limit is not None:
        items = items[:limit]
    if items == list(result.suggestions):
        return result
    return replace(result, suggestions=tuple(replace(s, rank=i) for i, s in enumerate(items, start=1)))


def compute_planned(store: Store, plan: Plan, settings: MatchSettings, model: RankingModel | None = None,
                    vectors: OccupationVectors | None = None) -> MatchResult:
    """Step 2: the plan's result (pure: reads ``store`` only). A control citizen's alternatives are empty."""
    request = plan.effective
    if request.kind == "alternatives" and plan.arm == CONTROL:
        radius = request.radius_km or plan.cv.max_km or settings.default_radius_km
        return empty_result(plan.cv, settings, radius, request.valid_on or plan.day.isoformat(),
                            plan.ontology_version, ALTERNATIVES)
    assert request.limit is not None  # resolved by plan()
    result = compute(store, plan.cv, request, settings, ontology_version=plan.ontology_version,
                     extra_limit=request.limit if plan.guard else 0, model=model, vectors=vectors)
    if not plan.guard and request.kind == "matches":
        result = replace(result, suggestions=result.suggestions[:request.limit])
    return result


def apply_held_back(result: MatchResult, held: set[str], limit: int) -> MatchResult:
    """Drop held-back postings, re-number ranks, keep ``limit``."""
    kept = [s for s in result.suggestions if s.posting.id not in held][:limit]
    return replace(result, suggestions=tuple(replace(s, rank=i) for i, s in enumerate(kept, start=1)))


class ListServer:
    """Serving a list, for one store and ledger under one policy. Thread-safe when given a ``lock``.

    ``lock`` (held by a multi-threaded caller) guards only the writes — the trial assignment, the
    crowding check and the audit append (the chain's head is read and extended by one writer at a
    time); matching runs outside it. ``appender`` (a process's :class:`.group_append.GroupAppend`,
    shared by its threads) appends each list's record together with those of concurrent requests.
    """

    def __init__(self, store: Store, ledger: Ledger, policy: ServingPolicy, *,
                 lock: AbstractContextManager[Any] | None = None, appender: GroupAppend | None = None) -> None:
        self.store = store
        self.ledger = ledger
        self.policy = policy
        self._lock = lock
        self._appender = appender

    def _locked(self) -> AbstractContextManager[Any]:
        return self._lock or nullcontext()

    def serve(self, cv: CvRecord, actor: Actor, request: ServeRequest, *, today: date | None = None) -> Served:
        """Plan, compute, guard, record and return one list for ``cv``.

        :raise ValidationError: on a bad strategy, radius or limit.
        """
        plan = self.plan(cv, actor, request, today=today)
        result = compute_planned(self.store, plan, self.policy.settings, self.policy.ranking_model,
                                 self.policy.vectors_for(plan.ontology_version))
        if self._appender is None:
            with self._locked():
                result, draft, held, data = self._settle(plan, result)
                record = append_drafts(self.ledger, [draft])[0]
        else:
            # Settling writes only under the crowding guard; otherwise it drafts and needs no lock. The
            # record is appended outside the lock, so concurrent requests queue for one transaction.
            with self._locked() if plan.guard else nullcontext():
                result, draft, held, data = self._settle(plan, result)
            record = self._appender.append(draft)
        return Served(result=result, record=record, arm=plan.arm, held_back=held, data=data)

    def plan(self, cv: CvRecord, actor: Actor, request: ServeRequest, *, today: date | None = None,
             assign_arm: bool = True, snapshot: bool = True, ontology_version: str | None = None) -> Plan:
        """Step 1. ``assign_arm`` off (a benchmark that records nothing) draws the arm without recording it;
        ``ontology_version`` (the batch asks once for all its lists) saves a store call.

        :raise ValidationError: on a bad strategy.
        """
        check_strategy(request.strategy, self.policy.ranking_model)
        trial, settings = self.policy.trial, self.policy.settings
        arm: str | None = None
        effective = request
        notes: tuple[str, ...] = ()
        if trial is not None:
            if assign_arm:
                with self._locked():  # a write: one writer at a time, like the audit append
                    arm = assign(self.ledger, trial, cv.municipality, cv.id, actor.filed_under(cv.municipality)).arm
            else:
                arm = arm_for(trial, cv.municipality, cv.id)
            if arm == CONTROL and request.strategy in RECOMMENDING:
                effective = replace(request, strategy=AUTOMATCH)
                notes = (CONTROL_NOTE,)
        effective = replace(effective, limit=effective_limit(effective, settings))
        guard = (arm == TREATMENT and self.policy.crowding_cap is not None and effective.kind == "matches"
                 and effective.strategy in RECOMMENDING)
        version = ontology_version if ontology_version is not None else active_ontology_version(self.store)
        return Plan(cv=cv, actor=actor.filed_under(cv.municipality), request=request, effective=effective, arm=arm,
                    notes=notes, day=today or date.today(), ontology_version=version, guard=guard, snapshot=snapshot)

    def settle(self, plan: Plan, result: MatchResult) -> tuple[MatchResult, AuditRecord, tuple[str, ...]]:
        """Step 3 (the caller holds the lock): the crowding guard, then the audit draft; returns the list
        as served, its draft and the postings held back."""
        result, draft, held, _data = self._settle(plan, result)
        return result, draft, held

    def _settle(self, plan: Plan, result: MatchResult
                ) -> tuple[MatchResult, AuditRecord, tuple[str, ...], dict[str, Any]]:
        """:meth:`settle`, and the served list as JSON data (written once: the record and the answer)."""
        held: list[str] = []
        if plan.guard:
            assert self.policy.crowding_cap is not None and plan.effective.limit is not None
            week = iso_week(date.fromisoformat(result.valid_on))
            _allowed, held = crowding_filter(self.ledger, week, plan.cv.id,
                                             [s.posting.id for s in result.suggestions], self.policy.crowding_cap)
            result = apply_held_back(result, set(held), plan.effective.limit)
            self.ledger.add_exposures(week, plan.cv.id, [s.posting.id for s in result.suggestions])
        if plan.notes:
            result = replace(result, notes=result.notes + plan.notes)
        trial = self.policy.trial
        extra: dict[str, Any] = {
            "request": asdict(plan.request), "effective_request": asdict(plan.effective), "trial_arm": plan.arm,
            "trial": trial.name if trial else None, "held_back": held, "settings": self.policy.settings.as_json(),
            "served_on": plan.day.isoformat(),
            # how CVs are read now, beside how this CV was read (cv_snapshot.read_by)
            "reading_model": self.policy.reading_model,
            # the ranking model in force (its id); a learned list, and alternatives ranked with the model's
            # moves, carry the whole model, so replay is exact
            "ranking_model": model.id if (model := self.policy.ranking_model) is not None else "",
        }
        if model is not None and (plan.effective.strategy == LEARNED if plan.effective.kind == "matches"
                                  else bool(model.moves)):
            extra["ranking_model_file"] = model.as_json()
        if plan.effective.kind == "alternatives":
            # the occupation vectors the alternatives were ranked with (content-named: replay opens them)
            vectors = self.policy.vectors_for(plan.ontology_version)
            extra["occupation_vectors"] = vectors.key if vectors is not None else ""
        if plan.snapshot:
            extra["cv_snapshot"] = cv_to_dict(plan.cv)
        data = result_json(result)
        draft = draft_of(result, plan.actor, local_additions_version=self.policy.local_additions_version,
                         extra=extra, result_data=data)
        return result, draft, tuple(held), data

    def record(self, drafts: list[AuditRecord]) -> list[AuditRecord]:
        """Append drafts to the chain in one transaction (the caller holds the lock)."""
        return append_drafts(self.ledger, drafts)
