"""Progress of long commands on stderr: a tqdm bar on a terminal, a plain line now and then otherwise
(a log file or a CI job gets lines it can read, not carriage returns)."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

# How often a command not attached to a terminal says how far it got.
PLAIN_PROGRESS_SECONDS = 10.0


class Progress:
    """Call with ``(done, total)``; ``total`` 0 when not known (a stream of documents). Close at the end."""

    def __init__(self, what: str, *, unit: str = "", stream: TextIO | None = None) -> None:
        self._what = what
        self._unit = unit
        self._stream = stream or sys.stderr
        self._tty = self._stream.isatty()
        self._bar: Any = None
        self._t0 = time.perf_counter()
        self._last = -PLAIN_PROGRESS_SECONDS  # the first call says where it is
        self._done = 0
        self._total = 0

    def __call__(self, done: int, total: int = 0) -> None:
        self._done, self._total = done, total
        if self._tty:
            if self._bar is None:
                from tqdm import tqdm  # a terminal only: nothing to import for a batch job's log

                self._bar = tqdm(total=total or None, desc=self._what, unit=self._unit or "it", file=self._stream,
                                 dynamic_ncols=True, leave=True)
            self._bar.update(done - self._bar.n)
            if total and done >= total:
                self.close()
            return
        now = time.perf_counter() - self._t0
        if now - self._last >= PLAIN_PROGRESS_SECONDS or (total and done >= total):
            self._last = now
            of = f"/{total:,}" if total else ""
            print(f"{self._what}: {done:,}{of} {self._unit} after {now:.0f} s".replace("  ", " "),
                  file=self._stream, flush=True)

    def close(self) -> None:
        """Finish the bar (or say the final count once, if the last call was not already said)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        elif not self._tty and self._done and not (self._total and self._done >= self._total):
            self._last = -PLAIN_PROGRESS_SECONDS
            self._total = self._done
            self(self._done, self._done)
