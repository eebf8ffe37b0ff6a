"""Skill extraction rules users rely on, on an extractor built from a handful of label entries."""

from __future__ import annotations

import pytest

from graph.records import LabelEntry
from loaders.extract import Addition, Extractor, build_extractor
from loaders.mentions import SkillMention

S = "http://data.europa.eu/esco/skill/"
PYTHON = S + "ccd0a1d9-afda-43d9-b901-96344886e14d"
SQL = S + "598de5b0-5b58-4ea7-8058-a4bc4d18c742"
R_LANG = S + "51586df8-1c46-4b47-8583-773cb63bf00b"
C_LANG = S + "00000000-0000-0000-0000-00000000000c"
GO_LANG = S + "00000000-0000-0000-0000-0000000000a0"
TFORM = S + "00000000-0000-0000-0000-0000000000f0"
TEAMS = S + "60c78287-22eb-4103-9c8c-28deaa460da0"
COMMUNICATION = S + "15d76317-c71a-4fa2-aadc-2ecc34e627b7"
PM = S + "7111b95d-0ce3-441a-9d92-4c75d05c4388"
PM_SOFTWARE = S + "00000000-0000-0000-0000-0000000000b0"
MANAGE_STAFF = S + "339ac029-066a-4985-9f9d-b3d7c8fea0bb"
SPREADSHEETS = S + "1973c966-f236-40c9-b2d4-5d71a89019be"
FORKLIFT = S + "28cb374e-6261-4133-8371-f9a5470145da"
JAVA = S + "19a8293b-8e95-4de3-983f-77484079c389"
DBMS = S + "00000000-0000-0000-0000-0000000000d0"


def _entries() -> list[LabelEntry]:
    def e(uri: str, label: str, role: str = "preferred", lang: str = "en") -> LabelEntry:
        return LabelEntry(uri, "Skill", lang, label, role)  # type: ignore[arg-type]

    return [
        e(PYTHON, "Python (computer programming)"), e(PYTHON, "Python", "alt"),
        e(SQL, "SQL"), e(DBMS, "database management systems"), e(DBMS, "SQL", "alt"),
        e(R_LANG, "R"), e(C_LANG, "C"), e(GO_LANG, "Go"), e(TFORM, "Tform"),
        e(TEAMS, "work in teams"), e(TEAMS, "teamwork", "alt"),
        e(COMMUNICATION, "communication"),
        e(PM, "project management"), e(PM_SOFTWARE, "project management software"),
        e(MANAGE_STAFF, "manage staff"), e(MANAGE_STAFF, "manage employees", "alt"),
        e(SPREADSHEETS, "use spreadsheets software"), e(FORKLIFT, "operate forklift"), e(JAVA, "Java"),
    ]


def _additions() -> list[Addition]:
    return [
        Addition(0, TEAMS, "da", "samarbejde"), Addition(0, FORKLIFT, "da", "truckcertifikat"),
        Addition(0, SPREADSHEETS, "da", "Excel"), Addition(0, COMMUNICATION, "da", "kommunikation"),
        Addition(0, PM, "da", "projektledelse"),
    ]


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return build_extractor(_entries(), _additions())


def _uris(mentions: tuple[SkillMention, ...]) -> set[str]:
    return {m.uri for m in mentions}


def test_whole_words_only_never_inside_a_word(extractor: Extractor) -> None:
    found = extractor.extract("Our platform runs on the Tform engine's platform.", lang="en", kind="cv").skills
    assert [(m.uri, m.text) for m in found] == [(TFORM, "Tform")]
    assert not extractor.extract("We build a platform for transforms.", lang="en", kind="cv").skills


def test_evidence_span_sentence_and_matched_label(extractor: Extractor) -> None:
    text = "I like cooking. I have experience with Python and SQL."
    skills = extractor.extract(text, lang="en", kind="cv").skills
    py = next(m for m in skills if m.uri == PYTHON)
    assert text[py.start:py.end] == "Python" == py.text
    assert py.sentence == "I have experience with Python and SQL."
    assert py.label == "Python"
    assert 0 < py.score <= 1


def test_shared_label_goes_to_the_concept_it_names(extractor: Extractor) -> None:
    # "SQL" is SQL's preferred label and only an alternative label of database management systems.
    assert _uris(extractor.extract("Good SQL skills.", lang="en", kind="cv").skills) == {SQL}


def test_inflected_forms_match_by_lemma(extractor: Extractor) -> None:
    skills = extractor.extract("She managed employees and is managing staff.", lang="en", kind="cv").skills
    assert [m.text for m in skills] == ["managed employees", "managing staff"]
    assert {m.uri for m in skills} == {MANAGE_STAFF}


@pytest.mark.parametrize("text", [
    "Grade C or better in maths.",
    "R. Jensen will contact you.",
    "Let's go to the office, then go home.",
    "Go to our website to apply.",
])
def test_one_letter_and_common_word_labels_need_context(extractor: Extractor, text: str) -> None:
    assert not extractor.extract(text, lang="en", kind="cv").skills


@pytest.mark.parametrize(("text", "uri"), [
    ("Programming in C and Python.", C_LANG),
    ("Statistics in R and SQL are needed.", R_LANG),
    ("We write microservices in Go.", GO_LANG),
])
def test_short_labels_count_with_technical_context(extractor: Extractor, text: str, uri: str) -> None:
    assert uri in _uris(extractor.extract(text, lang="en", kind="cv").skills)


def test_lowercase_go_is_the_verb_even_near_tech_words(extractor: Extractor) -> None:
    assert GO_LANG not in _uris(extractor.extract("Python developers go to the conference.", lang="en").skills)


def test_excel_the_verb_is_not_a_skill(extractor: Extractor) -> None:
    assert not extractor.extract("Du kan excel at customer contact.", lang="da").skills
    found = extractor.extract("Du bruger Excel og Word til regnskab på din pc.", lang="da").skills
    assert SPREADSHEETS in _uris(found)


def test_overlapping_matches_resolve_to_the_longest(extractor: Extractor) -> None:
    skills = extractor.extract("Knowledge of project management software.", lang="en", kind="cv").skills
    assert [(m.uri, m.text) for m in skills] == [(PM_SOFTWARE, "project management software")]


@pytest.mark.parametrize(("text", "lang"), [
    ("No experience with Python required.", "en"),
    ("You need no prior experience with SQL.", "en"),
    ("Python is not required.", "en"),
    ("Experience with Python is not necessary.", "en"),
    ("Der kræves ingen erfaring med Python.", "da"),
    ("Truckcertifikat er ikke et krav.", "da"),
])
def test_negated_mentions_are_not_claimed(extractor: Extractor, text: str, lang: str) -> None:
    assert not extractor.extract(text, lang=lang, kind="posting").skills


def test_negation_stops_at_the_clause(extractor: Extractor) -> None:
    skills = extractor.extract("No experience with Java needed, but Python is a must.", lang="en").skills
    assert _uris(skills) == {PYTHON}
    assert not extractor.extract("I have no Java experience.", lang="en", kind="cv").skills


def test_not_only_is_not_a_negation(extractor: Extractor) -> None:
    assert _uris(extractor.extract("You know not only Python but also SQL.", lang="en").skills) == {PYTHON, SQL}


def test_a_plus_but_not_required_is_optional_not_negated(extractor: Extractor) -> None:
    [sql] = extractor.extract("SQL experience is a plus but not required", lang="en").skills
    assert sql.uri == SQL and sql.essential is False


@pytest.mark.parametrize(("text", "lang", "expected"), [
    ("Python is required.", "en", True),
    ("You must know SQL.", "en", True),
    ("Experience with SQL is nice to have.", "en", False),
    ("Preferably some Python.", "en", False),
    ("Python is a plus.", "en", False),
    ("You know Python.", "en", None),
    ("Truckcertifikat er et krav.", "da", True),
    ("Du skal have truckcertifikat.", "da", True),
    ("Kendskab til Excel på pc er en fordel.", "da", False),
    ("Du har gerne erfaring med projektledelse.", "da", False),
    ("Du har erfaring med projektledelse.", "da", None),
])
def test_requirement_strength(extractor: Extractor, text: str, lang: str, expected: bool | None) -> None:
    [m] = extractor.extract(text, lang=lang, kind="posting").skills
    assert m.essential is expected


def test_cv_mentions_carry_no_requirement_strength(extractor: Extractor) -> None:
    [m] = extractor.extract("Python is required.", lang="en", kind="cv").skills
    assert m.essential is None


def test_section_heading_sets_strength(extractor: Extractor) -> None:
    text = "Requirements:\n- Python\n- SQL\nNice to have:\n- project management"
    found = {m.uri: m.essential for m in extractor.extract(text, lang="en", kind="posting").skills}
    assert found == {PYTHON: True, SQL: True, PM: False}


@pytest.mark.parametrize(("text", "lang"), [
    ("About us: we are a team of Python lovers using SQL every day.", "en"),
    ("We offer training in project management and teamwork.", "en"),
    ("We are an equal opportunity employer and value communication regardless of background.", "en"),
    ("Om os: Vi arbejder med projektledelse og samarbejde.", "da"),
    ("Vi tilbyder kurser i projektledelse.", "da"),
    ("Alle opfordres til at søge uanset køn, alder og evne til samarbejde.", "da"),
])
def test_boilerplate_is_not_a_requirement(extractor: Extractor, text: str, lang: str) -> None:
    assert not extractor.extract(text, lang=lang, kind="posting").skills


def test_boilerplate_section_ends_at_the_next_heading(extractor: Extractor) -> None:
    text = "We offer:\n- project management courses\n- free lunch\nYour profile:\n- Python"
    assert _uris(extractor.extract(text, lang="en", kind="posting").skills) == {PYTHON}


def test_boilerplate_rules_do_not_apply_to_cvs(extractor: Extractor) -> None:
    text = "About me: I enjoy teamwork and project management."
    assert _uris(extractor.extract(text, lang="en", kind="cv").skills) == {TEAMS, PM}


def test_transversal_skills_are_kept(extractor: Extractor) -> None:
    found = extractor.extract("Strong communication and teamwork.", lang="en", kind="cv").skills
    assert _uris(found) == {COMMUNICATION, TEAMS}


def test_danish_text_uses_local_synonyms_and_english_names(extractor: Extractor) -> None:
    text = "Du har truckcertifikat, er god til samarbejde og bruger Python og SQL."
    found = extractor.extract(text, kind="posting")
    assert found.lang == "da"
    assert _uris(found.skills) == {FORKLIFT, TEAMS, PYTHON, SQL}


def test_danish_synonyms_do_not_fire_in_english_texts(extractor: Extractor) -> None:
    assert not extractor.extract("Samarbejde is a Danish word.", lang="en", kind="cv").skills


def test_lowercase_english_words_are_not_matched_in_danish(extractor: Extractor) -> None:
    # "communication" is an English common noun: not shared with the Danish matcher.
    assert COMMUNICATION not in _uris(extractor.extract("Vores communication afdeling.", lang="da").skills)


def test_extract_many_keeps_order_and_languages(extractor: Extractor) -> None:
    out = list(extractor.extract_many(["Python and SQL.", "Du har truckcertifikat og er god til samarbejde."]))
    assert [o.lang for o in out] == ["en", "da"]
    assert _uris(out[0].skills) == {PYTHON, SQL}
    assert _uris(out[1].skills) == {FORKLIFT, TEAMS}
