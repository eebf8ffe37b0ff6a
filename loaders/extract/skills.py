"""Skill mentions in one analysed text: phrase matches filtered by the rules, with evidence.

Order of decisions, each for a reason users gave:
1. a candidate whose label needs a particular letter case or supporting context without having it
   is dropped ("C" and "R" are not skills in every CV; "excel at" is a verb);
2. in postings, sentences of boilerplate (company presentation, benefits, equal opportunity) are
   skipped: what a company offers is not what it requires;
3. overlapping matches resolve to the longest ("project management software" over "project
   management");
4. negated mentions are dropped ("ingen erfaring med SAP", "X is not required");
5. in postings, the requirement strength is read from the clause, sentence or section heading.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Doc

from loaders.extract.matcher import (
    ROLE_RANK,
    Candidate,
    PhraseMatch,
    is_exact,
    resolve_overlaps,
    spelled_as_label,
)
from loaders.extract.rules import (
    CONTEXT_WINDOW_TOKENS,
    TECH_CONTEXT,
    Section,
    headings_inside,
    is_boilerplate_sentence,
    is_negated,
    is_verb_use,
    requirement_strength,
    sentence_heading,
)
from loaders.mentions import SkillMention

# How sure a match is, as factors of a score in (0, 1]:
ROLE_WEIGHT = {"preferred": 1.0, "alt": 0.9, "local": 0.9, "hidden": 0.7}  # ESCO hidden labels include misspellings
LEMMA_ONLY_FACTOR = 0.9  # matched an inflection, not the label as written
CONTEXT_FACTOR = 0.8  # an ambiguous label ("R") that context supports is still less sure
SINGLE_TOKEN_FACTOR = 0.9  # one-word labels are more often used in another sense than phrases
SCORE_DECIMALS = 4
SCORE_TIE = 1e-9  # scores closer than this are equal


@dataclass(frozen=True, slots=True)
class SentenceInfo:
    start: int  # character offsets into the text
    end: int
    text: str
    boilerplate: bool


@dataclass(frozen=True, slots=True)
class Layout:
    """Sentences of a text and the section boundaries its headings set."""

    sentences: tuple[SentenceInfo, ...]
    token_sentence: tuple[int, ...]  # sentence index of each token
    boundaries: tuple[int, ...]  # char offsets where a section starts, ascending
    sections: tuple[Section, ...]  # the section starting at each boundary

    def section_at(self, char: int) -> Section:
        i = bisect.bisect_right(self.boundaries, char) - 1
        return self.sections[i] if i >= 0 else Section.NEUTRAL

    def sentence_at(self, char: int) -> SentenceInfo:
        """The sentence the character offset ``char`` falls in (sentences are in text order)."""
        i = bisect.bisect_right(self.sentences, char, key=lambda s: s.start) - 1
        return self.sentences[max(0, i)]


def layout(doc: Doc) -> Layout:
    """Split ``doc`` into sentences and read its headings into sections."""
    sentences: list[SentenceInfo] = []
    token_sentence = [0] * len(doc)
    boundaries: list[int] = []
    sections: list[Section] = []
    for i, sent in enumerate(doc.sents):
        for t in range(sent.start, sent.end):
            token_sentence[t] = i
        text = sent.text
        heading = sentence_heading(text)
        boiler = is_boilerplate_sentence(text)
        if heading is not None:
            if heading.opens_section:
                boundaries.append(sent.start_char)
                sections.append(heading.section)
            boiler = boiler or heading.section is Section.BOILERPLATE
        for offset, section in headings_inside(text):
            if offset > 0:
                boundaries.append(sent.start_char + offset)
                sections.append(section)
        sentences.append(SentenceInfo(sent.start_char, sent.end_char, text, boiler))
    return Layout(tuple(sentences), tuple(token_sentence), tuple(boundaries), tuple(sections))


def _has_context(doc: Doc, start: int, end: int) -> bool:
    # The window may cross sentence ends: in a list of requirements the neighbouring bullet
    # ("- SQL", "- R") is the context.
    lo, hi = max(0, start - CONTEXT_WINDOW_TOKENS), min(len(doc), end + CONTEXT_WINDOW_TOKENS)
    return any((t.i < start or t.i >= end) and (t.lemma_ in TECH_CONTEXT or t.lower_ in TECH_CONTEXT)
               for t in doc[lo:hi])


def _plural_of(word: str, label: str) -> bool:
    return word in (label + "s", label + "es") or (label.endswith("y") and word == label[:-1] + "ies")


def _admissible(doc: Doc, m: PhraseMatch, c: Candidate, sentence: SentenceInfo, lang: str) -> bool:
    if c.risk.generic:
        return False
    if c.risk.case_sensitive and not spelled_as_label(doc, m.start, m.end, c):
        return False
    # One word matched only through its lemma is too loose ("paper" ~ "papering", "engineers" ~
    # "engineering"); a plain plural is still the same word.
    if m.end - m.start == 1 and not is_exact(doc, m.start, m.end, c) \
            and not _plural_of(doc[m.start].lower_, c.tokens[0].lower()):
        return False
    if c.risk.needs_context:
        nxt = doc[m.end].text if m.end < len(doc) else ""
        if lang == "en" and is_verb_use(c.label.lower(), nxt):
            return False
        if not _has_context(doc, m.start, m.end):
            return False
    return True


def _score(doc: Doc, m: PhraseMatch, c: Candidate) -> float:
    score = ROLE_WEIGHT.get(c.role, ROLE_WEIGHT["hidden"])
    if not is_exact(doc, m.start, m.end, c):
        score *= LEMMA_ONLY_FACTOR
    if c.risk.needs_context:
        score *= CONTEXT_FACTOR
    if m.end - m.start == 1:
        score *= SINGLE_TOKEN_FACTOR
    return score


def _best_candidates(scored: Sequence[tuple[Candidate, float]]) -> list[tuple[Candidate, float]]:
    """Of the concepts sharing a label, those that carry it in the best role (a preferred label
    beats the same string used as another concept's alternative), one entry per concept; of those, the
    best scored: a label as written beats another concept's label that only an inflection reaches
    ("problem solving" is a local label of *create solutions to problems*; its lemma "problem solve" an
    alternative label of *troubleshoot*)."""
    best_rank = min(ROLE_RANK[c.role] for c, _ in scored)
    out: dict[str, tuple[Candidate, float]] = {}
    for c, s in scored:
        if ROLE_RANK[c.role] == best_rank and (c.uri not in out or s > out[c.uri][1]):
            out[c.uri] = (c, s)
    top = max(s for _, s in out.values())
    return sorted((cs for cs in out.values() if cs[1] >= top - SCORE_TIE), key=lambda cs: cs[0].uri)


def find_skills(doc: Doc, matches: Sequence[PhraseMatch], lay: Layout, *, kind: str, lang: str) -> list[SkillMention]:
    """Skill mentions in ``doc`` from the phrase ``matches``, after the rules, in text order."""
    posting = kind == "posting"
    spans: list[tuple[int, int, float]] = []
    chosen: list[list[tuple[Candidate, float]]] = []
    for m in matches:
        sentence = lay.sentences[lay.token_sentence[m.start]]
        if posting and (sentence.boilerplate or lay.section_at(doc[m.start].idx) is Section.BOILERPLATE):
            continue
        ok = [(c, _score(doc, m, c)) for c in m.candidates
              if c.kind == "Skill" and _admissible(doc, m, c, sentence, lang)]
        if not ok:
            continue
        best = _best_candidates(ok)
        spans.append((m.start, m.end, max(s for _, s in best)))
        chosen.append(best)
    out: list[SkillMention] = []
    for i in resolve_overlaps(spans):
        start, end, _ = spans[i]
        span = doc[start:end]
        sentence = lay.sentences[lay.token_sentence[start]]
        rel_start, rel_end = span.start_char - sentence.start, span.end_char - sentence.start
        if is_negated(sentence.text, rel_start, rel_end):
            continue
        essential = None
        if posting:
            essential = requirement_strength(sentence.text, rel_start, rel_end, lay.section_at(span.start_char))
        share = len(chosen[i])
        for c, s in chosen[i]:
            out.append(SkillMention(
                uri=c.uri, label=c.label, start=span.start_char, end=span.end_char, text=span.text,
                sentence=sentence.text.strip(), score=round(s / share, SCORE_DECIMALS), essential=essential,
                how="synonym" if c.role == "local" else "label",
            ))
    return out
