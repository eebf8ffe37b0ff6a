"""Every packaged statement: EXPLAIN accepts it with parameters of the right shape, and the server
has nothing to say about it (no deprecation, no performance warning)."""

from __future__ import annotations

import re

import pytest
from neo4j import Driver

import queries
from graph.backends.neo4j import Neo4jStore

pytestmark = pytest.mark.neo4j

PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
# Dummy values, by parameter name, of the type each statement expects.
DUMMY: dict[str, object] = {
    "rows": [], "uris": [], "ids": [], "skill_uris": [], "occupation_uris": [], "kinds": [], "targets": [],
    "limit": 10, "offset": 0, "seq": 1, "min_shared": 1, "day": 20000, "timeout_seconds": 1,
    "south": 55.0, "west": 12.0, "north": 56.0, "east": 13.0, "needle": "x",
    "props": {"id": "x", "seq": 1}, "languages": ["en"], "exclude_kinds": [], "now": 0.0, "before": 0.0,
}
# The server's own classifications that are fine on an empty database.
HARMLESS = {"UNRECOGNIZED", "GENERIC", "SCHEMA"}


def _params(text: str) -> dict[str, object]:
    return {name: DUMMY.get(name, "x") for name in PARAM.findall(text)}


@pytest.mark.parametrize("name", queries.names())
def test_every_statement_explains(name: str, admin: Driver, neo4j_store: Neo4jStore) -> None:
    text = queries.load(name)
    assert text.strip(), name
    # Whole-line comments only: "//" inside a line may be part of a URI.
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))
    assert ";" not in code, "one statement a file"
    with admin.session(database="neo4j") as session:
        summary = session.run("EXPLAIN " + text, _params(text)).consume()
    assert summary.plan is not None
    complaints = [
        (s.gql_status, s.status_description) for s in summary.gql_status_objects
        if s.is_notification and s.raw_classification not in HARMLESS
    ]
    assert complaints == [], name


def test_names_follow_verb_object() -> None:
    verbs = {"create", "merge", "find", "delete", "link", "count", "record", "activate", "retire", "await",
             "ping", "append", "insert", "revoke", "update", "erase"}
    for name in queries.names():
        verb, _, obj = name.partition("_")
        assert verb in verbs and obj, name


def test_schema_statements_are_idempotent(neo4j_store: Neo4jStore) -> None:
    neo4j_store.ensure_schema()
    neo4j_store.ensure_schema()
