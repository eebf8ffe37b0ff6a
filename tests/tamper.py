"""Editing stored audit bodies directly, as someone with database access could (for tamper tests)."""

from __future__ import annotations

import sqlite3
import zlib


def rewrite_bodies(db: sqlite3.Connection, old: str, new: str, seq: int | None = None) -> int:
    """Replace ``old`` by ``new`` in the audit bodies (of record ``seq``, or all); returns how many
    bodies changed. Bodies are stored zlib-compressed, so the tamperer re-compresses them."""
    rows = db.execute("SELECT seq, body FROM audit" + (" WHERE seq = ?" if seq is not None else ""),
                      (() if seq is None else (seq,))).fetchall()
    changed = 0
    for s, packed in rows:
        text = zlib.decompress(packed).decode("utf-8")
        if old in text:
            db.execute("UPDATE audit SET body = ? WHERE seq = ?", (zlib.compress(text.replace(old, new).encode()), s))
            changed += 1
    db.commit()
    return changed
