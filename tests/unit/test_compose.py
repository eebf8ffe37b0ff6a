"""docker-compose.yml, Dockerfile, .env.example and .dockerignore say what docs/DEPLOYMENT.md promises.

No Docker engine runs these tests (the development machines have none); they read the files.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO

# ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?message}, ${VAR?message}; $$ is a literal dollar.
VAR_REF = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")
BARE_REF = re.compile(r"(?<!\$)\$([A-Za-z_][A-Za-z0-9_]*)")
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|_KEY$|^NEO4J_AUTH$")


@pytest.fixture(scope="module")
def compose_text() -> str:
    return (REPO / "docker-compose.yml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def compose(compose_text: str) -> dict[str, Any]:
    data = yaml.safe_load(compose_text)
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def env_example() -> dict[str, str]:
    """``NAME=value`` lines of .env.example (comments and blank lines skipped)."""
    out: dict[str, str] = {}
    for line in (REPO / ".env.example").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, sep, value = line.partition("=")
            assert sep, f".env.example: not NAME=value: {line!r}"
            out[name.strip()] = value.strip()
    return out


def environment(service: dict[str, Any]) -> dict[str, str]:
    """A service's environment as a dict, whichever of compose's two forms the file uses."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {k: "" if v is None else str(v) for k, v in env.items()}


def port_specs(service: dict[str, Any]) -> list[str]:
    specs = []
    for port in service.get("ports") or []:
        if isinstance(port, dict):  # long syntax
            specs.append(f"{port.get('host_ip', '')}:{port.get('published', '')}:{port.get('target', '')}")
        else:
            specs.append(str(port))
    return specs


def test_services_exist(compose: dict[str, Any]) -> None:
    assert {"neo4j", "api"} <= set(compose["services"])


def test_neo4j_is_the_official_526_image(compose: dict[str, Any]) -> None:
    image = compose["services"]["neo4j"]["image"]
    assert re.fullmatch(r"neo4j:5\.26(\.\d+)?(-community)?", image), image


def test_every_port_is_bound_to_localhost(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        for spec in port_specs(service):
            assert spec.startswith("127.0.0.1:"), f"{name} publishes {spec} beyond this machine"
    assert port_specs(compose["services"]["api"]), "the API publishes no port"


def test_api_waits_for_a_healthy_neo4j(compose: dict[str, Any]) -> None:
    depends = compose["services"]["api"]["depends_on"]
    assert isinstance(depends, dict), "depends_on must use the long form to carry a condition"
    assert depends["neo4j"]["condition"] == "service_healthy"


def test_neo4j_healthcheck_uses_a_tool_the_image_has(compose: dict[str, Any]) -> None:
    check = compose["services"]["neo4j"]["healthcheck"]
    test = check["test"]
    command = " ".join(test) if isinstance(test, list) else str(test)
    assert command.split()[0] in ("CMD", "CMD-SHELL") or isinstance(test, str)
    # The Neo4j image has wget and cypher-shell, not curl.
    assert "curl" not in command
    assert "wget" in command or "cypher-shell" in command
    assert check.get("retries", 0) >= 3


def test_neo4j_memory_and_data_volume(compose: dict[str, Any]) -> None:
    neo4j = compose["services"]["neo4j"]
    env = environment(neo4j)
    for key in ("NEO4J_server_memory_heap_max__size", "NEO4J_server_memory_pagecache_size"):
        assert env.get(key), f"{key} is not set"
    named = set(compose.get("volumes") or {})
    data_mounts = [v for v in neo4j["volumes"] if str(v).endswith(":/data")]
    assert data_mounts, "Neo4j's /data is not a volume: the graph would die with the container"
    assert data_mounts[0].split(":")[0] in named, "/data should be a named volume"


def test_every_variable_is_documented(compose_text: str, env_example: dict[str, str]) -> None:
    used = {m.group(1) for m in VAR_REF.finditer(compose_text)}
    used |= {m.group(1) for m in BARE_REF.finditer(compose_text)}
    assert used, "the compose file reads nothing from .env"
    missing = sorted(used - set(env_example))
    assert not missing, f"not documented in .env.example: {missing}"


def test_no_literal_password(compose: dict[str, Any], compose_text: str, env_example: dict[str, str]) -> None:
    for name, service in compose["services"].items():
        for key, value in environment(service).items():
            if not SECRET_NAME.search(key):
                continue
            refs = list(VAR_REF.finditer(value))
            assert refs, f"{name}: {key} is a literal, not taken from .env"
            literal = VAR_REF.sub("", value)
            allowed = "neo4j/" if key == "NEO4J_AUTH" else ""
            assert literal == allowed, f"{name}: {key} has literal text {literal!r}"
            for ref in refs:
                assert ref.group(2) in (":?", "?"), f"{name}: {key} has a default; compose must refuse instead"
    without_refs = VAR_REF.sub("", compose_text)  # comments included: a password in a comment leaks too
    literal = re.search(r"(?i)(password|secret|_key)\w*[ \t]*[:=][ \t]*['\"]?[^\s'\"#]", without_refs)
    assert literal is None, f"looks like a literal secret: {literal.group(0) if literal else ''}"
    for secret in ("NEO4J_PASSWORD", "JOBMATCH_PSEUDONYM_KEY"):
        assert secret in env_example and env_example[secret] == "", f".env.example gives {secret} a value"


def test_api_talks_to_the_neo4j_service(compose: dict[str, Any]) -> None:
    env = environment(compose["services"]["api"])
    assert env["JOBMATCH_STORE"] == "neo4j"
    m = re.fullmatch(r"(bolt|neo4j)://([^:/]+):(\d+)", env["NEO4J_URI"])
    assert m, env["NEO4J_URI"]
    assert m.group(2) == "neo4j" and m.group(3) == "7687"
    for key in ("NEO4J_USER", "NEO4J_PASSWORD", "JOBMATCH_PSEUDONYM_KEY"):
        assert env.get(key), f"{key} is not passed to the API"


def test_esco_is_mounted_read_only(compose: dict[str, Any]) -> None:
    volumes = [str(v) for v in compose["services"]["api"]["volumes"]]
    esco = [v for v in volumes if ":/esco" in v]
    assert esco and esco[0].startswith("${ESCO_DIR") and esco[0].endswith(":ro"), esco


def _final_stage(dockerfile: str) -> list[str]:
    """The instructions of the last build stage (a multi-stage build's runtime image), one per line."""
    joined = re.sub(r"\\\n\s*", " ", dockerfile)  # continuation lines: HEALTHCHECK … \ CMD […] is one
    lines = [ln.strip() for ln in joined.splitlines() if ln.strip() and not ln.strip().startswith("#")]
    start = max(i for i, ln in enumerate(lines) if ln.upper().startswith("FROM "))
    return lines[start:]


def test_dockerfile_runs_jobmatch_on_python_311_slim() -> None:
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    final = _final_stage(dockerfile)
    assert final[0].split()[1].startswith("python:3.11-slim"), final[0]
    run = [ln for ln in final if ln.split(" ", 1)[0].upper() in ("CMD", "ENTRYPOINT")]
    assert run, "no CMD or ENTRYPOINT"
    argv: list[str] = []
    for line in run:
        argv += json.loads(line.split(" ", 1)[1])  # exec form: a JSON array
    assert argv[0] == "jobmatch" and "serve" in argv, argv
    assert any(ln.upper().startswith("USER ") for ln in final), "the API runs as root"


def test_build_context_excludes_secrets() -> None:
    ignored = (REPO / ".dockerignore").read_text(encoding="utf-8").split()
    assert ".env" in ignored and ".venv" in ignored


def test_compose_and_docs_are_marked_untested() -> None:
    doc = (REPO / "docs" / "DEPLOYMENT.md").read_text(encoding="utf-8")
    assert "not tested here" in doc.lower()
    assert "docker compose run --rm api jobmatch ontology load" in doc
    assert Path(REPO / "docker-compose.yml").read_text(encoding="utf-8").count("Not tested here") == 1
