"""A phrase index over ESCO labels for one pipeline: one spaCy ``PhraseMatcher`` on ``LEMMA``.

Labels are tokenised and normalised by the same pipeline as the texts, so a label matches whole
tokens only (never inside a word) and in inflected forms. Each distinct normalised form is one key;
the concepts that share it are kept as candidates, with what a match must satisfy (letter case,
supporting context) decided once, at build time, by :func:`loaders.extract.rules.label_risk`.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from graph.records import LabelEntry
from loaders.extract.pipeline import LabelReader
from loaders.extract.rules import LabelRisk, label_risk

log = logging.getLogger(__name__)

# Longer labels are ESCO descriptions of tasks; they never occur verbatim in a text.
MAX_LABEL_TOKENS = 10
ROLE_RANK = {"preferred": 0, "alt": 1, "local": 1, "hidden": 2}
# A one-word skill label whose word appears in at least this many skill labels (of the index's languages)
# is generic (:attr:`LabelRisk.generic`). Tuned on half A of the English skill dev sets (by a hash of the
# sentence) and checked on half B (bench/eval_extract.py): "design" (in ~630 labels), "data", "processes",
# "energy", "report", "language" were wrong far more often than right; "statistics", "SQL", "economics",
# the languages (capitalised names) are kept.
GENERIC_MIN_LABELS = 40
# A capitalised one-word label whose word at least this many skill labels use in lower case is a name
# made of an everyday word ("Source", a game engine, in "open source projects"): it must be written with
# its capital to count (:attr:`LabelRisk.case_sensitive`). Not when it is a concept's own name ("English",
# "Latin"): people write languages in lower case too.
EVERYDAY_NAME_MIN_LABELS = 10
# All patterns share one match key: a key per label would make spaCy create a lexeme per key (most
# of the build time); the matched span's normalised tokens find the candidates instead.
_MATCH_KEY = "ESCO_LABEL"
_WORD_EDGES = "()[],.;:'\"/"


@dataclass(frozen=True, slots=True)
class Candidate:
    """One concept a matched phrase may stand for, and the label it was matched by."""

    uri: str
    kind: str
    lang: str
    label: str
    role: str
    tokens: tuple[str, ...]  # the label's tokens as written, to tell exact from lemma matches
    risk: LabelRisk


@dataclass(frozen=True, slots=True)
class PhraseMatch:
    start: int  # token offsets into the doc
    end: int
    candidates: tuple[Candidate, ...]


@dataclass(frozen=True, slots=True)
class IndexedLabel:
    """A label as the title linker needs it: its concept, role and normalised tokens."""

    uri: str
    kind: str
    lang: str
    label: str
    role: str
    norms: tuple[str, ...]


def _by_label(entries: Iterable[LabelEntry]) -> dict[str, list[LabelEntry]]:
    """Entries grouped by their (whitespace-normalised) label; one entry per concept, best role."""
    best: dict[tuple[str, str], LabelEntry] = {}
    for e in entries:
        label = " ".join(e.label.split())
        if not label or not any(ch.isalnum() for ch in label):
            continue
        cur = best.get((e.uri, label))
        if cur is None or ROLE_RANK[e.role] < ROLE_RANK[cur.role]:
            best[(e.uri, label)] = e if label == e.label else LabelEntry(e.uri, e.kind, e.lang, label, e.role)
    out: dict[str, list[LabelEntry]] = {}
    for e in best.values():
        out.setdefault(e.label, []).append(e)
    return out


class PhraseIndex:
    """Labels of one language pipeline, matched on normalised tokens."""

    def __init__(self, nlp: Language, entries: Iterable[LabelEntry], link_only: Iterable[LabelEntry] = ()) -> None:
        """Index ``entries`` (any kinds); the same label of one concept is kept once, best role.
        ``link_only`` labels are read (for the title linker, see :attr:`labels`) but never matched
        in texts."""
        self.nlp = nlp
        self.matcher = PhraseMatcher(nlp.vocab, attr="LEMMA")
        self._candidates: dict[tuple[str, ...], list[Candidate]] = {}
        self.labels: list[IndexedLabel] = []
        reader = LabelReader(nlp)
        patterns: list[Doc] = []
        entry_list = list(entries)
        uses = word_label_counts(e.label for e in entry_list if e.kind == "Skill")
        for matched, group in ((True, entry_list), (False, link_only)):
            by_label = _by_label(group)
            for label in sorted(by_label):
                form = reader.read(label)
                if len(form.words) > MAX_LABEL_TOKENS:
                    continue
                norms, tokens = form.lemmas, form.words
                for e in by_label[label]:
                    self.labels.append(IndexedLabel(e.uri, e.kind, e.lang, label, e.role, norms))
                if not matched:
                    continue
                risk = label_risk(label, len(tokens), nlp.lang or "")
                if is_generic(label, len(tokens), uses):
                    risk = replace(risk, generic=True)
                if is_everyday_name(label, len(tokens), uses) and all(e.role != "preferred" for e in by_label[label]):
                    risk = replace(risk, case_sensitive=True)
                found = self._candidates.get(norms)
                if found is None:
                    found = self._candidates[norms] = []
                    patterns.append(reader.doc(form))
                found.extend(Candidate(e.uri, e.kind, e.lang, label, e.role, tokens, risk) for e in by_label[label])
        self.matcher.add(_MATCH_KEY, patterns)
        log.info("phrase index (%s): %d labels, %d distinct forms", nlp.lang, len(self.labels), len(patterns))

    def __len__(self) -> int:
        return len(self._candidates)

    def find(self, doc: Doc) -> list[PhraseMatch]:
        """Every label occurrence in ``doc`` (overlapping ones included), by start then end."""
        norms = [t.lemma_ for t in doc]
        out = [PhraseMatch(start, end, tuple(self._candidates[tuple(norms[start:end])]))
               for _key, start, end in self.matcher(doc)]
        out.sort(key=lambda m: (m.start, m.end))
        return out


def is_generic(label: str, n_tokens: int, uses: Counter[str]) -> bool:
    """True for a one-word label in lower case that at least :data:`GENERIC_MIN_LABELS` skill labels use.
    A capitalised one is a name ("English", "Polish", "ICT"), however many labels share it."""
    return n_tokens == 1 and label.islower() and uses.get(label, 0) >= GENERIC_MIN_LABELS


def is_everyday_name(label: str, n_tokens: int, uses: Counter[str]) -> bool:
    """True for a one-word name with a capital ("Source", not "SQL") whose lower-cased word at least
    :data:`EVERYDAY_NAME_MIN_LABELS` skill labels use."""
    return (n_tokens == 1 and not label.islower() and not label.isupper()
            and uses.get(label.lower(), 0) >= EVERYDAY_NAME_MIN_LABELS)


def word_label_counts(labels: Iterable[str]) -> Counter[str]:
    """For each lower-cased word, in how many distinct ``labels`` it occurs."""
    counts: Counter[str] = Counter()
    for label in {" ".join(lab.lower().split()) for lab in labels}:
        counts.update({w.strip(_WORD_EDGES) for w in label.split()} - {""})
    return counts


def is_exact(doc: Doc, start: int, end: int, candidate: Candidate) -> bool:
    """True if the text spells the label ignoring case, not only an inflection of it."""
    return len(candidate.tokens) == end - start and all(
        t.lower_ == w.lower() for t, w in zip(doc[start:end], candidate.tokens, strict=True))


def spelled_as_label(doc: Doc, start: int, end: int, candidate: Candidate) -> bool:
    """True if the text spells the label in the same letter case."""
    return len(candidate.tokens) == end - start and all(
        t.text == w for t, w in zip(doc[start:end], candidate.tokens, strict=True))


def resolve_overlaps(spans: Sequence[tuple[int, int, float]]) -> list[int]:
    """Indices of the spans kept when overlapping spans compete: the longest wins, then the higher
    score, then the earlier one. Returned in text order."""
    order = sorted(range(len(spans)), key=lambda i: (-(spans[i][1] - spans[i][0]), -spans[i][2], spans[i][0]))
    taken: list[tuple[int, int]] = []
    kept: list[int] = []
    for i in order:
        s, e, _ = spans[i]
        if all(e <= ts or s >= te for ts, te in taken):
            taken.append((s, e))
            kept.append(i)
    return sorted(kept, key=lambda i: (spans[i][0], spans[i][1]))
