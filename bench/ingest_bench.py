"""`POST /api/v1/cvs` in the running server with the reading model: p50/p99 latency and the server's RSS.

Uses an existing embedded data dir that holds ESCO and the reading model's index (`jobmatch ontology
load` made both), starts `jobmatch serve` on a free loopback port with a consultant token, warms the
extractor with one CV, then posts the hand-made CVs of tests/fixtures/reading (34, Danish and English)
round-robin as new citizens, one client, and prints the figures. The data dir gets the posted CVs.

Usage: python bench/ingest_bench.py --data-dir DIR [--requests 200]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.api_bench import JM, free_port, run, wait_ready  # noqa: E402
from bench.common import REPO, SHARED, machine, percentile  # noqa: E402


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--requests", type=int, default=200)
    a = ap.parse_args()
    cvs = [json.loads(line) for line in (REPO / "tests/fixtures/reading/cvs.jsonl").read_text("utf-8").splitlines()]
    env = {**os.environ, "JOBMATCH_DATA_DIR": a.data_dir, "JOBMATCH_STORE": "memory",
           "JOBMATCH_GEO_DIR": str(SHARED / "geo"), "JOBMATCH_PSEUDONYM_KEY": "bench-pseudonym-key-0123456789abcdef-0123456789"}
    token = next(w for w in run(env, "tokens", "create", "--role", "consultant", "--municipality", "0101").split()
                 if w.startswith("jm_"))
    port = free_port()
    server = subprocess.Popen([JM, "serve", "--port", str(port)], env=env, stderr=subprocess.DEVNULL)
    try:
        wait_ready(port)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

        def post(i: int) -> float:
            r = cvs[i % len(cvs)]
            doc = {"id": f"0101-B{i:05d}", "municipality": "0101", "postcode": "2100", "max_km": 30,
                   "lang": r["lang"], "desired_occupations": [r["title"]], "profile": r["text"]}
            t0 = time.perf_counter()
            conn.request("POST", "/api/v1/cvs", body=json.dumps(doc), headers=headers)
            resp = conn.getresponse()
            body = resp.read()
            if resp.status not in (200, 201):
                sys.exit(f"POST /cvs answered {resp.status}: {body[:500]!r}")
            return (time.perf_counter() - t0) * 1000

        t0 = time.perf_counter()
        post(99_999)  # the first builds the extractor and opens the index (seconds), as after a restart
        first = time.perf_counter() - t0
        lat = [post(i) for i in range(a.requests)]
        print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f}")
        print(f"first CV after start (extractor built, index opened): {first:.1f} s")
        print(f"POST /api/v1/cvs, {a.requests} CVs (34 hand-made, round-robin), one client: "
              f"p50 {percentile(lat, 50):.0f} ms, p99 {percentile(lat, 99):.0f} ms, max {max(lat):.0f} ms")
        # A text seen before has its phrases' vectors and neighbours cached: a real citizen's CV is new, so
        # the first round is the figure that counts, the later rounds show the cache.
        new, again = lat[:len(cvs)], lat[len(cvs):]
        print(f"  first sight of each CV ({len(new)}): p50 {percentile(new, 50):.0f} ms, p90 "
              f"{percentile(new, 90):.0f} ms, max {max(new):.0f} ms; repeated texts ({len(again)}): p50 "
              f"{percentile(again, 50):.0f} ms, p99 {percentile(again, 99):.0f} ms")
        print(f"server RSS after: {rss_mb(server.pid):,.0f} MB")
    finally:
        server.terminate()
        server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
