"""The context prior of linking by meaning (loaders/extract/context.py): which skills surround a
document, and how a candidate in them moves."""

from __future__ import annotations

import pytest

from loaders.extract.context import CONTEXT_WEIGHT, NEIGHBOUR_MIN_SHARED, ProfileContext, in_context
from loaders.extract.extractor import Extractor
from loaders.extract.linking import SemanticLink, accepted
from loaders.mentions import Extraction, OccupationMention, SkillMention

PROFILES = {
    "occ:nurse": {"skill:observe-users", "skill:wound-care", "skill:teamwork"},
    "occ:lawyer": {"skill:draft-contracts", "skill:legal-advice", "skill:contract-law", "skill:teamwork"},
    "occ:loan-officer": {"skill:draft-loan-contracts", "skill:teamwork"},
}


def test_a_named_occupation_brings_its_profile() -> None:
    around = ProfileContext(PROFILES).support(["occ:lawyer"], [])
    assert around == dict.fromkeys(PROFILES["occ:lawyer"], "occ:lawyer")


def test_the_profile_neighbourhood_needs_enough_shared_skills() -> None:
    ctx = ProfileContext(PROFILES)
    # Three read skills of the lawyer's profile bring the rest of it (and only the best-sharing profiles).
    read = ["skill:legal-advice", "skill:contract-law", "skill:teamwork"]
    assert NEIGHBOUR_MIN_SHARED == 3
    assert ctx.support([], read) == dict.fromkeys(PROFILES["occ:lawyer"], "occ:lawyer")
    # One widely shared skill is no neighbourhood at all.
    assert ctx.support([], ["skill:teamwork"]) == {}
    assert ctx.support(["occ:unknown"], []) == {}


def test_in_context_adds_the_weight_to_the_log_odds() -> None:
    assert in_context(0.5, 0.0) == pytest.approx(0.5)
    assert in_context(0.5) == pytest.approx(1 / (1 + pow(2.718281828459045, -CONTEXT_WEIGHT)))
    assert 0.3 < in_context(0.3) < 1.0
    assert in_context(0.0) > 0.0 and in_context(1.0) <= 1.0


def _link(uri: str, score: float) -> tuple[SemanticLink, dict[str, float]]:
    return SemanticLink(uri, uri, 0.95, score, None), {}


def test_a_candidate_in_context_overtakes_one_outside_and_is_accepted() -> None:
    """"udkast til kontrakter" in a lawyer's CV: draft contracts (in the lawyer's profile) now wins over
    draft loan contracts, and crosses the Danish CV bar it missed before."""
    cands = [[_link("skill:draft-loan-contracts", 0.30), _link("skill:draft-contracts", 0.26)]]
    result = Extraction(lang="da", occupations=(OccupationMention("occ:lawyer", "advokat", 1.0),))
    assert [lk.uri for lk in accepted("da", "cv", cands[0])] == ["skill:draft-loan-contracts"]
    moved = Extractor._with_context(ProfileContext(PROFILES), cands, [0], [result])
    assert [lk.uri for lk, _f in moved[0]] == ["skill:draft-contracts", "skill:draft-loan-contracts"]
    assert moved[0][0][0].score == pytest.approx(in_context(0.26), abs=1e-4)
    assert moved[0][1][0].score == 0.30  # outside the context nothing is lowered
    assert "skill:draft-contracts" in [lk.uri for lk in accepted("da", "cv", moved[0])]


def test_a_document_without_context_keeps_its_candidates() -> None:
    cands = [[_link("skill:draft-loan-contracts", 0.30)]]
    bare = Extraction(lang="da", skills=(SkillMention("skill:teamwork", "samarbejde", 0, 10, "samarbejde", "", 1.0),))
    assert Extractor._with_context(ProfileContext(PROFILES), cands, [0], [bare]) == cands


def test_the_supporting_occupation_is_named_and_kept_as_evidence() -> None:
    """The explanation can say which profile made a reading likelier: the document's own occupation first,
    carried from the link to the mention to the stored evidence, and labelled in a served list."""
    from api.service import _uris_in
    from loaders.documents.evidence import evidence_of

    ctx = ProfileContext(PROFILES)
    read = ["skill:legal-advice", "skill:contract-law", "skill:teamwork"]
    support = ctx.support(["occ:nurse"], read)
    assert support["skill:teamwork"] == "occ:nurse"  # in both profiles: the named occupation wins
    assert support["skill:draft-contracts"] == "occ:lawyer"  # only the neighbourhood's
    assert set(support) == PROFILES["occ:nurse"] | PROFILES["occ:lawyer"]

    cands = [[_link("skill:draft-contracts", 0.26)]]
    result = Extraction(lang="da", occupations=(OccupationMention("occ:lawyer", "advokat", 1.0),))
    [[(link, _f)]] = Extractor._with_context(ctx, cands, [0], [result])
    assert link.context == "occ:lawyer"

    text = "udkast til kontrakter"
    mention = SkillMention("skill:draft-contracts", "draft contracts", 0, len(text), text, text, link.score,
                           how="semantic", similarity=0.95, via=link.context)
    ev = evidence_of("experience", text, mention)
    assert ev is not None and ev.via == "occ:lawyer" and ev.how == "semantic"
    body = {"suggestions": [{"matched": [{"path": [["cv:1", "HAS_SKILL", "skill:draft-contracts"]],
                                          "evidence": [{"via": "http://data.europa.eu/esco/occupation/x"}]}]}]}
    assert "http://data.europa.eu/esco/occupation/x" in _uris_in(body)
