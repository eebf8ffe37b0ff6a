"""Semantic linking: mentions → ESCO skills by meaning, with one calibrated score per link.

Each mention (:mod:`loaders.extract.chunks`) is embedded with the reading model, and a Danish one also
glossed into English (:mod:`loaders.extract.glossary`) and embedded again; the nearest skill labels in the
concept index are the candidates. A candidate's score is a logistic function of named evidence
(:data:`WEIGHTS`): the cosine and its lead over the next concept, whether it is the nearest, how much of
the label's wording the mention shares, how specific the mention's words are among ESCO labels (a lone
"udvikle"/"develop" is near hundreds of skills and means none), the lengths of both, and whether the link
went through the gloss. The weights were fitted on the English dev sets (bench/fit_linking.py, each set
checked on the other); a link is accepted at :data:`ACCEPT` of its language, tuned on the dev sets only
(English skill F1; Danish span F1 on the Kompetencer sentences).

English postings are also read sentence by sentence (:meth:`SemanticLinker.sentence_candidates`, "the
sentence view" below): a second fitted stage scores each concept from the mention and the whole sentence.
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter, OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from loaders.extract.chunks import Mention
from loaders.extract.concept_index import ConceptIndex, Hit
from loaders.extract.embedding import Embedder
from loaders.extract.glossary import Glossary
from loaders.extract.titles import stem

# Candidates per mention (nearest concepts looked at).
CANDIDATES = 3
COSINE_CENTRE = 0.90  # e5 cosines are compressed: unrelated short texts ~0.85, a paraphrase ~0.95
COSINE_SCALE = 0.03

# Logistic weights over the link's evidence; fitted on the English dev sets (bench/fit_linking.py) with
# the first concept index (alternative labels up to 5 words). A refit on today's index (up to 4 words)
# suggests other weights that score lower through the whole pipeline (the fit sees the mentions without
# the posting rules: boilerplate, negation), so these are kept; bench/eval_extract.py measures both.
WEIGHTS: dict[str, float] = {
    "bias": -2.39,
    "cosine": 0.93,          # (cos - 0.90) / 0.03: nearer is likelier
    "lead": 0.36,            # the cosine's lead over the best concept (0 for the best, negative below)
    "nearest": 0.74,         # the nearest concept of the mention
    "mention_words": 0.89,   # log(1 + words): a longer phrase that still lands near a label says more
    "single_word": -1.04,    # one word is often an everyday word ("deliver", "udvikle")
    "label_shared": -0.11,   # share of the label's words (stems) the mention writes too
    "specificity": -0.05,    # mean IDF of the mention's words among ESCO labels, scaled to 0..1
    "label_words": -1.35,    # log(1 + label words): long labels are near many phrases in part
    "glossed": 0.0,          # through the Danish gloss (no Danish dev set labels concepts: not fitted)
}
# Accept a link at this probability, per language (bench/fit_linking.py): English keeps the lexical
# reading's precision on the dev sets; Danish maximises span F2 on the Kompetencer sentences.
ACCEPT: dict[str, float] = {"en": 0.42, "da": 0.22}
# A mention nearer an occupation label than any skill label by this much names a job ("Journalist",
# "Lagermedarbejder og truckfører", "Pædagog med speciale i dagtilbud"), not a competence: it is linked
# as a title, never as a skill. Tuned on half A of the Danish CV fixtures (by a hash of the CV id).
OCCUPATION_MARGIN = 0.02
DEFAULT_ACCEPT = 0.42
# A CV's readings become the citizen's own evidence in matching, so a Danish CV link must also be near in
# meaning: a mention whose nearest label is only loosely similar is mostly a sentence fragment that shares
# a theme with it ("opsagt i forbindelse med en nedskæring" ~ "opdækning"), while the right links of a
# short phrase or its gloss sit close ("stakeholderkommunikation" ~ "communicate with stakeholders" 0.967).
# Tuned for F1 on half A of the Danish CV fixtures (by a hash of the CV id), checked on half B: 0.95 was
# best on A (F1 0.560 vs 0.547 at 0.94) but drops the issue's "rekrutteringssamtaler" ~ "interview
# applicants" (0.943), so 0.94. Postings keep the probability thresholds alone (a missed requirement is
# the costlier error there).
CV_MIN_COSINE: dict[str, float] = {"da": 0.94}
# ... and a surer link: on the Danish CV fixtures, links by meaning below ~0.35 were four in five wrong
# ("udarbejdelse af notater" ~ "prepare NOTAMs", "betjening af ledelsen" ~ "manage operational
# activities"). Tuned on half A (by a hash of the CV id), checked on half B: 0.35 is best on A (F1 0.690
# -> 0.716; B 0.700 -> 0.712) but drops the issue's "rekrutteringssamtaler" ~ "interview applicants"
# (0.29), so 0.28 (A 0.702, B 0.705). The Danish posting threshold (0.22) is tuned for span recall.
CV_ACCEPT: dict[str, float] = {"da": 0.28}
# Phrases recur across postings and CVs ("erfaring med", "Microsoft Office", a portal's own boilerplate):
# their embedding and nearest labels are kept for this many phrases (a vector is 1.5 KB: ~30 MB), least
# recently used out first. Deterministic: a phrase's vector and neighbours never depend on the cache.
NEAREST_CACHE = 20_000
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


@dataclass(frozen=True, slots=True)
class SemanticLink:
    """A skill a mention was read as by meaning."""

    uri: str
    label: str  # the label it was near
    cosine: float
    score: float  # the calibrated probability
    glossed: str | None  # the English gloss it went through, if any
    context: str = ""  # the occupation whose profile the context prior found it in (loaders/extract/context.py)


@dataclass(slots=True)
class _Near:
    text: str
    skills: list[Hit]
    occupation: list[Hit] | None = None  # looked up only when one of the skills could be accepted


class _NearestCache:
    """Phrase → its nearest labels, bounded (LRU); safe across the server's threads. The phrase's vector is
    the embedder's to keep (:class:`loaders.extract.embedding.CachedEmbedder`, which holds more phrases)."""

    def __init__(self, index: ConceptIndex, embedder: Embedder, size: int = NEAREST_CACHE) -> None:
        self._index = index
        self._embedder = embedder
        self._size = size
        self._items: OrderedDict[str, _Near] = OrderedDict()
        self._lock = threading.Lock()

    def skills(self, texts: Sequence[str]) -> list[_Near]:
        """Each text's entry, embedding and searching only the texts not seen (each once)."""
        with self._lock:
            found = {t: self._items[t] for t in set(texts) if t in self._items}
            for t in found:
                self._items.move_to_end(t)
        missing = list(dict.fromkeys(t for t in texts if t not in found))
        if missing:
            vectors = self._embedder.embed(missing)
            hits = self._index.search(vectors, "Skill", CANDIDATES + 2)
            fresh = {t: _Near(t, h) for t, h in zip(missing, hits, strict=True)}
            found.update(fresh)
            with self._lock:
                self._items.update(fresh)
                while len(self._items) > self._size:
                    self._items.popitem(last=False)
        return [found[t] for t in texts]

    def occupations(self, entries: Sequence[_Near]) -> list[list[Hit]]:
        """The nearest occupation label of each entry (searched once per entry)."""
        todo = list({id(e): e for e in entries if e.occupation is None}.values())
        if todo:
            vectors = self._embedder.embed([e.text for e in todo])
            for e, hit in zip(todo, self._index.search(vectors, "Occupation", 1), strict=True):
                e.occupation = hit
        return [e.occupation or [] for e in entries]


class SemanticLinker:
    """Links mentions to skills through the concept index and the reading model."""

    def __init__(self, index: ConceptIndex, embedder: Embedder, glossary: Glossary | None = None) -> None:
        self.index = index
        self.embedder = embedder
        self.glossary = glossary
        self._near = _NearestCache(index, embedder)
        df: Counter[str] = Counter()
        texts = index.texts_of("Skill")
        for t in texts:
            df.update({stem(w) for w in _words(t)})
        self._df = df
        self._n = max(1, len(texts))
        self._max_idf = math.log(1 + self._n)

    def _idf(self, word: str) -> float:
        return math.log(1 + self._n / (1 + self._df.get(stem(word), 0)))

    def features(self, mention: str, hit: Hit, best: float, rank: int, glossed: bool) -> dict[str, float]:
        mw, lw = _words(mention), _words(hit.label)
        ms, ls = {stem(w) for w in mw}, {stem(w) for w in lw}
        idfs = [self._idf(w) for w in mw] or [0.0]
        return {
            "bias": 1.0,
            "cosine": (hit.cosine - COSINE_CENTRE) / COSINE_SCALE,
            "lead": (hit.cosine - best) / COSINE_SCALE,
            "nearest": 1.0 if rank == 0 else 0.0,
            "mention_words": math.log(1 + len(mw)),
            "single_word": 1.0 if len(mw) == 1 else 0.0,
            "label_shared": len(ms & ls) / len(ls) if ls else 0.0,
            "specificity": (sum(idfs) / len(idfs)) / self._max_idf,
            "label_words": math.log(1 + len(lw)),
            "glossed": 1.0 if glossed else 0.0,
        }

    @staticmethod
    def probability(features: dict[str, float]) -> float:
        z = sum(WEIGHTS[k] * v for k, v in features.items())
        return 1.0 / (1.0 + math.exp(-z))

    def candidates(self, mentions: Sequence[tuple[str, Mention]]) -> list[list[tuple[SemanticLink, dict[str, float]]]]:
        """For each (lang, mention): its candidate links with their features, best first (not yet
        accepted: :meth:`link` applies the thresholds)."""
        texts: list[str] = []
        glosses: list[str | None] = []
        for lang, m in mentions:
            texts.append(m.text)
            g = self.glossary.gloss(m.text) if (self.glossary is not None and lang == "da") else None
            glosses.append(g)
        queries = texts + [g for g in glosses if g is not None]
        if not queries:
            return []
        near = self._near.skills(queries)
        hits = [n.skills for n in near]
        # Per query (the mention as written, then its gloss): its candidates, scored.
        scored: list[dict[str, tuple[SemanticLink, dict[str, float]]]] = []
        for q, run in enumerate(hits):
            gloss = None if q < len(texts) else queries[q]
            scored.append({})
            if not run:
                continue
            for rank, h in enumerate(run[:CANDIDATES]):
                f = self.features(queries[q], h, run[0].cosine, rank, gloss is not None)
                p = self.probability(f)
                scored[q][h.uri] = (SemanticLink(h.uri, h.label, round(h.cosine, 4), round(p, 4), gloss), f)
        # Only a query some link of which could be accepted is checked against the occupations (a search
        # over every occupation label costs as much as the skill search).
        lowest = min(DEFAULT_ACCEPT, *ACCEPT.values())
        check = [q for q, c in enumerate(scored) if any(lk.score >= lowest for lk, _f in c.values())]
        jobs = self._near.occupations([near[q] for q in check]) if check else []
        for q, job in zip(check, jobs, strict=True):
            # A text that is itself an occupation's label ("Journalist": ESCO also has it as an alternative
            # label of a skill) names the job, whatever the margin.
            same = bool(job) and job[0].label.casefold() == hits[q][0].label.casefold()
            if job and (job[0].cosine >= hits[q][0].cosine + OCCUPATION_MARGIN or same):
                scored[q] = {}
        out: list[list[tuple[SemanticLink, dict[str, float]]]] = []
        extra = len(texts)
        for i in range(len(mentions)):
            runs = [scored[i]]
            if glosses[i] is not None:
                runs.append(scored[extra])
                extra += 1
            best_of: dict[str, tuple[SemanticLink, dict[str, float]]] = {}
            for found in runs:
                for uri, (lk, f) in found.items():
                    cur = best_of.get(uri)
                    if cur is None or lk.score > cur[0].score:
                        best_of[uri] = (lk, f)
            out.append(sorted(best_of.values(), key=lambda lf: (-lf[0].score, lf[0].uri)))
        return out

    def link(self, mentions: Sequence[tuple[str, Mention]], kind: str = "posting") -> list[list[SemanticLink]]:
        """For each (lang, mention) of documents of ``kind`` ("cv" or "posting"): the accepted links,
        best first."""
        return [accepted(lang, kind, cands)
                for (lang, _m), cands in zip(mentions, self.candidates(mentions), strict=True)]

    def sentence_candidates(self, sentences: Sequence[SentenceView]) -> list[list[SentenceCandidate]]:
        """For each sentence: every concept its mentions' candidates or the whole sentence's nearest skills
        name, with the evidence of both views (not yet accepted: :func:`accept_sentence`)."""
        if not sentences:
            return []
        vectors = self.embedder.embed([" ".join(v.text.split()) for v in sentences])
        near = self.index.search(vectors, "Skill", SENTENCE_POOL)
        out: list[list[SentenceCandidate]] = []
        for view, hits in zip(sentences, near, strict=True):
            rank: dict[str, tuple[int, Hit | None]] = {h.uri: (r, h) for r, h in enumerate(hits)}
            top = hits[0].cosine if hits else 0.0
            floor = hits[-1].cosine if hits else 0.0
            by_uri: dict[str, tuple[SemanticLink, int | None, int]] = {}
            key: int | None
            for key, cands in view.mentions:
                for lk, _f in cands:
                    cur = by_uri.get(lk.uri)
                    if cur is None:
                        by_uri[lk.uri] = (lk, key, 1)
                    elif lk.score > cur[0].score:
                        by_uri[lk.uri] = (lk, key, cur[2] + 1)
                    else:
                        by_uri[lk.uri] = (cur[0], cur[1], cur[2] + 1)
            if view.whole:
                for h in hits[:SENTENCE_CANDIDATES]:
                    if h.uri not in by_uri:
                        by_uri[h.uri] = (SemanticLink(h.uri, h.label, round(h.cosine, 4), 0.0, None), None, 0)
            found: list[SentenceCandidate] = []
            for uri, (lk, key, n) in by_uri.items():
                r, near_hit = rank.get(uri, (SENTENCE_POOL, None))
                cos = near_hit.cosine if near_hit is not None else floor
                f = sentence_features(lk.score if key is not None else None, n, cos, r, top)
                # the evidence shown: the mention's own label and cosine, else the sentence's
                label, cosine = lk.label, lk.cosine
                found.append(SentenceCandidate(uri, label, round(cosine, 4), round(sentence_probability(f), 4),
                                               key, lk.glossed, f, lk.context))
            out.append(sorted(found, key=lambda c: (-c.score, c.uri)))
        return out


def accepted(lang: str, kind: str, cands: Sequence[tuple[SemanticLink, dict[str, float]]]) -> list[SemanticLink]:
    """The links of one mention's candidates (best first) accepted for a document of ``kind``."""
    return [lk for lk, _f in cands if lk.score >= ACCEPT.get(lang, DEFAULT_ACCEPT)
            and (kind != "cv" or (lk.cosine >= CV_MIN_COSINE.get(lang, 0.0)
                                  and lk.score >= CV_ACCEPT.get(lang, 0.0)))]


# -- the sentence view ---------------------------------------------------------------------------------
# A sentence often asks for a competence none of its phrases names: "Team player who likes to engage with
# colleagues" is *work in teams*, "the ability to keep an overview in stressed situations" is *handle
# stressful situations*. In the languages below, each sentence is also embedded whole and its nearest
# skills join its mentions' candidates; every concept is then scored once from both views by
# SENTENCE_WEIGHTS and accepted at SENTENCE_ACCEPT, in addition to what the mention view accepted. Fitted
# on the English dev sets (bench/fit_linking.py --sentences: each set also scored with weights fitted on
# the other only: F1 0.412 on tech with house's weights, 0.410 on house with tech's). At the threshold
# below it moves F1 0.386/0.389 -> 0.419/0.426 (tech/house) and precision 0.576/0.627 -> 0.536/0.606.
# No Danish set labels concepts, so nothing could be fitted for Danish. Tried with the English weights at
# 0.42 on Danish postings: Kompetencer span recall 0.711 -> 0.719 and phrases in their right ESCO group
# 0.413 -> 0.428, for 45 -> 25 postings/s (bench/extract_throughput.py, half of them Danish): too little
# for the cost, so Danish keeps the mention view alone.
SENTENCE_LANGUAGES = frozenset({"en"})
# Postings only: fitted on posting sentences. On the English CV fixtures it cost more precision than it
# gave recall (P 0.793 -> 0.699, R 0.734 -> 0.766): a CV's lines are lists, whose items the mentions are.
SENTENCE_KINDS = frozenset({"posting"})
SENTENCE_CANDIDATES = 10  # the whole sentence's nearest skills that become candidates
SENTENCE_POOL = 20  # how far down the sentence's neighbours a mention's candidate is looked for
SENTENCE_MIN_WORDS = 3  # a shorter sentence is a phrase: its mention is the sentence
# A longer one is a run-on list or a scraped paragraph: its neighbours are diffuse, and the model's cost
# grows with its length (~20 ms for a 15-word sentence on one core). Its mentions are read alone.
SENTENCE_MAX_WORDS = 40
# A sentence is embedded whole only when one of its mentions has a candidate at least this likely. The
# model costs ~15-20 ms a sentence on one core; embedding every sentence cut extraction from 49 to 9
# postings/s (bench/extract_throughput.py), this gate brings it back to 43 and reads as well on the dev
# sets (when it was chosen, refitted with and without it: F1 on tech with house's weights 0.424 vs 0.431,
# on house with tech's 0.408 vs 0.381): what the view adds is mostly a second concept for a phrase.
SENTENCE_MIN_MENTION_P = 0.1
SENTENCE_WEIGHTS: dict[str, float] = {
    "bias": 1.72,
    "mention_logit": 0.67,    # the mention view's log-odds (its own calibrated probability)
    "from_mention": -1.05,    # some mention of the sentence proposed the concept
    "mentions": -0.03,        # log(1 + how many of its mentions proposed it)
    "sentence_cosine": 0.09,  # (cos - 0.85) / 0.03 between the whole sentence and the concept's nearest label
    "sentence_rank": -0.76,   # log(1 + its place among the sentence's neighbours), SENTENCE_POOL when absent
    "sentence_lead": -0.29,   # (cos - the sentence's best cos) / 0.03
}
# The F1-best threshold on both sets (0.14) reads about as many wrong concepts as right ones; 0.34 keeps
# precision near the mention view's.
SENTENCE_ACCEPT: dict[str, float] = {"en": 0.34}
_NO_MENTION_LOGIT = -6.0


@dataclass(frozen=True, slots=True)
class SentenceView:
    """One sentence as the sentence view reads it: its text, its mentions' candidates (each under the
    caller's key), and whether its own nearest skills may be added (not in a sentence with a negation)."""

    text: str
    mentions: Sequence[tuple[int, Sequence[tuple[SemanticLink, dict[str, float]]]]]
    whole: bool


@dataclass(frozen=True, slots=True)
class SentenceCandidate:
    """A concept a sentence may ask for: the mention that proposed it (the caller's key; None when only the
    sentence as a whole is near it), the label and cosine of that evidence, and the calibrated score."""

    uri: str
    label: str
    cosine: float
    score: float
    mention: int | None
    glossed: str | None
    features: dict[str, float]
    context: str = ""  # as SemanticLink.context, from the mention's link


def sentence_features(mention_p: float | None, mentions: int, cosine: float, rank: int,
                      top: float) -> dict[str, float]:
    """The evidence of one concept for one sentence: ``mention_p`` the mention view's probability (None when
    no mention proposed it), ``mentions`` how many did, and the whole sentence's ``cosine`` to it, its
    ``rank`` among the sentence's neighbours and the sentence's ``top`` cosine."""
    p = min(max(mention_p, 1e-4), 1 - 1e-4) if mention_p is not None and mention_p > 0 else None
    return {
        "bias": 1.0,
        "mention_logit": math.log(p / (1 - p)) if p is not None else _NO_MENTION_LOGIT,
        "from_mention": 1.0 if mention_p is not None else 0.0,
        "mentions": math.log(1 + mentions),
        "sentence_cosine": (cosine - 0.85) / 0.03,
        "sentence_rank": math.log(1 + rank),
        "sentence_lead": (cosine - top) / 0.03,
    }


def sentence_probability(features: dict[str, float]) -> float:
    z = sum(SENTENCE_WEIGHTS[k] * v for k, v in features.items())
    return 1.0 / (1.0 + math.exp(-z))


def accept_sentence(lang: str, kind: str, cands: Sequence[SentenceCandidate]) -> list[SentenceCandidate]:
    """The sentence's accepted concepts, best first. A CV link also meets the mention view's CV bars."""
    bar = SENTENCE_ACCEPT.get(lang, DEFAULT_ACCEPT)
    return [c for c in cands if c.score >= bar
            and (kind != "cv" or c.cosine >= CV_MIN_COSINE.get(lang, 0.0))]

