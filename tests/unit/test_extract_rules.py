"""The rule functions on their own: language, headings, negation, requirement strength, label risk."""

from __future__ import annotations

import pytest

from loaders.extract.language import detect_language
from loaders.extract.rules import (
    Section,
    is_boilerplate_sentence,
    is_negated,
    label_risk,
    requirement_strength,
    sentence_heading,
)


@pytest.mark.parametrize(("text", "lang"), [
    ("Vi søger en erfaren udvikler til vores team i Aarhus.", "da"),
    ("Du har erfaring med SQL og er god til at samarbejde.", "da"),
    ("Pædagogmedhjælper", "da"),
    ("We are looking for an experienced developer to join our team.", "en"),
    ("You have experience with SQL and work well in a team.", "en"),
    ("Senior Java Developer", "en"),
])
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_detect_language_defaults_without_evidence() -> None:
    assert detect_language("SQL, Python", default="da") == "da"


@pytest.mark.parametrize(("sentence", "section", "opens"), [
    ("About us:", Section.BOILERPLATE, True),
    ("Om os", Section.BOILERPLATE, True),
    ("Vi tilbyder en god løn og frokostordning.", Section.BOILERPLATE, False),
    ("We offer a competitive salary.", Section.BOILERPLATE, False),
    ("Kvalifikationer:", Section.REQUIREMENTS, True),
    ("Nice to have", Section.OPTIONAL, True),
    ("Krav", Section.ESSENTIAL, True),
    ("Dine opgaver", Section.TASKS, True),
])
def test_sentence_heading(sentence: str, section: Section, opens: bool) -> None:
    heading = sentence_heading(sentence)
    assert heading is not None
    assert (heading.section, heading.opens_section) == (section, opens)


def test_weak_cue_in_running_text_is_no_heading() -> None:
    assert sentence_heading("Contact with customers is a key part of the job.") is None


@pytest.mark.parametrize("sentence", [
    "Vi opfordrer alle til at søge uanset køn, alder og etnisk baggrund.",
    "We are an equal opportunity employer.",
    "All qualified applicants will receive consideration regardless of race.",
])
def test_equal_opportunity_statements_are_boilerplate(sentence: str) -> None:
    assert is_boilerplate_sentence(sentence)


def test_requirements_are_not_boilerplate() -> None:
    assert not is_boilerplate_sentence("You have experience with SQL and Python.")


def _span(sentence: str, word: str) -> tuple[int, int]:
    i = sentence.index(word)
    return i, i + len(word)


@pytest.mark.parametrize(("sentence", "word", "negated"), [
    ("No experience with SQL required.", "SQL", True),
    ("Ingen erfaring med SQL nødvendig.", "SQL", True),
    ("Du har ikke nødvendigvis erfaring med SQL.", "SQL", True),
    ("SQL is not required.", "SQL", True),
    ("SQL er ikke et krav.", "SQL", True),
    ("SQL is a plus but not required.", "SQL", False),
    ("No Java, but SQL.", "SQL", False),
    ("Not only Python but SQL.", "Python", False),
    ("Experience with SQL.", "SQL", False),
    ("No matter what, you know SQL.", "SQL", False),
    ("Du er ikke bange for at bruge SQL.", "SQL", False),
    ("Du griber ind, hvis målene ikke nås, og bruger SQL.", "SQL", False),
])
def test_is_negated(sentence: str, word: str, negated: bool) -> None:
    assert is_negated(sentence, *_span(sentence, word)) is negated


def test_negation_reaches_only_a_few_words_back() -> None:
    s = "No worries if you are new here; we value people who know the basics of statistics and also SQL."
    assert not is_negated(s, *_span(s, "SQL"))


@pytest.mark.parametrize(("sentence", "section", "expected"), [
    ("Must know SQL; Python is nice to have.", Section.NEUTRAL, True),
    ("Must know Java; SQL is nice to have.", Section.NEUTRAL, False),
    ("SQL.", Section.ESSENTIAL, True),
    ("SQL.", Section.OPTIONAL, False),
    ("SQL.", Section.REQUIREMENTS, None),
    ("SQL er et krav.", Section.OPTIONAL, True),
])
def test_requirement_strength(sentence: str, section: Section, expected: bool | None) -> None:
    assert requirement_strength(sentence, *_span(sentence, "SQL"), section) is expected


@pytest.mark.parametrize(("label", "tokens", "case_sensitive", "needs_context"), [
    ("R", 1, True, True),
    ("C", 1, True, True),
    ("Go", 1, True, True),
    ("Excel", 1, True, True),
    ("IT", 1, True, True),
    ("re", 1, False, True),
    ("Python", 1, False, False),
    ("SQL", 1, False, False),
    ("communication", 1, False, False),
    ("work in teams", 3, False, False),
])
def test_label_risk(label: str, tokens: int, case_sensitive: bool, needs_context: bool) -> None:
    risk = label_risk(label, tokens)
    assert (risk.case_sensitive, risk.needs_context) == (case_sensitive, needs_context)


def test_generic_one_word_labels_are_not_read_alone() -> None:
    from collections import Counter

    from loaders.extract.matcher import GENERIC_MIN_LABELS, is_generic, word_label_counts

    labels = [f"design {i} things" for i in range(GENERIC_MIN_LABELS)] + ["design", "English", "statistics"]
    uses: Counter[str] = word_label_counts(labels)
    assert is_generic("design", 1, uses)  # a word many skill labels share names no one skill
    assert not is_generic("statistics", 1, uses)
    assert not is_generic("English", 1, uses)  # a capitalised name (a language) is never generic
    assert not is_generic("design thinking", 2, uses)


def test_a_name_made_of_an_everyday_word_must_be_written_as_a_name() -> None:
    from collections import Counter

    from loaders.extract.matcher import EVERYDAY_NAME_MIN_LABELS, is_everyday_name, word_label_counts

    labels = [f"source {i} materials" for i in range(EVERYDAY_NAME_MIN_LABELS)] + ["Source", "SQL", "sql tools"]
    uses: Counter[str] = word_label_counts(labels)
    assert is_everyday_name("Source", 1, uses)  # the game engine, not "open source"
    assert not is_everyday_name("source", 1, uses)  # a lower-case label is no name
    assert not is_everyday_name("SQL", 1, uses)  # an acronym keeps the rules of label_risk
    assert not is_everyday_name("Source engine", 2, uses)
    rare = word_label_counts(["Source", "source code"])
    assert not is_everyday_name("Source", 1, rare)
