"""Job title → ESCO occupation: rank occupations by how well their labels match a free title.

An exact label (after lemmas and lower case) wins with score 1. Otherwise a label scores by weighted
word overlap: the share of the title's weight it covers and the share of its own weight the title
covers, each word weighted by how rare it is among occupation labels (IDF), so "Senior Java
Developer (m/f)" reaches "software developer" through "developer" while "Sales Assistant" prefers
"sales assistant" to "assistant". Crude suffix stems count at half weight ("marketer" ~ "marketing").
Words that say nothing about the occupation ("senior", "(m/f)", "søges", "deltid") are dropped, and
words in brackets or after a separator ("Sales Assistant - Taman Connaught") count less. An
occupation scores as its best label.

Measured on the JobBERT validation titles (bench/eval_extract.py): this coverage score beat cosine,
and a bonus for matching head words lowered MRR, so there is none.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from spacy.lang.da.stop_words import STOP_WORDS as DA_STOP_WORDS
from spacy.lang.en.stop_words import STOP_WORDS as EN_STOP_WORDS

from loaders.extract.matcher import IndexedLabel
from loaders.mentions import OccupationMention

TITLE_COVERAGE_WEIGHT = 0.5  # how much of the title a label explains, against how much of the label the title names
EXACT_SCORE = 1.0  # the whole title is a label; nothing else reaches it
NEAR_EXACT_CAP = 0.99
STEM_WEIGHT = 0.5  # a shared stem is weaker evidence than a shared word
SECONDARY_WEIGHT = 0.5  # words in brackets or after a separator qualify the title
ROLE_WEIGHT = {"preferred": 1.0, "alt": 0.97, "local": 0.97, "hidden": 0.9}  # ties go to the concept's own name
DEFAULT_LIMIT = 20
SCORE_DECIMALS = 4
STEM_MIN_CHARS = 4

# Words in titles that qualify the job, not the occupation (normalised forms, en + da).
TITLE_NOISE = frozenset(
    "m f w d x k mf mwd mfd h hf senior junior jr sr snr lead principal chief associate trainee intern "
    "internship graduate entry level experienced urgent urgently immediate immediately hiring wanted "
    "needed required vacancy vacancies job jobs position opening new full part time fulltime "
    "parttime full-time part-time contract permanent temporary temp freelance remote hybrid "
    "søges søger søge ny nye erfaren erfarne dygtig dygtige engageret stilling deltid fuldtid "
    "timer barselsvikar vikar vikariat fast fastansættelse tidsbegrænset tidsbegrænsede "
    "studentermedhjælper studiejob".split()
)
_STOP = frozenset(w.lower() for w in (*EN_STOP_WORDS, *DA_STOP_WORDS))
_CONTENT = re.compile(r"\w", re.UNICODE)
_SUFFIXES = ("ings", "ing", "ers", "er", "ors", "or", "ists", "ist", "ians", "ian", "ions", "ion", "ment",
             "ives", "ive", "als", "al", "s")


def stem(term: str) -> str:
    """A crude suffix stem ("marketer", "marketing" -> "~market"), marked so it never equals a word."""
    for suf in _SUFFIXES:
        if term.endswith(suf) and len(term) - len(suf) >= STEM_MIN_CHARS:
            return "~" + term[: -len(suf)]
    return "~" + term


def content_terms(norms: Iterable[str], *, drop_noise: bool) -> list[str]:
    """The terms of a title or label that can name an occupation."""
    out = []
    for n in norms:
        if not _CONTENT.search(n) or n.isdigit() or n in _STOP:
            continue
        if drop_noise and n in TITLE_NOISE:
            continue
        out.append(n)
    return out


@dataclass(frozen=True, slots=True)
class _Label:
    uri: str
    label: str
    weight: float  # role weight
    mass: float  # summed term weights


class TitleLinker:
    """A weighted-overlap index over occupation labels (any languages given to it)."""

    def __init__(self, labels: Iterable[IndexedLabel]) -> None:
        docs: list[tuple[IndexedLabel, tuple[str, ...]]] = []
        for lab in labels:
            words = tuple(dict.fromkeys(content_terms(lab.norms, drop_noise=False)))
            if words:
                docs.append((lab, words + tuple(dict.fromkeys(stem(w) for w in words))))
        df: dict[str, int] = {}
        for _lab, terms in docs:
            for t in terms:
                df[t] = df.get(t, 0) + 1
        n = len(docs)
        self._idf = {t: math.log(1 + n / d) * (STEM_WEIGHT if t.startswith("~") else 1.0) for t, d in df.items()}
        self._labels: list[_Label] = []
        self._postings: dict[str, list[int]] = {}
        self._exact: dict[tuple[str, ...], list[int]] = {}
        for lab, terms in docs:
            i = len(self._labels)
            self._labels.append(_Label(lab.uri, lab.label, ROLE_WEIGHT.get(lab.role, ROLE_WEIGHT["hidden"]),
                                       sum(self._idf[t] for t in terms)))
            for t in terms:
                self._postings.setdefault(t, []).append(i)
            self._exact.setdefault(tuple(sorted(t for t in terms if not t.startswith("~"))), []).append(i)

    def __len__(self) -> int:
        return len(self._labels)

    def link(self, norms: Sequence[str], limit: int = DEFAULT_LIMIT,
             weights: Sequence[float] | None = None) -> list[OccupationMention]:
        """Occupations for a title given as normalised tokens, best first (score desc, uri asc).
        ``weights`` (one per token, default 1) lower the say of secondary parts of the title."""
        weight: dict[str, float] = {}
        for term, tw in zip(norms, weights if weights is not None else [1.0] * len(norms), strict=True):
            weight[term] = max(weight.get(term, 0.0), tw)
        words = list(dict.fromkeys(content_terms(norms, drop_noise=True))) or list(
            dict.fromkeys(content_terms(norms, drop_noise=False)))
        for word in words:
            weight[stem(word)] = max(weight.get(stem(word), 0.0), weight[word])
        terms = [t for t in dict.fromkeys([*words, *(stem(w) for w in words)]) if t in self._idf]
        if not terms:
            return []
        query_mass = sum(self._idf[t] * weight[t] for t in terms)
        shared: dict[int, float] = {}
        for t in terms:
            w = self._idf[t] * weight[t]
            for i in self._postings[t]:
                shared[i] = shared.get(i, 0.0) + w
        exact = set(self._exact.get(tuple(sorted(t for t in terms if not t.startswith("~"))), ()))
        best: dict[str, tuple[float, str]] = {}
        for i, overlap in shared.items():
            lab = self._labels[i]
            if i in exact:
                score = EXACT_SCORE
            else:
                score = min(NEAR_EXACT_CAP, TITLE_COVERAGE_WEIGHT * overlap / query_mass
                            + (1 - TITLE_COVERAGE_WEIGHT) * overlap / lab.mass)
            score *= lab.weight
            cur = best.get(lab.uri)
            if cur is None or score > cur[0]:
                best[lab.uri] = (score, lab.label)
        ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], kv[0]))[:limit]
        return [OccupationMention(uri=uri, label=label, score=round(score, SCORE_DECIMALS))
                for uri, (score, label) in ranked]


_SEPARATORS = frozenset({"-", "–", "—", "|", "/", ",", "@", ":"})
_OPEN, _CLOSE = frozenset("([{"), frozenset(")]}")


def title_weights(tokens: Sequence[str]) -> list[float]:
    """Per-token weights for a title: words in brackets, or after a separator that follows a word,
    are secondary ("Sales Assistant (Boutique) - Kuala Lumpur")."""
    out: list[float] = []
    depth, after, seen_word = 0, False, False
    for tok in tokens:
        if tok in _OPEN:
            depth += 1
        if tok in _SEPARATORS and seen_word:
            after = True
        out.append(SECONDARY_WEIGHT if depth or after else 1.0)
        if tok in _CLOSE:
            depth = max(0, depth - 1)
        seen_word = seen_word or any(ch.isalpha() for ch in tok)
    return out
