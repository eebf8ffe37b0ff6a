"""The nightly batch: serve every CV its direct matches and alternatives through the one serving use case.

Each list goes through :class:`graph.accountability.serving.ListServer` exactly as the API's and the
CLI's do — trial arm, crowding guard, audit record with the same metadata. Only the middle step
(matching, CPU-bound Python/numpy) runs in parallel: the parent plans a chunk (trial arms are writes),
workers compute, and the parent settles each list in CV order (the crowding guard counts exposures in
that order) and appends the chunk's records in one transaction, because the hash chain has one writer.

The workers are forked processes. Before the fork the store reads ahead what matching asks
(:meth:`graph.store.Store.warm`: the posting index, and on Neo4j the taxonomy too), so every worker
inherits it copy-on-write — the same in-process posting index the API's processes serve from, kept
current the same way; on Neo4j each worker then opens its own connections
(:meth:`graph.store.Store.after_fork`) for what it still asks the database (whether the write sequences
moved, and a concept not read ahead). Nothing is handed to workers through module globals: a forked
worker inherits the compute function it was started with, and only plans and results cross the queues.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from graph.accountability.audit import Actor
from graph.accountability.serving import (
    KINDS,
    ListServer,
    Plan,
    ServeRequest,
    active_ontology_version,
    compute_planned,
)
from graph.accountability.workers import ordered_map
from graph.ledger import AuditRecord
from graph.matching.explain import MatchResult
from graph.store import Store

BATCH_ACTOR = Actor(id="batch", role="batch", municipality="")


@dataclass(frozen=True)
class BatchReport:
    cvs: int
    with_matches: int
    with_alternatives: int
    seconds: float
    workers: int
    held_back: int = 0


def _chunks(ids: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


@dataclass(frozen=True, slots=True)
class _Done:
    """A worker's answer for one plan: the result when the parent still settles it, else its draft."""

    result: MatchResult | None
    draft: AuditRecord | None
    held: tuple[str, ...]
    nonempty: bool


class _Compute:
    """What a worker runs on one chunk of plans: matching on the store it was started with, and — for a
    list the crowding guard does not touch, whose settling reads and writes nothing — its audit draft,
    so the parent only chains. A guarded list is settled by the parent, in CV order."""

    def __init__(self, store: Store, server: ListServer, record: bool) -> None:
        self.store = store
        self.server = server
        self.record = record

    def __call__(self, plans: list[Plan]) -> list[_Done]:
        out: list[_Done] = []
        for plan in plans:
            policy = self.server.policy
            result = compute_planned(self.store, plan, policy.settings, policy.ranking_model,
                                     policy.vectors_for(plan.ontology_version))
            nonempty = bool(result.suggestions or result.alternatives)
            if self.record and not plan.guard:
                # The result itself stays here: only its (already serialised) draft crosses the pipe.
                _served, draft, held = self.server.settle(plan, result)
                out.append(_Done(None, draft, held, nonempty))
            else:
                out.append(_Done(result, None, (), nonempty))
        return out


def run_batch(server: ListServer, cv_ids: Sequence[str], *, valid_on: str, workers: int = 1,
              record: bool = True, chunk: int = 200, compute_on: Store | None = None,
              today: date | None = None, progress: Callable[[int, int], None] | None = None) -> BatchReport:
    """Serve ``cv_ids`` (those with a location) their matches and alternatives, as actor ``batch``.

    ``record`` off (benchmarks) computes only: no trial assignment, exposure or audit record is
    written. ``compute_on`` (a benchmark's embedded copy of the store,
    :func:`graph.backends.memory.snapshot.embedded_snapshot`) is where matching reads; by default the
    server's store.
    """
    source = compute_on or server.store
    # What matching reads, read ahead once, before the fork: every worker inherits it.
    source.warm()

    version = active_ontology_version(server.store)

    def planned() -> Iterator[list[Plan]]:
        for ids in _chunks(cv_ids, chunk):
            cvs = server.store.get_cvs(ids)
            plans: list[Plan] = []
            for cid in ids:
                cv = cvs.get(cid)
                if cv is None or cv.lat is None:
                    continue
                plans += [server.plan(cv, BATCH_ACTOR, ServeRequest(kind=kind, valid_on=valid_on), today=today,
                                      assign_arm=record, snapshot=False, ontology_version=version)
                          for kind in KINDS]
            yield plans

    t0 = time.perf_counter()
    n = with_m = with_a = held = 0
    chunks = planned()
    # ordered_map pulls the next chunk of plans in this thread, so trial writes stay in the parent.
    work = ordered_map(_Compute(source, server, record), chunks, workers=workers,
                       started=source.after_fork)
    for chunks_done, (plans, results) in enumerate(work, start=1):
        drafts = []
        for plan, done in zip(plans, results, strict=True):
            nonempty, draft = done.nonempty, done.draft
            if record and draft is None:
                assert done.result is not None
                served, draft, kept_back = server.settle(plan, done.result)
                nonempty = bool(served.suggestions or served.alternatives)
                held += len(kept_back)
            if draft is not None:
                drafts.append(draft)
            if plan.effective.kind == "matches":
                n += 1
                with_m += nonempty
            else:
                with_a += nonempty
        if drafts:
            server.record(drafts)
        if progress is not None:
            progress(min(len(cv_ids), chunks_done * chunk), len(cv_ids))
    return BatchReport(n, with_m, with_a, time.perf_counter() - t0, workers, held)
