"""Errors the ontology layer raises; the edges (CLI, API) turn them into messages and problem details."""

from __future__ import annotations


class JobmatchError(Exception):
    """Base of every error the domain raises on purpose. ``field`` names the failing input, if any."""

    status = 400
    title = "Bad request"

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class EscoPackageError(JobmatchError):
    """The ESCO package cannot be read (missing required file, unreadable CSV)."""

    title = "Unreadable ESCO package"


class NotFoundError(JobmatchError):
    status = 404
    title = "Not found"


class ValidationError(JobmatchError):
    status = 422
    title = "Invalid input"


class StoreUnavailableError(JobmatchError):
    """The configured store cannot be reached (Neo4j down); callers may retry later."""

    status = 503
    title = "Store unavailable"


class ConfigurationError(JobmatchError):
    status = 500
    title = "Configuration error"


class NotPermittedError(JobmatchError):
    """The caller may not do this to this thing (e.g. replace another owner's posting)."""

    status = 403
    title = "Forbidden"
