"""Job titles → ESCO occupations through the extractor's title linker, above a named threshold."""

from __future__ import annotations

from loaders.documents.text_port import TextExtractor
from loaders.mentions import OccupationMention

# The spaCy linker scores an exact label 1.0 and otherwise 0.75 x TF-IDF cosine + 0.25 when the head
# words agree. Below 0.5 a title shares neither its head word nor most of its rare words with any
# label: a guess. An unlinked title costs little (CVs keep it in desired_titles, postings still
# match on skills); a wrong occupation would steer matching and alternatives. Measured on the English
# JobBERT validation titles (ESCO 1.1.1, noisy single-answer labels): top-1 precision 0.16 with 88 %
# linked at 0.5, 0.20 / 52 % at 0.7, 0.48 / 6 % for exact labels; the threshold trades coverage more
# than precision there, so it stays permissive and postings store the score for matching to weigh.
TITLE_LINK_MIN_SCORE = 0.5


def best_occupation(extractor: TextExtractor, title: str, lang: str = "auto") -> OccupationMention | None:
    """The best-linked occupation for ``title`` if it scores at least :data:`TITLE_LINK_MIN_SCORE`."""
    if not title.strip():
        return None
    ranked = extractor.link_title(title, lang=lang)
    return ranked[0] if ranked and ranked[0].score >= TITLE_LINK_MIN_SCORE else None
