"""What a process has read of the taxonomy from Neo4j, remembered per concept until the taxonomy changes.

Matching asks the same few taxonomy questions for every CV (the concepts it shows, occupation profiles,
collections, skill neighbours); each is a round trip of 2–12 ms to Neo4j, and together they were most of
a match's time once the posting questions moved into the process. The taxonomy changes only when it is
loaded (``ontology load``, ``taxonomy upgrade``, local additions), and every load moves the taxonomy's
write sequence at its end. So a process remembers each answer per concept and forgets everything when it
sees the sequence move (looked at, at most, every :data:`CHECK_SECONDS`). Memory is bounded by the
taxonomy itself (ESCO: ~17,000 skills, ~3,000 occupations).

An answer fetched while the sequence moved is used once and not remembered, so nothing from before a
load outlives its check.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

CHECK_SECONDS = 0.5

V = TypeVar("V")
_ABSENT: Any = object()  # remembered: the store has no answer for this key


class TaxonomyMemo:
    """Per table, key → answer; dropped whole when the taxonomy's write sequence moves (thread-safe)."""

    def __init__(self, sequence: Callable[[], tuple[int, str]], *, check_seconds: float = CHECK_SECONDS) -> None:
        self._sequence = sequence
        self._check_seconds = check_seconds
        self._lock = threading.Lock()
        self._tables: dict[str, dict[str, Any]] = {}
        self._at: tuple[int, str] | None = None
        self._generation = 0
        self._next_check = 0.0

    def _check(self) -> int:
        now = time.monotonic()
        if now >= self._next_check:
            at = self._sequence()
            with self._lock:
                self._next_check = now + self._check_seconds
                if at != self._at:
                    self._at = at
                    self._tables = {}
                    self._generation += 1
        return self._generation

    def get(self, table: str, keys: Iterable[str], fetch: Callable[[list[str]], dict[str, V]]) -> dict[str, V]:
        """``fetch``'s answers for ``keys`` (in asked order, missing keys left out), from memory where
        this process already asked."""
        generation = self._check()
        asked = list(dict.fromkeys(keys))
        with self._lock:
            known = self._tables.setdefault(table, {})
            missing = [k for k in asked if k not in known]
            if not missing:
                # The served case once the taxonomy is read ahead: one pass over hundreds of keys, not three.
                return {k: v for k in asked if (v := known[k]) is not _ABSENT}
            out = {k: known[k] for k in asked if k in known}
        if missing:
            found = fetch(missing)
            with self._lock:
                keep = generation == self._generation
                known = self._tables.setdefault(table, {})
                for k in missing:
                    value = found.get(k, _ABSENT)
                    if keep:
                        known[k] = value
                    out[k] = value
        return {k: out[k] for k in asked if out.get(k, _ABSENT) is not _ABSENT}

    def forget(self) -> None:
        with self._lock:
            self._tables = {}
            self._at = None
            self._generation += 1
            self._next_check = 0.0
