"""The service's vocabularies, defined once: strategies, score parts, verdicts and request bounds.

Everything else reads them from here — matching writes part names through :data:`PART`, the API
validates against :data:`REQUEST_STRATEGIES`, :data:`VERDICT_NAMES` and :data:`BOUNDS`, the OpenAPI
document lists them, and the pages fetch them from ``GET /api/v1/vocabulary`` — so a renamed part or a
new verdict cannot silently diverge between the arithmetic, the record and what a reader is shown.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Strategy:
    """A way of producing a list. ``algorithm_version`` is what its audit records cite; it changes when
    the strategy's arithmetic changes, so replay can tell a changed algorithm from changed data."""

    name: str
    algorithm_version: str
    da: str
    en: str
    requestable: bool  # can a caller ask for it as ``strategy`` (alternatives are a kind, not a strategy)


@dataclass(frozen=True, slots=True)
class ScorePart:
    """One named part of a score (``weight × value``, value in [0, 1]); ``weight`` names the
    :class:`graph.matching.scoring.MatchSettings` field that weighs it ("" when the part is a constant)."""

    name: str
    strategy: str
    da: str
    en: str
    weight: str


@dataclass(frozen=True, slots=True)
class Verdict:
    """A consultant's verdict or decision on one item of a served list (the item was shown: its record)."""

    name: str
    da: str
    en: str
    positive: bool  # counts as "useful" in feedback summaries
    needs_reason: bool = False  # a dismissal or a flag says why
    for_review: bool = False  # goes to the ethics reviewers' queue


@dataclass(frozen=True, slots=True)
class Bound:
    """An accepted range of a request parameter (``minimum`` exclusive when ``exclusive_minimum``)."""

    name: str
    minimum: float
    maximum: float
    exclusive_minimum: bool = False


GRAPH, AUTOMATCH, ALTERNATIVES, LEARNED = "graph", "automatch", "alternatives", "learned"

STRATEGIES: tuple[Strategy, ...] = (
    Strategy(GRAPH, "graph-match/1.1", "Job ud fra kompetencer", "Jobs by skills", True),
    Strategy(AUTOMATCH, "automatch/1.0", "Automatch", "Automatch", True),
    Strategy(ALTERNATIVES, "graph-alternatives/1.1", "Andre fag", "Other occupations", False),
    # The graph's candidates ranked by weights learned from placements (graph/learning); served only when
    # a model file is configured (JOBMATCH_RANKING_MODEL), else refused naming the setting.
    Strategy(LEARNED, "learned-match/1.0", "Lært af ansættelser", "Learned from placements", True),
)
STRATEGY: dict[str, Strategy] = {s.name: s for s in STRATEGIES}
REQUEST_STRATEGIES: tuple[str, ...] = tuple(s.name for s in STRATEGIES if s.requestable)


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """A record of the audit trail that is not a served list."""

    name: str
    da: str
    en: str


PURGE = "purge"
EXPORT = "export"
ERASURE = "erasure"
FEEDBACK = "feedback"
UPGRADE = "upgrade"
RETENTION = "retention"
READ = "read"
RECTIFICATION = "rectification"
TRIAL_ASSIGNMENT = "trial_assignment"
AUDIT_EVENTS: tuple[AuditEvent, ...] = (
    AuditEvent(PURGE, "Sletning efter opbevaringsfristen", "Retention purge"),
    AuditEvent(EXPORT, "Udskrevet til borgeren", "Printed for the citizen"),
    AuditEvent(ERASURE, "Borgerens data slettet", "Citizen's data erased"),
    AuditEvent(FEEDBACK, "Rådgiverens vurdering", "Consultant's verdict"),
    AuditEvent(UPGRADE, "Ny ESCO-version", "ESCO upgrade"),
    AuditEvent(RETENTION, "Opbevaringsfrister anvendt", "Retention periods applied"),
    AuditEvent(READ, "Data læst", "Data read"),
    AuditEvent(RECTIFICATION, "Borgerens data rettet", "Citizen's data rectified"),
    AuditEvent(TRIAL_ASSIGNMENT, "Tildelt forsøgsarm", "Trial arm assigned"),
)
AUDIT_EVENT_NAMES: frozenset[str] = frozenset(e.name for e in AUDIT_EVENTS)
EXPORT_FORMATS: tuple[str, ...] = ("print",)


def algorithm_version(strategy: str) -> str:
    """The version a result of ``strategy`` cites. :raise KeyError: for an unknown strategy."""
    return STRATEGY[strategy].algorithm_version


class PART:
    """Score part names, read as attributes (``PART.essential_skills``) so a typo fails mypy, not silently."""

    essential_skills = "essential_skills"
    optional_skills = "optional_skills"
    personal_competences = "personal_competences"
    occupation_fit = "occupation_fit"
    distance = "distance"
    essential_coverage = "essential_coverage"
    optional_coverage = "optional_coverage"
    graph_closeness = "graph_closeness"
    observed_moves = "observed_moves"
    description_similarity = "description_similarity"
    title = "title"
    unskilled = "unskilled"
    desired_occupation = "desired_occupation"
    past_occupation = "past_occupation"
    isco_closeness = "isco_closeness"
    skill_paths = "skill_paths"
    near_home = "near_home"
    commute = "commute"
    fresh_posting = "fresh_posting"
    confirmed_skills = "confirmed_skills"
    employer_experience = "employer_experience"


@dataclass(frozen=True, slots=True)
class Feature:
    """One input of the learned ranking, a value in [0, 1] computed from the graph for a (CV, posting) pair.
    Its learned weight is non-negative: every feature is defined so that more of it can only help."""

    name: str
    da: str
    en: str
    reason: str


# The learned strategy's features: the graph strategy's parts, split where the hand weights lump
# together what placements may weigh differently, and what the graph knows but the hand weights ignore.
FEATURES: tuple[Feature, ...] = (
    Feature(PART.essential_skills, "Nødvendige kompetencer", "Essential skills",
            "share of the posting's essential requirements the CV covers (near matches with their credit)"),
    Feature(PART.optional_skills, "Ønskede kompetencer", "Optional skills",
            "share of the posting's optional requirements the CV covers"),
    Feature(PART.personal_competences, "Personlige kompetencer", "Personal competences",
            "transversal requirements met, full at the graph strategy's target"),
    Feature(PART.skill_paths, "Mange direkte forbindelser", "Many direct links",
            "exact professional skill paths from CV to posting, full at 5: a long list of direct evidence "
            "says more than the same share of a short one"),
    Feature(PART.desired_occupation, "Det ønskede fag", "The desired occupation",
            "the posting is for an occupation the citizen seeks"),
    Feature(PART.past_occupation, "Tidligere fag", "A past occupation",
            "the posting is for an occupation the citizen has worked as: employers value experience"),
    Feature(PART.isco_closeness, "Nært beslægtet fag", "Closely related occupation",
            "ISCO-08 tree: 1 same unit group as the citizen's focus, 0.6 same minor group, 0.3 same "
            "sub-major group, else 0"),
    Feature(PART.near_home, "Tæt på hjemmet", "Close to home",
            "exp(−km / 5): a job in the neighbourhood; a function of kilometres only, never of the radius"),
    Feature(PART.commute, "Inden for pendlerafstand", "Within commuting distance",
            "exp(−km / 25): a regional commute; with the one above, the model learns the shape of the decay"),
    Feature(PART.fresh_posting, "Nyopslået stilling", "Recently posted",
            "exp(−days since publication / 14): postings are filled within weeks of publication"),
    Feature(PART.confirmed_skills, "Bekræftet af borgeren", "Confirmed by the citizen",
            "share of the matched requirements that rest on skills the citizen declared or confirmed"),
    Feature(PART.employer_experience, "Arbejdsgiveren ansætter folk med erfaring",
            "The employer hires people with experience",
            "for a posting in an occupation the citizen has worked as: the share of this employer's hires in "
            "the history who had worked in the occupation (shrunk toward all employers' share) — some "
            "employers value experience more than others"),
)
FEATURE_NAMES: tuple[str, ...] = tuple(f.name for f in FEATURES)


# In the order a reader weighs them (records store parts sorted by name).
SCORE_PARTS: tuple[ScorePart, ...] = (
    ScorePart(PART.essential_skills, GRAPH, "Nødvendige kompetencer", "Essential skills", "w_essential"),
    ScorePart(PART.optional_skills, GRAPH, "Ønskede kompetencer", "Optional skills", "w_optional"),
    ScorePart(PART.personal_competences, GRAPH, "Personlige kompetencer", "Personal competences", "w_personal"),
    ScorePart(PART.occupation_fit, GRAPH, "Passer til borgerens fag", "Fits the citizen's occupation",
              "w_occupation"),
    ScorePart(PART.distance, GRAPH, "Afstand", "Distance", "w_distance"),
    ScorePart(PART.essential_coverage, ALTERNATIVES, "Fagets nødvendige kompetencer",
              "Occupation's essential skills", "alt_w_essential"),
    ScorePart(PART.optional_coverage, ALTERNATIVES, "Fagets ønskede kompetencer", "Occupation's optional skills",
              "alt_w_optional"),
    ScorePart(PART.graph_closeness, ALTERNATIVES, "Ligner borgerens fag", "Close to the citizen's occupations",
              "alt_w_closeness"),
    ScorePart(PART.observed_moves, ALTERNATIVES, "Andre fra samme fag fik job her",
              "Others from the same field were hired here", "alt_w_moves"),
    ScorePart(PART.description_similarity, ALTERNATIVES, "Faget beskrives som borgerens",
              "Described like the citizen's occupations", "alt_w_description"),
    ScorePart(PART.title, AUTOMATCH, "Titlen passer", "Title matches", ""),
    ScorePart(PART.unskilled, AUTOMATCH, "Kræver ingen uddannelse", "No qualifications needed", ""),
    # The learned strategy's parts are its features; their weights are the model's, not settings.
    *(ScorePart(f.name, LEARNED, f.da, f.en, "") for f in FEATURES),
)
# Each name once: the learned strategy shares the graph strategy's skill parts.
PART_NAMES: tuple[str, ...] = tuple(dict.fromkeys(p.name for p in SCORE_PARTS))

# shown (the list's record) → discussed → applied / dismissed (why) / flagged for ethics review (why);
# useful / not useful are the consultant's quick verdicts.
VERDICTS: tuple[Verdict, ...] = (
    Verdict("useful", "Nyttig", "Useful", True),
    Verdict("not_useful", "Ikke nyttig", "Not useful", False),
    Verdict("discussed", "Drøftet med borgeren", "Discussed with the citizen", False),
    Verdict("applied", "Søgt", "Applied", True),
    Verdict("dismissed", "Fravalgt", "Dismissed", False, needs_reason=True),
    Verdict("flagged", "Til etisk gennemgang", "Flag for ethics review", False, needs_reason=True, for_review=True),
)
VERDICT: dict[str, Verdict] = {v.name: v for v in VERDICTS}
VERDICT_NAMES: tuple[str, ...] = tuple(v.name for v in VERDICTS)
POSITIVE_VERDICTS: frozenset[str] = frozenset(v.name for v in VERDICTS if v.positive)

@dataclass(frozen=True, slots=True)
class Choice:
    """A named choice with its Danish and English label (sort orders, occupation groups)."""

    name: str
    da: str
    en: str


# How a list of postings can be ordered: the fit (the default), the distance, the posting's age.
SCORE_SORT, DISTANCE_SORT, NEWEST_SORT = "score", "distance", "newest"
SORTS: tuple[Choice, ...] = (
    Choice(SCORE_SORT, "Bedst egnede først", "Best fit first"),
    Choice(DISTANCE_SORT, "Nærmeste først", "Nearest first"),
    Choice(NEWEST_SORT, "Nyeste først", "Newest first"),
)
SORT_NAMES: tuple[str, ...] = tuple(s.name for s in SORTS)
# ISCO-08 major groups (DISCO-08's Danish names): what a consultant filters occupations by.
ISCO_MAJOR_GROUPS: tuple[Choice, ...] = (
    Choice("1", "Ledelsesarbejde", "Managers"),
    Choice("2", "Arbejde der forudsætter viden på højeste niveau", "Professionals"),
    Choice("3", "Arbejde der forudsætter viden på mellemniveau", "Technicians and associate professionals"),
    Choice("4", "Almindeligt kontor- og kundeservicearbejde", "Clerical support workers"),
    Choice("5", "Service- og salgsarbejde", "Service and sales workers"),
    Choice("6", "Arbejde inden for landbrug, skovbrug og fiskeri", "Skilled agricultural, forestry and fishery"),
    Choice("7", "Håndværkspræget arbejde", "Craft and related trades workers"),
    Choice("8", "Operatør- og monteringsarbejde samt transportarbejde", "Plant and machine operators, assemblers"),
    Choice("9", "Andet manuelt arbejde", "Elementary occupations"),
    Choice("0", "Militært arbejde", "Armed forces occupations"),
)

# Beyond 500 km a radius is no longer "within a geographic area" (Denmark is ~450 km across); a list
# longer than 100 is not read in a conversation. Defaults live in MatchSettings.
MAX_RADIUS_KM = 500.0
MAX_LIMIT = 100
# A posting older than a year is not a current vacancy anyone should be sent to.
MAX_AGE_DAYS = 366
BOUNDS: tuple[Bound, ...] = (
    Bound("radius_km", 0.0, MAX_RADIUS_KM, exclusive_minimum=True),
    Bound("limit", 1, MAX_LIMIT),
    Bound("max_age_days", 1, MAX_AGE_DAYS),
)
BOUND: dict[str, Bound] = {b.name: b for b in BOUNDS}


def vocabulary_json() -> dict[str, Any]:
    """Every vocabulary as plain data, for ``GET /api/v1/vocabulary`` and the pages."""
    return {
        "strategies": [asdict(s) for s in STRATEGIES],
        "audit_events": [asdict(e) for e in AUDIT_EVENTS],
        "score_parts": [asdict(p) for p in SCORE_PARTS],
        "features": [asdict(f) for f in FEATURES],
        "verdicts": [asdict(v) for v in VERDICTS],
        "bounds": [asdict(b) for b in BOUNDS],
        "sorts": [asdict(s) for s in SORTS],
        "isco_major_groups": [asdict(g) for g in ISCO_MAJOR_GROUPS],
    }
