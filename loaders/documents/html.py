"""HTML → plain text for posting descriptions (schema.org ``description`` is often HTML).

Block elements and ``<br>`` become line breaks, so headings and bullet points stay separate
sentences for the extractor; ``<script>``/``<style>`` content is dropped; entities are decoded.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCK = frozenset(
    "p div br li ul ol h1 h2 h3 h4 h5 h6 tr td th table section article header footer dt dd blockquote".split()
)
_SKIP = frozenset(("script", "style", "template"))
_TAG = re.compile(r"<(?:[A-Za-z][A-Za-z0-9]*(?:\s[^>]*)?/?|/[A-Za-z][A-Za-z0-9]*\s*|!--.*?--)>", re.DOTALL)
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skipping += 1
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def looks_like_html(text: str) -> bool:
    return bool(_TAG.search(text))


def html_to_text(text: str) -> str:
    """Return the visible text of an HTML fragment, one block per line, spaces collapsed."""
    parser = _Text()
    parser.feed(text)
    parser.close()
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(parser.parts).split("\n"))
    return _BLANK_LINES.sub("\n", "\n".join(lines)).strip()


def plain_text(text: str) -> str:
    """``text`` without tags if it looks like HTML, else unchanged (so "løn < 30.000" survives)."""
    return html_to_text(text) if looks_like_html(text) else text
