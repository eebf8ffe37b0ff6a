"""Finding people's names in text: the citizen's own (given), and other people's after a cue word.

Danes write their names with and without "æøå" depending on the keyboard, the form or the e-mail
address they copied from: "Søren Bæk Ågård" is also "Soren Baek Aagaard", "Soeren Bak Agard". Names
are therefore compared *folded* (:func:`fold`): lower case, diacritics stripped, and æ/ae/ä, ø/oe/ö,
å/aa each collapsed to one letter, on whole words only ("Bo" never matches inside "Boulevarden").

Other people's names (references, contact persons, a letter's signature) cannot be given; they are
recognised after a cue ("Reference:", "Kontaktperson", "Venlig hilsen", "Manager:") as a capitalised
known first name (loaders/data/danish_first_names.txt) and the capitalised words after it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache
from importlib import resources

from loaders.privacy.text import fold

FIRST_NAMES_FILE = "danish_first_names.txt"

# Single letters (initials) are too common to scrub without wrecking text ("a", "i").
MIN_NAME_PART = 2
# Letter runs joined by hyphens: "Anne-Marie" is one word, and so is each of its parts.
WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
# A possessive after a name is part of it: "Hansen's", "Jens'" (the bare "s" of "Hansens" is handled
# by :func:`_is_name` because it sits inside the word).
_APOSTROPHE_GENITIVE = re.compile(r"['’]s?(?!\w)")

# Cue words after which a known first name starts somebody's name. A reference list or a signature
# ("Referencer:", "Venlig hilsen") may name several people over a few lines; a cue that is also an
# ordinary word in running prose ("leder" = "leads", "kontakt", "manager") reaches only the word right
# after it unless a colon follows ("Leder: Jens Hansen"), so "jeg leder efter job som Max…" keeps "Max".
_LIST_CUES = (
    r"med\s+venlig\s+hilsen|venlig\s+hilsen|venlige\s+hilsner|de\s+bedste\s+hilsner|bedste\s+hilsner"
    r"|mange\s+hilsner|kærlig\s+hilsen|hilsen|kontaktpersoner|kontaktperson|referencer|reference"
    r"|references|referee|referees|contact\s+person|kind\s+regards|best\s+regards|regards"
    r"|yours\s+sincerely|sincerely"
)
_PROSE_CUES = (
    r"nærmeste\s+leder|leder|chef|mentor|vejleder|manager|supervisor|kontakt|contact|anbefalet\s+af"
    r"|recommended\s+by"
)
CUE = re.compile(
    r"(?<![^\W\d_])(?:(?P<list>" + _LIST_CUES + r")|(?P<prose>" + _PROSE_CUES + r"))(?![^\W\d_])"
    r"[ \t]*(?P<colon>[:\-])?",
    re.IGNORECASE,
)
# How far after a cue names are looked for: the rest of the paragraph (a reference list runs over a few
# lines), at most this many characters, so one cue cannot reach a distant sentence.
MAX_CUE_SCOPE_CHARS = 200
_PARAGRAPH_END = re.compile(r"\n[ \t]*\n")
# After the first name: more capitalised words (middle and surnames), initials ("J."), particles.
_SURNAME_PARTICLES = frozenset({"von", "van", "der", "den", "de", "la", "le", "al", "el", "bin", "ibn", "abu", "da"})
MAX_NAME_WORDS = 5
_NEXT_WORD = re.compile(r"[ ]+(?:([^\W\d_]+(?:-[^\W\d_]+)*)|([A-ZÆØÅ])\.)")

def name_parts(names: Iterable[str]) -> list[str]:
    """The words of the given names to scrub, longest first (so "Anne-Marie" wins over "Anne")."""
    parts: set[str] = set()
    for name in names:
        for word in re.split(r"[\s,;/()]+", name):
            word = word.strip(".'’\"")
            if len(word) >= MIN_NAME_PART:
                parts.add(word)
            for piece in word.split("-"):
                if len(piece) >= MIN_NAME_PART:
                    parts.add(piece)
    return sorted(parts, key=lambda p: (-len(p), p.lower()))


def _is_name(word: str, folded: frozenset[str]) -> bool:
    if fold(word) in folded:
        return True
    # Genitive without apostrophe: "Hansens", "Sørens".
    return len(word) > MIN_NAME_PART and word[-1] in "sS" and fold(word[:-1]) in folded


def _with_genitive(text: str, end: int) -> int:
    m = _APOSTROPHE_GENITIVE.match(text, end)
    return m.end() if m else end


class OwnNames:
    """Matches the words of given names in any case and spelling (see :func:`fold`)."""

    def __init__(self, names: Iterable[str]) -> None:
        self._folded = frozenset(fold(p) for p in name_parts(names))

    def __bool__(self) -> bool:
        return bool(self._folded)

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        """(start, end) of each name word in ``text``, a genitive included."""
        for m in WORD.finditer(text):
            word = m.group()
            if _is_name(word, self._folded):
                yield m.start(), _with_genitive(text, m.end())
                continue
            if "-" not in word:
                continue
            pos = m.start()
            pieces = word.split("-")
            for i, piece in enumerate(pieces):
                if len(piece) >= MIN_NAME_PART and _is_name(piece, self._folded):
                    end = pos + len(piece)
                    yield pos, _with_genitive(text, end) if i == len(pieces) - 1 else end
                pos += len(piece) + 1


@cache
def first_names() -> frozenset[str]:
    """The folded known first names (loaded once, on first use: nothing is read at import)."""
    raw = resources.files("loaders").joinpath("data", FIRST_NAMES_FILE).read_text("utf-8")
    return frozenset(fold(line.strip()) for line in raw.splitlines() if line.strip() and not line.startswith("#"))


def _is_first_name(word: str) -> bool:
    if not word[0].isupper():
        return False
    known = first_names()
    # "Anne-Marie" is known whole or by its first part ("Karl-Johan" → "Karl").
    return fold(word) in known or fold(word.split("-")[0]) in known


def _name_end(text: str, end: int) -> int:
    """The end of a name whose first name ends at ``end``: following capitalised words and initials."""
    for _ in range(MAX_NAME_WORDS - 1):
        m = _NEXT_WORD.match(text, end)
        if m is None:
            break
        word = m.group(1)
        if word is not None and not word[0].isupper():
            # "Jan de Vries", "Mette van Dijk": a particle belongs to the name only before a surname.
            after = _NEXT_WORD.match(text, m.end())
            if word not in _SURNAME_PARTICLES or after is None or not after.group()[1:].lstrip()[0].isupper():
                break
        end = m.end()
    return _with_genitive(text, end)


def cued_name_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of other people's names after a cue word (see module docstring)."""
    pos = 0
    for cue in CUE.finditer(text):
        if cue.start() < pos:
            continue
        start = cue.end()
        while start < len(text) and text[start].isspace():
            start += 1  # a signature starts on the next line
        para = _PARAGRAPH_END.search(text, start)
        stop = min(para.start() if para else len(text), start + MAX_CUE_SCOPE_CHARS)
        narrow = cue["prose"] is not None and cue["colon"] is None
        for m in WORD.finditer(text, start, stop):
            if narrow and m.start() != start:
                break
            if m.start() < pos or not _is_first_name(m.group()):
                continue
            end = _name_end(text, m.end())
            pos = end
            yield m.start(), end
