"""Fairness checks: who is shown direct matches vs alternatives, and score distributions, by group.

The grouping (e.g. age band, gender, origin — whatever the evaluation unit supplies) comes from a
separate file keyed by pseudonym. It is read only here, after the fact, from the audit trail: it never
enters matching, which has no input for it.
"""

from __future__ import annotations

import csv
import statistics
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from graph.accountability.audit import body_of
from graph.ledger import AuditQuery, AuditRecord, Ledger
from graph.matching.vocabulary import AUDIT_EVENT_NAMES
from ontology.errors import ValidationError


def read_groups(path: Path) -> dict[str, dict[str, str]]:
    """``cv_id -> {column: value}`` from a CSV with a ``cv_id`` column (other columns are groupings).

    :raise ValidationError: if the file has no ``cv_id`` column.
    """
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        if "cv_id" not in (reader.fieldnames or ()):
            raise ValidationError(f"{path.name}: a groups file needs a cv_id column", field="groups")
        return {row["cv_id"]: {k: v for k, v in row.items() if k != "cv_id" and k} for row in reader}


def _records(ledger: Ledger, since: str | None, until: str | None) -> Iterable[AuditRecord]:
    after = 0
    while True:
        batch = ledger.audit_records(AuditQuery(since=since, until=until, limit=1000, after_seq=after))
        if not batch:
            return
        yield from batch
        after = batch[-1].seq


def fairness_report(ledger: Ledger, groups: dict[str, dict[str, str]], *, since: str | None = None,
                    until: str | None = None) -> dict[str, Any]:
    """Per grouping column and value: citizens, share shown ≥ 1 direct match, share shown ≥ 1
    alternative, and the distribution of top scores of direct matches (latest list per citizen)."""
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for rec in _records(ledger, since, until):
        if rec.strategy in AUDIT_EVENT_NAMES:
            continue  # the record of a purge or a print, not a served list
        kind = "alternatives" if rec.strategy == "alternatives" else "matches"
        latest[(rec.cv_id, kind)] = body_of(rec).get("result", {})
    citizens = sorted({cv for cv, _ in latest})
    columns = sorted({c for g in groups.values() for c in g})
    out: dict[str, Any] = {"citizens": len(citizens), "ungrouped": sum(1 for c in citizens if c not in groups),
                           "by": {}}
    for col in columns:
        acc: dict[str, dict[str, Any]] = defaultdict(lambda: {"n": 0, "matches": 0, "alternatives": 0, "scores": []})
        for cv in citizens:
            value = groups.get(cv, {}).get(col, "") or "(unknown)"
            a = acc[value]
            a["n"] += 1
            m = latest.get((cv, "matches"))
            if m and m["suggestions"]:
                a["matches"] += 1
                a["scores"].append(m["suggestions"][0]["score"])
            alt = latest.get((cv, "alternatives"))
            if alt and alt["alternatives"]:
                a["alternatives"] += 1
        out["by"][col] = {
            value: {
                "citizens": a["n"],
                "shown_direct_matches": round(a["matches"] / a["n"], 4),
                "shown_alternatives": round(a["alternatives"] / a["n"], 4),
                "top_score_median": round(statistics.median(a["scores"]), 4) if a["scores"] else None,
                "top_score_mean": round(statistics.fmean(a["scores"]), 4) if a["scores"] else None,
            }
            for value, a in sorted(acc.items())
        }
    return out
