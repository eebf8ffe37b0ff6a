"""The composition root: :func:`create_app` wires settings, the one store, errors and blueprints.

There is no module-level app. One store per process: ``create_app`` opens it (unless a store is
given), the service keeps it for every request, and it is closed when the process exits (or by
:func:`close_app`), never per request.
"""

from __future__ import annotations

import atexit
import gc
import logging
import threading
import time

from flask import Flask, Response, g, request

from api.blueprints import register_blueprints
from api.errors import register_error_handlers
from api.service import EXTENSION, Service
from api.settings import Settings
from api.wiring import Backend, open_store, ranking_model
from ontology.errors import JobmatchError

log = logging.getLogger(__name__)

# The page loads only its own script and style and calls only this origin's API.
PAGE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


def create_app(settings: Settings | None = None, *, store: Backend | None = None) -> Flask:
    """Build the WSGI app.

    ``settings`` default to :meth:`Settings.from_env`. A ``store`` passed in is used as is and stays
    the caller's to close; otherwise the configured store is opened here (if it is unreachable the
    app still starts, ``/ready`` answers 503 and later requests retry) and closed at process exit.

    :raise ConfigurationError: for settings that cannot work (e.g. Neo4j without a password).
    """
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # Danish letters as they are
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep the documented field order

    if store is None:
        service = Service(settings, opener=lambda: open_store(settings))
        service.try_open()
        atexit.register(service.close)
    else:
        service = Service(settings, store=store)
    app.extensions[EXTENSION] = service
    # Read the ranking model now: a bad JOBMATCH_RANKING_MODEL stops the start, not the first request.
    model = ranking_model(settings)
    if model is not None:
        log.info("ranking model %s (learned strategy available)", model.id)

    register_error_handlers(app)
    register_blueprints(app)
    app.before_request(_start_timer)
    app.after_request(_finish)
    log.info("app created (store %s)", settings.store)
    return app


def warm_app(app: Flask) -> threading.Thread:
    """Build the posting index, and on Neo4j read the taxonomy ahead, in the background (a served process's
    first matches would otherwise wait for them: ~1 s embedded, ~5 s copied from Neo4j at 100,000 postings,
    and a round trip per taxonomy question until each concept was asked once). Requests are served
    meanwhile; the first match waits only for what is left of the index build. ``jobmatch serve`` calls
    this."""
    service: Service = app.extensions[EXTENSION]

    def warm() -> None:
        t0 = time.perf_counter()
        try:
            service.store.warm()
            # The index and the taxonomy are long-lived objects by the hundred thousand: kept out of the cyclic
            # collector's full passes, a served list cost 10.4 instead of 12.3 ms of CPU (in-process, Neo4j,
            # 100,000 postings). What is frozen is still freed by reference counting when a refresh replaces it.
            gc.collect()
            gc.freeze()
        except JobmatchError as e:  # the store is down: the first request will say so
            log.warning("nothing read ahead at start-up: %s", e.detail)
            return
        log.info("posting index ready and taxonomy read ahead in %.1f s", time.perf_counter() - t0)

    thread = threading.Thread(target=warm, name="warm-posting-index", daemon=True)
    thread.start()
    return thread


def close_app(app: Flask) -> None:
    """Close the store the app opened (tests and ``jobmatch serve`` call this on shutdown)."""
    service: Service = app.extensions[EXTENSION]
    service.close()


def _start_timer() -> None:
    g.t0 = time.perf_counter()


def _finish(resp: Response) -> Response:
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    resp.headers.setdefault("Referrer-Policy", "no-referrer")
    if request.path.startswith("/api/"):
        # Answers carry personal data (pseudonymous, but still): no shared or browser cache.
        resp.headers.setdefault("Cache-Control", "no-store")
    if resp.mimetype == "text/html":
        resp.headers.setdefault("Content-Security-Policy", PAGE_CSP)
    rule = request.url_rule.rule if request.url_rule is not None else "(no route)"
    ms = (time.perf_counter() - g.t0) * 1e3 if "t0" in g else 0.0
    # The rule, never the URL or query: those can carry a pseudonym, a search text or a path.
    log.info("%s %s %d %.1f ms", request.method, rule, resp.status_code, ms)
    return resp
