"""`jobmatch serve --workers 2` (api/cli/workers.py): two processes on one socket, sharing nothing but the
store. Concurrent clients are all served, by both processes; every list served is in one unbroken audit
chain afterwards; a posting written by another process reaches both; SIGTERM stops everything cleanly."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import replace
from pathlib import Path

from api.settings import Settings
from graph.backends.memory.graph_store import MemoryStore
from tests.api.conftest import GEO, PSEUDONYM_KEY, Tokens, current_postings
from tests.conftest import REPO
from tests.matching_data import FRB, posting

PATIENCE_SECONDS = 60.0  # a bound for a hang, not a speed: a correct server answers long before


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _env(settings: Settings) -> dict[str, str]:
    return {**os.environ, "JOBMATCH_STORE": "memory", "JOBMATCH_DATA_DIR": str(settings.data_dir),
            "JOBMATCH_GEO_DIR": str(GEO), "JOBMATCH_PSEUDONYM_KEY": PSEUDONYM_KEY, "JOBMATCH_READING_MODEL": "lexical"}


def _get(port: int, path: str, secret: str) -> tuple[int, dict[str, object]]:
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Bearer {secret}"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:  # noqa: S310 - loopback
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        with e:
            return e.code, json.loads(e.read())


def _children(pid: int) -> set[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False).stdout.split()
    return {int(p) for p in found}


def test_two_worker_processes_serve_one_chain(settings: Settings, store: MemoryStore, tokens: Tokens,
                                              tmp_path: Path) -> None:
    store.close()  # the fixture prepared the data dir; the workers open their own stores on it
    port = _free_port()
    env = _env(settings)
    jobmatch = [sys.executable, "-c", "import sys; from api.cli import main; sys.exit(main(sys.argv[1:]))"]
    log = tmp_path / "serve.log"  # a file, not a pipe: a pipe nobody reads would block the logging workers
    with log.open("w") as sink:
        proc = subprocess.Popen([*jobmatch, "serve", "--port", str(port), "--workers", "2", "--threads", "4"],
                                cwd=REPO, env=env, stderr=sink, text=True)
    try:
        deadline = time.monotonic() + PATIENCE_SECONDS
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:  # noqa: S310
                    assert r.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None, "the server did not come up"
                time.sleep(0.2)
        workers = _children(proc.pid)
        assert len(workers) == 2

        # 8 clients, 10 lists each: every request answered, each list appended to the one audit chain.
        statuses: list[int] = []
        lock = threading.Lock()

        def client(n: int) -> None:
            for i in range(10):
                cv_id = ("cv-cook", "cv-dev", "cv-chef")[(n + i) % 3]
                kind = "alternatives" if i % 4 == 3 else "matches"
                status, _ = _get(port, f"/api/v1/cvs/{cv_id}/{kind}", tokens.consultant)
                with lock:
                    statuses.append(status)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

        # A posting another process writes into the data dir reaches matching in both workers.
        writer = MemoryStore(settings.data_dir).open()
        try:
            writer.upsert_postings([replace(posting("p-cook-new", "Cook, new kitchen", "cook", ["dishes", "meat"],
                                                    at=FRB), published=current_postings()[0].published,
                                            valid_through=current_postings()[0].valid_through)])
        finally:
            writer.close()
        in_a_row = 0
        deadline = time.monotonic() + PATIENCE_SECONDS
        while in_a_row < 20 and time.monotonic() < deadline:
            _, body = _get(port, "/api/v1/cvs/cv-cook/matches", tokens.consultant)
            ids = [s["posting"]["id"] for s in body["suggestions"]]  # type: ignore[union-attr,index]
            in_a_row = in_a_row + 1 if "p-cook-new" in ids else 0
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    err = log.read_text("utf-8")
    at = err.find("Traceback")
    why = err[max(at - 300, 0):at + 4000] if at >= 0 else err[-4000:]  # the server's first error, if any
    assert statuses == [200] * 80, why
    assert in_a_row == 20, why  # twenty answers in a row, from whichever worker accepted each
    assert proc.returncode == 0, err
    assert "with 2 worker processes" in err
    assert err.count("posting index ready") == 2  # each worker built its own at start, before a request
    assert all(not os.path.exists(f"/proc/{w}") for w in workers)

    # One unbroken chain holding every list served (80 + the polling), whichever process appended it.
    verify = subprocess.run([*jobmatch, "audit", "verify", "--json"], cwd=REPO, env=env, capture_output=True,
                            text=True, timeout=120, check=False)
    assert verify.returncode == 0, verify.stderr
    report = json.loads(verify.stdout)
    assert report["ok"] is True and report["checked"] >= 100, report


def test_a_bad_setting_stops_the_server_before_any_worker(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "JOBMATCH_STORE": "neo4j", "NEO4J_PASSWORD": "", "JOBMATCH_DATA_DIR": str(tmp_path)}
    env.pop("NEO4J_PASSWORD")
    jobmatch = [sys.executable, "-c", "import sys; from api.cli import main; sys.exit(main(sys.argv[1:]))"]
    done = subprocess.run([*jobmatch, "serve", "--port", str(port), "--workers", "2"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2
    assert "NEO4J_PASSWORD" in done.stderr and "worker process" not in done.stderr  # checked once, up front
    assert "Traceback" not in done.stderr
