"""The served API under concurrent clients on loopback: requests/s and p50/p99 of the matches endpoint.

Sets up a store (embedded in a temporary data dir, or the Neo4j named by NEO4J_URI/NEO4J_PASSWORD with
--store neo4j, which it wipes: use a throw-away server), loads ESCO 1.1.1, N generated postings and
CVs of municipality 0101, creates a consultant token, starts `jobmatch serve` as a subprocess on a
free loopback port, then runs bounded request loops with 2..16 client threads.

Usage: python bench/api_bench.py [--postings 100000] [--cvs 2000] [--requests 1000] [--store memory|neo4j] [--workers N]

Prints, per concurrency level, the CPU each request cost in the serving processes, the local Neo4j
(scripts/neo4j-local) and this client.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import REPO, SHARED, machine, percentile  # noqa: E402

JM = str(REPO / ".venv" / "bin" / "jobmatch")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run(env: dict[str, str], *args: str) -> str:
    p = subprocess.run([JM, *args], env=env, capture_output=True, text=True, check=False)
    if p.returncode != 0:
        sys.exit(f"jobmatch {' '.join(args)} failed: {p.stderr[-2000:]}")
    return p.stdout


def wait_ready(port: int, timeout: float = 120.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", "/ready")
            if c.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    sys.exit("server did not become ready")


def _descendants(pid: int) -> list[int]:
    out = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for c in children:
            out += _descendants(int(c))
    return out


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds of these processes so far (0 for one that is gone)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def neo4j_pid() -> int | None:
    """The local Neo4j of scripts/neo4j-local, if it runs here (its CPU is part of a request's cost)."""
    run_dir = Path(os.environ.get("JOBMATCH_NEO4J_RUN", "/tmp/jobmatch-neo4j-run"))
    try:
        return int((run_dir / "run" / "jobmatch-neo4j.pid").read_text().strip())
    except (OSError, ValueError):
        return None


def load(port: int, token: str, cv_ids: list[str], clients: int, total: int) -> tuple[float, list[float], int]:
    lat: list[float] = []
    errors = 0
    lock = threading.Lock()
    per_client = max(1, total // clients)

    def worker(k: int) -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for i in range(per_client):
            cv = cv_ids[(k * per_client + i) % len(cv_ids)]
            t0 = time.perf_counter()
            conn.request("GET", f"/api/v1/cvs/{cv}/matches?limit=10", headers={"Authorization": f"Bearer {token}"})
            r = conn.getresponse()
            r.read()
            dt = (time.perf_counter() - t0) * 1000
            with lock:
                lat.append(dt)
                errors += r.status != 200
        conn.close()

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - t0, lat, errors


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--postings", type=int, default=100_000)
    ap.add_argument("--cvs", type=int, default=2000)
    ap.add_argument("--requests", type=int, default=1000, help="requests per concurrency level")
    ap.add_argument("--store", default="memory", choices=["memory", "neo4j"])
    ap.add_argument("--workers", type=int, default=1, help="serving processes (jobmatch serve --workers)")
    ap.add_argument("--threads", type=int, default=8, help="threads per serving process")
    # 2,000: after a fresh load, Neo4j's CPU per request falls from ~7 to ~2.5 ms over the first ~2,000
    # requests (its JIT and page cache warming); 400 measured that warm-up, not the serving.
    ap.add_argument("--warm", type=int, default=2000, help="untimed requests first (each process builds its "
                                                           "posting index and meets the taxonomy; Neo4j warms)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="jm-api-bench-") as tmp:
        env = {**os.environ, "JOBMATCH_STORE": args.store, "JOBMATCH_DATA_DIR": tmp,
               "JOBMATCH_ESCO_DIR": str(SHARED / "esco" / "1.1.1"),
               "JOBMATCH_EXTRA_LABELS": str(SHARED / "esco" / "da" / "occupation_labels_da.tsv.gz"),
               "JOBMATCH_GEO_DIR": str(SHARED / "geo"), "JOBMATCH_PSEUDONYM_KEY": "bench-" + "k" * 40,
               # matching speed does not depend on how CVs were read; the sample is generated, not read
               "JOBMATCH_READING_MODEL": "lexical"}
        t0 = time.perf_counter()
        run(env, "ontology", "load")
        run(env, "sample", "load", "--postings", str(args.postings), "--cvs", str(args.cvs),
            "--municipalities", "0101")
        token = json.loads(run(env, "tokens", "create", "--role", "consultant", "--municipality", "0101",
                               "--json"))["secret"]
        print(f"machine: {machine()}; store {args.store}; {args.postings:,} postings, {args.cvs:,} CVs; "
              f"{args.workers} serving process(es) x {args.threads} threads; set-up {time.perf_counter() - t0:.0f} s")
        port = free_port()
        server = subprocess.Popen([JM, "serve", "--port", str(port), "--workers", str(args.workers),
                                   "--threads", str(args.threads)], env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        try:
            wait_ready(port)
            cv_ids = [f"cv-{i:06d}" for i in range(args.cvs)]
            t1 = time.perf_counter()
            load(port, token, cv_ids, 8, args.warm)  # warm-up, untimed: see --warm
            print(f"warm-up: {args.warm} requests in {time.perf_counter() - t1:.1f} s; load average "
                  f"{os.getloadavg()[0]:.2f}")
            served = _descendants(server.pid)
            store_pid = neo4j_pid() if args.store == "neo4j" else None
            for clients in (2, 4, 8, 16):
                before = (cpu_seconds(served), cpu_seconds([store_pid] if store_pid else []), sum(os.times()[:2]))
                secs, lat, errors = load(port, token, cv_ids, clients, args.requests)
                after = (cpu_seconds(served), cpu_seconds([store_pid] if store_pid else []), sum(os.times()[:2]))
                api_ms, store_ms, client_ms = ((b - a) * 1000 / max(len(lat), 1) for a, b in zip(before, after,
                                                                                                  strict=True))
                print(f"clients={clients:>2}: {len(lat) / secs:6.1f} req/s  p50={percentile(lat, 50):6.1f} ms  "
                      f"p99={percentile(lat, 99):7.1f} ms  errors={errors}; CPU per request: API {api_ms:.1f} ms, "
                      f"Neo4j {store_ms:.1f} ms, clients {client_ms:.1f} ms")
        finally:
            server.terminate()
            server.wait(timeout=60)
        verify = json.loads(run(env, "audit", "verify", "--json"))
        print(f"audit trail afterwards: ok={verify['ok']}, {verify['checked']} records checked")
    Path(tmp).exists()


if __name__ == "__main__":
    main()
