"""Breakdowns by grouping columns from a separate file (case_id → columns), joined after the replay.

The groups file is read here and only here, and only :func:`breakdown` uses it, on finished
outcomes: no strategy ever receives a grouping column, so a breakdown by, say, age band can show a
difference but can never have caused one.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.evaluation.cases import Rejection
from graph.evaluation.history import Outcome
from graph.evaluation.metrics import strategy_figures
from graph.evaluation.stats import BOOTSTRAP_RESAMPLES
from ontology.errors import ValidationError

# A column with more distinct values than this is an identifier or free text, not a grouping: a
# breakdown into hundreds of groups of a few cases each shows only noise.
MAX_GROUP_VALUES = 50
MISSING = "(no row)"
BLANK = "(blank)"


@dataclass
class Groups:
    rows: dict[str, dict[str, str]] = field(default_factory=dict)
    columns: list[str] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    read: int = 0


def _value(v: Any) -> str | None:
    if v is None or v == "":
        return BLANK
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str | int | float):
        return str(v).strip() or BLANK
    return None


def read_groups(path: Path) -> Groups:
    """Read a CSV (``.csv``; ``.tsv`` tab-separated) or JSON Lines groups file with a ``case_id`` column.

    :raise ValidationError: (field ``groups``) if the file cannot be read or has no ``case_id`` column.
    """
    out = Groups()
    try:
        text = path.read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise ValidationError(f"cannot read the groups file {path}: {e}", field="groups") from e
    name = str(path)
    if path.suffix.lower() in (".csv", ".tsv"):
        reader = csv.reader(text.splitlines(), delimiter="\t" if path.suffix.lower() == ".tsv" else ",")
        header = next(reader, None)
        if not header or "case_id" not in [h.strip() for h in header]:
            raise ValidationError(f"{path}: the first line must name the columns, one of them case_id", field="groups")
        header = [h.strip() for h in header]
        out.columns = [h for h in header if h != "case_id"]
        for line, row in enumerate(reader, start=2):
            if not any(c.strip() for c in row):
                continue
            out.read += 1
            if len(row) != len(header):
                out.rejections.append(Rejection(name, line, "", f"{len(row)} values for {len(header)} columns"))
                continue
            _add(out, name, line, dict(zip(header, row, strict=True)))
        return out
    columns: dict[str, None] = {}
    for line, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        out.read += 1
        try:
            doc = json.loads(raw)
        except json.JSONDecodeError as e:
            out.rejections.append(Rejection(name, line, "", f"not JSON: {e.msg} at column {e.colno}"))
            continue
        if not isinstance(doc, dict):
            out.rejections.append(Rejection(name, line, "", "not a JSON object"))
            continue
        if _add(out, name, line, doc):
            columns.update(dict.fromkeys(k for k in doc if k != "case_id"))
    out.columns = list(columns)
    return out


def _add(out: Groups, name: str, line: int, doc: dict[str, Any]) -> bool:
    case_id = doc.get("case_id")
    if not isinstance(case_id, str | int) or isinstance(case_id, bool) or not str(case_id).strip():
        out.rejections.append(Rejection(name, line, "/case_id", "required"))
        return False
    key = str(case_id).strip()
    if key in out.rows:
        out.rejections.append(Rejection(name, line, "/case_id", "duplicate"))
        return False
    values: dict[str, str] = {}
    for col, v in doc.items():
        if col == "case_id":
            continue
        s = _value(v)
        if s is None:
            out.rejections.append(Rejection(name, line, f"/{col}", "must be a text, number or boolean"))
            return False
        values[col] = s
    out.rows[key] = values
    return True


def breakdown(outcomes: Sequence[Outcome], groups: Groups, strategies: Sequence[str], ks: Sequence[int], *,
              seed: int, resamples: int = BOOTSTRAP_RESAMPLES) -> dict[str, Any]:
    """Per grouping column and value: case counts and every strategy's figures (with intervals).

    Cases without a row are grouped as ``(no row)``; group rows naming no evaluated case are counted.
    """
    evaluated = {o.case_id for o in outcomes}
    result: dict[str, Any] = {"columns": {}, "skipped_columns": {},
                              "rows_without_case": sum(1 for c in groups.rows if c not in evaluated),
                              "cases_without_row": sum(1 for o in outcomes if o.case_id not in groups.rows)}
    for col in groups.columns:
        by_value: dict[str, list[Outcome]] = {}
        for o in outcomes:
            row = groups.rows.get(o.case_id)
            value = MISSING if row is None else row.get(col, BLANK)
            by_value.setdefault(value, []).append(o)
        if len(by_value) > MAX_GROUP_VALUES:
            result["skipped_columns"][col] = f"{len(by_value)} distinct values (more than {MAX_GROUP_VALUES})"
            continue
        result["columns"][col] = {
            value: {"cases": len(members),
                    "strategies": {s: strategy_figures(members, s, ks, seed=seed, resamples=resamples)
                                   for s in strategies}}
            for value, members in sorted(by_value.items())
        }
    return result
