"""Skill mentions → evidence records: bounded, aligned with the scrubbed text, merged per skill."""

from __future__ import annotations

from dataclasses import dataclass, field

from graph.records import Evidence
from loaders.mentions import SkillMention

# An explanation shows a few places a skill was read; keeping more only stores more CV text.
MAX_EVIDENCE_PER_SKILL = 3
# A "sentence" from text without punctuation can be a whole section; beyond this many characters
# only a window around the span is kept, so the full CV text is never stored by accident.
MAX_SENTENCE_CHARS = 300


def _window(text: str, start: int, end: int) -> str:
    room = max(0, (MAX_SENTENCE_CHARS - (end - start)) // 2)
    a, b = max(0, start - room), min(len(text), end + room)
    # Cut at word boundaries so no half-word (possibly half a name) is kept.
    if a > 0:
        space = text.find(" ", a, start)
        a = space + 1 if space != -1 else start
    if b < len(text):
        space = text.rfind(" ", end, b)
        b = space if space != -1 else end
    return ("…" if a > 0 else "") + text[a:b].strip() + ("…" if b < len(text) else "")


def evidence_of(section: str, text: str, m: SkillMention) -> Evidence | None:
    """Evidence for mention ``m`` in ``text`` (the scrubbed section), or None if its offsets do not
    point into ``text`` (an extractor bug must not store a span that shows the wrong words)."""
    if not 0 <= m.start < m.end <= len(text):
        return None
    sentence = m.sentence.strip() if m.sentence.strip() and m.sentence.strip() in text else ""
    if not sentence or len(sentence) > MAX_SENTENCE_CHARS:
        sentence = _window(text, m.start, m.end)
    return Evidence(section=section, start=m.start, end=m.end, text=text[m.start:m.end],
                    sentence=sentence, label=m.label, how=m.how, similarity=m.similarity, via=m.via)


@dataclass
class Found:
    """What was found for one skill so far."""

    evidence: list[Evidence] = field(default_factory=list)
    langs: list[str] = field(default_factory=list)

    def add(self, ev: Evidence | None, lang: str) -> None:
        if ev is not None and len(self.evidence) < MAX_EVIDENCE_PER_SKILL and ev not in self.evidence:
            self.evidence.append(ev)
        if lang and lang not in self.langs:
            self.langs.append(lang)
