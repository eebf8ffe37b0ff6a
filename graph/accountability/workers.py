"""An ordered parallel map for CPU-bound work, without module globals.

:func:`ordered_map` yields ``(item, fn(item))`` in input order. It pulls the next input in the calling
thread (so an input generator may write to a store that is not thread-safe), keeps a bounded number
of items in flight, and runs ``fn`` in forked processes (which inherit ``fn`` and whatever it holds —
an opened store and what it read ahead — copy-on-write; only items and results are pickled).
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import traceback
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.queues import Queue
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Items in flight per worker: enough to hide the hand-over, few enough to bound memory.
IN_FLIGHT_PER_WORKER = 2
# How often the parent checks that its forked workers are still alive while it waits for a result.
POLL_SECONDS = 1.0


class WorkerError(RuntimeError):
    """A worker failed on an item (its traceback is in the message) or died."""


def ordered_map(fn: Callable[[T], R], items: Iterable[T], *, workers: int,
                started: Callable[[], None] | None = None) -> Iterator[tuple[T, R]]:
    """``(item, fn(item))`` for each item, in order; ``workers`` ≤ 1 runs in the calling thread.
    ``started`` runs first in each forked process (e.g. the store's :meth:`after_fork`).

    :raise WorkerError: if ``fn`` raised in a worker process or a worker died.
    """
    if workers <= 1:
        for item in items:
            yield item, fn(item)
    else:
        yield from _forked(fn, items, workers, started)


def _loop(fn: Callable[[Any], Any], tasks: Queue[Any], results: Queue[Any],
          started: Callable[[], None] | None) -> None:
    if started is not None:
        try:
            started()
        except BaseException:  # noqa: BLE001 - reported to the parent with the first task, which raises it
            failure = traceback.format_exc()
            while (task := tasks.get()) is not None:
                results.put((task[0], False, failure))
            return
    while (task := tasks.get()) is not None:
        i, item = task
        try:
            results.put((i, True, fn(item)))
        except BaseException:  # noqa: BLE001 - reported to the parent, which raises it
            results.put((i, False, traceback.format_exc()))


def _forked(fn: Callable[[T], R], items: Iterable[T], workers: int,
            started: Callable[[], None] | None) -> Iterator[tuple[T, R]]:
    ctx = mp.get_context("fork")
    tasks: Queue[Any] = ctx.Queue()
    results: Queue[Any] = ctx.Queue()
    # Under fork the Process arguments are inherited, not pickled: fn keeps its open store.
    procs = [ctx.Process(target=_loop, args=(fn, tasks, results, started), daemon=True) for _ in range(workers)]
    for p in procs:
        p.start()
    it = iter(items)
    sent: dict[int, T] = {}
    done: dict[int, R] = {}
    next_in = next_out = 0
    exhausted = False
    try:
        while True:
            while not exhausted and next_in - next_out < workers * IN_FLIGHT_PER_WORKER:
                try:
                    item = next(it)
                except StopIteration:
                    exhausted = True
                    break
                sent[next_in] = item
                tasks.put((next_in, item))
                next_in += 1
            if next_out == next_in:
                return
            while next_out not in done:
                try:
                    i, ok, value = results.get(timeout=POLL_SECONDS)
                except queue.Empty:
                    if not all(p.is_alive() for p in procs):
                        raise WorkerError("a batch worker died (out of memory?)") from None
                    continue
                if not ok:
                    raise WorkerError(f"a batch worker failed:\n{value}")
                done[i] = value
            yield sent.pop(next_out), done.pop(next_out)
            next_out += 1
    finally:
        for _ in procs:
            tasks.put(None)
        for p in procs:
            p.join(timeout=5)
            if p.is_alive():
                p.terminate()
