"""The nightly batch: match every CV (direct matches and alternatives) and record the lists.

Matching is CPU-bound Python/numpy, so the batch forks worker processes that share the opened store
copy-on-write (the embedded store's indexes are built once, before the fork). Workers only compute;
the parent appends the audit records in order, because the hash chain has one writer.
"""

from __future__ import annotations

import multiprocessing as mp
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from graph.audit import Actor, record_result
from graph.explain import MatchResult
from graph.records import BBox
from graph.scoring import MatchSettings
from graph.serving import ServeRequest, active_ontology_version, compute
from graph.store import Store

_STORE: Store | None = None  # set in the parent just before forking; read by the workers
_ARGS: dict[str, Any] = {}


@dataclass(frozen=True)
class BatchReport:
    cvs: int
    with_matches: int
    with_alternatives: int
    seconds: float
    workers: int


def _work(cv_ids: Sequence[str]) -> list[tuple[MatchResult, MatchResult]]:
    assert _STORE is not None
    store, settings, valid_on, version = _STORE, _ARGS["settings"], _ARGS["valid_on"], _ARGS["version"]
    out = []
    cvs = store.get_cvs(cv_ids)
    for cid in cv_ids:
        cv = cvs[cid]
        if cv.lat is None:
            continue
        m = compute(store, cv, ServeRequest(kind="matches", valid_on=valid_on), settings, ontology_version=version)
        a = compute(store, cv, ServeRequest(kind="alternatives", valid_on=valid_on), settings,
                    ontology_version=version)
        out.append((m, a))
    return out


def _chunks(ids: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


def run_batch(store: Store, cv_ids: Sequence[str], *, valid_on: str, workers: int = 1,
              settings: MatchSettings | None = None, record: bool = True, chunk: int = 200) -> BatchReport:
    """Match ``cv_ids``; record each list in the audit trail as actor ``batch`` unless ``record`` is off."""
    global _STORE, _ARGS
    settings = settings or MatchSettings()
    version = active_ontology_version(store)
    actor = Actor(id="batch", role="batch", municipality="")
    _STORE, _ARGS = store, {"settings": settings, "valid_on": valid_on, "version": version}
    # Build lazy indexes in the parent so every worker inherits them instead of rebuilding.
    store.postings_in(_everywhere(), valid_on)
    t0 = time.perf_counter()
    n = with_m = with_a = 0
    try:
        if workers > 1:
            ctx = mp.get_context("fork")
            with ctx.Pool(workers) as pool:
                results: Iterator[list[tuple[MatchResult, MatchResult]]] = pool.imap(_work, _chunks(cv_ids, chunk))
                n, with_m, with_a = _consume(store, results, actor, record, settings.as_json())
        else:
            n, with_m, with_a = _consume(store, map(_work, _chunks(cv_ids, chunk)), actor, record,
                                            settings.as_json())
    finally:
        _STORE, _ARGS = None, {}
    return BatchReport(n, with_m, with_a, time.perf_counter() - t0, workers)


def _consume(store: Store, results: Iterator[list[tuple[MatchResult, MatchResult]]], actor: Actor,
             record: bool, settings_json: dict[str, object]) -> tuple[int, int, int]:
    n = with_m = with_a = 0
    for part in results:
        for m, a in part:
            n += 1
            with_m += bool(m.suggestions)
            with_a += bool(a.alternatives)
            if record:
                for result, kind in ((m, "matches"), (a, "alternatives")):
                    request = ServeRequest(kind=kind, valid_on=result.valid_on)  # type: ignore[arg-type]
                    # Batch records carry no CV snapshot (100k copies a night); replay uses the stored CV.
                    record_result(store, result, actor, extra={"batch": True, "request": asdict(request),
                                                               "settings": settings_json})
    return n, with_m, with_a


def _everywhere() -> BBox:
    return BBox(south=-90.0, west=-180.0, north=90.0, east=180.0)
