"""scripts/neo4j-local itself: a second, small server with a password that looks like an option.

CI once failed because ``secrets.token_urlsafe`` gave a password beginning with ``-`` and the admin
tool read it as a flag. This starts a real server (small heap, its own port and run directory, the
jars the session's server already fetched) with such a password, logs in with it, and stops it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from neo4j import GraphDatabase

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "neo4j-local"
# A leading dash, both quote kinds, a backslash and a space: everything the argfile must carry.
AWKWARD = "-Rz_q\"x'y\\z w9"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(verb: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SCRIPT), verb], env=env, capture_output=True, text=True,
                          timeout=180, check=False)


def test_start_accepts_a_password_that_begins_with_a_dash(tmp_path: Path) -> None:
    password = AWKWARD
    port = _free_port()
    env = dict(os.environ, NEO4J_PASSWORD=password, NEO4J_BOLT_PORT=str(port),
               JOBMATCH_NEO4J_RUN=str(tmp_path / "run"), PYTHON=sys.executable,
               JOBMATCH_NEO4J_HEAP="256m", JOBMATCH_NEO4J_PAGECACHE="64m")
    started = _run("start", env)
    try:
        assert started.returncode == 0, started.stderr[-2000:]
        assert password not in started.stderr  # the script never echoes it
        with GraphDatabase.driver(f"bolt://127.0.0.1:{port}", auth=("neo4j", password)) as driver:
            records, _, _ = driver.execute_query("RETURN 1 AS one")
            assert records[0]["one"] == 1
        # The argfile that carried the password is gone once the server is up.
        assert not list((tmp_path / "run" / "conf").glob(".initial-password*"))
    finally:
        stopped = _run("stop", env)
    assert stopped.returncode == 0, stopped.stderr[-2000:]
    assert _run("status", env).returncode != 0
