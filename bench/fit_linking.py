"""Fit the semantic linker's weights and thresholds on the development sets, and print what they give.

    python bench/fit_linking.py [--index-dir DIR] [--write]
    python bench/fit_linking.py --sentences [--index-dir DIR]   # the sentence view's stage (English postings)

English: the two skill-extraction dev sets (tech, house) label concepts, so a candidate link is right when
its concept is gold for the sentence; the logistic weights are fitted on both and each set is also scored
with weights fitted on the other only (a check that they are not fitted to one set's quirks). The English
threshold maximises F1 on the two sets together. Danish: no dev set labels concepts, so the Danish
threshold maximises span F2 (recall weighing double) on the Kompetencer sentences (a Danish link is right when its mention
overlaps a gold skill or knowledge span), with the English weights. ``--write`` prints the lines to paste
into loaders/extract/linking.py (it edits nothing). The CV fixtures of tests/fixtures/reading are never
used here: they are the test set.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import reading_args, skill_gold_en  # noqa: E402
from bench.eval_extract import _build, _shared  # noqa: E402

L2 = 1.0
THRESHOLDS = [round(x, 2) for x in np.arange(0.10, 0.71, 0.02)]


def _candidates(ex, texts: list[str], lang: str):  # type: ignore[no-untyped-def]
    """Per text: the lexical skills, and the semantic candidates (uri, features, mention span)."""
    from loaders.extract.chunks import mentions

    linker = ex._linker
    linker_saved, ex._linker = ex._linker, None
    try:
        lexical = ex.extract_many(texts, lang=lang, kind="posting")
    finally:
        ex._linker = linker_saved
    wanted: list[tuple[int, object]] = []
    for i, (text, res) in enumerate(zip(texts, lexical, strict=True)):
        taken = [(s.start, s.end) for s in res.skills]
        for m in mentions(text):
            if not any(a < m.end and m.start < b for a, b in taken):
                wanted.append((i, m))
    cands = linker.candidates([(lang, m) for _, m in wanted])
    per: list[list[tuple[str, dict[str, float], tuple[int, int]]]] = [[] for _ in texts]
    for (i, m), cs in zip(wanted, cands, strict=True):
        for link, f in cs:
            per[i].append((link.uri, f, (m.start, m.end)))  # type: ignore[attr-defined]
    return lexical, per


def _fit(rows: list[tuple[dict[str, float], float]], names: list[str]) -> dict[str, float]:
    x = np.array([[f[n] for n in names] for f, _ in rows])
    y = np.array([t for _, t in rows])
    w = np.zeros(len(names))
    for _ in range(60):
        p = 1 / (1 + np.exp(-(x @ w)))
        h = x.T @ (x * (p * (1 - p))[:, None]) + L2 * np.eye(len(names))
        w -= np.linalg.solve(h, x.T @ (p - y) + L2 * w)
    return {n: round(float(v), 2) for n, v in zip(names, w, strict=True)}


def _prob(w: dict[str, float], f: dict[str, float]) -> float:
    return 1 / (1 + math.exp(-sum(w[k] * v for k, v in f.items() if k in w)))


def _en_scores(data, w: dict[str, float], th: float, links_per_mention: int = 1) -> tuple[float, float, float]:  # type: ignore[no-untyped-def]
    pairs = []
    for gold, lexical, cands in data:
        pred = {s.uri for s in lexical.skills}
        kept: dict[tuple[int, int], int] = {}
        for uri, f, span in sorted(cands, key=lambda c: -_prob(w, c[1])):
            if _prob(w, f) >= th and kept.get(span, 0) < links_per_mention:
                kept[span] = kept.get(span, 0) + 1
                pred.add(uri)
        pairs.append((pred, gold))
    return _micro(pairs)


def _micro(pairs: list[tuple[set[str], set[str]]]) -> tuple[float, float, float]:
    """Micro precision, recall and F1 over (predicted, gold) sets."""
    tp = sum(len(p & g) for p, g in pairs)
    fp = sum(len(p - g) for p, g in pairs)
    fn = sum(len(g - p) for p, g in pairs)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared")
    reading_args(ap)
    ap.add_argument("--sentences", action="store_true",
                    help="fit the sentence view (SENTENCE_WEIGHTS, SENTENCE_ACCEPT) instead of the mention view")
    a = ap.parse_args()
    shared = _shared(a.shared)
    if a.sentences:
        return fit_sentences(_build(shared, a.model, Path(a.index_dir)), shared)
    from loaders.extract.linking import WEIGHTS

    names = list(WEIGHTS)
    ex = _build(shared, a.model, Path(a.index_dir))
    sets = {}
    for name in ("tech", "house"):
        gold, _ = skill_gold_en(shared, name)
        sents = list(gold)
        lexical, per = _candidates(ex, sents, "en")
        sets[name] = [(gold[s], lx, c) for s, lx, c in zip(sents, lexical, per, strict=True)]

    def rows(data):  # type: ignore[no-untyped-def]
        return [(f, float(u in g)) for g, _lx, cs in data for u, f, _ in cs]

    for train, test in (("tech", "house"), ("house", "tech")):
        w = _fit(rows(sets[train]), names)
        best = max(THRESHOLDS, key=lambda t: _en_scores(sets[train], w, t)[2])
        print(f"fitted on {train}, threshold {best}: {train} P/R/F1 "
              f"{'/'.join(f'{v:.3f}' for v in _en_scores(sets[train], w, best))}, {test} (unseen) "
              f"{'/'.join(f'{v:.3f}' for v in _en_scores(sets[test], w, best))}")
    both = sets["tech"] + sets["house"]
    w = _fit(rows(both), names)
    # The English threshold: the best F1 on both sets whose precision stays at the lexical reading's
    # (within 0.01) on each set, so reading by meaning adds recall without diluting what was read.
    lexical_p = {n: _en_scores(sets[n], w, 2.0)[0] for n in sets}
    keeps = [t for t in THRESHOLDS if all(_en_scores(sets[n], w, t)[0] >= lexical_p[n] - 0.01 for n in sets)]
    th_en = max(keeps or THRESHOLDS, key=lambda t: _en_scores(both, w, t)[2])
    print(f"lexical precision: {lexical_p}")
    for th in THRESHOLDS:
        print(f"  en threshold {th}: " + ", ".join(
            f"{name} P/R/F1 {'/'.join(f'{v:.3f}' for v in _en_scores(sets[name], w, th))}" for name in ("tech", "house")))

    # Danish: span F1 on the Kompetencer sentences, lexical spans counted as they are.
    from bench.eval_extract import _kompetencer

    texts, golds = _kompetencer(shared)
    lexical, per = _candidates(ex, texts, "da")
    best_da, best_f = 0.0, -1.0
    for th in THRESHOLDS:
        hit = total = right = predicted = 0
        for lx, cs, spans in zip(lexical, per, golds, strict=True):
            pred = {(s.start, s.end) for s in lx.skills}
            pred |= {span for _u, f, span in cs if _prob(w, f) >= th}
            predicted += len(pred)
            right += sum(any(ps < b and pe > a for a, b in spans) for ps, pe in pred)
            for a_, b in spans:
                total += 1
                hit += any(ps < b and pe > a_ for ps, pe in pred)
        r = hit / total if total else 0.0
        p = right / predicted if predicted else 0.0
        # F2: recall weighs double. Every reading is shown with its evidence for the consultant to check,
        # and the gold spans are incomplete (a competence nobody annotated counts as wrong here).
        f2 = 5 * p * r / (4 * p + r) if p + r else 0.0
        if f2 > best_f:
            best_da, best_f = th, f2
        print(f"  da threshold {th}: span recall {r:.3f}, spans on gold {p:.3f}, F2 {f2:.3f}")
    print(f"WEIGHTS = {w}")
    print(f'ACCEPT = {{"en": {th_en}, "da": {best_da}}}')
    return 0


def _sentence_rows(ex, texts: list[str]):  # type: ignore[no-untyped-def]
    """Per text: the uris read without the sentence view (labels, synonyms, the mention view), and every
    sentence-view candidate (uri, features) of a concept not already read, as the extractor makes them (its
    own code path)."""
    from loaders.extract import linking

    linker = ex._linker
    captured: list = []  # type: ignore[type-arg]
    real = linker.sentence_candidates

    def capture(views):  # type: ignore[no-untyped-def]
        found = real(views)
        captured.extend(found)
        return found

    linker.sentence_candidates = capture
    saved = dict(linking.SENTENCE_ACCEPT)
    linking.SENTENCE_ACCEPT.update({lang: 2.0 for lang in saved})  # the sentence view accepts nothing here
    out = []
    try:
        for text in texts:
            captured.clear()
            res = ex.extract(text, lang="en", kind="posting")
            base = {s.uri for s in res.skills}
            out.append((base, [(c.uri, c.features) for sent in captured for c in sent if c.uri not in base]))
    finally:
        linker.sentence_candidates = real
        linking.SENTENCE_ACCEPT.update(saved)
    return out


def _sentence_scores(data, w: dict[str, float], th: float) -> tuple[float, float, float]:  # type: ignore[no-untyped-def]
    return _micro([(set(lexical) | {u for u, f in cands if _prob(w, f) >= th}, gold)
                   for gold, (lexical, cands) in data])


def fit_sentences(ex, shared: Path) -> int:  # type: ignore[no-untyped-def]
    """The sentence view: weights fitted on both English sets (and on each alone, scored on the other), and
    the threshold with the best F1 on both sets."""
    from loaders.extract.linking import SENTENCE_WEIGHTS

    names = list(SENTENCE_WEIGHTS)
    sets = {}
    for name in ("tech", "house"):
        gold, _ = skill_gold_en(shared, name)
        sents = list(gold)
        sets[name] = list(zip([gold[s] for s in sents], _sentence_rows(ex, sents), strict=True))

    def rows(data):  # type: ignore[no-untyped-def]
        return [(f, float(u in g)) for g, (_lx, cs) in data for u, f in cs]

    fmt = lambda v: "/".join(f"{x:.3f}" for x in v)  # noqa: E731
    for train, test in (("tech", "house"), ("house", "tech")):
        w = _fit(rows(sets[train]), names)
        best = max(THRESHOLDS, key=lambda t: _sentence_scores(sets[train], w, t)[2])
        print(f"fitted on {train}, threshold {best}: {train} P/R/F1 {fmt(_sentence_scores(sets[train], w, best))}, "
              f"{test} (unseen) {fmt(_sentence_scores(sets[test], w, best))}")
    both = sets["tech"] + sets["house"]
    w = _fit(rows(both), names)
    print("without the sentence view: " + ", ".join(f"{n} {fmt(_sentence_scores(sets[n], w, 2.0))}" for n in sets))
    for th in THRESHOLDS:
        print(f"  threshold {th}: " + ", ".join(f"{n} P/R/F1 {fmt(_sentence_scores(sets[n], w, th))}" for n in sets)
              + f", both {fmt(_sentence_scores(both, w, th))}")
    th = max(THRESHOLDS, key=lambda t: _sentence_scores(both, w, t)[2])
    print(f"SENTENCE_WEIGHTS = {w}")
    print(f'SENTENCE_ACCEPT = {{"en": {th}}}')
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
