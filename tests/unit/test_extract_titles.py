"""Job title → ESCO occupation linking: exact labels first, then word overlap with the head word."""

from __future__ import annotations

import pytest

from graph.records import LabelEntry
from loaders.extract import Extractor, build_extractor

O = "http://data.europa.eu/esco/occupation/"
SOFTWARE_DEV = O + "f2b15a0e-e65a-438a-affb-29b9d50b77d1"
WEB_DEV = O + "c40a2919-48a9-40ea-b506-1f0a5a2d9a37"
DATA_SCIENTIST = O + "258e46f9-0075-4a2e-adae-1ff0477e0f30"
FORKLIFT_OP = O + "eeac6251-1974-42f5-91ed-513c6c883755"
SALES_ASSISTANT = O + "9ba74e8a-c40c-4228-9998-eb3c7a5c11df"
SALES_MANAGER = O + "00000000-0000-0000-0000-000000000001"
JAVA_SKILL = "http://data.europa.eu/esco/skill/19a8293b-8e95-4de3-983f-77484079c389"


def _entries() -> list[LabelEntry]:
    def o(uri: str, label: str, role: str = "preferred", lang: str = "en") -> LabelEntry:
        return LabelEntry(uri, "Occupation", lang, label, role)  # type: ignore[arg-type]

    return [
        o(SOFTWARE_DEV, "software developer"), o(SOFTWARE_DEV, "programmer", "alt"),
        o(SOFTWARE_DEV, "application developer", "alt"), o(SOFTWARE_DEV, "softwareudvikler", lang="da"),
        o(WEB_DEV, "web developer"), o(WEB_DEV, "web designer", "alt"),
        o(DATA_SCIENTIST, "data scientist"), o(DATA_SCIENTIST, "data analyst", "alt"),
        o(FORKLIFT_OP, "forklift operator"), o(FORKLIFT_OP, "forklift driver", "alt"),
        o(FORKLIFT_OP, "gaffeltruckfører", lang="da"), o(FORKLIFT_OP, "truckfører", "alt", "da"),
        o(SALES_ASSISTANT, "sales assistant"), o(SALES_ASSISTANT, "shop assistant", "alt"),
        o(SALES_MANAGER, "sales manager"),
        LabelEntry(JAVA_SKILL, "Skill", "en", "Java", "alt"),
    ]


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return build_extractor(_entries())


def test_exact_label_ranks_first_with_top_score(extractor: Extractor) -> None:
    [first, *rest] = extractor.link_title("Sales Assistant", "en")
    assert first.uri == SALES_ASSISTANT and first.score == 1.0
    assert all(o.score < first.score for o in rest)


def test_decorated_title_links_by_head_word(extractor: Extractor) -> None:
    ranked = extractor.link_title("Senior Java Developer (m/f)", "en")
    assert ranked[0].uri in {SOFTWARE_DEV, WEB_DEV}
    assert SOFTWARE_DEV in [o.uri for o in ranked[:2]]
    assert DATA_SCIENTIST not in [o.uri for o in ranked]


def test_alternative_labels_link(extractor: Extractor) -> None:
    assert extractor.link_title("Forklift Driver - night shift", "en")[0].uri == FORKLIFT_OP


def test_ranking_is_best_first_then_by_uri(extractor: Extractor) -> None:
    ranked = extractor.link_title("sales", "en")
    keys = [(-o.score, o.uri) for o in ranked]
    assert keys == sorted(keys)
    assert {o.uri for o in ranked} == {SALES_ASSISTANT, SALES_MANAGER}


def test_danish_titles_link_to_danish_and_english_labels(extractor: Extractor) -> None:
    assert extractor.link_title("Truckfører søges til lager", "da")[0].uri == FORKLIFT_OP
    assert extractor.link_title("Software Developer", "da")[0].uri == SOFTWARE_DEV
    assert extractor.link_title("Erfaren softwareudvikler", "da")[0].uri == SOFTWARE_DEV


def test_unknown_title_links_to_nothing(extractor: Extractor) -> None:
    assert extractor.link_title("Astronaut (m/f)", "en") == []


def test_short_text_is_linked_as_a_title(extractor: Extractor) -> None:
    out = extractor.extract("Forklift operator", lang="en")
    assert out.occupations[0].uri == FORKLIFT_OP


def test_a_title_abbreviation_does_not_end_the_title(extractor: Extractor) -> None:
    # The parser ends a sentence at "Sr."; the title is still linked as a whole (no label is named in it).
    occ = extractor.extract("Sr. Java Developer", lang="en").occupations
    assert occ and occ[0].uri in {SOFTWARE_DEV, WEB_DEV}
    # A real second sentence still makes the text no title: only occupations it names are read.
    assert extractor.extract("Java developer. Great team.", lang="en").occupations == ()


def test_longer_text_yields_named_occupations_with_spans(extractor: Extractor) -> None:
    text = "For five years I worked as a forklift driver. Before that I was a shop assistant in a bakery."
    occ = extractor.extract(text, lang="en", kind="cv").occupations
    assert {o.uri for o in occ} == {FORKLIFT_OP, SALES_ASSISTANT}
    for o in occ:
        assert o.start is not None and o.end is not None
        assert text[o.start:o.end] in {"forklift driver", "shop assistant"}


def test_title_argument_links_the_given_title(extractor: Extractor) -> None:
    out = extractor.extract("You will write Java code all day long in a friendly team of experts.",
                            lang="en", title="Programmer")
    assert out.occupations[0].uri == SOFTWARE_DEV
