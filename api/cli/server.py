"""``jobmatch serve`` (the API and page under waitress) and ``jobmatch tokens create|list|revoke``."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import socket
import sys
from dataclasses import replace
from typing import Any

from api.settings import Settings
from api.wiring import open_store
from ontology.errors import ConfigurationError, NotFoundError, StoreUnavailableError

log = logging.getLogger(__name__)

# waitress's worker threads: matching is mostly numpy and store I/O, so a few threads keep a
# consultant's page fast while one request waits on Neo4j.
DEFAULT_THREADS = 8


def register(sub: Any) -> None:
    serve = sub.add_parser("serve", help="serve the API and the consultant's page")
    serve.add_argument("--host", help="listen address (default JOBMATCH_HOST, 127.0.0.1)")
    serve.add_argument("--port", type=int, help="listen port (default JOBMATCH_PORT, 8080)")
    serve.add_argument("--threads", type=int, default=DEFAULT_THREADS, help="threads per worker process")
    serve.add_argument("--workers", type=int, help="worker processes (default JOBMATCH_WORKERS, 1)")
    serve.set_defaults(func=cmd_serve)

    tokens = sub.add_parser("tokens", help="create, list and revoke API tokens")
    tsub = tokens.add_subparsers(dest="tokens_command", required=True)
    create = tsub.add_parser("create", help="create a token and print its secret once")
    create.add_argument("--role", required=True, choices=["consultant", "ethics", "taxonomy", "admin"])
    create.add_argument("--municipality", default="", help="4-digit kommune code (required for consultants)")
    create.add_argument("--name", default="", help="who or what holds the token (shown in lists)")
    create.add_argument("--json", action="store_true")
    create.set_defaults(func=cmd_tokens_create)
    listing = tsub.add_parser("list", help="list tokens (never their secrets)")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(func=cmd_tokens_list)
    revoke = tsub.add_parser("revoke", help="revoke a token by id")
    revoke.add_argument("token_id")
    revoke.set_defaults(func=cmd_tokens_revoke)


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    """Serve with waitress (a production WSGI server) until interrupted; logs at INFO to stderr."""
    from waitress import serve

    from api.app import close_app, create_app, warm_app
    from api.server_errors import install

    install()

    logging.getLogger().setLevel(logging.INFO)
    # `docker stop` and systemd send SIGTERM: leave through the finally below so the store is closed.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    host = args.host or settings.host
    port = args.port or settings.port
    workers = args.workers if args.workers is not None else settings.workers
    if workers != settings.workers:
        settings = replace(settings, workers=workers)  # validated as the setting is
    if workers > 1:
        return _serve_workers(settings, host, port, args.threads)
    app = create_app(settings)
    warm_app(app)
    log.info("serving on http://%s:%d (store %s)", host, port, settings.store)
    try:
        serve(app, host=host, port=port, threads=args.threads, ident="jobmatch")
    except OSError as e:  # a busy port or an address not on this machine: one line, no traceback
        raise ConfigurationError(f"cannot listen on {host}:{port}: {e.strerror or e}", field="JOBMATCH_PORT") from e
    finally:
        close_app(app)
    return 0


def _serve_workers(settings: Settings, host: str, port: int, threads: int) -> int:
    """N waitress processes on one socket (api/cli/workers.py); each builds its app after the fork."""
    from waitress import serve

    from api.app import close_app, create_app, warm_app
    from api.cli.workers import listen, supervise

    # Open the store once before forking, then close it: a bad setting fails here in one line, and the
    # schema (Neo4j constraints; the journal's tables and WAL mode) is in place before N processes open it
    # at the same moment. A store that is down is not fatal: the workers keep trying, as one process does.
    try:
        open_store(settings).close()
    except StoreUnavailableError as e:
        log.warning("store unavailable at start-up (%s); the workers will keep trying", e.detail)
    try:
        sock = listen(host, port)
    except OSError as e:
        raise ConfigurationError(f"cannot listen on {host}:{port}: {e.strerror or e}", field="JOBMATCH_PORT") from e

    def run_worker(sock: socket.socket, slot: int) -> None:
        app = create_app(settings)
        warm_app(app)
        log.info("worker %d (pid %d) serving on http://%s:%d (store %s)", slot, os.getpid(), host, port,
                 settings.store)
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
        try:
            serve(app, sockets=[sock], threads=threads, ident="jobmatch")
        finally:
            close_app(app)

    log.info("serving on http://%s:%d with %d worker processes (store %s)", host, port, settings.workers,
             settings.store)
    try:
        code = supervise(sock, settings.workers, run_worker)
    finally:
        sock.close()
    if code:
        raise ConfigurationError("a worker process could not start (its log above says why)", field="JOBMATCH_WORKERS")
    return 0


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(0)


def cmd_tokens_create(args: argparse.Namespace, settings: Settings) -> int:
    from api.auth import create_token

    store = open_store(settings)
    try:
        record, secret = create_token(store, args.role, args.municipality, args.name)
    finally:
        store.close()
    if args.json:
        print(json.dumps({"id": record.id, "role": record.role, "municipality": record.municipality,
                          "name": record.name, "secret": secret}))
    else:
        print(f"token {record.id} ({record.role}{', ' + record.municipality if record.municipality else ''})")
        print(f"secret: {secret}")
        print("The secret is shown only now; store it safely. Send it as 'Authorization: Bearer <secret>'.",
              file=sys.stderr)
    return 0


def cmd_tokens_list(args: argparse.Namespace, settings: Settings) -> int:
    store = open_store(settings)
    try:
        tokens = store.tokens()
    finally:
        store.close()
    rows = [{"id": t.id, "role": t.role, "municipality": t.municipality, "name": t.name, "created": t.created,
             "revoked": t.revoked} for t in tokens]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    for r in rows:
        state = "revoked" if r["revoked"] else "active"
        print(f"{r['id']}  {r['role']:<10} {r['municipality'] or '-':<5} {state:<8} {r['created']}  {r['name']}")
    return 0


def cmd_tokens_revoke(args: argparse.Namespace, settings: Settings) -> int:
    store = open_store(settings)
    try:
        if not store.revoke_token(args.token_id):
            raise NotFoundError(f"no token {args.token_id}", field="token_id")
    finally:
        store.close()
    print(f"revoked {args.token_id}")
    return 0
