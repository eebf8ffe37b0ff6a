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

from bench.common import reading_args, skill_gold_en  # noqa: E402


def _shared(arg: str | None) -> Path:
    return Path(arg or os.environ.get("JOBMATCH_SHARED") or ROOT.parent / "shared").resolve()


def _build(shared: Path, model: str, index_dir: Path):  # type: ignore[no-untyped-def]
    from loaders.extract import labels_from_taxonomy
    from loaders.extract.reading import ReadingConfig
    from loaders.extract.sources import build_concept_index, extractor_for_taxonomy
    from ontology.package import read_taxonomy

    t0 = time.perf_counter()
    tax = read_taxonomy(shared / "esco/1.1.1", ("en", "da"), [shared / "esco/da/occupation_labels_da.tsv.gz"])
    t1 = time.perf_counter()
    entries = list(labels_from_taxonomy(tax))
    reading = ReadingConfig(model, index_dir)
    build_concept_index(entries, [], reading)  # found, not rebuilt, when `ontology load` made it
    ex = extractor_for_taxonomy(tax, [], reading)
    t2 = time.perf_counter()
    print(f"read ESCO {t1 - t0:.1f} s, built extractor {t2 - t1:.1f} s (reading model {ex.model_id})")
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


def _kompetencer(shared: Path) -> tuple[list[str], list[list[tuple[int, int]]]]:
    """The Kompetencer sentences as texts (tokens joined by spaces) and their gold skill and knowledge spans."""
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
    return texts, golds


def spans_da(ex, shared: Path, errors: int) -> None:  # type: ignore[no-untyped-def]
    texts, golds = _kompetencer(shared)
    hit = total = predicted = right = 0
    missed: list[str] = []
    for text, o, spans in zip(texts, ex.extract_many(texts, lang="da", kind="posting"), golds, strict=True):
        pred = list(dict.fromkeys((s.start, s.end) for s in o.skills))
        predicted += len(pred)
        right += sum(any(ps < b and pe > a for a, b in spans) for ps, pe in pred)
        for a, b in spans:
            total += 1
            ok = any(ps < b and pe > a for ps, pe in pred)
            hit += ok
            if not ok:
                missed.append(text[a:b])
    print(f"spans-da kompetencer-train: gold spans={total} recall={hit / total if total else 0:.3f} "
          f"(predicted spans {predicted}, of which on a gold span: {right / predicted if predicted else 0:.3f})")
    if errors:
        print("  missed:", missed[:errors])


def titles_en(ex, shared: Path, errors: int, limit: int = 3000, rest: bool = False) -> None:  # type: ignore[no-untyped-def]
    """The first ``limit`` titles (the official scorer's slice, 32 occupations only) or, with ``rest``,
    every fourth title after them (~3,100 titles of ~1,350 occupations): a wider check that a change
    helps titles in general and not the first slice's few classes."""
    with (shared / "eval-dev/title-to-occupation-en/titles.validation.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    rows = rows[limit::4] if rest else rows[:limit]
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
    print(f"titles-en jobbert-validation{' (rest)' if rest else ''}: n={len(rows)} MRR={mrr / len(rows):.3f} Acc@1={a1 / len(rows):.3f}")


def cvs(ex, shared: Path, errors: int) -> None:  # type: ignore[no-untyped-def]
    """The hand-made CVs of tests/fixtures/reading (Danish and English): micro P/R/F1 of the skill set
    read from each CV against the competences a consultant expects (see that folder's README)."""
    import json

    rows = [json.loads(line) for line in (ROOT / "tests/fixtures/reading/cvs.jsonl").open(encoding="utf-8")]
    for lang in ("da", "en"):
        subset = [r for r in rows if r["lang"] == lang]
        tp = fp = fn = 0
        shown = 0
        t0 = time.perf_counter()
        found = ex.extract_many([r["text"] for r in subset], lang=lang, kind="cv")
        dt = time.perf_counter() - t0
        for r, o in zip(subset, found, strict=True):
            gold = {g["uri"] for g in r["skills"]}
            pred = {s.uri for s in o.skills}
            tp += len(pred & gold)
            fp += len(pred - gold)
            fn += len(gold - pred)
            if shown < errors:
                shown += 1
                print(f"  [{r['id']}] missed: {[g['phrase'] + ' = ' + g['label'] for g in r['skills'] if g['uri'] not in pred]}")
                print(f"      extra: {[(s.text, s.label, s.how) for s in o.skills if s.uri not in gold]}")
        p = tp / (tp + fp) if tp + fp else 0.0
        r_ = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * p * r_ / (p + r_) if p + r_ else 0.0
        print(f"cvs-{lang} fixtures: n={len(subset)} P={p:.3f} R={r_:.3f} F1={f1:.3f} "
              f"({dt / len(subset) * 1000:.0f} ms per CV)")


def _level1(shared: Path) -> dict[str, set[str]]:
    """Each skill's ESCO top-level group codes (S1-S8, K00-K10, T1-T6, L1), walking broaderRelationsSkillPillar
    up to a group whose code is a top-level one (a skill may sit under more than one)."""
    import gzip

    code: dict[str, str] = {}
    with gzip.open(shared / "esco/1.1.1/en/skillGroups_en.csv.gz", "rt", encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            code[r["conceptUri"]] = r["code"]
    up: dict[str, list[str]] = {}
    with gzip.open(shared / "esco/1.1.1/relations/broaderRelationsSkillPillar.csv.gz", "rt", encoding="utf-8",
                   newline="") as f:
        for r in csv.DictReader(f):
            up.setdefault(r["conceptUri"], []).append(r["broaderUri"])

    def top(c: str) -> str | None:
        k = code.get(c, "")
        if k and (len(k) <= 2 or (k[0] == "K" and len(k) == 3 and k[1:].isdigit())):
            return k.upper()
        return None

    out: dict[str, set[str]] = {}

    def walk(u: str, seen: set[str]) -> set[str]:
        if u in out:
            return out[u]
        found: set[str] = set()
        t = top(u)
        if t:
            found.add(t)
        else:
            for p in up.get(u, ()):
                if p not in seen:
                    found |= walk(p, seen | {p})
        out[u] = found
        return found

    for u in list(up):
        walk(u, {u})
    return out


def groups_da(ex, shared: Path, errors: int) -> None:  # type: ignore[no-untyped-def]
    """Danish skill phrases with their ESCO top-level group (Kompetencer's 2_da_train.tsv): the share that
    gets any skill, and the share whose best skill is in the gold group ("A" attitudes, from an older ESCO,
    is counted as the transversal T groups). The phrases come from postings; they are read both as posting
    text and as CV text (a CV link must be surer: loaders/extract/linking.py ACCEPT_CV)."""
    rows = [line.rstrip("\n").split("\t") for line in
            (shared / "eval-dev/skill-spans-da/2_da_train.tsv").open(encoding="utf-8") if line.strip()]
    rows = [r for r in rows if len(r) >= 2]
    groups = _level1(shared)
    for kind in ("posting", "cv"):
        any_ = right = 0
        shown = 0
        for (phrase, gold), o in zip(rows, ex.extract_many([r[0] for r in rows], lang="da", kind=kind), strict=True):
            if not o.skills:
                continue
            any_ += 1
            best = max(o.skills, key=lambda s: s.score)
            codes = groups.get(best.uri, set())
            want = gold.upper()
            ok = any(c == want or (want.startswith("A") and c.startswith("T"))
                     or (len(want) == 2 and c.startswith(want)) for c in codes)
            right += ok
            if not ok and shown < errors and kind == "posting":
                shown += 1
                print(f"  {phrase!r} ({gold}) -> {best.label} {sorted(codes)}")
        print(f"groups-da 2_da_train (as {kind}): n={len(rows)} any skill={any_ / len(rows):.3f} "
              f"right group={right / len(rows):.3f}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--set", default="all", choices=["all", "skills-en", "spans-da", "groups-da", "titles-en", "titles-rest", "cvs"])
    reading_args(ap)
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
    ex = _build(shared, a.model, Path(a.index_dir))
    for name, fn in (("skills-en", skills_en), ("spans-da", spans_da), ("groups-da", groups_da), ("titles-en", titles_en),
                     ("titles-rest", lambda ex, shared, errors: titles_en(ex, shared, errors, rest=True)), ("cvs", cvs)):
        if a.set in ("all", name):
            t0 = time.perf_counter()
            fn(ex, shared, a.errors)
            print(f"  ({time.perf_counter() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
