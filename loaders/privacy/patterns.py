"""The shapes of personal identifiers in Danish and English CV text, and the checks that narrow them.

Every pattern runs on the normalised copy of a text (:mod:`.text`: NFKC, ASCII digits, every dash
folded to "-"), so each spells a separator as ``[ .-]`` and never needs to list Unicode variants. Each
one is narrowed where a careless pattern would eat what matching needs; the narrowing is commented
where it is made, and tests cover both sides (tests/unit/test_privacy*.py).
"""

from __future__ import annotations

import calendar
import re

# -- CPR -----------------------------------------------------------------------------------------------
# DDMMYY-XXXX in every spelling seen in CVs: "0101901234", "010190-1234", "010190 1234", "010190/1234",
# "01.01.90-1234", "01-01-90-1234", "01 01 90 1234". The date part uses one separator throughout (so
# "01.01.2020" is read as a date, not a CPR prefix) and is checked by :func:`plausible_cpr_date`, which
# keeps ten-digit order and account numbers. Modulus-11 is not checked: CPR numbers issued since 2007
# need not satisfy it.
CPR = re.compile(
    r"(?<!\d)(?P<dd>\d{2})(?P<ds>[. -]?)(?P<mm>\d{2})(?P=ds)(?P<yy>\d{2})"
    r"[ ]?[-/]?[ ]?(?P<seq>\d{4})(?!\d)"
)
# After an explicit "CPR" cue the digits are a CPR number even when the date is impossible (a typo
# still identifies the person).
CPR_CUED = re.compile(
    r"(?i:\bcpr(?:[ .-]?(?:nr|nummer|number|no)\.?)?\s*[:.]?\s*)"
    r"(?P<id>\d{6}[ ]?[-/]?[ ]?\d{4}|\d{2}[. -]\d{2}[. -]\d{2}[ ]?[-/]?[ ]?\d{4})(?!\d)"
)


def plausible_cpr_date(dd: int, mm: int, yy: int) -> bool:
    """Whether DD/MM exists in some century (29 February allowed: the century is unknown)."""
    del yy  # every two-digit year exists in some century
    if not 1 <= mm <= 12:
        return False
    # Leap year 2000 stands in for "any century".
    return 1 <= dd <= calendar.monthrange(2000, mm)[1]


# -- e-mail --------------------------------------------------------------------------------------------
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?!\w)")

# -- phone ---------------------------------------------------------------------------------------------
# A Danish subscriber number is 8 digits. The pattern takes a whole run of digits joined by single
# separators (never part of a longer number: the lookarounds refuse a digit one separator away) and
# :func:`phone_run_is_number` decides, from the grouping, whether the run is a phone number or a date,
# a year range, an amount or a shift.
PHONE_PREFIX = r"(?:\+[ ]?45|0045|\([ ]?\+?[ ]?45[ ]?\)|\([ ]?0045[ ]?\))"
PHONE = re.compile(
    r"(?<![\w+])(?<!\d[ .-])"
    r"(?:(?P<prefix>" + PHONE_PREFIX + r")[ .-]?)?"
    r"(?P<run>\d(?:[ .-]?\d){7})"
    r"(?![ .-]?\d)(?!\w)"
)
# A phone cue right before the number lets a number starting with 0 or 1 through (without one, such a
# number is a service code, a case number or an account, see test_privacy.py).
PHONE_CUE = re.compile(
    r"(?i:(?:tlf|telefon|telephone|phone|mobil|mobile|mob|tel|ring(?:\s+på)?|call|sms)\.?"
    r"(?:\s*(?:nr|no|nummer|number)\.?)?\s*[:.]?\s*)$"
)
# Groups of 2-4 digits: "22 33 44 55", "22 33 4455", "40 123 456", "2233 4455"; one digit alone is not
# a group anyone types in a phone number, and nobody groups 5+.
_MIN_GROUP, _MAX_GROUP = 2, 4
_YEAR = re.compile(r"(?:19|20)\d{2}")
# An amount written with thousands separators ("25.000.000", "4 500 000 kr.") has the shape of
# "40 123 456"; a currency next to it, or dots between groups of three, say it is money.
_CURRENCY_AFTER = re.compile(r"(?i:[ ]?(?:kr\b|kr\.|dkk\b|eur\b|euro|€|\$|usd\b|,-|mio\b))")
_CURRENCY_BEFORE = re.compile(r"(?i:(?:\bkr\.?|\bdkk|\beur|€|\$|\busd)[ ]?)$")
_THOUSANDS = 3


def _date_parts_valid(day: str, month: str, year: str) -> bool:
    if not _YEAR.fullmatch(year):
        return False
    d, m, y = int(day), int(month), int(year)
    return 1 <= m <= 12 and 1 <= d <= calendar.monthrange(y, m)[1]


def phone_run_is_number(run: str, before: str, after: str, prefixed: bool) -> bool:
    """Whether an 8-digit run (its separators kept) is a phone number, given the text around it.

    ``before`` and ``after`` are a few characters on either side; ``prefixed`` says whether +45, 0045
    or (+45) came first, which settles it.
    """
    if prefixed:
        return True
    seps = set(re.findall(r"[ .-]", run))
    groups = re.split(r"[ .-]", run)
    sizes = [len(g) for g in groups]
    digits = "".join(groups)
    if len(seps) > 1:
        return False  # "22.00-06.00": a shift, not a number anyone dials
    if len(groups) > 1 and not all(_MIN_GROUP <= s <= _MAX_GROUP for s in sizes):
        return False
    if digits[0] in "01" and not PHONE_CUE.search(before):
        return False  # numbers starting with 0/1 are service codes, case or account numbers
    if _YEAR.fullmatch(digits[:4]) and _YEAR.fullmatch(digits[4:]) and sizes in ([8], [4, 4]):
        return False  # "2019-2023", "2015 2018"
    if sizes == [2, 2, 4] and _date_parts_valid(groups[0], groups[1], groups[2]):
        return False  # "24.12.2019", "01-01-2020"
    if sizes == [4, 2, 2] and _date_parts_valid(groups[2], groups[1], groups[0]):
        return False  # "2020-01-31"
    # "25.000.000", "4 500 000 kr." are amounts.
    amount = sizes[-2:] == [_THOUSANDS, _THOUSANDS] and bool(
        seps == {"."} or _CURRENCY_AFTER.match(after) or _CURRENCY_BEFORE.search(before)
    )
    return not amount


# -- birth dates ---------------------------------------------------------------------------------------
_MONTHS = (
    r"(?:januar|january|jan|februar|february|feb|marts|march|mar|april|apr|maj|may|juni|june|jun|juli|july"
    r"|jul|august|aug|september|sept|sep|oktober|october|okt|oct|november|nov|december|dec)(?![^\W\d_])\.?"
)
_DAY = r"\d{1,2}(?:\.|st|nd|rd|th)?"
_DATE = (
    r"(?:\d{1,2}[ ]?[./-][ ]?\d{1,2}[ ]?[./-][ ]?(?:\d{4}|\d{2})(?!\d)"  # 01-01-1990, 1/1/90
    r"|\d{4}-\d{1,2}-\d{1,2}(?!\d)"  # 1990-01-01
    r"|" + _DAY + r"[ ]?(?:of[ ])?" + _MONTHS + r"(?:,?[ ]?(?:\d{4}|'\d{2})(?!\d))?"  # 1. januar 1990
    r"|" + _MONTHS + r"[ ]" + _DAY + r"(?:,?[ ]?\d{4}(?!\d))?"  # January 1st, 1990
    r"|\d{6}(?!\d))"  # 010190
)
# A date right after a birth cue is a birth date; the cue stays (it identifies nobody) so the sentence
# still reads. Plain dates elsewhere ("01.01.2020-31.12.2022", an employment period) are left alone.
BIRTHDATE = re.compile(
    r"(?i:(?<!\w)(?:født|fodt|foedt|f\.|fødselsdato|fodselsdato|foedselsdato|fødselsdag|født[ ]den"
    r"|born|date[ ]of[ ]birth|birth[ ]?date|birthday|d\.o\.b\.?|dob)"
    r"(?:[ ]*[:-]\s*|\s+)(?:(?:den|d\.|on|the|in|i)[ ])?"
    r"(?P<date>" + _DATE + r"))"
)

# -- explicit ages -------------------------------------------------------------------------------------
# Durations ("5 years of experience", "I am 25 years in the trade", "10 års erfaring", "jeg er 3 år i
# lære", "20 år som chauffør") are not ages. A birth *year* ("født i 1971") says the age, so it is one.
AGE = re.compile(
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

# -- street addresses ----------------------------------------------------------------------------------
# Danish street names end in one of these (with the definite forms: "Strandvejen", "Rådhuspladsen").
# "ring" and "mark" are left out: "Ring 22 33 44 55" and "Danmark 2." are not addresses.
STREET_SUFFIXES = (
    "vej", "vejen", "gade", "gaden", "allé", "alle", "alléen", "alleen", "vænge", "vænget", "plads",
    "pladsen", "torv", "torvet", "stræde", "strædet", "boulevard", "boulevarden", "park", "parken", "have",
    "haven", "bakke", "bakken", "høj", "højen", "vang", "vangen", "sti", "stien", "gyde", "gyden", "toft",
    "toften", "lund", "lunden", "eng", "engen", "kær", "kæret", "dal", "dalen", "hegn", "hegnet", "krog",
    "krogen", "mose", "mosen", "kaj", "kajen", "brygge", "bryggen", "løkke", "løkken", "passage",
    "promenade", "kvarter", "kvarteret",
)
_SUFFIX = "(?:" + "|".join(sorted(STREET_SUFFIXES, key=len, reverse=True)) + ")"
_SUFFIX_WORD = "(?:" + "|".join(sorted((s.capitalize() for s in STREET_SUFFIXES), key=len, reverse=True)) + ")"
_CAP = r"[A-ZÆØÅÉÜÖÄ]"
# Words that open a street name ("Gammel Kongevej", "Nørre Voldgade", "Skt. Annæ Plads", "H.C. Ørsteds Vej").
_OPENERS = (
    r"(?:Gammel|Gl\.|Ny|Nye|Store|St\.|Lille|Ll\.|Nørre|Ndr\.|Nordre|Nr\.|Søndre|Sdr\.|Vester|Vestre"
    r"|Øster|Østre|Sankt|Skt\.|Sct\.|Kongens|Dronning|Dronningens|Prins|Prinsesse|Ved|Over|Nedre|Øvre"
    r"|" + _CAP + r"\.(?:" + _CAP + r"\.)+)"
)
_STREET = (
    r"(?:(?:" + _OPENERS + r"[ ]){0,2}" + _CAP + r"[^\W\d_]+?" + _SUFFIX + r"(?![^\W\d_])"  # Vestergade
    r"|(?:(?:" + _OPENERS + r"|" + _CAP + r"[^\W\d_]+)[ ]){1,3}" + _SUFFIX_WORD + r"(?![^\W\d_]))"  # Nørre Allé
)
# House number (1-3 digits: "2019" after a street is a year), a letter ("12B", "12 B"), a range ("10-12").
_HOUSE = r"\d{1,3}(?!\d)(?:[a-z](?![^\W\d_])|[ ]?[A-Z](?![^\W\d_]))?(?:[ ]?-[ ]?\d{1,3}(?!\d)[A-Za-z]?)?"
# Floor and side: "2. th.", "st. tv.", "1.sal", "4. sal", "2 tv", "kl.", "th."
_SIDE = r"(?:th|tv|mf)\b\.?"
_FLOOR = (
    r"(?i:,?[ ]?(?:(?:st|kl|\d{1,2})(?:[ ]?\.[ ]?(?:sal\b\.?)?|[ ]?sal\b\.?)(?:[ ]?,?[ ]?" + _SIDE + r")?"
    r"|(?:st|kl|\d{1,2})[ ]" + _SIDE + r"|" + _SIDE + r"))"
)
_POSTAL = r",?\s*(?:DK-?[ ]?)?\d{4}[ ]+" + _CAP + r"[^\W\d_]+(?:[ ](?:SV|NV|NØ|[KVØNSC])(?![^\W\d_]))?"
ADDRESS = re.compile(
    r"(?<![^\W\d_])" + _STREET + r"[ ]+" + _HOUSE + r"(?:" + _FLOOR + r")?(?:" + _POSTAL + r")?"
)
