"""The nightly batch: match every CV (direct matches and alternatives) and record the lists.

Matching is CPU-bound Python/numpy, so on the embedded store the batch forks worker processes that
share the opened store copy-on-write (its indexes are built once, before the fork); on a server store
(``fork_safe`` unset) the workers are threads. Workers only compute;
the parent appends the audit records in order, because the hash chain has one writer.
"""

from __future__ import annotations

import multiprocessing as mp
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from multiprocessing.pool import ThreadPool
from typing import Any

from graph.audit import Actor, append_drafts, draft_of
from graph.ledger import AuditRecord
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


@dataclass(frozen=True)
class _Part:
    """What a worker hands back for one chunk: counts, and the audit drafts (already serialised)."""

    cvs: int
    with_matches: int
    with_alternatives: int
    drafts: list[AuditRecord]


def _work(cv_ids: Sequence[str]) -> _Part:
    assert _STORE is not None
    store, settings, valid_on, version = _STORE, _ARGS["settings"], _ARGS["valid_on"], _ARGS["version"]
    record, actor = _ARGS["record"], _ARGS["actor"]
    n = with_m = with_a = 0
    drafts: list[AuditRecord] = []
    cvs = store.get_cvs(cv_ids)
    for cid in cv_ids:
        cv = cvs[cid]
        if cv.lat is None:
            continue
        n += 1
        for kind in ("matches", "alternatives"):
            request = ServeRequest(kind=kind, valid_on=valid_on)
            result = compute(store, cv, request, settings, ontology_version=version)
            if kind == "matches":
                with_m += bool(result.suggestions)
            else:
                with_a += bool(result.alternatives)
            if record:
                # Batch records carry no CV snapshot (100k copies a night); replay uses the stored CV.
                drafts.append(draft_of(result, actor, extra={"batch": True, "request": asdict(request),
                                                             "settings": _ARGS["settings_json"]}))
    return _Part(n, with_m, with_a, drafts)


def _chunks(ids: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


def run_batch(store: Store, cv_ids: Sequence[str], *, valid_on: str, workers: int = 1,
              settings: MatchSettings | None = None, record: bool = True, chunk: int = 200,
              compute_on: Store | None = None) -> BatchReport:
    """Match ``cv_ids``; record each list in ``store``'s audit trail as actor ``batch`` unless
    ``record`` is off. ``compute_on`` (e.g. an :func:`graph.snapshot.embedded_snapshot` of ``store``)
    is where the matching reads; by default ``store`` itself.

    Workers compute and serialise; the parent appends each chunk's records in one transaction, in
    chunk order, so the chain has one writer and a crash keeps every chunk appended before it.
    """
    global _STORE, _ARGS
    settings = settings or MatchSettings()
    version = active_ontology_version(store)
    actor = Actor(id="batch", role="batch", municipality="")
    source = compute_on or store
    _STORE, _ARGS = source, {"settings": settings, "valid_on": valid_on, "version": version, "record": record,
                            "actor": actor, "settings_json": settings.as_json()}
    if getattr(source, "fork_safe", False):
        # Build lazy indexes in the parent so every worker inherits them instead of rebuilding.
        source.postings_in(_everywhere(), valid_on)
    t0 = time.perf_counter()
    try:
        if workers > 1 and getattr(source, "fork_safe", False):
            ctx = mp.get_context("fork")
            with ctx.Pool(workers) as pool:
                n, with_m, with_a = _consume(store, pool.imap(_work, _chunks(cv_ids, chunk)))
        elif workers > 1:
            # A client of a server (Neo4j) must not share its sockets across a fork; threads overlap
            # the round trips instead, and the driver is thread-safe.
            with ThreadPool(workers) as tpool:
                n, with_m, with_a = _consume(store, tpool.imap(_work, _chunks(cv_ids, chunk)))
        else:
            n, with_m, with_a = _consume(store, map(_work, _chunks(cv_ids, chunk)))
    finally:
        _STORE, _ARGS = None, {}
    return BatchReport(n, with_m, with_a, time.perf_counter() - t0, workers)


def _consume(store: Store, parts: Iterator[_Part]) -> tuple[int, int, int]:
    n = with_m = with_a = 0
    for part in parts:
        n, with_m, with_a = n + part.cvs, with_m + part.with_matches, with_a + part.with_alternatives
        if part.drafts:
            append_drafts(store, part.drafts)
    return n, with_m, with_a


def _everywhere() -> BBox:
    return BBox(south=-90.0, west=-180.0, north=90.0, east=180.0)
