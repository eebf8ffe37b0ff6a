"""Configuration: environment variables parsed once into a frozen :class:`Settings`.

Every field names its environment variable in its metadata; a bad value fails fast with a message
naming the variable. There are no default passwords or keys: a store or pseudonymisation key that is
needed but missing is an error when it is first needed, not a silent default.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from graph.accountability.trial import block_size_for
from ontology.errors import ConfigurationError

# More serving processes than this is a mistake on any one machine (each holds its own posting index).
MAX_WORKERS = 64

STORES = ("memory", "neo4j")
READING_MODELS = ("e5-small", "lexical")  # or "local:FOLDER"


def _env(name: str) -> dict[str, str]:
    return {"env": name}


@dataclass(frozen=True)
class Settings:
    store: str = field(default="memory", metadata=_env("JOBMATCH_STORE"))
    data_dir: Path = field(default=Path("data"), metadata=_env("JOBMATCH_DATA_DIR"))
    esco_dir: Path | None = field(default=None, metadata=_env("JOBMATCH_ESCO_DIR"))
    languages: tuple[str, ...] = field(default=("en", "da"), metadata=_env("JOBMATCH_LANGS"))
    extra_labels: tuple[Path, ...] = field(default=(), metadata=_env("JOBMATCH_EXTRA_LABELS"))
    local_additions: Path | None = field(default=None, metadata=_env("JOBMATCH_LOCAL_ADDITIONS"))
    geo_dir: Path | None = field(default=None, metadata=_env("JOBMATCH_GEO_DIR"))
    neo4j_uri: str = field(default="bolt://127.0.0.1:7687", metadata=_env("NEO4J_URI"))
    neo4j_user: str = field(default="neo4j", metadata=_env("NEO4J_USER"))
    neo4j_password: str | None = field(default=None, metadata=_env("NEO4J_PASSWORD"), repr=False)
    neo4j_database: str = field(default="neo4j", metadata=_env("NEO4J_DATABASE"))
    pseudonym_key: str | None = field(default=None, metadata=_env("JOBMATCH_PSEUDONYM_KEY"), repr=False)
    host: str = field(default="127.0.0.1", metadata=_env("JOBMATCH_HOST"))
    port: int = field(default=8080, metadata=_env("JOBMATCH_PORT"))
    # Serving processes (`jobmatch serve`, api/cli/workers.py): one per core is the usual choice; each holds
    # its own posting index, and they share nothing but the store.
    workers: int = field(default=1, metadata=_env("JOBMATCH_WORKERS"))
    max_body_bytes: int = field(default=5 * 1024 * 1024, metadata=_env("JOBMATCH_MAX_BODY_BYTES"))
    audit_retention_days: int = field(default=183, metadata=_env("JOBMATCH_AUDIT_RETENTION_DAYS"))
    # Retention of the other kinds of data (`jobmatch retention`): a CV not updated for this long is erased
    # as on the citizen's request; a posting this long past its last day is deleted; feedback this old is
    # deleted. The municipality's own periods belong here (its records management plan decides them).
    cv_retention_days: int = field(default=365, metadata=_env("JOBMATCH_CV_RETENTION_DAYS"))
    posting_retention_days: int = field(default=90, metadata=_env("JOBMATCH_POSTING_RETENTION_DAYS"))
    feedback_retention_days: int = field(default=730, metadata=_env("JOBMATCH_FEEDBACK_RETENTION_DAYS"))
    # Signs the audit trail's checkpoints (HMAC-SHA256); held outside the store, like the pseudonym key.
    audit_key: str | None = field(default=None, metadata=_env("JOBMATCH_AUDIT_KEY"), repr=False)
    # Where signed checkpoints are appended: a file the operator archives (default beside the data).
    audit_checkpoints: Path | None = field(default=None, metadata=_env("JOBMATCH_AUDIT_CHECKPOINTS"))
    trial_seed: str | None = field(default=None, metadata=_env("JOBMATCH_TRIAL_SEED"), repr=False)
    trial_name: str = field(default="jobmatch-pilot", metadata=_env("JOBMATCH_TRIAL_NAME"))
    trial_treatment_share: float = field(default=0.5, metadata=_env("JOBMATCH_TRIAL_TREATMENT_SHARE"))
    # Places per permuted block (stratified block randomisation); 0 = the smallest size ≥ 4 that holds the
    # share exactly (4 for 0.5, 10 for 0.3).
    trial_block_size: int = field(default=0, metadata=_env("JOBMATCH_TRIAL_BLOCK_SIZE"))
    crowding_cap_per_week: int = field(default=20, metadata=_env("JOBMATCH_CROWDING_CAP_PER_WEEK"))
    # The reading model (loaders/extract/embedding.py): e5-small (packaged, the default), lexical, or
    # local:FOLDER. A setting decides; an installed package never does.
    reading_model: str = field(default=READING_MODELS[0], metadata=_env("JOBMATCH_READING_MODEL"))
    reading_index_dir: Path | None = field(default=None, metadata=_env("JOBMATCH_READING_INDEX_DIR"))
    # A ranking model file (`jobmatch train placements`, docs/LEARNING.md): when set, the `learned` strategy
    # can be asked for. Unset, it cannot; nothing else changes either way.
    ranking_model: Path | None = field(default=None, metadata=_env("JOBMATCH_RANKING_MODEL"))

    def __post_init__(self) -> None:
        if self.store not in STORES:
            raise ConfigurationError(f"JOBMATCH_STORE must be one of {', '.join(STORES)}, not {self.store!r}",
                                     field="JOBMATCH_STORE")
        if self.reading_model not in READING_MODELS and not (
                self.reading_model.startswith("local:") and len(self.reading_model) > len("local:")):
            raise ConfigurationError(f"JOBMATCH_READING_MODEL must be one of {', '.join(READING_MODELS)} or "
                                     f"local:FOLDER, not {self.reading_model!r}", field="JOBMATCH_READING_MODEL")
        for attr, var in (("audit_retention_days", "JOBMATCH_AUDIT_RETENTION_DAYS"),
                          ("cv_retention_days", "JOBMATCH_CV_RETENTION_DAYS"),
                          ("posting_retention_days", "JOBMATCH_POSTING_RETENTION_DAYS"),
                          ("feedback_retention_days", "JOBMATCH_FEEDBACK_RETENTION_DAYS")):
            if getattr(self, attr) < 1:
                raise ConfigurationError(f"{var} must be at least 1 (a retention period never reaches today's data)",
                                         field=var)
        if not 1 <= self.workers <= MAX_WORKERS:
            raise ConfigurationError(f"JOBMATCH_WORKERS must be between 1 and {MAX_WORKERS}", field="JOBMATCH_WORKERS")
        if not 0.0 <= self.trial_treatment_share <= 1.0:
            raise ConfigurationError("JOBMATCH_TRIAL_TREATMENT_SHARE must be between 0 and 1",
                                     field="JOBMATCH_TRIAL_TREATMENT_SHARE")
        try:
            block_size_for(self.trial_treatment_share, self.trial_block_size)
        except ValueError as e:
            raise ConfigurationError(f"JOBMATCH_TRIAL_BLOCK_SIZE: {e}", field="JOBMATCH_TRIAL_BLOCK_SIZE") from e

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Parse the environment (``os.environ`` by default); ``overrides`` win over it.

        :raise ConfigurationError: naming the variable whose value cannot be parsed.
        """
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            name = str(f.metadata.get("env", ""))
            raw = env.get(name) if name else None
            if raw is None or raw == "":
                continue
            values[f.name] = _parse(f.name, name, raw, cls.__dataclass_fields__[f.name].type)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    @property
    def reading_dir(self) -> Path:
        """Where the reading model's concept indexes are kept (beside the embedded store by default)."""
        return self.reading_index_dir if self.reading_index_dir is not None else self.data_dir / "reading"

    @property
    def checkpoint_file(self) -> Path:
        return self.audit_checkpoints if self.audit_checkpoints is not None else self.data_dir / "audit-checkpoints.jsonl"

    def neo4j_auth(self) -> tuple[str, str]:
        if not self.neo4j_password:
            raise ConfigurationError("NEO4J_PASSWORD is not set (there is no default password)",
                                     field="NEO4J_PASSWORD")
        return (self.neo4j_user, self.neo4j_password)


def _parse(attr: str, name: str, raw: str, typ: object) -> Any:
    t = str(typ)
    try:
        if t in ("int",):
            return int(raw)
        if t in ("float",):
            return float(raw)
        if t.startswith("Path"):
            return Path(raw).expanduser()
        if t.startswith("tuple[Path"):
            return tuple(Path(p.strip()).expanduser() for p in raw.split(",") if p.strip())
        if t.startswith("tuple[str"):
            return tuple(x.strip() for x in raw.split(",") if x.strip())
    except ValueError as e:
        raise ConfigurationError(f"{name}: cannot parse {raw!r} ({e})", field=name) from e
    return raw
