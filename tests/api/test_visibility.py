"""The embedded store is a default people will run beside the CLI: a running server notices CVs and
postings another process (``jobmatch ingest``) writes into the same data dir, without a restart."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from flask.testing import FlaskClient

from api.app import close_app, create_app
from api.settings import Settings
from graph.backends.memory.graph_store import MemoryStore
from loaders.privacy import PseudonymKey, pseudonymise
from tests.api.conftest import GEO, PSEUDONYM_KEY, Tokens, bearer
from tests.conftest import FIXTURES, REPO

DOCS = FIXTURES / "documents"
# Within "a few seconds": the server checks for other writers at most every half second.
WAIT_SECONDS = 5.0


def _jobmatch(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The CLI in its own process, as a user runs it beside the server."""
    env = {**os.environ, "JOBMATCH_STORE": "memory", "JOBMATCH_DATA_DIR": str(data), "JOBMATCH_GEO_DIR": str(GEO),
           "JOBMATCH_PSEUDONYM_KEY": PSEUDONYM_KEY, "JOBMATCH_READING_MODEL": "lexical"}
    return subprocess.run([sys.executable, "-c", "from api.cli import main; raise SystemExit(main())", *args],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False)


def _poll(client: FlaskClient, url: str, secret: str) -> tuple[int, float]:
    t0 = time.monotonic()
    while True:
        status = client.get(url, headers=bearer(secret)).status_code
        waited = time.monotonic() - t0
        if status == 200 or waited > WAIT_SECONDS:
            return status, waited
        time.sleep(0.1)


def test_a_cli_ingest_shows_up_in_a_running_server(settings: Settings, store: MemoryStore, tokens: Tokens,
                                                    tmp_path: Path) -> None:
    store.close()  # the fixture only prepared the data dir; the server opens its own store on it
    app = create_app(settings)
    try:
        client = app.test_client()
        cv_id = pseudonymise("0101-A4711", PseudonymKey(PSEUDONYM_KEY.encode()))
        url = f"/api/v1/cvs/{cv_id}"
        assert client.get(url, headers=bearer(tokens.consultant)).status_code == 404
        done = _jobmatch(settings.data_dir, "ingest", "cvs", str(DOCS / "cvs.jsonl"))
        assert "loaded 3, rejected 5" in done.stdout, done.stderr
        status, _ = _poll(client, url, tokens.consultant)
        assert status == 200

        # A posting another process stores becomes matchable without a restart too.
        before = client.get(f"/api/v1/cvs/{cv_id}/matches", headers=bearer(tokens.consultant)).get_json()
        posting = tmp_path / "posting.json"
        posting.write_text(json.dumps({
            "id": "visible-1", "source": "jobnet", "title": "Lagerarbejder søges", "employer": "Lager A/S",
            "text": "Vi søger en lagerarbejder. Krav: truckkørsel og kundeservice.", "location": {"postcode": "2100"},
            "occupation": "http://data.europa.eu/esco/occupation/mini-shop",
            "published": date.today().isoformat(), "lang": "da"}), "utf-8")
        done = _jobmatch(settings.data_dir, "ingest", "postings", str(posting))
        assert done.returncode == 0, done.stderr
        t0 = time.monotonic()
        while True:
            after = client.get(f"/api/v1/cvs/{cv_id}/matches", headers=bearer(tokens.consultant)).get_json()
            if after["candidates"] != before["candidates"] or time.monotonic() - t0 > WAIT_SECONDS:
                break
            time.sleep(0.1)
        assert "jobnet:visible-1" not in [s["posting"]["id"] for s in before["suggestions"]]
        assert "jobnet:visible-1" in [s["posting"]["id"] for s in after["suggestions"]]
    finally:
        close_app(app)
