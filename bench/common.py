"""Shared set-up for the benchmark scripts: paths, the ESCO taxonomy, generated data, percentiles."""

from __future__ import annotations

import argparse
import collections
import csv
import gzip
import os
import platform
import time
from pathlib import Path

from graph.matching.geo import Gazetteer
from ontology.model import Taxonomy
from ontology.package import read_taxonomy

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("JOBMATCH_SHARED", REPO.parent / "shared"))


def esco_111() -> Taxonomy:
    return read_taxonomy(SHARED / "esco" / "1.1.1", ("en", "da"),
                         [SHARED / "esco" / "da" / "occupation_labels_da.tsv.gz"])


def gazetteer() -> Gazetteer:
    return Gazetteer.load(SHARED / "geo")


def percentile(values: list[float], q: float) -> float:
    s = sorted(values)
    if not s:
        return float("nan")
    k = min(len(s) - 1, max(0, round(q / 100 * (len(s) - 1))))
    return s[k]


def machine() -> str:
    return f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"


class Timer:
    def __enter__(self) -> Timer:
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.t0


def skill_gold_en(shared: Path, name: str) -> tuple[dict[str, set[str]], dict[str, str]]:
    """The English skill-extraction dev set ``name`` (tech or house): gold ESCO URIs per sentence, in
    file order, and the ESCO 1.1.0 preferred label of each URI (the annotations name skills by label)."""
    label2uri: dict[str, str] = {}
    uri2label: dict[str, str] = {}
    with gzip.open(shared / "esco/1.1.0/en/skills_en.csv.gz", "rt", encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            label2uri.setdefault(r["preferredLabel"], r["conceptUri"])
            uri2label.setdefault(r["conceptUri"], r["preferredLabel"])
    gold: dict[str, set[str]] = collections.OrderedDict()
    with (shared / f"eval-dev/skill-extraction-en/{name}_validation_annotations.csv").open(
            encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            if r["label"] in label2uri:
                gold.setdefault(r["sentence"], set()).add(label2uri[r["label"]])
    return gold, uri2label


def reading_args(ap: argparse.ArgumentParser) -> None:
    """``--model`` and ``--index-dir``: the reading model and where its concept index is, as the service
    reads them (``JOBMATCH_READING_MODEL``, ``JOBMATCH_READING_INDEX_DIR`` or ``$JOBMATCH_DATA_DIR/reading``)."""
    ap.add_argument("--model", default=os.environ.get("JOBMATCH_READING_MODEL", "e5-small"),
                    help="reading model (default $JOBMATCH_READING_MODEL or e5-small)")
    ap.add_argument("--index-dir", default=os.environ.get("JOBMATCH_READING_INDEX_DIR")
                    or str(Path(os.environ.get("JOBMATCH_DATA_DIR", "data")) / "reading"))
