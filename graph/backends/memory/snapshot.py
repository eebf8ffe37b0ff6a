"""An in-process copy of what matching reads, taken from any store: for the nightly batch on Neo4j.

Matching one CV on the embedded store is a few milliseconds of array arithmetic; on a server it is a
few round trips of ~50 ms. For 100,000 CVs a night the batch therefore copies the active taxonomy,
every posting and the CVs it will match into a :class:`MemoryStore` once (the conformance suite
guarantees both stores give the same answers over the same data), computes there, and appends the
audit records to the real store.
"""

from __future__ import annotations

from collections.abc import Sequence

from graph.backends.memory.graph_store import MemoryStore
from graph.store import Store
from ontology.errors import NotFoundError

PAGE = 5000


def embedded_snapshot(store: Store, cv_ids: Sequence[str], page: int = PAGE) -> MemoryStore:
    """A memory-only store holding ``store``'s active taxonomy, all its postings and these CVs.

    :raise NotFoundError: if ``store`` has no taxonomy loaded.
    """
    tax = store.export_taxonomy()
    if tax is None:
        raise NotFoundError("no taxonomy is loaded; run `jobmatch ontology load` first", field="taxonomy")
    snap = MemoryStore(None).open()
    snap.upsert_taxonomy(tax)
    ids = store.posting_ids()
    for start in range(0, len(ids), page):
        snap.upsert_postings(list(store.get_postings(ids[start:start + page]).values()))
    for start in range(0, len(cv_ids), page):
        snap.upsert_cvs(list(store.get_cvs(cv_ids[start:start + page]).values()))
    return snap
