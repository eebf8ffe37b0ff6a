"""Property tests: identifiers in every form Danes type them, inside realistic sentences, never survive
scrubbing, and the competence in the same sentence always does."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from loaders.privacy import Scrubber, scrub

# Every dash and space a word processor or a PDF puts where a Dane typed "-" or " ".
DASHES = ["-", "\u2010", "\u2011", "\u2013", "\u2014", "\u2212"]
SPACES = [" ", "\u00a0", "\u202f"]
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
SKILLS = ["projektledelse", "truckkørsel", "regnskab", "svejsning", "kundeservice", "rengøring",
          "project management", "forklift driving", "bookkeeping", "welding", "customer service"]
SETTINGS = settings(deadline=None, max_examples=150)


def _widths(text: str) -> st.SearchStrategy[str]:
    """The text as typed, or with full-width digits (copied from a Japanese or Chinese form)."""
    return st.sampled_from([text, text.translate(FULL_WIDTH)])


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text.translate({ord(c): str(i) for i, c in enumerate("０１２３４５６７８９")}))


# -- CPR -----------------------------------------------------------------------------------------------
@st.composite
def cpr_numbers(draw: st.DrawFn) -> str:
    dd, mm, yy = draw(st.integers(1, 28)), draw(st.integers(1, 12)), draw(st.integers(0, 99))
    seq = draw(st.integers(0, 9999))
    date = f"{dd:02d}{mm:02d}{yy:02d}"
    form = draw(st.sampled_from(["plain", "dash", "space", "slash", "dotted", "spaced"]))
    if form == "plain":
        text = f"{date}{seq:04d}"
    elif form == "dash":
        text = f"{date}{draw(st.sampled_from(DASHES))}{seq:04d}"
    elif form == "space":
        text = f"{date}{draw(st.sampled_from(SPACES))}{seq:04d}"
    elif form == "slash":
        text = f"{date}/{seq:04d}"
    elif form == "dotted":
        text = f"{dd:02d}.{mm:02d}.{yy:02d}{draw(st.sampled_from(DASHES))}{seq:04d}"
    else:
        text = f"{dd:02d} {mm:02d} {yy:02d} {seq:04d}"
    return draw(_widths(text))


CPR_SENTENCES = ["Mit CPR-nummer er {id}, og jeg har erfaring med {skill}.", "CPR: {id}\nKompetencer: {skill}",
                 "My personal number is {id}; I know {skill}.", "({id}) Jeg kan {skill}"]


@SETTINGS
@given(cpr_numbers(), st.sampled_from(CPR_SENTENCES), st.sampled_from(SKILLS))
def test_cpr_numbers_never_survive(cpr: str, sentence: str, skill: str) -> None:
    out = scrub(sentence.format(id=cpr, skill=skill))
    assert cpr not in out
    assert _digits(cpr)[-4:] not in _digits(out)
    assert skill in out


# -- phone ---------------------------------------------------------------------------------------------
GROUPINGS = [(8,), (2, 2, 2, 2), (4, 4), (2, 2, 4), (2, 3, 3), (3, 3, 2), (4, 2, 2)]
PREFIXES = ["", "+45 ", "+45", "0045 ", "(+45) ", "+45-", "(0045) "]


@st.composite
def phone_numbers(draw: st.DrawFn) -> str:
    # Digit 5 is 3-9 so the number is never also a date ("24.12.2019") or a year pair ("2015 2018"),
    # which the scrubber leaves alone on purpose.
    digits = (draw(st.sampled_from("23456789")) + "".join(draw(st.sampled_from("0123456789")) for _ in range(3))
              + draw(st.sampled_from("3456789")) + "".join(draw(st.sampled_from("0123456789")) for _ in range(3)))
    grouping = draw(st.sampled_from(GROUPINGS))
    # Dots between groups of three are thousands ("25.000.000"): nobody writes a phone number so.
    seps = [" ", "-", "\u2011", "\u00a0"] + ([] if grouping == (2, 3, 3) else ["."])
    sep = draw(st.sampled_from(seps))
    groups, i = [], 0
    for size in grouping:
        groups.append(digits[i:i + size])
        i += size
    return draw(_widths(draw(st.sampled_from(PREFIXES)) + sep.join(groups)))


PHONE_SENTENCES = ["Jeg har erfaring med {skill}, ring på {id}", "Tlf. {id} – erfaring med {skill}.",
                   "Mobil: {id}\nKompetencer: {skill}", "Call me at {id} about {skill}.",
                   "Kontakt mig på {id} eller mail; jeg kan {skill}"]


@SETTINGS
@given(phone_numbers(), st.sampled_from(PHONE_SENTENCES), st.sampled_from(SKILLS))
def test_phone_numbers_never_survive(phone: str, sentence: str, skill: str) -> None:
    out = scrub(sentence.format(id=phone, skill=skill))
    assert phone not in out
    assert _digits(phone)[-8:] not in _digits(out)
    assert skill in out


# -- birth dates ---------------------------------------------------------------------------------------
DA_MONTHS = ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
             "november", "december"]
EN_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December"]
BIRTH_CUES = ["født", "Født", "født den", "Fødselsdato", "fødselsdato:", "Fødselsdato -", "f.", "born", "Born on",
              "date of birth:", "Date of birth", "DOB:", "birthdate:"]


@st.composite
def birth_dates(draw: st.DrawFn) -> str:
    d, m, y = draw(st.integers(1, 28)), draw(st.integers(1, 12)), draw(st.integers(1940, 2008))
    sep = draw(st.sampled_from([".", "-", "/"] + DASHES[1:]))
    return draw(st.sampled_from([
        f"{d:02d}{sep}{m:02d}{sep}{y}", f"{d}{sep}{m}{sep}{y}", f"{y}-{m:02d}-{d:02d}", f"{d}. {DA_MONTHS[m - 1]} {y}",
        f"{d} {EN_MONTHS[m - 1]} {y}", f"{EN_MONTHS[m - 1]} {d}, {y}", f"{d:02d}.{m:02d}.{y % 100:02d}",
        f"{d}. {DA_MONTHS[m - 1][:3]}. {y}",
    ]))


BIRTH_SENTENCES = ["{cue} {id}. Jeg har erfaring med {skill}.", "{cue} {id}\nErfaring: {skill}",
                   "I was {cue} {id} and I do {skill}."]


@SETTINGS
@given(birth_dates(), st.sampled_from(BIRTH_CUES), st.sampled_from(BIRTH_SENTENCES), st.sampled_from(SKILLS))
def test_birth_dates_never_survive(date: str, cue: str, sentence: str, skill: str) -> None:
    out = scrub(sentence.format(cue=cue, id=date, skill=skill))
    assert date not in out
    assert "[BIRTHDATE]" in out
    assert skill in out


# -- street addresses ----------------------------------------------------------------------------------
STEMS = ["Vester", "Nørre", "Kirke", "Skole", "Mølle", "Birke", "Ege", "Strand", "Havne", "Bøge", "Lin", "Rosen",
         "Sol", "Skov", "Enghave", "Kongens", "Dronning", "Åbo", "Ålborg"]
SUFFIXES = ["vej", "vejen", "gade", "gaden", "allé", "alle", "vænget", "plads", "torv", "stræde", "boulevard",
            "park", "have", "bakken", "høj", "vang", "stien", "lund", "toften"]
SEPARATE = ["Allé", "Vej", "Plads", "Boulevard", "Park"]
FLOORS = ["", ", 2. th.", " st. tv.", ", 1.sal", " 3. mf", ", 4. tv", " kl.", " 1. sal th."]
TOWNS = ["", ", 1620 København V", ", 8000 Aarhus C", " 5000 Odense C", ", DK-2900 Hellerup", ", 7100 Vejle"]


@st.composite
def addresses(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        street = draw(st.sampled_from(STEMS)) + draw(st.sampled_from(SUFFIXES))
    else:
        street = f"{draw(st.sampled_from(['Frederiksberg', 'Gammel', 'Nørre', 'Amager', 'H.C. Andersens']))} " \
                 f"{draw(st.sampled_from(SEPARATE))}"
    number = str(draw(st.integers(1, 250))) + draw(st.sampled_from(["", "", "A", "B", "c"]))
    return f"{street} {number}{draw(st.sampled_from(FLOORS))}{draw(st.sampled_from(TOWNS))}"


ADDRESS_SENTENCES = ["Adresse: {id}. Jeg har erfaring med {skill}.", "Jeg bor på {id} og kan {skill}",
                     "Address: {id}\nSkills: {skill}"]


@SETTINGS
@given(addresses(), st.sampled_from(ADDRESS_SENTENCES), st.sampled_from(SKILLS))
def test_street_addresses_never_survive(address: str, sentence: str, skill: str) -> None:
    out = scrub(sentence.format(id=address, skill=skill))
    street_and_number = re.match(r"\D+\d+", address)
    assert street_and_number is not None
    assert street_and_number.group() not in out
    assert "[ADDRESS]" in out
    assert skill in out


# -- the citizen's own names ---------------------------------------------------------------------------
OWN = ["Søren Bæk Ågård", "Anne-Marie Østergaard", "Åse Kjær", "Mette Aagaard Nielsen"]
ASCII = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})
PLAIN = str.maketrans({"æ": "a", "ø": "o", "å": "a", "Æ": "A", "Ø": "O", "Å": "A"})


@st.composite
def spelled_names(draw: st.DrawFn) -> tuple[str, str]:
    name = draw(st.sampled_from(OWN))
    word = draw(st.sampled_from(name.split()))
    spelled = draw(st.sampled_from([word, word.translate(ASCII), word.translate(PLAIN)]))
    spelled = draw(st.sampled_from([spelled, spelled.upper(), spelled.lower()]))
    return name, spelled


NAME_SENTENCES = ["{id} har erfaring med {skill}.", "CV for {id}\nKompetencer: {skill}",
                  "I am {id} and I know {skill}.", "Referencer kan fås hos {id}; {skill}"]


@SETTINGS
@given(spelled_names(), st.sampled_from(NAME_SENTENCES), st.sampled_from(SKILLS))
def test_own_names_never_survive_in_any_spelling(name: tuple[str, str], sentence: str, skill: str) -> None:
    full, spelled = name
    out = Scrubber(names=[full]).scrub(sentence.format(id=spelled, skill=skill))
    assert not re.search(r"(?<!\w)" + re.escape(spelled) + r"(?!\w)", out)
    assert skill in out


# -- other people's names after a cue ------------------------------------------------------------------
CUES = ["Reference:", "Referencer:", "Kontakt:", "Kontaktperson", "Hilsen", "Venlig hilsen", "Med venlig hilsen\n",
        "Chef:", "Leder:", "Manager:", "Contact:", "References:", "Kind regards,\n"]
FIRST = ["Jens", "Mette", "Søren", "Anne-Marie", "Mohammed", "Fatima", "Piotr", "Kirsten", "Lars", "Ida", "Oliver",
         "Camilla", "Ahmad", "Sarah", "Bo"]
SURNAMES = ["Hansen", "Nielsen", "Østergaard", "Bæk", "Al Hassan", "Kowalski", "Holm Jensen", "Thompson", ""]


@SETTINGS
@given(st.sampled_from(CUES), st.sampled_from(FIRST), st.sampled_from(SURNAMES), st.sampled_from(SKILLS))
def test_other_peoples_names_after_a_cue_never_survive(cue: str, first: str, surname: str, skill: str) -> None:
    person = f"{first} {surname}".strip()
    out = scrub(f"Jeg har erfaring med {skill}. {cue} {person}, tidligere arbejdsgiver")
    assert first not in out
    for part in surname.split():
        assert part not in out
    assert skill in out
    assert "tidligere arbejdsgiver" in out


# -- nothing else is touched ---------------------------------------------------------------------------
# Lower-case letters, æøå, punctuation and characters NFKC would rewrite ("½", "ﬁ", "…", full-width
# letters, non-breaking spaces): no digit, no "@" and no capital, so nothing here is an identifier.
PLAIN_TEXT = st.text(alphabet=list("abcdefghijklmnopqrstuvwxyzæøåé .,;:!?-–—()\"'’“”…½ﬁ™\u00a0\u202fｅｆ\n"), max_size=120)


@SETTINGS
@given(PLAIN_TEXT)
def test_text_without_identifiers_comes_back_exactly_as_written(text: str) -> None:
    assert scrub(text) == text
