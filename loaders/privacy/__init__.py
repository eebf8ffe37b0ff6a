"""Privacy at the door: pseudonyms for citizen references, PII scrubbing, protected-attribute rejection.

Everything a CV carries passes through here before it is stored, logged or given to the extractor:
the citizen reference becomes a keyed-hash pseudonym (:mod:`.pseudonyms`), free text loses CPR
numbers, e-mail addresses, phone numbers, explicit ages and the citizen's own name
(:mod:`.scrub`), and a document with a field for a protected attribute is refused
(:mod:`.protected`).
"""

from __future__ import annotations

from loaders.privacy.protected import PROTECTED_FIELDS, reject_protected_fields
from loaders.privacy.pseudonyms import (
    MIN_KEY_CHARS,
    PSEUDONYM_PREFIX,
    PseudonymKey,
    pseudonymise,
    require_pseudonym_key,
)
from loaders.privacy.scrub import PLACEHOLDERS, Scrubber, scrub

__all__ = [
    "MIN_KEY_CHARS",
    "PLACEHOLDERS",
    "PROTECTED_FIELDS",
    "PSEUDONYM_PREFIX",
    "PseudonymKey",
    "Scrubber",
    "pseudonymise",
    "reject_protected_fields",
    "require_pseudonym_key",
    "scrub",
]
