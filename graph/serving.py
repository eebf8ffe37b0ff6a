"""Serving a recommendation list: trial arm, strategy, crowding guard, audit record — in one place.

The API and the CLI both call :func:`serve`, and :mod:`graph.replay` recomputes a record through
:func:`compute` with the recorded inputs, so what is served, what is recorded and what is replayed
cannot drift apart.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import Any, Literal

from graph.alternatives import find_alternatives
from graph.audit import Actor, record_result
from graph.automatch import automatch
from graph.codec import cv_to_dict
from graph.explain import MatchResult
from graph.ledger import AuditRecord
from graph.match import empty_result, match_postings
from graph.records import CvRecord
from graph.scoring import MatchSettings
from graph.store import Store
from graph.trial import CONTROL, TREATMENT, TrialConfig, assign, crowding_filter, iso_week
from ontology.errors import ValidationError

Kind = Literal["matches", "alternatives"]
STRATEGIES = ("graph", "automatch")
CONTROL_NOTE = "control group in the trial: no graph recommendations (business as usual: automatch)"


@dataclass(frozen=True, slots=True)
class ServeRequest:
    kind: Kind = "matches"
    strategy: str = "graph"
    radius_km: float | None = None
    limit: int | None = None
    valid_on: str | None = None
    lang: str = "da"


@dataclass(frozen=True)
class Served:
    result: MatchResult
    record: AuditRecord
    arm: str | None
    held_back: tuple[str, ...]


def effective_limit(request: ServeRequest, settings: MatchSettings) -> int:
    if request.limit is not None:
        return request.limit
    return settings.alt_default_limit if request.kind == "alternatives" else settings.default_limit


def active_ontology_version(store: Store) -> str:
    active = [v.version for v in store.ontology_versions() if v.active]
    return active[0] if active else ""


def compute(store: Store, cv: CvRecord, request: ServeRequest, settings: MatchSettings, *,
            ontology_version: str, extra_limit: int = 0) -> MatchResult:
    """The result for ``request`` before any crowding guard (``extra_limit`` asks for spare items)."""
    if request.strategy not in STRATEGIES:
        raise ValidationError(f"strategy must be one of {', '.join(STRATEGIES)}", field="strategy")
    limit = request.limit
    if extra_limit and limit is not None:
        limit = min(settings.max_limit, limit + extra_limit)
    args: dict[str, Any] = {"settings": settings, "radius_km": request.radius_km, "limit": limit,
                            "valid_on": request.valid_on, "lang": request.lang, "ontology_version": ontology_version}
    if request.kind == "alternatives":
        return find_alternatives(store, cv, **args)
    fn = match_postings if request.strategy == "graph" else automatch
    return fn(store, cv, **args)


def apply_held_back(result: MatchResult, held: set[str], limit: int) -> MatchResult:
    """Drop held-back postings, re-number ranks, keep ``limit``."""
    kept = [s for s in result.suggestions if s.posting.id not in held][:limit]
    return replace(result, suggestions=tuple(replace(s, rank=i) for i, s in enumerate(kept, start=1)))


def serve(
    store: Store,
    cv: CvRecord,
    actor: Actor,
    request: ServeRequest,
    *,
    settings: MatchSettings | None = None,
    trial: TrialConfig | None = None,
    crowding_cap: int | None = None,
    local_additions_version: str = "",
    reading_model: str = "",
    today: date | None = None,
    lock: AbstractContextManager[Any] | None = None,
) -> Served:
    """Compute, guard, record and return one recommendation list for ``cv``.

    ``lock`` (held by a multi-threaded caller) guards only the writes — the trial assignment, the
    crowding check and the audit append (the chain's head is read and extended by one writer at a
    time); matching runs outside it.

    :raise ValidationError: on a bad strategy, radius or limit.
    """
    settings = settings or MatchSettings()
    day = today or date.today()
    version = active_ontology_version(store)
    arm: str | None = None
    effective = request
    notes: tuple[str, ...] = ()
    if trial is not None:
        with lock or nullcontext():  # a write: one writer at a time, like the audit append below
            arm = assign(store, trial, cv.municipality, cv.id).arm
        if arm == CONTROL and request.strategy == "graph":
            effective = replace(request, strategy="automatch")
            notes = (CONTROL_NOTE,)
    held: list[str] = []
    guard = arm == TREATMENT and crowding_cap is not None and effective.kind == "matches" \
        and effective.strategy == "graph"
    limit = effective_limit(effective, settings)
    if effective.kind == "alternatives" and arm == CONTROL:
        radius = effective.radius_km or cv.max_km or settings.default_radius_km
        result = empty_result(cv, settings, radius, effective.valid_on or day.isoformat(), version, "alternatives")
    else:
        result = compute(store, cv, replace(effective, limit=limit), settings, ontology_version=version,
                         extra_limit=limit if guard else 0)
        if not guard and effective.kind == "matches":
            result = replace(result, suggestions=result.suggestions[:limit])
    with lock or nullcontext():
        if guard:
            assert crowding_cap is not None
            week = iso_week(date.fromisoformat(result.valid_on))
            _allowed, held = crowding_filter(store, week, cv.id, [s.posting.id for s in result.suggestions],
                                             crowding_cap)
            result = apply_held_back(result, set(held), limit)
            store.add_exposures(week, cv.id, [s.posting.id for s in result.suggestions])
        if notes:
            result = replace(result, notes=result.notes + notes)
        extra = {
            "request": asdict(request), "effective_request": asdict(effective), "trial_arm": arm,
            "trial": trial.name if trial else None, "held_back": held, "settings": settings.as_json(),
            "cv_snapshot": cv_to_dict(cv), "served_on": day.isoformat(),
            # how CVs are read now (JOBMATCH_READING_MODEL), beside how this CV was read (cv_snapshot.read_by)
            "reading_model": reading_model,
        }
        record = record_result(store, result, actor, local_additions_version=local_additions_version, extra=extra)
    return Served(result=result, record=record, arm=arm, held_back=tuple(held))
