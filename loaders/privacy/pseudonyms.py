"""Citizen references → stable pseudonyms with a keyed hash (HMAC-SHA256).

A plain hash of a citizen reference could be reversed by hashing every plausible reference (CPR-like
references have only ~10^9 values); a keyed hash cannot be without the key, which lives outside the
data (``JOBMATCH_PSEUDONYM_KEY``). The same key always gives the same pseudonym, so re-ingesting a
CV updates it; rotating the key re-pseudonymises everything (a deliberate re-keying, not a default).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass, field

from ontology.errors import ConfigurationError, ValidationError

KEY_ENV = "JOBMATCH_PSEUDONYM_KEY"
PSEUDONYM_PREFIX = "cv_"
# 32 characters of a random token carry well over the 128 bits an HMAC key needs; shorter keys are
# usually placeholders ("test", "changeme") that would make pseudonyms guessable.
MIN_KEY_CHARS = 32
# 26 base32 characters = 130 bits of the digest: collisions among millions of CVs are out of reach,
# and the id stays short enough to read in a log line.
PSEUDONYM_CHARS = 26
# Domain separation: the same key used for another purpose never yields the same digest.
_DOMAIN = b"jobmatch/cv/v1\x1f"
# Separates the municipality from the reference in a scoped pseudonym (no reference contains it).
_SCOPE = "\x1e"


@dataclass(frozen=True, slots=True)
class PseudonymKey:
    """The secret HMAC key; ``repr`` never shows it, so it cannot leak through a log or a traceback."""

    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.secret) < MIN_KEY_CHARS:
            raise ConfigurationError(
                f"{KEY_ENV} must be at least {MIN_KEY_CHARS} characters "
                "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(32))')",
                field=KEY_ENV,
            )


def require_pseudonym_key(value: str | None) -> PseudonymKey:
    """Return the key from its configured value (``Settings.pseudonym_key``).

    Entry points call this before reading any CV, so a missing key stops the process before personal
    data is touched; there is no default key.

    :raise ConfigurationError: naming ``JOBMATCH_PSEUDONYM_KEY`` if it is unset or too short.
    """
    if not value:
        raise ConfigurationError(
            f"{KEY_ENV} is not set: CVs cannot be pseudonymised without it (there is no default key)",
            field=KEY_ENV,
        )
    return PseudonymKey(value.encode("utf-8"))


def scoped_pseudonym(citizen_ref: str, municipality: str, key: PseudonymKey) -> str:
    """The pseudonym of a reference within one municipality: where a job centre's citizen keeps their CV
    when another municipality already holds a CV under the plain pseudonym (see
    :func:`loaders.documents.cvs.place_cv`), so that writing it answers exactly as for an unknown one.

    :raise ValidationError: if the reference is empty.
    """
    return pseudonymise(f"{municipality}{_SCOPE}{citizen_ref.strip()}", key)


def pseudonymise(citizen_ref: str, key: PseudonymKey) -> str:
    """Return the pseudonym (``cv_`` + 26 lower-case base32 characters) of a citizen reference.

    Surrounding whitespace is ignored so that "AB123 " and "AB123" are one citizen.

    :raise ValidationError: if the reference is empty.
    """
    ref = citizen_ref.strip()
    if not ref:
        raise ValidationError("the citizen reference is empty", field="id")
    digest = hmac.new(key.secret, _DOMAIN + ref.encode("utf-8"), hashlib.sha256).digest()
    return PSEUDONYM_PREFIX + base64.b32encode(digest).decode("ascii").lower()[:PSEUDONYM_CHARS]
