"""Measure extraction on the development sets in ../shared/eval-dev and print the figures.

Two ways, same metric definitions (those of ``../shared/tools/score_extract.py``):

    python bench/eval_extract.py                 # in-process: builds the extractor from ../shared/esco
    python bench/eval_extract.py --cli           # runs the official scorer on `jobmatch extract`
                                                 # (needs a loaded store: see the scorer's docstring)

Options: ``--set skills-en|spans-da|titles-en|all``, ``--shared DIR`` (default $JOBMATCH_SHARED or
../shared), ``--errors N`` prints N misses per set (for development; texts are public dev data).
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import skill_gold_en  # noqa: E402


def _shared(arg: str | None) -> Path:
    return Path(arg or os.environ.get("JOBMATCH_SHARED") or ROOT.parent / "shared").resolve()


def _build(shared: Path):  # type: ignore[no-untyped-def]
    from loaders.extract import build_extractor, labels_from_taxonomy, packaged_local_additions
    from ontology.package import read_taxonomy

    t0 = time.perf_counter()
    tax = read_taxonomy(shared / "esco/1.1.1", ("en", "da"), [shared / "esco/da/occupation_labels_da.tsv.gz"])
    t1 = time.perf_counter()
    ex = build_extractor(labels_from_taxonomy(tax), packaged_local_additions(set(tax.concepts)))
    t2 = time.perf_counter()
    print(f"read ESCO {t1 - t0:.1f} s, built extractor {t2 - t1:.1f} s")
    return ex


def _ranked(items) -> list[str]:  # type: ignore[no-untyped-def]
    seen: dict[str, None] = {}
    for i in sorted(items, key=lambda i: -float(i.score)):
        seen.setdefault(i.uri, None)
    return list(seen)


def skills_en(ex, shared: Path, errors: int) -> None:  # type: ignore[no-untyped-def]
    for name in ("tech", "house"):
        gold, uri2label = skill_gold_en(shared, name)
        sents = list(gold)
        tp = fp = fn = 0
        rp5 = 0.0
        shown = 0
        for s, o in zip(sents, ex.extract_many(sents, lang="en", kind="posting"), strict=True):
            pred, g = _ranked(o.skills), gold[s]
            tp += len(set(pred) & g)
            fp += len(set(pred) - g)
            fn += len(g - set(pred))
            rp5 += len(set(pred[:5]) & g) / min(5, len(g))
            if shown < errors and set(pred) != g:
                shown += 1
                print(f"  [{name}] {s[:160]}")
                print(f"      missed: {sorted(uri2label.get(u, u) for u in g - set(pred))}")
                print(f"      extra:  {[(m.text, m.label) for m in o.skills if m.uri not in g]}")
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        print(f"skills-en {name}-dev: n={len(sents)} P={p:.3f} R={r:.3f} F1={f1:.3f} RP@5={rp5 / len(sents):.3f}")


def spans_da(ex, shared: Path, errors: int) -> None:  # type: ignore[no-untyped-def]
    sents: list[list[list[str]]] = []
    cur: list[list[str]] = []
    for line in (shared / "eval-dev/skill-spans-da/kompetencer_danish_train.conll").open(encoding="utf-8"):
        line = line.rstrip("\n")
        if not line.strip():
            if cur:
                sents.append(cur)
                cur = []
            continue
        parts = line.split("\t")
        if len(parts) >= 3:
            cur.append(parts[:3])
    if cur:
        sents.append(cur)
    texts, golds = [], []
    for toks in sents:
        text, offs = "", []
        for tok, *_ in toks:
            if text:
                text += " "
            offs.append((len(text), len(text) + len(tok)))
            text += tok
        spans = []
        for col in (1, 2):
            start = None
            for i, t in enumerate(toks):
                tag = t[col]
                if tag.startswith("B") or (tag.startswith("I") and start is None):
                    if start is not None:
                        spans.append((offs[start][0], offs[i - 1][1]))
                    start = i
                elif not tag.startswith("I") and start is not None:
                    spans.append((offs[start][0], offs[i - 1][1]))
                    start = None
            if start is not None:
                spans.append((offs[start][0], offs[-1][1]))
        texts.append(text)
        golds.append(spans)
    hit = total = predicted = 0
    missed: list[str] = []
    for text, o, spans in zip(texts, ex.extract_many(texts, lang="da", kind="posting"), golds, strict=True):
        pred = [(s.start, s.end) for s in o.skills]
        predicted += len(pred)
        for a, b in spans:
            total += 1
            ok = any(ps < b and pe > a for ps, pe in pred)
            hit += ok
            if not ok:
                missed.append(text[a:b])
    print(f"spans-da kompetencer-train: gold spans={total} recall={hit / total if total else 0:.3f} "
          f"(predicted spans {predicted})")
    if errors:
        print("  missed:", missed[:errors])


def titles_en(ex, shared: Path, errors: int, limit: int = 3000) -> None:  # type: ignore[no-untyped-def]
    with (shared / "eval-dev/title-to-occupation-en/titles.validation.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))[:limit]
    mrr = a1 = 0.0
    shown = 0
    for r, o in zip(rows, ex.extract_many([r["vacancyTitle"] for r in rows], lang="en"), strict=True):
        pred = _ranked(o.occupations)
        rank = next((i + 1 for i, u in enumerate(pred) if u == r["conceptUri"]), None)
        if rank:
            mrr += 1 / rank
            a1 += rank == 1
        elif shown < errors:
            shown += 1
            print(f"  [title] {r['vacancyTitle']!r} -> {[x.label for x in o.occupations[:3]]}")
    print(f"titles-en jobbert-validation: n={len(rows)} MRR={mrr / len(rows):.3f} Acc@1={a1 / len(rows):.3f}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--set", default="all", choices=["all", "skills-en", "spans-da", "titles-en"])
    ap.add_argument("--shared")
    ap.add_argument("--cli", action="store_true", help="run the official scorer on `jobmatch extract`")
    ap.add_argument("--errors", type=int, default=0)
    a = ap.parse_args()
    shared = _shared(a.shared)
    if a.cli:
        jm = ROOT / ".venv/bin/jobmatch"
        cmd = [sys.executable, str(shared / "tools/score_extract.py"), "--jobmatch", str(jm), "--set", a.set]
        t0 = time.perf_counter()
        code = subprocess.run(cmd, cwd=ROOT, check=False).returncode
        print(f"scorer took {time.perf_counter() - t0:.1f} s")
        return code
    ex = _build(shared)
    for name, fn in (("skills-en", skills_en), ("spans-da", spans_da), ("titles-en", titles_en)):
        if a.set in ("all", name):
            t0 = time.perf_counter()
            fn(ex, shared, a.errors)
            print(f"  ({time.perf_counter() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
