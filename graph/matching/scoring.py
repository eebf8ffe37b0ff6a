"""Named weights and thresholds of the matching strategies, each with the reason for its value.

A score is a sum of named parts (``weight × part``, part in [0, 1]); the parts and their weights are
shown with every suggestion. Changing a value changes ``settings_hash`` and so is visible in the audit
trail and in replay.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import asdict, dataclass

from graph.matching.vocabulary import MAX_LIMIT, MAX_RADIUS_KM


@dataclass(frozen=True)
class MatchSettings:
    # --- direct matches: weights of the score parts (they sum to 1, so a score reads as a share) ----
    # Essential requirements decide whether a person can do the job: the largest share.
    w_essential: float = 0.45
    # Optional requirements distinguish good from adequate fits, but missing them is normal.
    w_optional: float = 0.10
    # Personal (transversal) competences: the seed data asks for them explicitly; bounded so that
    # "teamwork" alone cannot carry a suggestion.
    w_personal: float = 0.10
    # The posting's occupation is what the citizen seeks or has done: consultants weigh this heavily.
    w_occupation: float = 0.25
    # Closer is better within the radius the citizen accepts; a small share, the radius already filters.
    w_distance: float = 0.10
    # The distance part is exp(−km / scale), whatever the radius: 1 at the door, ½ at ~10 km (a typical
    # Danish commute), about 0.2 at 25 km (Jobnet's default range), ~0 at an hour's drive.
    distance_scale_km: float = 15.0

    # --- near matches through the ESCO hierarchy (credit for one requirement) --------------------
    # CV has a specific skill, posting asks its broader parent: the specific usually implies the general.
    near_broader: float = 0.6
    # CV has the general skill, posting asks a specific child: partial evidence only.
    near_narrower: float = 0.4
    # CV has a sibling under the same parent skill (e.g. another programming language): transferable.
    near_sibling: float = 0.25
    # A parent skill with more children than this is a broad category (ESCO has parents with 270):
    # its children are not near one another. Median fan-out in ESCO 1.1.1 is 1, the 90th percentile 4.
    near_max_fanout: int = 20

    # --- personal competences ----------------------------------------------------------------------
    # Matched transversal requirements at which the personal part is full (3 ≈ a typical posting's ask).
    personal_target: int = 3

    # --- occupation fit (part value by relation of the posting's occupation to the citizen's focus) --
    fit_desired: float = 1.0  # a desired occupation
    fit_past: float = 0.8  # an occupation the citizen worked as
    fit_same_unit_group: float = 0.6  # same ISCO-08 unit group (4 digits) as the focus
    fit_same_minor_group: float = 0.3  # same ISCO-08 minor group (3 digits): adjacent work

    # --- candidate rules ---------------------------------------------------------------------------
    # A suggestion needs at least one matched professional (non-transversal) requirement or an
    # occupation fit, so "communication" alone never produces a job suggestion.
    require_professional_match: bool = True
    # Below this a suggestion is noise (e.g. one optional requirement and a short distance).
    min_score: float = 0.15
    # Default radius when a CV gives no maximum commute: 25 km is Jobnet's commonly used default range.
    default_radius_km: float = 25.0
    default_limit: int = 10
    # Beyond this a radius is no longer "within a geographic area" (Denmark is ~450 km across).
    max_radius_km: float = MAX_RADIUS_KM
    max_limit: int = MAX_LIMIT

    # --- alternatives (adjacent occupations) -------------------------------------------------------
    # Weights measured against counsellors' lists of related occupations (bench/eval_alternatives.py,
    # nDCG@8 at ISCO unit-group level, 0.41 with 0.6/0.1/0.3 → 0.54): closeness to the occupation the
    # citizen seeks or held says most about what a counsellor would name; essential coverage alone
    # favoured occupations with small profiles that the citizen's generic skills cover.
    alt_w_essential: float = 0.25  # share of the occupation's essential skills already covered
    alt_w_optional: float = 0.125  # share of its optional skills covered
    alt_w_closeness: float = 0.625  # profile overlap with the citizen's focus occupations (graph closeness)
    # How much a shared skill's specificity counts: each skill weighs idf^this in coverage and closeness,
    # idf = ln((occupations + 1) / (profiles listing the skill + 1)). "manage budgets" is in hundreds of
    # profiles and says little about which occupation fits; "policy analysis" is in a handful and says
    # much. 0 counts every skill alike (plain overlap). Off by default: on our counsellors' lists it did
    # not help (0.54 off, 0.53 at 0.5, 0.52 at 1.0); a municipality can turn it on and measure.
    alt_specificity: float = 0.0
    # Moves seen in the job centre's history (graph/learning/moves.py), when the ranking model carries them:
    # the share of citizens from the citizen's field hired into the alternative's ISCO unit group. A
    # quarter of the other parts' total: what others actually did is strong evidence, but a history is
    # small and local, so it adds to the skills evidence and never replaces it. Used only with a model.
    alt_w_moves: float = 0.25
    # How close the occupation's label and description lie to the citizen's own occupations' in the
    # reading model (graph/matching/similarity.py): exp(-place / alt_description_scale), place = how many
    # of the ~3,000 occupations lie closer. Used when the occupation vectors are built (beside the concept
    # index, for every reading model but lexical). On the counsellors' lists (bench/eval_alternatives.py)
    # it lifts nDCG@8 0.54 → 0.58, most for the political scientist (0.46 → 0.59), whose ESCO profile
    # shares few skills with the policy and analyst occupations a counsellor names. A heavier weight
    # (0.5: 0.56) or a gentler scale (400: 0.54) did worse: it supports the skills evidence, never leads.
    alt_w_description: float = 0.25
    alt_description_scale: float = 100.0
    # Occupations with very small profiles are covered trivially; ESCO profiles usually have 10-40.
    alt_min_essential: int = 5
    # At least this many shared skills before an occupation is an alternative at all.
    alt_min_shared: int = 2
    # Each earlier pick from the same ISCO sub-major group multiplies the score by this: some variety.
    # Mild, because related occupations cluster in a sub-major group (policy, economics and analysis
    # are all 24xx/26xx): 0.6 pushed the most related ones off the list (nDCG@8 0.41 → 0.54 at 0.9).
    alt_diversity_decay: float = 0.9
    # Only the best-covered occupations are compared with the focus profiles (closeness is the costly
    # part); 60 leaves ample room for the diversity re-rank of a list of 8.
    alt_pool_size: int = 60
    alt_default_limit: int = 8
    alt_postings_per_occupation: int = 5

    # --- automatch baseline ------------------------------------------------------------------------
    # Jobnet tops up title matches with jobs that need no qualifications: ISCO major group 9
    # (elementary occupations) or postings listing no essential skill.
    automatch_unskilled_major_group: str = "9"

    def as_json(self) -> dict[str, object]:
        return dict(_as_json(self))

    def settings_hash(self) -> str:
        return _settings_hash(self)


# Every served list asks for its settings' hash and stores them: settings are frozen, so each distinct
# one is serialised once per process.
@functools.lru_cache(maxsize=64)
def _as_json(settings: MatchSettings) -> dict[str, object]:
    return asdict(settings)


@functools.lru_cache(maxsize=64)
def _settings_hash(settings: MatchSettings) -> str:
    blob = json.dumps(_as_json(settings), sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:16]
