"""Signed checkpoints of the audit trail, in the manner of Certificate Transparency's signed tree heads.

A hash chain alone proves that no record was edited in place, but not that the newest records were not
cut off, or the whole chain recomputed after an edit. A checkpoint — the chain's length (head seq), the
head's hash and the time, signed with HMAC-SHA256 under a key held outside the store
(``JOBMATCH_AUDIT_KEY``) — is appended to a file the operator archives (``JOBMATCH_AUDIT_CHECKPOINTS``).
:func:`graph.accountability.audit.verify_chain` then checks the chain against every checkpoint it
covers: a record cut off after a checkpoint, or a chain rewritten up to one, is named.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from graph.ledger import Ledger

FILE_MODE = 0o600


@dataclass(frozen=True, slots=True)
class Checkpoint:
    seq: int  # the head's sequence number: how long the chain was
    hash: str  # the head's hash
    at: str
    signature: str  # hex HMAC-SHA256 over "seq:hash:at"


def _mac(key: bytes, seq: int, head: str, at: str) -> str:
    return hmac.new(key, f"jobmatch/checkpoint/v1:{seq}:{head}:{at}".encode(), hashlib.sha256).hexdigest()


def signed_head(ledger: Ledger, key: bytes) -> Checkpoint | None:
    """A checkpoint of the chain as it is now (None while it is empty)."""
    head = ledger.last_audit()
    if head is None:
        return None
    at = datetime.now(UTC).isoformat(timespec="milliseconds")
    return Checkpoint(head.seq, head.hash, at, _mac(key, head.seq, head.hash, at))


def is_authentic(cp: Checkpoint, key: bytes) -> bool:
    return hmac.compare_digest(cp.signature, _mac(key, cp.seq, cp.hash, cp.at))


def append_checkpoint(path: Path, cp: Checkpoint) -> None:
    """Append ``cp`` as one JSON line, flushed to disk (the file is the operator's to archive)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
    with os.fdopen(fd, "a", encoding="utf-8") as f:
        f.write(json.dumps(asdict(cp), sort_keys=True) + "\n")
        f.flush()
        os.fsync(f.fileno())


def read_checkpoints(path: Path) -> list[Checkpoint]:
    """Every checkpoint in the file, oldest first; a missing file has none. A line that is not a
    checkpoint is returned as one that cannot be authentic, so verification names it."""
    if not path.exists():
        return []
    out = []
    for line in path.read_text("utf-8").splitlines():
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            out.append(Checkpoint(int(d["seq"]), str(d["hash"]), str(d["at"]), str(d["signature"])))
        except (ValueError, KeyError, TypeError):
            out.append(Checkpoint(-1, "", "", ""))
    return out
