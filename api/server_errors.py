"""Errors waitress answers itself, before the app sees the request (a malformed request line, such as
an unencoded "truckfører" in a URL), as RFC 9457 problem details like every other error of the API."""

from __future__ import annotations

import json

from waitress.channel import HTTPChannel
from waitress.task import ErrorTask

HINT = {400: "the request is not valid HTTP: percent-encode non-ASCII characters in the URL (truckf%C3%B8rer)"}


class ProblemErrorTask(ErrorTask):  # type: ignore[misc]
    """waitress's error response with a problem+json body instead of plain text."""

    def execute(self) -> None:
        e = self.request.error
        body = json.dumps({"type": "urn:jobmatch:problem:bad-request", "title": e.reason, "status": e.code,
                           "detail": HINT.get(e.code, str(e.body))}).encode("utf-8")
        self.status = f"{e.code} {e.reason}"
        self.response_headers.append(("Content-Type", "application/problem+json"))
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


def install() -> None:
    """Make the process's waitress channels answer their own errors as problem details (``jobmatch
    serve`` calls it before serving; the class attribute is waitress's documented hook per channel)."""
    HTTPChannel.error_task_class = ProblemErrorTask
