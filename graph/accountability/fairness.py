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
from html import escape
from pathlib import Path
from typing import Any

from graph.accountability.audit import body_of
from graph.evaluation.stats import wilson
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


# Groups smaller than this are reported by count only: a share of 3 citizens identifies people and says
# nothing (the evaluation unit may lower it for a pilot, never to 1 in a published report).
MIN_GROUP = 10
UNKNOWN = "(unknown)"


def _share(k: int, n: int) -> dict[str, Any]:
    ci = wilson(k, n)
    return {"share": round(k / n, 4) if n else None, "low": round(ci.low, 4) if ci else None,
            "high": round(ci.high, 4) if ci else None, "n": n}


def fairness_report(ledger: Ledger, groups: dict[str, dict[str, str]], *, since: str | None = None,
                    until: str | None = None, min_group: int = MIN_GROUP) -> dict[str, Any]:
    """Per grouping column and value, from the latest list each citizen was shown: the share shown at
    least one direct match — per strategy (graph and automatch scores are never mixed) and per trial
    arm — and the share shown an alternative, each with a 95 % Wilson interval, plus the graph
    strategy's top-score median. A group below ``min_group`` citizens shows its count only."""
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    arm_of: dict[str, str] = {}
    for rec in _records(ledger, since, until):
        if rec.strategy in AUDIT_EVENT_NAMES:
            continue  # the record of a purge, a print or an erasure, not a served list
        body = body_of(rec)
        if body.get("erased"):
            continue
        latest[(rec.cv_id, rec.strategy)] = body.get("result", {})
        arm_of[rec.cv_id] = body.get("trial_arm") or "no trial"
    citizens = sorted({cv for cv, _ in latest})
    strategies = sorted({s for _, s in latest if s != "alternatives"})
    columns = sorted({c for g in groups.values() for c in g})
    out: dict[str, Any] = {"citizens": len(citizens), "ungrouped": sum(1 for c in citizens if c not in groups),
                           "min_group": min_group, "strategies": strategies, "by": {}}
    for col in columns:
        members: dict[str, list[str]] = defaultdict(list)
        for cv in citizens:
            members[groups.get(cv, {}).get(col, "") or UNKNOWN].append(cv)
        out["by"][col] = {value: _group(cvs, latest, arm_of, strategies, min_group)
                          for value, cvs in sorted(members.items())}
    return out


def _group(cvs: list[str], latest: dict[tuple[str, str], dict[str, Any]], arm_of: dict[str, str],
           strategies: list[str], min_group: int) -> dict[str, Any]:
    if len(cvs) < min_group:
        return {"citizens": len(cvs), "suppressed": True}

    def shown(strategy: str, among: list[str]) -> dict[str, Any]:
        lists = [latest[(cv, strategy)] for cv in among if (cv, strategy) in latest]
        return _share(sum(1 for r in lists if r.get("suggestions")), len(lists))

    with_alt = [latest[(cv, "alternatives")] for cv in cvs if (cv, "alternatives") in latest]
    graph_top = [latest[(cv, "graph")]["suggestions"][0]["score"] for cv in cvs
                 if latest.get((cv, "graph"), {}).get("suggestions")]
    arms = sorted({arm_of.get(cv, "no trial") for cv in cvs})
    return {
        "citizens": len(cvs), "suppressed": False,
        "shown_direct_matches": {s: shown(s, cvs) for s in strategies},
        "shown_direct_matches_by_arm": {a: {s: shown(s, [cv for cv in cvs if arm_of.get(cv) == a])
                                            for s in strategies} for a in arms},
        "shown_alternatives": _share(sum(1 for r in with_alt if r.get("alternatives")), len(with_alt)),
        "graph_top_score_median": round(statistics.median(graph_top), 4) if graph_top else None,
    }


def fairness_html(report: dict[str, Any]) -> str:
    """The report as a self-contained HTML page (Danish headings, the JSON's figures)."""
    rows = []
    for col, values in report["by"].items():
        for value, g in values.items():
            if g["suppressed"]:
                rows.append(f"<tr><th scope='row'>{escape(col)}</th><td>{escape(value)}</td><td>{g['citizens']}</td>"
                            f"<td colspan='3'>under {report['min_group']} borgere: ikke vist</td></tr>")
                continue
            cells = "".join(f"<td>{_fmt(g['shown_direct_matches'].get(s))}</td>" for s in report["strategies"])
            rows.append(f"<tr><th scope='row'>{escape(col)}</th><td>{escape(value)}</td><td>{g['citizens']}</td>"
                        f"{cells}<td>{_fmt(g['shown_alternatives'])}</td></tr>")
    heads = "".join(f"<th scope='col'>Vist mindst ét job ({escape(s)})</th>" for s in report["strategies"])
    return ("<!doctype html><html lang='da'><head><meta charset='utf-8'><title>Jobmatch — lighedsrapport</title>"
            "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
            "td,th{border:1px solid #999;padding:4px 8px;text-align:left}</style></head><body>"
            "<h1>Lighedsrapport</h1>"
            f"<p>{report['citizens']} borgere; grupper under {report['min_group']} borgere vises ikke. "
            "Andele med 95 % Wilson-interval; grupperingen bruges aldrig i matchningen.</p>"
            f"<table><thead><tr><th scope='col'>Gruppering</th><th scope='col'>Gruppe</th>"
            f"<th scope='col'>Borgere</th>{heads}<th scope='col'>Vist andre fag</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></body></html>")


def _fmt(share: dict[str, Any] | None) -> str:
    if not share or share["share"] is None:
        return "—"
    return f"{share['share']:.0%} ({share['low']:.0%}–{share['high']:.0%}, n={share['n']})"
