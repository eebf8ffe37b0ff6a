"""Progress on stderr: a bar on a terminal, plain lines otherwise."""

from __future__ import annotations

import io

from api.cli.progress import Progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_bar_and_a_log_gets_lines() -> None:
    tty = _Terminal()
    bar = Progress("batch", unit="CVs", stream=tty)
    for done in (100, 200, 300):
        bar(done, 300)
    assert "\r" in tty.getvalue() and "300/300" in tty.getvalue()

    log = io.StringIO()
    lines = Progress("ingest cvs", unit="documents", stream=log)
    lines(5)  # the first call always says where it is
    lines(9)  # within the quiet period: nothing
    lines.close()  # the final count, once
    assert log.getvalue().splitlines()[0].startswith("ingest cvs: 5 documents after")
    assert log.getvalue().splitlines()[-1].startswith("ingest cvs: 9/9 documents after")
    assert "\r" not in log.getvalue()
