"""Log lines that cannot be forged: control characters in messages and arguments are escaped.

A posting id with a newline, a title with an escape sequence or a NUL would otherwise start a new,
fake log line or rewrite the terminal. The filter sits on the handlers the entry points configure, so
no call site has to remember it (a logger-level filter would miss records of child loggers).
"""

from __future__ import annotations

import logging

_ESCAPES = {c: f"\\x{c:02x}" for c in (*range(32), 127)} | {10: "\\n", 13: "\\r", 9: "\\t"}


def escape_controls(text: str) -> str:
    """``text`` with every C0 control character and DEL written as an escape."""
    return text.translate(_ESCAPES)


class ControlCharFilter(logging.Filter):
    """Escapes control characters in the message and its arguments (never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = escape_controls(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(escape_controls(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: escape_controls(v) if isinstance(v, str) else v for k, v in record.args.items()}
        return True


def protect_handlers(logger: logging.Logger | None = None) -> None:
    """Put :class:`ControlCharFilter` on every handler of ``logger`` (the root logger by default)."""
    for handler in (logger or logging.getLogger()).handlers:
        if not any(isinstance(f, ControlCharFilter) for f in handler.filters):
            handler.addFilter(ControlCharFilter())
