"""``jobmatch tokens create|list|revoke`` and ``jobmatch serve`` (waitress) as a user runs them."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from api.auth import authenticate
from api.cli import main
from api.errors import UnauthenticatedError
from graph.backends.memory.graph_store import MemoryStore
from tests.conftest import REPO


def _jobmatch(capsys: pytest.CaptureFixture[str], data: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_tokens_create_list_revoke(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _jobmatch(capsys, tmp_path, "tokens", "create", "--role", "consultant", "--municipality",
                               "0101", "--name", "Anne, jobcenter København")
    assert code == 0 and "shown only now" in err
    secret = out.split("secret: ")[1].strip()
    token_id = out.split()[1]
    store = MemoryStore(tmp_path).open()
    actor = authenticate(store, f"Bearer {secret}")
    assert (actor.id, actor.role, actor.municipality) == (token_id, "consultant", "0101")
    store.close()

    code, out, _ = _jobmatch(capsys, tmp_path, "tokens", "list", "--json")
    [row] = json.loads(out)
    assert row["id"] == token_id and row["revoked"] is False and secret not in out

    assert _jobmatch(capsys, tmp_path, "tokens", "revoke", token_id)[0] == 0
    store = MemoryStore(tmp_path).open()
    with pytest.raises(UnauthenticatedError):
        authenticate(store, f"Bearer {secret}")
    store.close()
    code, _, err = _jobmatch(capsys, tmp_path, "tokens", "revoke", "tok_nope")
    assert code == 2 and "no token" in err


def test_consultant_token_needs_a_municipality(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _jobmatch(capsys, tmp_path, "tokens", "create", "--role", "consultant")
    assert code == 2 and "municipality" in err and out == ""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_serve_runs_waitress_and_logs_routes_not_urls(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "JOBMATCH_DATA_DIR": str(tmp_path), "JOBMATCH_STORE": "memory"}
    jobmatch = [sys.executable, "-c", "import sys; from api.cli import main; sys.exit(main(sys.argv[1:]))"]
    proc = subprocess.Popen([*jobmatch, "serve", "--port", str(port)], cwd=REPO, env=env, stderr=subprocess.PIPE,
                            text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:  # noqa: S310
                    assert json.loads(r.read()) == {"status": "ok", "reading_model": "e5-small", "ranking_model": None}
                    assert r.headers["Server"] == "jobmatch"  # waitress, not the Flask dev server
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.2)
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/cvs/cv_secret?lang=da", timeout=2)  # noqa: S310
        assert refused.value.code == 401
        refused.value.close()
        # An unencoded non-ASCII URL is refused by the server itself: as problem details too.
        with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
            raw.sendall("GET /api/v1/concepts?q=truckfører HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                        .encode())
            answer = b""
            while chunk := raw.recv(65536):
                answer += chunk
        head, _, body = answer.decode("utf-8").partition("\r\n\r\n")
        assert head.startswith("HTTP/1.1 400") and "application/problem+json" in head
        assert json.loads(body)["status"] == 400 and "percent-encode" in json.loads(body)["detail"]
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0
    assert f"serving on http://127.0.0.1:{port}" in err
    assert "posting index ready" in err  # built at start (api.app.warm_app), not by the first match
    assert "GET /health 200" in err and "GET /api/v1/cvs/<cv_id> 401" in err
    assert "cv_secret" not in err


def test_serve_on_a_busy_port_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        env = {**os.environ, "JOBMATCH_DATA_DIR": str(tmp_path), "JOBMATCH_STORE": "memory"}
        jobmatch = [sys.executable, "-c", "import sys; from api.cli import main; sys.exit(main(sys.argv[1:]))"]
        done = subprocess.run([*jobmatch, "serve", "--port", str(port)], cwd=REPO, env=env, capture_output=True,
                              text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
