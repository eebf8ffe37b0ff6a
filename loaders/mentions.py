"""What extraction reads out of a text: ESCO skill and occupation mentions with their evidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

# How a phrase of the citizen's (or employer's) was read as a concept: the vocabulary explanations show.
READING_HOWS: Final = {
    "label": ("ESCO-betegnelse", "ESCO label"),
    "synonym": ("lokalt synonym", "local synonym"),
    "semantic": ("læst efter betydning", "read by meaning"),
    "confirmed": ("bekræftet af konsulenten", "confirmed by the consultant"),
    "inferred": ("udledt af en stilling i CV'et", "inferred from an occupation in the CV"),
    "declared": ("angivet i CV'et", "declared in the CV"),
}


@dataclass(frozen=True, slots=True)
class SkillMention:
    """One ESCO skill found in a text.

    ``start``/``end`` are character offsets into the text given to the extractor; ``sentence`` is the
    sentence containing the span; ``label`` is the label (ESCO or local synonym) that matched;
    ``essential`` is set for postings when the text marks the requirement ("krav"/"required" → True,
    "gerne"/"nice to have" → False), else None; ``score`` ranks mentions (higher is surer).
    """

    uri: str
    label: str
    start: int
    end: int
    text: str
    sentence: str
    score: float
    essential: bool | None = None
    how: str = "label"  # a ReadingHow: how the phrase was read as this concept
    similarity: float | None = None  # the reading model's cosine, for a semantic link
    # a semantic link the context prior made likelier: the occupation (URI) whose profile holds the concept
    via: str = ""


@dataclass(frozen=True, slots=True)
class OccupationMention:
    uri: str
    label: str
    score: float
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True, slots=True)
class Extraction:
    lang: str
    skills: tuple[SkillMention, ...] = ()
    occupations: tuple[OccupationMention, ...] = field(default_factory=tuple)  # best first
