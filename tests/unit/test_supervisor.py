"""The worker supervisor of `jobmatch serve --workers` (api/cli/workers.py), with real forks: a worker that
cannot start stops everything; one that dies later is replaced; SIGTERM stops the supervisor cleanly."""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from pathlib import Path

import pytest

from api.cli import workers
from api.cli.workers import listen, supervise
from ontology.errors import ConfigurationError


def test_a_worker_that_cannot_start_stops_the_supervisor() -> None:
    def run(sock: socket.socket, slot: int) -> None:
        raise ConfigurationError("no such thing", field="JOBMATCH_SOMETHING")

    with listen("127.0.0.1", 0) as sock:
        assert supervise(sock, 2, run) == 2


def test_a_worker_that_dies_is_replaced_until_sigterm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "EARLY_EXIT_SECONDS", 0.05)
    starts = tmp_path / "starts"

    def run(sock: socket.socket, slot: int) -> None:
        with starts.open("a") as f:
            f.write(f"{slot}\n")
        time.sleep(0.3)  # then returns: the worker process ends as if it had died

    before = signal.getsignal(signal.SIGTERM)
    stopper = threading.Timer(2.0, lambda: os.kill(os.getpid(), signal.SIGTERM))
    stopper.start()
    try:
        with listen("127.0.0.1", 0) as sock:
            assert supervise(sock, 1, run) == 0
    finally:
        stopper.cancel()
    assert len(starts.read_text().split()) >= 3  # started, died, started again, …
    assert signal.getsignal(signal.SIGTERM) == before  # the test process's own handler is back
