"""Title linking by meaning (loaders/extract/semantic.py): the fusion's settings, tuned on one half of the
dev titles and checked on the other.

    python bench/eval_semantic.py [--tune] [--index-dir DIR]

Builds the extractor with the reading model over ESCO 1.1.1 (+ Danish occupation labels) from ../shared
(its concept index must be built: ``jobmatch ontology load`` or ``reading build``), embeds the JobBERT dev
titles once, and prints MRR / Acc@1 for the lexical linker alone and fused on two slices of
../shared/eval-dev/title-to-occupation-en/titles.validation.csv:

* ``A``  titles 0-1,499 (``--tune`` grid-searches ALPHA, FLOOR and MIN_SEMANTIC_COSINE here),
* ``B``  titles 1,500-2,999 (held out: the tuned settings are only kept if B does not fall).
"""

from __future__ import annotations

import argparse
import csv
import itertools
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import reading_args  # noqa: E402
from bench.eval_extract import _build, _shared  # noqa: E402
from loaders.extract import semantic as sem  # noqa: E402
from loaders.mentions import OccupationMention  # noqa: E402


def _scores(rankings: list[list[OccupationMention]], gold: list[str]) -> tuple[float, float]:
    mrr = a1 = 0.0
    for ranked, g in zip(rankings, gold, strict=True):
        uris = list(dict.fromkeys(m.uri for m in ranked))
        if g in uris:
            r = uris.index(g) + 1
            mrr += 1 / r
            a1 += r == 1
    return mrr / len(gold), a1 / len(gold)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared")
    ap.add_argument("--tune", action="store_true")
    reading_args(ap)
    a = ap.parse_args()
    shared = _shared(a.shared)
    ex = _build(shared, a.model, Path(a.index_dir))
    with (shared / "eval-dev/title-to-occupation-en/titles.validation.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))[:3000]
    titles, gold = [r["vacancyTitle"] for r in rows], [r["conceptUri"] for r in rows]
    ix = ex._indexes["en"]
    semantic = ix.semantic
    if semantic is None:
        sys.exit("the reading model is lexical: nothing to tune")
    vectors = semantic.embed_titles(titles)
    lexical = []
    for t in titles:
        doc = ix.nlp(t)
        from loaders.extract.titles import title_weights

        lexical.append(ix.titles.link([tok.lemma_ for tok in doc], sem.LEXICAL_POOL, title_weights([x.text for x in doc])))
    near, best = [], []
    index = semantic._index
    for v in vectors:
        n, b = index.search(v, sem.SEMANTIC_POOL)
        near.append(n)
        best.append(b)

    def fused(alpha: float, floor: float, min_sem: float, lo: int, hi: int) -> list[list[OccupationMention]]:
        out = []
        for i in range(lo, hi):
            cosine = {m.uri: float(best[i][j]) for m in lexical[i] if (j := index.position(m.uri)) is not None}
            out.append(sem.fuse(lexical[i], near[i], cosine, limit=20, alpha=alpha, floor=floor, min_semantic=min_sem))
        return out

    for name, lo, hi in (("A", 0, 1500), ("B", 1500, 3000)):
        lx = _scores([lexical[i][:20] for i in range(lo, hi)], gold[lo:hi])
        fz = _scores(fused(sem.ALPHA, sem.FLOOR, sem.MIN_SEMANTIC_COSINE, lo, hi), gold[lo:hi])
        print(f"{name}: lexical MRR {lx[0]:.3f} Acc@1 {lx[1]:.3f}; fused (current settings) MRR {fz[0]:.3f} Acc@1 {fz[1]:.3f}")
    if a.tune:
        grid = itertools.product((0.1, 0.2, 0.3, 0.4), (0.80, 0.83, 0.85, 0.87), (0.88, 0.90, 0.91, 0.93))
        results = [(_scores(fused(al, fl, ms, 0, 1500), gold[:1500])[0], al, fl, ms) for al, fl, ms in grid]
        top = max(results)
        b = _scores(fused(top[1], top[2], top[3], 1500, 3000), gold[1500:3000])
        print(f"best on A: MRR {top[0]:.3f} at ALPHA={top[1]} FLOOR={top[2]} MIN_SEMANTIC_COSINE={top[3]}; "
              f"B (held out) MRR {b[0]:.3f} Acc@1 {b[1]:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
