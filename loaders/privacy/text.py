"""A matching copy of a text (NFKC, ASCII digits and dashes) that remembers where each character came from.

Identifiers are typed with full-width digits, non-breaking hyphens, en dashes, minus signs, thin
spaces and zero-width joiners as often as with plain ASCII (copied from PDFs and Word). The scrubber's
patterns run on this normalised copy, and only the spans they find are replaced in the *original*
text: everything else ("æøå", "…", "½", quotes) reaches the caller exactly as written. The scrubbed
text may therefore differ in length from the input, but never in what it says outside the spans.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

# Every dash a keyboard, a word processor or a PDF produces where a Dane typed "-" in a CPR number,
# a phone number or a date: hyphen, non-breaking hyphen, figure dash, en and em dash, horizontal bar,
# minus sign, small and full-width hyphen-minus.
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_DASH_TO_ASCII = {ord(d): "-" for d in DASHES}
# Zero-width and other format characters (soft hyphen, ZWSP, ZWJ, BOM) are invisible and can sit
# inside an identifier to split it; the matching copy drops them (the original keeps them).
_FORMAT_CATEGORY = "Cf"


@dataclass(frozen=True, slots=True)
class Normalised:
    """``text`` is the matching copy; character ``k`` of it came from ``original[starts[k]:ends[k]]``."""

    original: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def span(self, a: int, b: int) -> tuple[int, int]:
        """The original span behind the normalised span ``[a, b)`` (``a < b``), whole clusters only."""
        return self.starts[a], self.ends[b - 1]


def _clusters(text: str) -> Iterable[tuple[int, int]]:
    """(start, end) of each base character with the combining marks that follow it."""
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        yield i, j
        i = j


def _fold(cluster: str) -> str:
    out = []
    for ch in unicodedata.normalize("NFKC", cluster):
        if unicodedata.category(ch) == _FORMAT_CATEGORY:
            continue
        # NFKC leaves Arabic-Indic, Devanagari … digits alone; the patterns count ASCII digits.
        digit = unicodedata.decimal(ch, None)
        out.append(str(digit) if digit is not None else ch)
    return "".join(out).translate(_DASH_TO_ASCII)


def normalise(text: str) -> Normalised:
    """Return the matching copy of ``text`` with its map back to ``text``."""
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, j in _clusters(text):
        folded = _fold(text[i:j])
        chars.append(folded)
        starts.extend([i] * len(folded))
        ends.extend([j] * len(folded))
    return Normalised(text, "".join(chars), tuple(starts), tuple(ends))


# German ASCII spellings ("ue" for "ü") are folded the same way, for keys such as "Staatsbuergerschaft".
_FOLD_PAIRS = (("aa", "a"), ("ae", "a"), ("oe", "o"), ("ue", "u"), ("æ", "a"), ("ä", "a"), ("ø", "o"), ("ö", "o"))


def fold(word: str) -> str:
    """The spelling-insensitive key of a Nordic word: "Søren", "Soeren", "SOREN" → "soren".

    Lower case, diacritics stripped, and æ/ae/ä, ø/oe/ö, å/aa, ü/ue each collapsed to one letter: Danes
    write "æøå" or their ASCII stand-ins depending on the keyboard and the form they filled in.
    """
    w = word.casefold()
    for a, b in _FOLD_PAIRS:
        w = w.replace(a, b)
    w = "".join(ch for ch in unicodedata.normalize("NFKD", w) if not unicodedata.combining(ch))
    # å decomposes to a + ring above, so "åse" is "ase" by now, like "aase".
    return w.replace("aa", "a")


def replace_spans(norm: Normalised, spans: Iterable[tuple[int, int, str]]) -> str:
    """Return the original text with each normalised span ``(a, b, replacement)`` replaced.

    Spans must not overlap (the scrubber masks what it has found before the next rule runs).
    """
    out: list[str] = []
    pos = 0
    for a, b, replacement in sorted(spans):
        start, end = norm.span(a, b)
        start = max(start, pos)
        out.append(norm.original[pos:start])
        out.append(replacement)
        pos = max(pos, end)
    out.append(norm.original[pos:])
    return "".join(out)
