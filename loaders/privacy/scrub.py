"""Remove personal identifiers from free text before it is stored, logged or given to the extractor.

Each rule replaces what it finds with a placeholder (``[CPR]``, ``[EMAIL]``, ``[PHONE]``, ``[AGE]``,
``[NAME]``) so a scrubbed sentence still reads as a sentence in an explanation. The rules lean towards
privacy, but each one is narrowed where a careless pattern would eat what matching needs: years and
year ranges ("2019-2023"), postcodes ("2100 København"), salaries ("35.000 kr.", "32 000") and
durations ("5 years of experience", "10 års erfaring") survive; tests cover both sides.

Known limits, documented in docs/INPUT_FORMATS.md: a name part that is also an ordinary word ("Bo",
"Skov") is scrubbed everywhere in that CV; other people's names (a reference's) are not recognised;
free-text mentions of nationality, health or religion are not scrubbed (they never become matching
features, because only ESCO skill and occupation URIs leave the extractor).
"""

from __future__ import annotations

import calendar
import re
from collections import Counter
from collections.abc import Iterable

PLACEHOLDERS: dict[str, str] = {
    "cpr": "[CPR]",
    "email": "[EMAIL]",
    "phone": "[PHONE]",
    "age": "[AGE]",
    "name": "[NAME]",
}

# CPR: DDMMYY-XXXX, DDMMYYXXXX or DDMMYY XXXX. The date part is checked (day exists in that month,
# 29 February allowed since the century is unknown) so ten-digit order or account numbers survive.
# Modulus-11 is not checked: CPR numbers issued since 2007 need not satisfy it.
_CPR = re.compile(r"(?<![\d])(?P<dd>\d{2})(?P<mm>\d{2})(?P<yy>\d{2})[- ]?(?P<seq>\d{4})(?![\d])")

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?!\w)")

# Danish subscriber numbers have 8 digits; without a +45/0045 prefix they start with 2-9 (numbers
# starting with 0 or 1 are service codes), which keeps CPR fragments and dates out. Written whole,
# in pairs ("12 34 56 78", one separator throughout, so a shift "22.00-06.00" is not a number) or in
# fours ("1234 5678"); never when more digits follow or precede (part of a longer number).
_NUMBER = (r"{first}\d{{7}}|{first}\d(?P<{g}>[ .-])\d{{2}}(?P={g})\d{{2}}(?P={g})\d{{2}}"
           r"|{first}\d{{3}}[ .-]\d{{4}}")
_PHONE = re.compile(
    r"(?<![\w+])(?<!\d[ .-])(?:"
    r"(?:(?:\+|00)45|\(\+?45\))[ .-]?(?:" + _NUMBER.format(first=r"\d", g="s1") + r")"
    r"|(?:" + _NUMBER.format(first="[2-9]", g="s2") + r"))"
    r"(?![ .-]?\d)(?!\w)"
)
_YEAR_PAIR = re.compile(r"^((?:19|20)\d{2})[ .-]?((?:19|20)\d{2})$")

# Explicit statements of age or birth date. Durations ("5 years of experience", "I am 25 years in
# the trade", "10 års erfaring", "jeg er 3 år i lære", "20 år som chauffør") are not ages.
_AGE = re.compile(
    r"\b(?:"
    r"(?:I\s+am|I['’]m|aged?)\s+\d{1,3}"
    r"(?:\s+years?[\s-]+old\b|(?!\s*(?:years?|yrs?)\b)(?![\w%]|[.,]\d))"
    r"|\d{1,3}[- ]years?[- ]old\b"
    r"|jeg\s+er\s+\d{1,3}"
    r"(?:\s+år\s+gammel\b|\s+år(?=\s*(?:[.,;:!?)]|og\b|$))|(?!\s*(?:år|års)\b)(?![\w%]|[.,]\d))"
    r"|\d{1,3}\s+år\s+gammel\b"
    r"|(?:født|born)(?:\s+(?:i|in|on|den|d\.))?\s+"
    r"(?:\d{1,2}\.?\s*(?:[^\W\d_]+\.?|\d{1,2}\.?)\s*|[^\W\d_]+\s+\d{1,2},?\s+)?(?:19|20)\d{2}\b"
    r")",
    re.IGNORECASE,
)

# A possessive or genitive after a name is part of it: "Hansens", "Jens'", "Anne's".
_GENITIVE = r"(?:['’]s|s|['’])?"
# Single letters (initials) are too common to scrub without wrecking text ("a", "i").
_MIN_NAME_PART = 2


def _plausible_cpr_date(dd: int, mm: int, yy: int) -> bool:
    if not 1 <= mm <= 12:
        return False
    # Leap year 2000 stands in for "any century": 29 February is allowed.
    return 1 <= dd <= calendar.monthrange(2000, mm)[1]


def name_parts(names: Iterable[str]) -> list[str]:
    """The words of the given names to scrub, longest first (so "Anne-Marie" wins over "Anne")."""
    parts: set[str] = set()
    for name in names:
        for word in re.split(r"[\s,;/()]+", name):
            word = word.strip(".'’\"")
            if len(word) >= _MIN_NAME_PART:
                parts.add(word)
            for piece in word.split("-"):
                if len(piece) >= _MIN_NAME_PART:
                    parts.add(piece)
    return sorted(parts, key=lambda p: (-len(p), p.lower()))


def _digits_pattern(value: str) -> re.Pattern[str] | None:
    """A pattern for a known phone number written with any separators (the last 8 digits)."""
    digits = re.sub(r"\D", "", value)[-8:]
    if len(digits) < 8:
        return None
    return re.compile(r"(?<!\d)(?:(?:\+|00)45[ .-]?)?" + r"[ .-]?".join(digits) + r"(?!\d)")


class Scrubber:
    """Scrubs texts of one document. ``names`` are the citizen's name fields; ``emails`` and
    ``phones`` the values of the contact fields, also scrubbed verbatim when the patterns would miss
    an odd spelling. ``counts`` tallies replacements by kind, for logging (never the values)."""

    def __init__(self, names: Iterable[str] = (), emails: Iterable[str] = (), phones: Iterable[str] = ()) -> None:
        parts = name_parts(names)
        self._names = (
            re.compile(r"(?<!\w)(?:" + "|".join(re.escape(p) for p in parts) + r")" + _GENITIVE + r"(?!\w)",
                       re.IGNORECASE)
            if parts else None
        )
        self._emails = [re.compile(re.escape(e.strip()), re.IGNORECASE) for e in emails if e.strip()]
        self._phones = [p for p in (_digits_pattern(x) for x in phones) if p is not None]
        self.counts: Counter[str] = Counter()

    def scrub(self, text: str) -> str:
        """Return ``text`` with CPR numbers, e-mail addresses, phone numbers, ages and names replaced."""
        if not text:
            return text
        # Order matters: CPR before phone (a CPR is digits too), e-mail before names (addresses
        # often contain the name), names last so placeholders are never re-matched.
        text = _CPR.sub(self._cpr, text)
        for pattern in self._emails:
            text = self._sub(pattern, "email", text)
        text = self._sub(_EMAIL, "email", text)
        for pattern in self._phones:
            text = self._sub(pattern, "phone", text)
        text = _PHONE.sub(self._phone, text)
        text = self._sub(_AGE, "age", text)
        if self._names is not None:
            text = self._sub(self._names, "name", text)
        return text

    def _sub(self, pattern: re.Pattern[str], kind: str, text: str) -> str:
        new, n = pattern.subn(PLACEHOLDERS[kind], text)
        self.counts[kind] += n
        return new

    def _cpr(self, m: re.Match[str]) -> str:
        if not _plausible_cpr_date(int(m["dd"]), int(m["mm"]), int(m["yy"])):
            return m.group(0)
        self.counts["cpr"] += 1
        return PLACEHOLDERS["cpr"]

    def _phone(self, m: re.Match[str]) -> str:
        # "2019-2023" and "2015 2018" have the shape of a phone number but are year ranges.
        if _YEAR_PAIR.match(m.group(0)):
            return m.group(0)
        self.counts["phone"] += 1
        return PLACEHOLDERS["phone"]


def scrub(text: str, names: Iterable[str] = ()) -> str:
    """Scrub one text (see :class:`Scrubber`); ``names`` are the person's name fields."""
    return Scrubber(names).scrub(text)
