"""A Danish→English gloss of a phrase, word by word, with Danish compounds split into known words.

ESCO's skill labels are English here (the official Danish skill labels are not loaded), and a small
multilingual encoder places a Danish phrase near its English concept less reliably than an English one
("svejsning" lands near "sewing"). The semantic linker therefore embeds a Danish mention twice: as
written, and glossed into English through ``loaders/data/glossary_da_en.tsv`` (local data maintained
like the local additions, versioned in its first line). Compounds are split at the longest known tail,
with the linking letters Danish uses ("rekruttering|s|samtaler" → "recruitment interviews"). Words the
glossary does not know (names, acronyms: "SPSS", "Stata") stay as they are.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from importlib import resources

GLOSSARY_FILE = "glossary_da_en.tsv"
# A compound part must be at least this long: shorter parts split ordinary words into nonsense.
MIN_PART_CHARS = 3
MAX_PARTS = 3
_LINKING = ("s", "e")
# Inflectional endings tried when a form is not in the glossary (adjectives -e/-t, nouns -en/-er/-erne …).
_ENDINGS = ("erne", "ene", "ers", "en", "er", "et", "e", "t", "s")
# An unknown first part kept as written needs this much on either side, so that an ordinary word is not
# cut into a "loan" and a known ending.
LOAN_HEAD_MIN_CHARS = 4
LOAN_TAIL_MIN_CHARS = 5
# Function words glossed by rule, so the English reads as a phrase ("analyse af data" → "analysis of data").
FUNCTION_WORDS: Mapping[str, str] = {
    "og": "and", "i": "in", "af": "of", "på": "on", "med": "with", "til": "to", "for": "for", "om": "about",
    "en": "a", "et": "a", "fra": "from", "ved": "at", "samt": "and", "eller": "or", "inden": "within",
    "inden for": "within", "indenfor": "within", "under": "under", "efter": "after", "mellem": "between",
}
_TOKEN = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*|\S", re.UNICODE)


def parse_glossary(lines: Iterable[str]) -> tuple[str, dict[str, str]]:
    """The version and the entries (Danish form → English) of a glossary file's lines."""
    version = ""
    out: dict[str, str] = {}
    for raw in lines:
        line = raw.rstrip("\n\r")
        if line.startswith("#"):
            if line.lower().startswith("# version:"):
                version = line.split(":", 1)[1].strip()
            continue
        parts = line.split("\t")
        if len(parts) < 2 or parts[0] == "da" or not parts[0].strip() or not parts[1].strip():
            continue
        out.setdefault(parts[0].strip().lower(), " ".join(parts[1].split()))
    return version, out


class Glossary:
    """Danish words → English, and the gloss of a phrase."""

    def __init__(self, entries: Mapping[str, str], version: str = "") -> None:
        self._entries = dict(entries)
        self.version = version
        self._memo: dict[str, str | None] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def word(self, word: str) -> str | None:
        """The English of one Danish word (a compound split into known parts), or None."""
        low = word.lower()
        hit = self._entries.get(low) or FUNCTION_WORDS.get(low)
        if hit is not None:
            return hit
        with self._lock:
            if low in self._memo:
                return self._memo[low]
        found = self._inflected(low)
        if found is None:
            parts = self._split(low, MAX_PARTS)
            found = " ".join(self._entries[p] for p in parts) if parts else self._loan_head(low)
        with self._lock:
            if len(self._memo) < 200_000:
                self._memo[low] = found
        return found

    def _inflected(self, word: str) -> str | None:
        """An inflected form the glossary holds in its base form ("makroøkonomiske" → "makroøkonomisk")."""
        for ending in _ENDINGS:
            if word.endswith(ending) and len(word) - len(ending) >= MIN_PART_CHARS:
                hit = self._entries.get(word[:-len(ending)])
                if hit is not None:
                    return hit
        return None

    def _loan_head(self, word: str) -> str | None:
        """A compound of an unknown first part (often an English loan: "stakeholder", "SoMe") and a known
        last part: the first part stays as written ("stakeholderkommunikation" → "stakeholder communication")."""
        for cut in range(LOAN_HEAD_MIN_CHARS, len(word) - LOAN_TAIL_MIN_CHARS + 1):
            tail = word[cut:]
            if tail in self._entries:
                head = word[:cut].rstrip("-")
                return f"{head} {self._entries[tail]}"
        return None

    def _split(self, word: str, room: int) -> list[str] | None:
        """``word`` as known parts (longest tail first), or None."""
        if word in self._entries:
            return [word]
        if room <= 1:
            return None
        for cut in range(MIN_PART_CHARS, len(word) - MIN_PART_CHARS + 1):
            head, tail = word[:cut], word[cut:]
            if tail not in self._entries:
                continue
            if head.endswith("-"):
                head = head[:-1]
            for h in (head, *(head[:-len(k)] for k in _LINKING if head.endswith(k) and len(head) > MIN_PART_CHARS)):
                first = self._split(h, room - 1)
                if first is not None:
                    return [*first, tail]
        return None

    def gloss(self, phrase: str) -> str | None:
        """``phrase`` in English, or None when no word of it is known (nothing to add)."""
        out: list[str] = []
        known = False
        for tok in _TOKEN.findall(phrase):
            if not tok[0].isalnum():
                out.append(tok)
                continue
            en = self.word(tok)
            if en is not None and tok.lower() not in FUNCTION_WORDS:
                known = True
            out.append(en if en is not None else tok)
        text = " ".join(out).replace(" ,", ",")
        return text if known and text.lower() != phrase.lower() else None


_lock = threading.Lock()
_packaged: Glossary | None = None


def packaged_glossary() -> Glossary:
    """The glossary shipped in ``loaders/data`` (read once per process)."""
    global _packaged
    with _lock:
        if _packaged is None:
            path = resources.files("loaders").joinpath("data", GLOSSARY_FILE)
            version, entries = parse_glossary(path.read_text("utf-8").splitlines()) if path.is_file() else ("", {})
            _packaged = Glossary(entries, version)
        return _packaged
