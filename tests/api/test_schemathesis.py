"""Property-based run of the served OpenAPI document against the app (in-process, WSGI): schemathesis
generates requests for every operation and checks each answer against the document.

Failing here means a 5xx, or an answer (status, content type, headers, body) the document does not
describe. It runs with an admin token, so every operation is reached past authentication.
"""

from __future__ import annotations

import time

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Ok
from schemathesis.generation.case import Case

from tests.api.conftest import Tokens, bearer
from tests.matching_data import O

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


# Examples per operation and pass; about 18 operations × 3 passes × 20 runs in about 40 s.
EXAMPLES = 20


def _known_ids(client: FlaskClient, tokens: Tokens) -> dict[str, str]:
    """Path values that exist, so that generated requests also reach the successful answers (random
    ids only ever find 404s)."""
    served = client.get("/api/v1/cvs/cv-cook/matches", headers=bearer(tokens.admin)).get_json()
    return {"cv_id": "cv-cook", "rec_id": served["recommendation_id"], "uri": O("cook"), "filename": "app.css"}


@pytest.mark.slow
# The WSGI transport leaves static-file responses for the garbage collector to close.
@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
def test_api_conforms_to_its_document(app: Flask, client: FlaskClient, tokens: Tokens) -> None:
    # Driven operation by operation with Hypothesis directly (schemathesis' pytest plugin does not run
    # under pytest 9); every failure is collected, so one run reports them all.
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    known = _known_ids(client, tokens)
    failures: list[str] = []
    skipped: list[str] = []
    timings: dict[str, float] = {}
    operations = 0
    for result in schema.get_all_operations():
        if not isinstance(result, Ok):  # an operation schemathesis cannot read is a document defect
            failures.append(f"unreadable operation: {result.err()}")
            continue
        operation = result.ok()
        operations += 1
        names = {p.name for p in operation.path_parameters}
        passes: list[tuple[str, GenerationMode, dict[str, str] | None]] = [
            ("positive", GenerationMode.POSITIVE, None), ("negative", GenerationMode.NEGATIVE, None)]
        if names:
            passes.append(("known ids", GenerationMode.POSITIVE, {n: known[n] for n in names}))
        for label, mode, path_parameters in passes:

            @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
            @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
            def run(case: Case) -> None:
                case.call_and_validate(headers=bearer(tokens.admin), checks=CHECKS)

            t0 = time.perf_counter()
            try:
                run()
            except (AssertionError, FailureGroup) as e:
                failures.append(f"{operation.label} [{label}]: {str(e)[:2000]}")
            except Unsatisfiable:
                # An operation without parameters or body has no invalid request to generate.
                if mode is GenerationMode.POSITIVE:
                    raise
                skipped.append(operation.label)
            timings[f"{operation.label} [{label}]"] = time.perf_counter() - t0
    assert operations >= 17
    print(sorted(timings.items(), key=lambda kv: -kv[1])[:8])
    print(f"schemathesis: {operations} operations; no negative cases for {skipped}")
    assert not failures, "\n\n".join(failures)
