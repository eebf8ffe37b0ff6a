"""Which language a text is in: Danish or English, by function words and æ/ø/å.

A deliberately small heuristic with no dependency: job texts are long enough that a handful of
function words decides, and the two candidate languages differ sharply in them.
"""

from __future__ import annotations

import re

DANISH = "da"
ENGLISH = "en"

# Frequent Danish function words that are not English words (and vice versa); "i", "a", "to", "en"
# are left out because they are words in both languages.
_DA_WORDS = frozenset(
    "og at er det til med på af som vi du har der ikke kan skal den de jeg vil også "
    "hos os dig din dit dine vores fra eller efter ved være været blive bliver samt gerne godt meget "
    "arbejde erfaring kendskab stilling ansøgning søger tilbyder hvis når hvor hvad nogle alle".split()
)
_EN_WORDS = frozenset(
    "the and of is are you we with will our your this that be have has from or as an by on "
    "experience skills knowledge work working team job role position ability looking must should "
    "who what which their they it not".split()
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_DANISH_LETTERS = re.compile(r"[æøåÆØÅ]")
# Each æ/ø/å counts like this many Danish function words: a strong cue, but English texts quote
# Danish names ("Københavns Kommune"), so it must not decide alone against many English words.
_LETTER_WEIGHT = 0.5


def detect_language(text: str, default: str = ENGLISH) -> str:
    """Return ``"da"`` or ``"en"`` for ``text``; ``default`` when there is no evidence either way."""
    da = en = 0.0
    for w in _WORD.findall(text.lower()):
        if w in _DA_WORDS:
            da += 1
        elif w in _EN_WORDS:
            en += 1
    da += _LETTER_WEIGHT * len(_DANISH_LETTERS.findall(text))
    if da > en:
        return DANISH
    if en > da:
        return ENGLISH
    return default
