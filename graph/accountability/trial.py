"""Randomised controlled trial support: stable arm assignment and the crowding guard.

Assignment: ``u = HMAC-SHA256(trial seed, stratum ":" pseudonym)`` read as a number in [0, 1);
treatment when ``u < share``. It depends only on the seed, the job centre (stratum) and the
pseudonym, so it is the same on every machine and after every restart, and the first assignment is
recorded in the ledger and never changed (a later change of share does not move anyone).
Randomisation is independent within each stratum (job centre), so each centre's treated share
converges to the configured share; the export lets the evaluation unit check the balance per stratum.

Crowding guard: published trials of job-search assistance saw gains fade when many job seekers were
steered to the same vacancies, so at most ``cap`` treated citizens are shown the same posting in one
ISO week; a posting at the cap is left out of further lists that week.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date

from graph.accountability.audit import now_iso
from graph.ledger import Ledger, TrialAssignment

TREATMENT = "treatment"
CONTROL = "control"


@dataclass(frozen=True, slots=True)
class TrialConfig:
    name: str  # identifies the trial; assignments are kept per trial
    seed: str  # secret: whoever knows it can predict arms
    treatment_share: float = 0.5


def draw(config: TrialConfig, stratum: str, pseudonym: str) -> float:
    """The citizen's uniform draw in [0, 1) for this trial."""
    digest = hmac.new(config.seed.encode(), f"{stratum}:{pseudonym}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def arm_for(config: TrialConfig, stratum: str, pseudonym: str) -> str:
    return TREATMENT if draw(config, stratum, pseudonym) < config.treatment_share else CONTROL


def assign(ledger: Ledger, config: TrialConfig, stratum: str, pseudonym: str) -> TrialAssignment:
    """The citizen's recorded arm; assigned and recorded on first sight, never changed afterwards."""
    proposed = TrialAssignment(cv_id=pseudonym, trial=config.name, arm=arm_for(config, stratum, pseudonym),
                               stratum=stratum, assigned_at=now_iso())
    return ledger.assign_trial(proposed)


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def crowding_filter(ledger: Ledger, week: str, cv_id: str, posting_ids: list[str], cap: int) -> tuple[list[str], list[str]]:
    """Split ``posting_ids`` into (allowed, held back): a posting already shown to ``cap`` other treated
    citizens this week is held back. A citizen who saw it before still sees it again."""
    counts = ledger.exposure_counts(week, posting_ids, exclude_cv=cv_id)
    allowed = [pid for pid in posting_ids if counts.get(pid, 0) < cap]
    held = [pid for pid in posting_ids if counts.get(pid, 0) >= cap]
    return allowed, held
