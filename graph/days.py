"""Dates as day numbers (days since 1970), the unit the posting index and ranking compare in.

Shared by the stores' posting index and by matching, which may not import a backend.
"""

from __future__ import annotations

from datetime import date

# Open-ended dates: no publication date is "always published", no end date "valid for ever".
FAR_PAST = -(10**6)
FAR_FUTURE = 10**6


def day_number(iso: str) -> int:
    """Days since 1970 of an ISO date; an empty date maps far into the future.

    :raise ValueError: if ``iso`` is not an ISO date.
    """
    if not iso:
        return FAR_FUTURE
    return (date.fromisoformat(iso[:10]) - date(1970, 1, 1)).days


def published_day(iso: str) -> int:
    """The day number of a publication date; an unknown one is far in the past (always published)."""
    return day_number(iso) if iso else FAR_PAST
