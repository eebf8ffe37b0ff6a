"""Remove personal identifiers from free text before it is stored, logged or given to the extractor.

Each rule replaces what it finds with a placeholder (``[CPR]``, ``[EMAIL]``, ``[PHONE]``,
``[BIRTHDATE]``, ``[ADDRESS]``, ``[AGE]``, ``[NAME]``) so a scrubbed sentence still reads as a sentence
in an explanation. Placeholders match ``\\[[A-ZÆØÅ_]+\\]``, which the extractor never reads.

Rules run on a normalised copy of the text (:mod:`.text`: NFKC, ASCII digits, one dash), so
"２２ ３３ ４４ ５５", "010190‑1234" (non-breaking hyphen) and "01.01.90–1234" are caught like their ASCII
spellings; only the spans found are replaced in the original, so everything else is returned exactly
as written. The scrubbed text may therefore be shorter or longer than the input.

The rules lean towards privacy, but each one is narrowed where a careless pattern would eat what
matching needs: years and year ranges ("2019-2023"), employment periods ("01.01.2020–31.12.2022"),
postcodes with a town ("2100 København Ø"), salaries ("35.000 kr.", "32 000"), durations ("5 years
of experience", "10 års erfaring") and skills with digits ("ISO 9001", "Windows 10") survive; the
patterns are in :mod:`.patterns`, names in :mod:`.names`, and tests cover both sides.

Known limits, documented in docs/INPUT_FORMATS.md: a name part that is also an ordinary word ("Bo",
"Skov") is scrubbed everywhere in that CV; another person's name is recognised only after a cue word
and only when its first name is in the list of known first names; free-text mentions of nationality,
health or religion are not scrubbed (they never become matching features, because only ESCO skill and
occupation URIs leave the extractor).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from functools import partial

from loaders.privacy import patterns
from loaders.privacy.names import OwnNames, cued_name_spans, name_parts
from loaders.privacy.text import normalise, replace_spans

PLACEHOLDERS: dict[str, str] = {
    "cpr": "[CPR]",
    "email": "[EMAIL]",
    "phone": "[PHONE]",
    "birthdate": "[BIRTHDATE]",
    "address": "[ADDRESS]",
    "age": "[AGE]",
    "name": "[NAME]",
}
# What a found span is overwritten with in the working copy, so that later rules neither match inside
# it nor join text across it: not a letter, digit, space or separator any pattern uses.
_MASK = "\x00"
# How much text around a phone-shaped run decides whether it is a phone (a cue before, a currency after).
_CONTEXT_CHARS = 24

__all__ = ["PLACEHOLDERS", "Scrubber", "name_parts", "scrub"]

Span = tuple[int, int]
SpanFinder = Callable[[str], Iterable[Span]]


def _digits_pattern(value: str) -> re.Pattern[str] | None:
    """A pattern for a known phone number written with any separators (the last 8 digits)."""
    digits = re.sub(r"\D", "", normalise(value).text)[-8:]
    if len(digits) < 8:
        return None
    return re.compile(
        r"(?<!\d)(?:" + patterns.PHONE_PREFIX + r"[ .-]?)?" + r"[ .-]?".join(digits) + r"(?!\d)"
    )


def _matches(pattern: re.Pattern[str], text: str, group: int | str = 0) -> Iterator[Span]:
    """The spans of ``group`` in each match of ``pattern`` (a rule's finder)."""
    for m in pattern.finditer(text):
        yield m.span(group)


class Scrubber:
    """Scrubs texts of one document. ``names`` are the citizen's name fields; ``emails`` and
    ``phones`` the values of the contact fields, also scrubbed verbatim when the patterns would miss
    an odd spelling. ``counts`` tallies replacements by kind, for logging (never the values)."""

    def __init__(self, names: Iterable[str] = (), emails: Iterable[str] = (), phones: Iterable[str] = ()) -> None:
        self._names = OwnNames(names)
        self._emails = [re.compile(re.escape(normalise(e.strip()).text), re.IGNORECASE) for e in emails if e.strip()]
        self._phones = [p for p in (_digits_pattern(x) for x in phones) if p is not None]
        self.counts: Counter[str] = Counter()

    def scrub(self, text: str) -> str:
        """Return ``text`` with CPR numbers, e-mail addresses, phone numbers, birth dates, street
        addresses, ages and names replaced by placeholders; everything else as written."""
        if not text:
            return text
        norm = normalise(text)
        work = norm.text
        found: list[tuple[int, int, str]] = []
        # Order matters: CPR before phone (a CPR is digits too), e-mail before names (addresses often
        # contain the name), birth dates before phones and ages (a date is digits, "født" an age cue),
        # names last. Each rule masks what it found, so no later rule reads inside it.
        for kind, spans in self._rules():
            for a, b in list(spans(work)):
                if a >= b or _MASK in work[a:b]:
                    continue
                found.append((a, b, PLACEHOLDERS[kind]))
                self.counts[kind] += 1
                work = work[:a] + _MASK * (b - a) + work[b:]
        for kind in PLACEHOLDERS:
            self.counts[kind] += 0  # every kind shows in the log line, 0 included
        return replace_spans(norm, found) if found else text

    def _rules(self) -> Iterator[tuple[str, SpanFinder]]:
        yield "cpr", lambda t: _matches(patterns.CPR_CUED, t, "id")
        yield "cpr", self._cpr
        for pattern in self._emails:
            yield "email", partial(_matches, pattern)
        yield "email", lambda t: _matches(patterns.EMAIL, t)
        yield "birthdate", lambda t: _matches(patterns.BIRTHDATE, t, "date")
        for pattern in self._phones:
            yield "phone", partial(_matches, pattern)
        yield "phone", self._phone
        yield "address", lambda t: _matches(patterns.ADDRESS, t)
        yield "age", lambda t: _matches(patterns.AGE, t)
        yield "name", cued_name_spans
        if self._names:
            yield "name", self._names.spans

    @staticmethod
    def _cpr(text: str) -> Iterator[Span]:
        for m in patterns.CPR.finditer(text):
            if patterns.plausible_cpr_date(int(m["dd"]), int(m["mm"]), int(m["yy"])):
                yield m.span()

    @staticmethod
    def _phone(text: str) -> Iterator[Span]:
        for m in patterns.PHONE.finditer(text):
            before = text[max(0, m.start() - _CONTEXT_CHARS):m.start()]
            after = text[m.end():m.end() + _CONTEXT_CHARS]
            if patterns.phone_run_is_number(m["run"], before, after, prefixed=m["prefix"] is not None):
                yield m.span()


def scrub(text: str, names: Iterable[str] = ()) -> str:
    """Scrub one text (see :class:`Scrubber`); ``names`` are the person's name fields."""
    return Scrubber(names).scrub(text)
