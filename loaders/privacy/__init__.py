"""Privacy at the door: pseudonyms for citizen references, PII scrubbing, protected-attribute rejection.

Everything a CV carries passes through here before it is stored, logged or given to the extractor:
the citizen reference becomes a keyed-hash pseudonym (:mod:`.pseudonyms`), free text loses CPR
numbers, e-mail addresses, phone numbers, birth dates, street addresses, explicit ages, the
citizen's own name and other people's names after a cue word (:mod:`.scrub`), and a document with a
field for a protected attribute, named in any of five languages and any spelling, is refused
(:mod:`.protected`).
"""

from __future__ import annotations

from loaders.privacy.protected import PROTECTED_FIELDS, protected_category, reject_protected_fields
from loaders.privacy.pseudonyms import (
    MIN_KEY_CHARS,
    PSEUDONYM_PREFIX,
    PseudonymKey,
    pseudonymise,
    require_pseudonym_key,
    scoped_pseudonym,
)
from loaders.privacy.scrub import PLACEHOLDERS, Scrubber, scrub

__all__ = [
    "MIN_KEY_CHARS",
    "PLACEHOLDERS",
    "PROTECTED_FIELDS",
    "PSEUDONYM_PREFIX",
    "PseudonymKey",
    "Scrubber",
    "protected_category",
    "pseudonymise",
    "scoped_pseudonym",
    "reject_protected_fields",
    "require_pseudonym_key",
    "scrub",
]
