"""Privacy at the door: pseudonyms, scrubbing rules (and what they must leave alone), protected fields."""

from __future__ import annotations

import dataclasses
import re

import pytest

from graph.records import CvRecord, CvSkill, Evidence, WorkedAs
from loaders.privacy import (
    PROTECTED_FIELDS,
    PseudonymKey,
    Scrubber,
    pseudonymise,
    reject_protected_fields,
    require_pseudonym_key,
    scrub,
)
from ontology.errors import ConfigurationError, ValidationError

KEY = PseudonymKey(b"unit-test-key-0123456789abcdefghij")
OTHER_KEY = PseudonymKey(b"another-key-0123456789abcdefghijkl")


# -- pseudonyms --------------------------------------------------------------------------------------
def test_pseudonym_is_stable_for_one_key_and_differs_for_another() -> None:
    a = pseudonymise("0101-A4711", KEY)
    assert a == pseudonymise("0101-A4711", KEY)
    assert a == pseudonymise("  0101-A4711 ", KEY)
    assert a != pseudonymise("0101-A4712", KEY)
    assert a != pseudonymise("0101-A4711", OTHER_KEY)
    assert re.fullmatch(r"cv_[a-z2-7]{26}", a)
    assert "4711" not in a


def test_empty_citizen_reference_is_refused() -> None:
    with pytest.raises(ValidationError) as e:
        pseudonymise("   ", KEY)
    assert e.value.field == "id"


@pytest.mark.parametrize("value", [None, ""])
def test_missing_key_refuses_to_start(value: str | None) -> None:
    with pytest.raises(ConfigurationError) as e:
        require_pseudonym_key(value)
    assert e.value.field == "JOBMATCH_PSEUDONYM_KEY"
    assert "JOBMATCH_PSEUDONYM_KEY" in e.value.detail


def test_short_key_is_refused_and_key_never_shows_in_repr() -> None:
    with pytest.raises(ConfigurationError):
        require_pseudonym_key("changeme")
    key = require_pseudonym_key("s3cret-" + "x" * 40)
    assert "s3cret" not in repr(key)


# -- CPR ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "CPR 120370-1234.", "CPR: 1203701234", "cpr-nr. 120370 1234", "290200-4321 (skudår)", "(311299-0001)",
])
def test_cpr_numbers_are_scrubbed(text: str) -> None:
    out = scrub(text)
    assert "[CPR]" in out
    assert not re.search(r"\d{4}", out)


@pytest.mark.parametrize("text", [
    "Ordre 3201701234 er sendt",  # day 32
    "Konto 1213701234",  # month 13
    "Sag 3104701234",  # 31 April does not exist
    "Varenummer 12037012345",  # eleven digits: not a CPR number
])
def test_ten_digit_numbers_that_are_no_date_survive(text: str) -> None:
    assert scrub(text) == text


# -- e-mail ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "skriv til jens.hansen@kommune.dk i dag", "Mail: søren+cv@post.tele.dk", "<ANNE_B@Example.COM>",
])
def test_email_addresses_are_scrubbed(text: str) -> None:
    out = scrub(text)
    assert "[EMAIL]" in out and "@" not in out


@pytest.mark.parametrize("text", ["I work @ home", "C# and .NET", "user@localhost", "e-mail: kan oplyses"])
def test_things_that_are_not_email_addresses_survive(text: str) -> None:
    assert scrub(text) == text


# -- phone -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "Ring 22334455", "tlf. 22 33 44 55", "mobil 2233 4455", "+45 22 33 44 55", "+4512345678",
    "0045 22334455", "(+45) 22 33 44 55", "22-33-44-55.", "tlf.: 98.76.54.32",
])
def test_danish_phone_numbers_are_scrubbed(text: str) -> None:
    out = scrub(text)
    assert "[PHONE]" in out
    assert not re.search(r"\d{2}", out)


@pytest.mark.parametrize("text", [
    "Ansat 2019-2023 og 2015 2018",  # year ranges
    "Bor i 2100 København Ø, arbejder i 8000 Aarhus C",  # postcodes
    "Løn 35.000 kr. om måneden, 32 000 kr. i prøvetiden, 450000 kr. om året",  # salaries
    "Nattevagt kl. 22.00-06.00",  # a shift
    "Sagsnummer 12345678",  # starts with 1: not a Danish subscriber number
    "Konto 22 33 44 55 66 77",  # longer than a phone number
    "CVR-nr. 123456789",  # nine digits
    "Uddannet 24.12.2019",  # a date
])
def test_years_postcodes_salaries_and_long_numbers_survive(text: str) -> None:
    assert scrub(text) == text


# -- age ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "Jeg er 52 år gammel.", "jeg er 52 år og bor i Aarhus", "Jeg er 52.", "I am 52 years old.", "I'm 52, and fit",
    "aged 52", "a 52-year-old cook", "født 3. maj 1971", "Født i 1971", "born on 3 May 1971", "born May 3, 1971",
    "født 03.05.1971",
])
def test_explicit_ages_and_birth_dates_are_scrubbed(text: str) -> None:
    # A full date after a birth cue is a [BIRTHDATE]; a birth year or a stated age is an [AGE].
    out = scrub(text)
    assert "[AGE]" in out or "[BIRTHDATE]" in out
    assert not re.search(r"\d", out)


@pytest.mark.parametrize("text", [
    "I have 5 years of experience", "10 års erfaring som kok", "Jeg har 20 år som chauffør",
    "jeg er 3 år i lære", "I am 25 years in the trade", "Jeg er 100% dedikeret", "født i Aarhus",
    "uddannet i 1998",
])
def test_durations_are_not_ages(text: str) -> None:
    assert scrub(text) == text


# -- names -------------------------------------------------------------------------------------------
def test_every_name_part_is_scrubbed_case_insensitively_as_a_whole_word() -> None:
    s = Scrubber(names=["Anne-Marie Østergaard Hansen"])
    out = s.scrub("ANNE-MARIE Østergaard har arbejdet hos Hansens Bageri; Anne og marie. Hansen's team.")
    assert out == "[NAME] [NAME] har arbejdet hos [NAME] Bageri; [NAME] og [NAME]. [NAME] team."
    assert s.counts["name"] == 6


def test_names_inside_other_words_survive() -> None:
    s = Scrubber(names=["Bo Lind"])
    assert s.scrub("Lindholm Havn, Boulevarden og robot") == "Lindholm Havn, Boulevarden og robot"


def test_known_contact_values_are_scrubbed_even_in_odd_spellings() -> None:
    # 1234 5678 starts with 1, so only the CV's own phone field identifies it as the citizen's number.
    s = Scrubber(phones=["+45 12345678"], emails=["Odd.Address@Example.dk"])
    assert s.scrub("ring 12 34 56 78 / odd.address@example.dk") == "ring [PHONE] / [EMAIL]"


def test_email_is_scrubbed_before_the_name_inside_it() -> None:
    assert scrub("jens.hansen@mail.dk", names=["Jens Hansen"]) == "[EMAIL]"


def test_counts_never_hold_values() -> None:
    s = Scrubber(names=["Jens"])
    s.scrub("Jens, 22334455, jens@x.dk, 120370-1234")
    assert dict(s.counts) == {
        "cpr": 1, "email": 1, "phone": 1, "birthdate": 0, "address": 0, "age": 0, "name": 1}


# -- protected attributes ----------------------------------------------------------------------------
@pytest.mark.parametrize(("doc", "field"), [
    ({"id": "x", "gender": "female"}, "/gender"),
    ({"id": "x", "Sex": "m"}, "/Sex"),
    ({"id": "x", "birthDate": "1971-05-03"}, "/birthDate"),
    ({"id": "x", "date_of_birth": "1971-05-03"}, "/date_of_birth"),
    ({"id": "x", "Birth-Date": "1971"}, "/Birth-Date"),
    ({"id": "x", "age": 52}, "/age"),
    ({"id": "x", "nationality": "DK"}, "/nationality"),
    ({"id": "x", "ethnicity": "…"}, "/ethnicity"),
    ({"id": "x", "race": "…"}, "/race"),
    ({"id": "x", "health": "…"}, "/health"),
    ({"id": "x", "disability": True}, "/disability"),
    ({"id": "x", "religion": "…"}, "/religion"),
    ({"id": "x", "maritalStatus": "married"}, "/maritalStatus"),
    ({"id": "x", "photo": "data:image/png;base64,AAAA"}, "/photo"),
    ({"id": "x", "cpr": "120370-1234"}, "/cpr"),
    ({"id": "x", "køn": "K"}, "/køn"),
    ({"id": "x", "fødselsdato": "03-05-1971"}, "/fødselsdato"),
    ({"basics": {"name": "A", "image": "https://x/me.jpg"}}, "/basics/image"),
    ({"experience": [{"title": "cook"}, {"title": "cook", "age": 30}]}, "/experience/1/age"),
    ({"meta": {"jobmatch": {"gender": "f"}}}, "/meta/jobmatch/gender"),
])
def test_protected_attributes_are_rejected_naming_the_field(doc: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as e:
        reject_protected_fields(doc)
    assert e.value.field == field
    assert "protected attribute" in e.value.detail
    assert "1971" not in e.value.detail and "female" not in e.value.detail


def test_empty_protected_fields_carry_nothing_and_pass() -> None:
    # JSON Resume exporters always write basics.image, usually empty.
    reject_protected_fields({"basics": {"image": "", "gender": None}, "photo": [], "skills": [{"name": "age"}]})


def test_free_text_mentions_are_not_fields() -> None:
    reject_protected_fields({"profile": "I am 52, married, and my health is good.", "languages": ["arabic"]})


def test_stored_cv_records_have_no_field_for_a_protected_attribute() -> None:
    # The extractor's output can only reach a CV through these records; none of them can hold such data.
    for record in (CvRecord, CvSkill, Evidence, WorkedAs):
        names = {re.sub(r"[\W_]+", "", f.name.lower()) for f in dataclasses.fields(record)}
        assert not names & set(PROTECTED_FIELDS), record
