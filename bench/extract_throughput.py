"""Throughput of the extractor: build time, postings per second on one core, peak memory.

    taskset -c 0 python bench/extract_throughput.py [--shared DIR] [--postings 400] [--words 300]
        [--model e5-small|lexical] [--index-dir DIR]

With a reading model its index must be built (``jobmatch reading build`` or ``ontology load``; it is
found by key). Run under ``taskset -c 0`` for the one-core figure: the model's engine uses every core
it may. Two passes: a cold one (no phrase embedded yet) and a warm one over *other* generated postings
(phrases repeat across postings, as in real ones; the embedder keeps their vectors).

Postings are generated here from ESCO labels and Danish/English template sentences (requirements,
boilerplate, negations), a few hundred words each, half Danish and half English, so the figure does
not depend on any real (personal) text. Prints one line per figure.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import reading_args  # noqa: E402

EN_REQUIRE = [
    "You have solid experience with {s}.", "Knowledge of {s} is required.", "Experience in {s} is a plus.",
    "You must be able to {s}.", "We expect you to {s} and {s2}.", "Nice to have: {s}.",
    "No experience with {s} is needed.", "You will {s} together with the team.",
]
EN_FILLER = [
    "About us: we are a growing company with offices in Aarhus and Copenhagen.",
    "We offer a competitive salary, pension and a good working environment.",
    "We are an equal opportunity employer and welcome applicants regardless of background.",
    "The position is full time and starts as soon as possible.",
    "Send your application with a short motivation before the deadline.",
]
DA_REQUIRE = [
    "Du har erfaring med {s}.", "Kendskab til {s} er et krav.", "Det er en fordel, hvis du kan {s}.",
    "Du skal kunne {s}.", "Du er {d} og god til {d2}.", "Du har gerne erfaring med {d}.",
    "Ingen erfaring med {s} er nødvendig.", "Du bruger Excel og {s} i dagligdagen.",
]
DA_FILLER = [
    "Om os: Vi er en dansk virksomhed med fokus på kvalitet og trivsel.",
    "Vi tilbyder en god løn, pension og et godt arbejdsmiljø med søde kolleger.",
    "Vi opfordrer alle interesserede uanset køn, alder og etnisk baggrund til at søge.",
    "Stillingen er på fuld tid med tiltrædelse hurtigst muligt.",
    "Send din ansøgning senest fredag, så indkalder vi løbende til samtale.",
]
DA_WORDS = ["samarbejde", "kommunikation", "selvstændig", "fleksibel", "mødestabil", "rengøring",
            "kundeservice", "truckkørsel", "pædagogik", "madlavning", "regnskab", "omsorg", "personlig pleje"]


def make_postings(labels: list[str], n: int, words: int, seed: int = 7) -> list[str]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        danish = i % 2 == 1
        req, fill = (DA_REQUIRE, DA_FILLER) if danish else (EN_REQUIRE, EN_FILLER)
        parts: list[str] = []
        while sum(len(p.split()) for p in parts) < words:
            if rnd.random() < 0.3:
                parts.append(rnd.choice(fill))
            else:
                parts.append(rnd.choice(req).format(s=rnd.choice(labels), s2=rnd.choice(labels),
                                                    d=rnd.choice(DA_WORDS), d2=rnd.choice(DA_WORDS)))
        out.append("\n".join(parts))
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=os.environ.get("JOBMATCH_SHARED") or str(ROOT.parent / "shared"))
    ap.add_argument("--postings", type=int, default=400)
    ap.add_argument("--words", type=int, default=300)
    reading_args(ap)
    a = ap.parse_args()
    shared = Path(a.shared)

    from loaders.extract import labels_from_taxonomy
    from loaders.extract.pipeline import get_nlp
    from loaders.extract.reading import ReadingConfig
    from loaders.extract.sources import extractor_for_taxonomy
    from ontology.package import read_taxonomy

    t0 = time.perf_counter()
    tax = read_taxonomy(shared / "esco/1.1.1", ("en", "da"), [shared / "esco/da/occupation_labels_da.tsv.gz"])
    entries = list(labels_from_taxonomy(tax))
    t1 = time.perf_counter()
    get_nlp("en"), get_nlp("da")
    t2 = time.perf_counter()
    c0 = time.process_time()
    ex = extractor_for_taxonomy(tax, [], ReadingConfig(a.model, Path(a.index_dir)))
    t3 = time.perf_counter()
    c1 = time.process_time()
    labels = sorted({e.label for e in entries if e.kind == "Skill" and e.lang == "en" and e.role == "preferred"})
    postings = make_postings(labels, a.postings, a.words)
    n_words = sum(len(p.split()) for p in postings)
    list(ex.extract_many(postings[:20], kind="posting"))  # warm-up
    t4 = time.perf_counter()
    c2 = time.process_time()
    found = sum(len(r.skills) for r in ex.extract_many(postings, kind="posting"))
    t5 = time.perf_counter()
    c3 = time.process_time()
    other = make_postings(labels, a.postings, a.words, seed=8)
    t6 = time.perf_counter()
    ex.extract_many(other, kind="posting")
    t7 = time.perf_counter()
    single = time.perf_counter()
    for p in make_postings(labels, 100, a.words, seed=9):
        ex.extract(p, kind="posting")
    single = time.perf_counter() - single
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"read ESCO + labels: {t1 - t0:.1f} s ({len(entries):,} label entries)")
    print(f"spaCy pipelines (da, en): {t2 - t1:.1f} s")
    print(f"build extractor: {t3 - t2:.1f} s wall, {c1 - c0:.1f} s CPU")
    print(f"postings: {len(postings)} x ~{n_words // len(postings)} words, {found:,} skill mentions")
    print(f"reading model: {ex.model_id} (index {ex.index_key or '-'})")
    print(f"throughput, cold (extract_many): {len(postings) / (t5 - t4):.0f} postings/s wall, "
          f"{len(postings) / (c3 - c2):.0f} postings/s per CPU second")
    print(f"throughput, warm (other postings, phrases seen before kept): {len(other) / (t7 - t6):.0f} postings/s")
    print(f"throughput (extract one by one): {100 / single:.0f} postings/s")
    print(f"peak memory (max RSS): {peak_mb:,.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
