"""What the store wrote, counted by label and by relationship type (test-only Cypher)."""

from __future__ import annotations

from neo4j import Driver

NODES = "MATCH (n) UNWIND labels(n) AS label RETURN label, count(*) AS n"
RELATIONSHIPS = "MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS n"
CONCEPTS = ("MATCH (c:Concept) RETURN count(c) AS nodes, count(DISTINCT c.uri) AS uris, "
            "count(c.kind) AS loaded")


def counts(admin: Driver) -> dict[str, int]:
    """Nodes per label (``:Label``), relationships per type (``-TYPE-``) and concept URI tallies."""
    out: dict[str, int] = {}
    records, _, _ = admin.execute_query(NODES, database_="neo4j")
    out.update({":" + r["label"]: r["n"] for r in records})
    records, _, _ = admin.execute_query(RELATIONSHIPS, database_="neo4j")
    out.update({"-" + r["type"] + "-": r["n"] for r in records})
    [row], _, _ = admin.execute_query(CONCEPTS, database_="neo4j")
    out.update({"concept nodes": row["nodes"], "concept uris": row["uris"], "loaded concepts": row["loaded"]})
    return out
