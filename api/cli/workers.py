"""``jobmatch serve --workers N``: N waitress processes on one listening socket, under a small supervisor.

Why processes: matching is Python and numpy under one GIL, so one process serves about one core's worth
of requests whatever the store. Why waitress behind our own supervisor rather than gunicorn: waitress is
already the server (its error pages, limits and logging are set up for it, api/server_errors.py), it runs
on every platform a municipality uses, and the supervisor needs only what POSIX gives: the parent binds
the socket, forks the workers, and each worker builds its own app — its own store connection, posting
index and remembered taxonomy — *after* the fork, so no driver, thread or lock crosses it. The kernel
hands each new connection to one worker waiting in accept(). The workers share nothing but the store:
the audit chain is extended by one process at a time, each under the store's append lock
(graph/accountability/audit.py), and a posting one worker writes reaches the others through the store
(graph/backends/neo4j/posting_cache.py; the embedded store's change journal).

The supervisor restarts a worker that dies, unless it died within :data:`EARLY_EXIT_SECONDS` of its start
(a configuration error: restarting would only repeat it), and on SIGTERM/SIGINT stops them all.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import sys
import time
from collections.abc import Callable
from typing import Any

from ontology.errors import JobmatchError

log = logging.getLogger(__name__)

# A worker that exits this soon after its start could not start (bad setting, store down): stop, say so.
EARLY_EXIT_SECONDS = 10.0
# How long stopping workers get to finish their requests before they are killed.
STOP_SECONDS = 20.0


def listen(host: str, port: int) -> socket.socket:
    """The listening socket all workers accept from. :raise OSError: if the address cannot be bound."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    sock.setblocking(False)
    return sock


def supervise(sock: socket.socket, workers: int, run_worker: Callable[[socket.socket, int], None]) -> int:
    """Fork ``workers`` processes, each running ``run_worker(sock, slot)``; keep them running until
    SIGTERM/SIGINT. Returns the exit code: 0 after a stop, 2 if a worker could not start."""
    children: dict[int, tuple[int, float]] = {}  # pid -> (slot, started)
    stopping = False

    def stop(signum: int, frame: Any) -> None:
        # Tell the workers now: waitpid below resumes after a handler (PEP 475), and returns as they exit.
        nonlocal stopping
        stopping = True
        for pid in children:
            _signal(pid, signal.SIGTERM)

    def spawn(slot: int) -> None:
        pid = os.fork()
        if pid == 0:  # the worker
            code = 0
            try:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                run_worker(sock, slot)
            except SystemExit as e:
                code = e.code if isinstance(e.code, int) else 1
            except JobmatchError as e:  # a setting, the store: one line, as the command line says it
                where = f" ({e.field})" if e.field else ""
                print(f"jobmatch: worker {slot}: {e.detail}{where}", file=sys.stderr)
                code = 2
            except BaseException:
                log.exception("worker %d failed", slot)
                code = 1
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        children[pid] = (slot, time.monotonic())

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    code = 0
    try:
        for slot in range(workers):
            spawn(slot)
        log.info("supervisor %d: %d worker processes", os.getpid(), workers)
        while children and not stopping:
            try:
                pid, status = os.waitpid(-1, 0)
            except InterruptedError:
                continue
            except ChildProcessError:
                break
            if pid not in children:
                continue
            slot, started = children.pop(pid)
            if stopping:
                break
            if time.monotonic() - started < EARLY_EXIT_SECONDS:
                log.error("worker %d (pid %d) exited at start (status %d): stopping", slot, pid, status)
                code = 2
                break
            log.warning("worker %d (pid %d) exited (status %d): starting another", slot, pid, status)
            spawn(slot)
    finally:
        _stop_all(children)
        for s, handler in previous.items():
            signal.signal(s, handler)
    return code


def _stop_all(children: dict[int, tuple[int, float]]) -> None:
    for pid in children:
        _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS
    while children and time.monotonic() < deadline:
        for pid in list(children):
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                done = pid
            if done:
                children.pop(pid)
        time.sleep(0.05)
    for pid in children:
        _signal(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)


def _signal(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)
