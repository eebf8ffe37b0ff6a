"""The Neo4j store's in-process posting index, kept current from the database's write sequence.

Matching asks three questions of postings (in a box, requiring these skills, of these occupations).
Asked of Neo4j they cost 30–80 ms a call at 100,000 postings, mostly moving rows; asked of arrays in
the process they cost about a millisecond. So each process holds the columnar index
(:class:`graph.backends.posting_index.PostingIndex`) over a copy of every posting's matching columns,
and Neo4j stays the source of truth:

* Every transaction that writes or removes postings first takes the next number of the postings' write
  sequence (``update_posting_sequence.cypher``) and stamps the postings it wrote, or leaves a removal
  marker, with it. The sequence node's write lock is held to commit, so numbers follow commit order.
* A reader looks at the sequence at most every :data:`CHECK_SECONDS`. When it moved, the reader fetches
  just the postings written and removed after the number it has (an index seek), applies them to its
  copy, and a background thread builds a new index from the copy. Until that index is ready, readers
  keep the previous one: **a reader sees an index whole, before or after a change, never half of one.**
  Another process's write is therefore visible here within about ``CHECK_SECONDS`` plus one build
  (0.6 s at 100,000 postings on two cores).
* This process's own writes are applied to the copy at once, and the next read builds the index on its
  own thread: a consultant who adds a posting sees it in the next match.
* A new epoch (the database was wiped or restored), or a sequence behind the copy, reloads everything.
* Removal markers are deleted after :data:`REMOVAL_MARKER_SECONDS` by the next removal, which records on
  the sequence the newest write whose marker may be gone. A copy older than that (a process that served
  nothing for that long) is loaded again whole rather than keep a posting whose marker it never saw.

Memory, measured: 100,000 generated postings raise a process's resident size by about 360 MB (75 → 438 MB,
the copy, the index and what the copy's fetch leaves allocated); each serving process holds its own.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from graph.backends.posting_index import PostingIndex, PostingRow
from graph.records import PostingMeta
from ontology.model import REQUIREMENT_KINDS, RequirementKind

log = logging.getLogger(__name__)

# How often a reader looks at the write sequence (one indexed single-node read).
CHECK_SECONDS = 0.5
# How long a removal marker is kept. Every reading process fetches it within seconds; one that slept
# longer copies everything again (see the module docstring).
REMOVAL_MARKER_SECONDS = 7 * 24 * 3600.0

Rows = Callable[[str, dict[str, Any]], list[Any]]
_KIND: dict[str, RequirementKind] = {k: k for k in REQUIREMENT_KINDS}


@dataclass(frozen=True)
class SequenceAt:
    seq: int
    epoch: str
    pruned: int = 0  # the newest write whose removal marker may have been deleted


def row_from_record(r: Any) -> PostingRow:
    """An index row from one record of ``find_posting_rows`` / ``find_posting_changes``."""
    lat, lon = r["lat"], r["lon"]
    skills = tuple(sys.intern(s) for s in (r["reqSkills"] or ()))
    # The store writes only these two (PostingRequirement.kind); the literal objects are shared, not copied.
    kinds: tuple[RequirementKind, ...] = tuple(_KIND[k] for k in (r["reqKinds"] or ()))
    n_ess = sum(1 for k in kinds if k == "essential")
    meta = PostingMeta(id=r["id"], title=r["title"], employer=r["employer"], lat=float(lat or 0.0),
                       lon=float(lon or 0.0), published=r["published"], valid_through=r["validThrough"],
                       occupation=sys.intern(r["occupation"]), n_essential=n_ess, n_optional=len(kinds) - n_ess)
    nan = float("nan")
    return PostingRow(meta, float(lat) if lat is not None else nan, float(lon) if lon is not None else nan,
                      int(r["publishedDay"]), int(r["validThroughDay"]), skills, kinds)


class PostingCache:
    """A process's copy of the postings' matching columns and the index over it (thread-safe)."""

    def __init__(self, read: Rows, *, check_seconds: float = CHECK_SECONDS) -> None:
        self._read = read  # runs a packaged read statement: (name, params) -> records
        self._check_seconds = check_seconds
        self._lock = threading.Lock()
        self._rows: dict[str, PostingRow] = {}
        self._seen: dict[str, int] = {}  # id -> number of the last write applied for it
        self._at: SequenceAt | None = None  # where the copy stands; None: never loaded
        self._generation = 0  # bumped by every change to the copy
        self._own_generation = 0  # the copy's generation after this process's last own write
        self._index: PostingIndex | None = None
        self._index_generation = -1
        self._next_check = 0.0
        self._building = False

    # -- reading ---------------------------------------------------------------------------------
    def index(self) -> PostingIndex:
        """The index to answer from: current with every write of this process, and with other
        processes' writes up to the last check (or the one before, while a build runs)."""
        now = time.monotonic()
        if self._at is None or now >= self._next_check:
            self._check(now)
        with self._lock:
            index, stale = self._index, self._index is None or self._index_generation < self._own_generation
        if stale:
            return self._build()
        assert index is not None
        return index

    def _check(self, now: float) -> None:
        """Look at the sequence; take in what changed (or everything, on a new epoch)."""
        with self._lock:
            if self._at is not None and now < self._next_check:
                return  # another thread looked meanwhile
            self._next_check = now + self._check_seconds
            at = self._sequence()
            if (self._at is None or at.epoch != self._at.epoch or at.seq < self._at.seq
                    or at.pruned > self._at.seq):
                self._load_all(at)
                return
            if at.seq == self._at.seq:
                return
            since = self._at.seq
            changed = [(row_from_record(r), int(r["seq"])) for r in self._read("find_posting_changes",
                                                                                   {"since": since})]
            removed = [(str(r["id"]), int(r["seq"])) for r in self._read("find_posting_removals", {"since": since})]
            after = self._sequence()
            if after.epoch != at.epoch or after.pruned > since:
                # Markers this fetch needed were deleted while it ran: it may have missed a removal.
                self._load_all(after)
                return
            self._apply(changed, removed)
            top = max([at.seq, *(seq for _, seq in changed), *(seq for _, seq in removed)])
            self._at = SequenceAt(top, at.epoch)
            log.debug("posting index: %d written, %d removed since write %d", len(changed), len(removed), since)
        self._build_in_background()

    def _sequence(self) -> SequenceAt:
        found = self._read("find_posting_sequence", {})
        if not found:
            return SequenceAt(0, "")
        return SequenceAt(int(found[0]["seq"]), str(found[0]["epoch"]), int(found[0]["pruned"]))

    def _load_all(self, at: SequenceAt) -> None:
        """(Lock held.) Copy every posting; the index is built by the next read."""
        t0 = time.perf_counter()
        records = self._read("find_posting_rows", {})
        self._rows = {}
        self._seen = {}
        top = at.seq
        for r in records:
            row = row_from_record(r)
            self._rows[row.meta.id] = row
            self._seen[row.meta.id] = int(r["seq"])
            top = max(top, int(r["seq"]))
        self._at = SequenceAt(top, at.epoch)
        self._generation += 1
        self._own_generation = self._generation  # nothing older may be served: build before the next read
        log.info("posting index: %d postings copied from Neo4j in %.1f s", len(self._rows), time.perf_counter() - t0)

    def _apply(self, written: Iterable[tuple[PostingRow, int]], removed: Iterable[tuple[str, int]]) -> None:
        """(Lock held.) Apply writes and removals, each only if newer than what the copy has for its id."""
        changed = False
        for row, seq in written:
            if seq > self._seen.get(row.meta.id, -1):
                self._rows[row.meta.id] = row
                self._seen[row.meta.id] = seq
                changed = True
        for pid, seq in removed:
            if seq > self._seen.get(pid, -1):
                changed |= self._rows.pop(pid, None) is not None
                self._seen[pid] = seq
        if changed:
            self._generation += 1

    def _build(self) -> PostingIndex:
        """Build an index from the copy as it is now and put it in place (unless a newer one is)."""
        with self._lock:
            generation, rows = self._generation, list(self._rows.values())
        index = PostingIndex(rows)
        with self._lock:
            if generation > self._index_generation:
                self._index, self._index_generation = index, generation
            return self._index if self._index is not None else index

    def _build_in_background(self) -> None:
        with self._lock:
            if self._building or self._index_generation >= self._generation:
                return
            self._building = True

        def run() -> None:
            try:
                while True:
                    self._build()
                    with self._lock:
                        if self._index_generation >= self._generation:
                            return
            except Exception:  # a failed build leaves the previous index serving; the next check retries
                log.exception("posting index: background build failed")
            finally:
                with self._lock:
                    self._building = False

        threading.Thread(target=run, name="posting-index", daemon=True).start()

    # -- this process's writes -------------------------------------------------------------------
    def wrote(self, rows: Sequence[PostingRow], seq: int, epoch: str) -> None:
        """This process wrote ``rows`` as write ``seq``: the next read sees them."""
        self._own(lambda: self._apply([(r, seq) for r in rows], ()), seq, epoch)

    def removed(self, ids: Sequence[str], seq: int, epoch: str) -> None:
        """This process removed ``ids`` as write ``seq``: the next read no longer sees them."""
        self._own(lambda: self._apply((), [(i, seq) for i in ids]), seq, epoch)

    def _own(self, apply: Callable[[], None], seq: int, epoch: str) -> None:
        with self._lock:
            if self._at is None:
                return  # never loaded: the first read copies everything, this write included
            if epoch != self._at.epoch:
                self._at = None  # the database was replaced under this copy: reload on the next read
                return
            apply()
            self._own_generation = self._generation
            if seq == self._at.seq + 1:
                # No other write came in between: the copy is current up to this one, so the next check
                # does not fetch it again.
                self._at = SequenceAt(seq, epoch)

    def forget(self) -> None:
        """Drop the copy: the next read loads everything again (the database was replaced)."""
        with self._lock:
            self._at = None
            self._index = None
            self._index_generation = -1

