"""Randomised controlled trial support: stratified block randomisation and the crowding guard.

Assignment: permuted blocks within each stratum (job centre). The n-th citizen assigned in a stratum
takes position ``n % B`` of block ``n // B``; each block of ``B`` holds exactly ``share × B`` treatment
places, in an order drawn from ``HMAC-SHA256(trial seed, stratum, block, place)``. So every centre's
arms differ by at most one block's imbalance at any time — simple coin flips left job centre 0101 with
20 treated against 6 controls — and the arm is reproducible from the seed and the recorded position.
The first assignment is recorded in the ledger (with its position) and never changed; a later change
of share or block size does not move anyone. Positions are counted per process under its write lock;
two processes assigning in the same centre at the same instant may share a position (one extra place
of imbalance), which the export's balance shows.

Crowding guard: published trials of job-search assistance saw gains fade when many job seekers were
steered to the same vacancies, so at most ``cap`` treated citizens are shown the same posting in one
ISO week; a posting at the cap is left out of further lists that week.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date

from graph.accountability.audit import Actor, now_iso, record_event
from graph.ledger import Ledger, TrialAssignment
from graph.matching.vocabulary import TRIAL_ASSIGNMENT

TREATMENT = "treatment"
CONTROL = "control"


@dataclass(frozen=True, slots=True)
class TrialConfig:
    name: str  # identifies the trial; assignments are kept per trial
    seed: str  # secret: whoever knows it can predict arms
    treatment_share: float = 0.5
    block_size: int = 4  # places per permuted block; share × size must be whole (see block_size_for)


def block_size_for(share: float, requested: int = 0) -> int:
    """The block size: ``requested`` if ``share × requested`` is whole, else (``requested`` 0) the smallest
    size ≥ 4 that makes it whole. :raise ValueError: if there is none up to 100, or ``requested`` fails."""
    def whole(size: int) -> bool:
        return abs(share * size - round(share * size)) < 1e-9

    if requested:
        if requested < 1 or not whole(requested):
            raise ValueError(f"a block of {requested} cannot hold a treatment share of {share:g} exactly")
        return requested
    for size in range(4, 101):
        if whole(size):
            return size
    raise ValueError(f"no block of at most 100 places holds a treatment share of {share:g} exactly")


def draw(config: TrialConfig, stratum: str, pseudonym: str) -> float:
    """The citizen's uniform draw in [0, 1) for this trial."""
    digest = hmac.new(config.seed.encode(), f"{stratum}:{pseudonym}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def arm_for(config: TrialConfig, stratum: str, pseudonym: str) -> str:
    return TREATMENT if draw(config, stratum, pseudonym) < config.treatment_share else CONTROL


def block_arm(config: TrialConfig, stratum: str, position: int) -> str:
    """The arm of the ``position``-th assignment in ``stratum`` (from 0): its place in its permuted block."""
    size = config.block_size
    block, place = divmod(position, size)
    treated = round(config.treatment_share * size)

    def key(j: int) -> bytes:
        return hmac.new(config.seed.encode(), f"block:{stratum}:{block}:{j}".encode(), hashlib.sha256).digest()

    order = sorted(range(size), key=key)
    return TREATMENT if place in set(order[:treated]) else CONTROL


def assign(ledger: Ledger, config: TrialConfig, stratum: str, pseudonym: str, actor: Actor) -> TrialAssignment:
    """The citizen's recorded arm; assigned (the next place of the stratum's blocks) and recorded on first
    sight, never changed afterwards. The caller holds its write lock (positions are counted, then used).
    A new assignment is also an event of the audit chain (arm, stratum, place, block size), so an
    assignment cannot be changed or back-dated unseen. ``actor`` is filed under the citizen's municipality."""
    position = ledger.trial_count(config.name, stratum)
    proposed = TrialAssignment(cv_id=pseudonym, trial=config.name, arm=block_arm(config, stratum, position),
                               stratum=stratum, assigned_at=now_iso(), position=position)
    got = ledger.assign_trial(proposed)
    if got == proposed:
        record_event(ledger, TRIAL_ASSIGNMENT, actor, pseudonym,
                     {"trial": {"name": got.trial, "arm": got.arm, "stratum": got.stratum, "position": got.position,
                                "block_size": config.block_size, "assigned_at": got.assigned_at}})
    return got


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
