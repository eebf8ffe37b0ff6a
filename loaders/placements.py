"""Placements from outside (files in every supported document format) and generated placements.

Reading: :class:`PlacementReader` turns the CV or posting embedded in a placement line into a record.
The record shape (top-level ``lat``/``lon``, ``graph.codec``) is validated directly; every other
document goes through ingestion (``loaders.documents``: our JSON, JSON Resume, schema.org
JobPosting), which validates, pseudonymises, scrubs, extracts and locates exactly as ``jobmatch
ingest`` does. The extractor, gazetteer and pseudonym key are built on the first document that
needs them, so record-shaped files need none of them.

Generating: :func:`generate_placements` writes cases over the synthetic generator
(:class:`loaders.synthetic.Generator`): a citizen hired into a posting written from the occupation
of their CV, with realistic noise — hires into other occupations, hires into jobs that never had a
posting in the data — spread over a year of hiring dates, and a postings corpus whose publication
windows surround those dates.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from graph.codec import cv_to_dict, posting_to_dict
from graph.evaluation.cases import CaseSet, RecordReader, Rejection, collect_cases, collect_postings
from graph.evaluation.shapes import cv_record, is_record_shape, posting_record
from graph.matching.geo import Gazetteer
from graph.matching.match import haversine_np
from graph.records import CvRecord, PostingRecord
from loaders.documents import cv_record_from, posting_record_from, read_documents
from loaders.documents.text_port import TextExtractor
from loaders.privacy import PseudonymKey
from loaders.synthetic import Generator, Profile


# -- reading ---------------------------------------------------------------------------------------
class PlacementReader:
    """A :class:`graph.evaluation.cases.RecordReader` for the record shape and every document format.

    The factories are called once, on the first document in a document format; they raise
    ``ConfigurationError`` when what they build is not configured (e.g. JOBMATCH_PSEUDONYM_KEY), which
    stops the run rather than rejecting every line for the same reason.
    """

    def __init__(self, *, extractor: Callable[[], TextExtractor], gazetteer: Callable[[], Gazetteer],
                 key: Callable[[], PseudonymKey], today: date) -> None:
        self._make_extractor, self._make_gazetteer, self._make_key = extractor, gazetteer, key
        self._extractor: TextExtractor | None = None
        self._gazetteer: Gazetteer | None = None
        self._key: PseudonymKey | None = None
        self.today = today
        self.documents = 0  # how many embedded documents went through ingestion

    def _tools(self) -> tuple[TextExtractor, Gazetteer]:
        if self._gazetteer is None:
            self._gazetteer = self._make_gazetteer()
        if self._extractor is None:
            self._extractor = self._make_extractor()
        return self._extractor, self._gazetteer

    def cv(self, doc: Any) -> CvRecord:
        if is_record_shape(doc):
            return cv_record(doc)
        if self._key is None:
            # Checked before the document is read: no CV is touched without a way to pseudonymise it.
            self._key = self._make_key()
        extractor, gazetteer = self._tools()
        self.documents += 1
        return cv_record_from(doc, extractor=extractor, gazetteer=gazetteer, key=self._key, today=self.today)

    def posting(self, doc: Any) -> PostingRecord:
        if is_record_shape(doc):
            return posting_record(doc)
        extractor, gazetteer = self._tools()
        self.documents += 1
        return posting_record_from(doc, extractor=extractor, gazetteer=gazetteer)


def read_corpus(path: Path, reader: RecordReader) -> tuple[dict[str, PostingRecord], list[Rejection], int]:
    """The postings corpus of ``path`` (JSON Lines): records by id, rejected lines, lines read.

    :raise ValidationError: (field ``FILE``) if the file cannot be read or is empty.
    """
    return collect_postings(read_documents(path), reader, str(path))


def read_placements(path: Path, reader: RecordReader, corpus_ids: set[str]) -> CaseSet:
    """The cases of ``path`` (JSON Lines), every bad line a rejection.

    :raise ValidationError: (field ``FILE``) if the file cannot be read or is empty.
    """
    return collect_cases(read_documents(path), reader, corpus_ids, str(path))


# -- generating ------------------------------------------------------------------------------------
# Hires into an occupation other than the one the CV was written from: career changes are common
# among the long-term unemployed a job centre serves.
OTHER_OCCUPATION_SHARE = 0.20
# Of those, the share into an occupation sharing essential skills with the CV's (a plausible move);
# the rest into any occupation (the job that happened to be there).
ADJACENT_SHARE = 0.5
# Shared essential skills that make an occupation adjacent.
ADJACENT_MIN_SHARED = 2
# Hires into jobs never posted in the data (filled through networks, unsolicited applications).
NO_POSTING_SHARE = 0.15
# Hiring dates are spread over a year, so a temporal split has an earlier and a later period.
HIRING_DAYS = 365
# The corpus starts this long before the first hiring date: early cases need postings open then.
LEAD_DAYS = 60
# A posting is open 2–8 weeks (Jobnet's usual range); a hire falls within its window.
MIN_OPEN_DAYS, MAX_OPEN_DAYS = 14, 60
# A hired job lies within this share of the citizen's radius, so it is reachable by every strategy;
# the postcode centroids are coarse and a job at the edge would fall in or out by rounding.
HIRE_RADIUS_SHARE = 0.8


@dataclass
class GeneratedPlacements:
    cases: list[dict[str, Any]] = field(default_factory=list)
    postings: list[PostingRecord] = field(default_factory=list)
    groups: list[dict[str, str]] = field(default_factory=list)


class _Places:
    """Postcodes near a point, weighted by population (the generator's own weights)."""

    def __init__(self, gen: Generator) -> None:
        self.codes = gen.postcodes
        self.lat = np.array([gen.gazetteer.places[c].lat for c in self.codes], dtype=np.float64)
        self.lon = np.array([gen.gazetteer.places[c].lon for c in self.codes], dtype=np.float64)
        self.weights = gen.weights
        self.gen = gen

    def near(self, cv: CvRecord) -> tuple[str, float, float]:
        if cv.lat is None or cv.lon is None:
            raise ValueError("a generated CV has no location")  # the generator always locates CVs
        dist = haversine_np(cv.lat, cv.lon, self.lat, self.lon)
        close = np.flatnonzero(dist <= HIRE_RADIUS_SHARE * (cv.max_km or 25.0)).tolist()
        if not close:
            return cv.postcode, cv.lat, cv.lon
        i = self.gen.rng.choices(close, [self.weights[j] for j in close])[0]
        return self.codes[i], float(self.lat[i]), float(self.lon[i])


def _population_band(gen: Generator, municipality: str) -> str:
    pop = gen.gazetteer.municipalities.get(municipality, ("", 0))[1]
    if pop >= 100_000:
        return "city (100k+)"
    return "town (40k-100k)" if pop >= 40_000 else "rural (<40k)"


def generate_placements(gen: Generator, *, cases: int, postings: int, start: date) -> GeneratedPlacements:
    """``cases`` placements hired from ``start`` over a year, and a corpus of ``postings`` postings
    (the hired postings included) open around those dates. Deterministic for the generator's seed."""
    rng = gen.rng
    places = _Places(gen)
    by_skill: dict[str, list[Profile]] = {}
    for p in gen.profiles:
        for s in p.essential:
            by_skill.setdefault(s.uri, []).append(p)
    adjacent: dict[str, list[Profile]] = {}

    def neighbours(p: Profile) -> list[Profile]:
        if p.occupation.uri not in adjacent:
            shared: dict[str, int] = {}
            for s in p.essential:
                for q in by_skill.get(s.uri, ()):
                    if q.occupation.uri != p.occupation.uri:
                        shared[q.occupation.uri] = shared.get(q.occupation.uri, 0) + 1
            adjacent[p.occupation.uri] = [q for q in gen.profiles if shared.get(q.occupation.uri, 0)
                                          >= ADJACENT_MIN_SHARED]
        return adjacent[p.occupation.uri]

    out = GeneratedPlacements()
    for i in range(cases):
        prof = gen.pick_profile()
        cv, _doc = gen.cv(i, prof)
        hired_on = start + timedelta(days=rng.randrange(HIRING_DAYS))
        cv = replace(cv, updated=(hired_on - timedelta(days=rng.randint(7, 90))).isoformat())
        target, kind = prof, "desired occupation" if cv.seeks else "own occupation"
        if rng.random() < OTHER_OCCUPATION_SHARE:
            near = neighbours(prof)
            if near and rng.random() < ADJACENT_SHARE:
                target, kind = rng.choice(near), "adjacent occupation"
            else:
                target = gen.pick_profile()
                while target.occupation.uri == prof.occupation.uri and len(gen.popular) > 1:
                    target = gen.pick_profile()
                kind = "other occupation"
        code, lat, lon = places.near(cv)
        hired: dict[str, Any]
        if rng.random() < NO_POSTING_SHARE:
            hired, posted = {"occupation": target.occupation.uri, "postcode": code}, "no"
        else:
            rec, _ = gen.posting(i, target)
            published = hired_on - timedelta(days=rng.randint(3, 40))
            valid = published + timedelta(days=rng.randint(MIN_OPEN_DAYS, MAX_OPEN_DAYS))
            if valid < hired_on:
                valid = hired_on + timedelta(days=rng.randint(0, 14))
            rec = replace(rec, id=f"hire-{i:06d}", postcode=code, lat=lat, lon=lon,
                          published=published.isoformat(), valid_through=valid.isoformat())
            out.postings.append(rec)
            # A posting without the portal's occupation code: the job centre codes the hire itself.
            hired = {"posting_id": rec.id, **({} if rec.occupation else {"occupation": target.occupation.uri})}
            posted = "yes"
        out.cases.append({"case_id": f"case-{i:06d}", "cv": cv_to_dict(cv), "hired": hired,
                          "hired_on": hired_on.isoformat(), "ontology_version": gen.tax.version})
        out.groups.append({"case_id": f"case-{i:06d}", "hire": kind, "posted": posted,
                           "cv_language": cv.lang or "unknown", "desired_stated": "yes" if cv.seeks else "no",
                           "home_area": _population_band(gen, cv.municipality)})
    first = start - timedelta(days=LEAD_DAYS)
    for j in range(max(0, postings - len(out.postings))):
        rec, _ = gen.posting(j)
        published = first + timedelta(days=rng.randrange(HIRING_DAYS + LEAD_DAYS))
        valid = published + timedelta(days=rng.randint(MIN_OPEN_DAYS, MAX_OPEN_DAYS))
        out.postings.append(replace(rec, id=f"post-{j:06d}", published=published.isoformat(),
                                    valid_through=valid.isoformat()))
    return out


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    return n


def write_generated(data: GeneratedPlacements, out_dir: Path) -> dict[str, Path]:
    """Write placements.jsonl, postings.jsonl and groups.csv into ``out_dir``; returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"placements": out_dir / "placements.jsonl", "postings": out_dir / "postings.jsonl",
             "groups": out_dir / "groups.csv"}
    write_jsonl(paths["placements"], data.cases)
    write_jsonl(paths["postings"], (posting_to_dict(p) for p in data.postings))
    columns = list(data.groups[0]) if data.groups else ["case_id"]
    with paths["groups"].open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=columns)
        w.writeheader()
        w.writerows(data.groups)
    return paths
