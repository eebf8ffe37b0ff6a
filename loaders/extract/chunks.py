"""Mentions: the units people write competences in, as character spans of a text.

A CV or posting rarely names a competence as a sentence; it lists them: "Projektledelse, statistik,
kvantitativ og kvalitativ analyse, Excel (pivottabeller, opslag), R, SPSS". This module cuts a text
into such units with plain string rules, so the semantic linker embeds a few short phrases instead of
whole sentences, and every phrase keeps its offsets (the evidence shown to the citizen):

1. hard breaks: line ends, sentence ends, bullets, semicolons, colons, commas, brackets, slashes
   between words, dashes with spaces;
2. list conjunctions ("og", "and", "samt", "eller", "or", "&"): both parts are mentions, and so is the
   whole when it is short ("kvantitativ og kvalitativ analyse" also stands for "kvantitativ analyse");
3. cue words around a competence are trimmed ("erfaring med", "kendskab til", "experience with",
   "strong", "gode"), and so are function words at either end;
4. a unit still longer than :data:`MAX_MENTION_WORDS` is cut at function words (as RAKE does), so a
   full sentence ("Jeg har arbejdet med budgetopfølgning i en kommune") yields its content phrases.

Placeholders the scrubber leaves ("[CPR]", "[NAVN]") are never mentions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.lang.da.stop_words import STOP_WORDS as DA_STOP_WORDS
from spacy.lang.en.stop_words import STOP_WORDS as EN_STOP_WORDS

# Longer units are cut at function words: competence phrases are short ("statistisk analyse i Stata").
MAX_MENTION_WORDS = 6
# A whole list item with a conjunction is kept as one mention too, up to this many words.
MAX_COORDINATED_WORDS = 5
MAX_MENTION_CHARS = 80

# The scrubber's placeholders ("[CPR]", "[NAVN]"), and the angle-bracket ones of text anonymised elsewhere
# ("<ORGANIZATION> is looking for", "<LOCATION>"): what was removed is never read.
PLACEHOLDER = re.compile(r"\[[A-ZÆØÅ_]+\]|<[A-ZÆØÅ_]+>")
# Hard breaks; a slash or hyphen inside a word ("CI/CD", "e-learning") is not one, a spaced dash is.
_BREAK = re.compile(
    r"\n|\r|\t|[.!?](?=\s|$)|[;:•·▪●◦■▶►✓✔*|\"“”„()\[\]{}]|,(?!\d)|(?<=\s)[-–—](?=\s)|^[-–—]|"
    r"(?<=[^\W\d_]{2})/(?=[^\W\d_]{2})|\s/\s?|\s?/\s")
_CONJUNCTION = re.compile(r"\s(?:og|and|samt|eller|or|&|\+|såvel\s+som|as\s+well\s+as|herunder|incl\.?|"
                          r"including|inkl\.?|bl\.a\.?|f\.eks\.?|e\.g\.?|such\s+as|som\s+fx|fx|især|primært|"
                          r"særligt|especially|particularly)\s", re.IGNORECASE)
_WORD = re.compile(r"[^\s]+")

# Words that introduce or qualify a competence without naming it (lower case). Trimmed at either end.
CUE_WORDS = frozenset(
    """erfaring erfaringer erfaren erfarne kendskab viden indsigt forståelse kompetencer kompetence
    færdigheder evne evner evnen kvalifikationer baggrund beherske behersker mestrer god gode godt stærk
    stærke solid solide grundig grundige dybdegående indgående flydende rutineret rutine års år
    dokumenteret bred brede særlig særligt glad interesse interesseret passion lyst motiveret
    experience experienced knowledge understanding skills skill skilled ability abilities able strong
    solid good excellent proven extensive deep demonstrated familiarity familiar proficiency
    proficient expertise expert background hands-on years year competence competent capable
    comfortable confident passion passionate interest interested advanced basic great outstanding
    exceptional possess possesses""".split()
)
_STOP = frozenset(w.lower() for w in (*EN_STOP_WORDS, *DA_STOP_WORDS)) | {"m.m", "mm", "etc", "osv", "o.l", "cpr", "cpr-nr", "personnummer"}
# Function words a long unit is not cut at: they sit inside competence names ("analysis of data",
# "analyse af data", "statistisk analyse i R", "undervisning i dansk").
_KEEP_INSIDE = frozenset({"of", "af", "i", "in", "for", "til", "på", "on", "med", "with"})
_TRIM = CUE_WORDS | _STOP


# Section headings of CVs and postings: a heading names a section, not a competence ("Sprog:", "IT").
HEADING_PHRASES = frozenset(w.strip() for w in (
    "sprog|sprogkundskaber|kompetencer|kompetenceprofil|it|it-kompetencer|it-færdigheder|edb|færdigheder|"
    "kvalifikationer|uddannelse|uddannelser|erhvervserfaring|erfaring|beskæftigelse|profil|resumé|resume|"
    "om mig|personlige kompetencer|faglige kompetencer|personlige egenskaber|fritid|fritidsinteresser|"
    "interesser|kurser|efteruddannelse|frivilligt arbejde|studiejob|referencer|ansættelser|arbejdsopgaver|"
    "opgaver|ansvarsområder|certificeringer|kørekort|languages|language|skills|competences|competencies|"
    "education|experience|work experience|employment|profile|summary|about me|personal skills|"
    "technical skills|it skills|interests|hobbies|courses|certifications|references|volunteering|"
    "responsibilities|tasks|languages and it|sprog og it"
).split("|"))
# "Kørekort: B og C" is no heading but a licence held: the classes follow on the same line.
_LICENCE_CLASS = r"(?:AM|A1|A2|B1|C1E|C1|D1E|D1|[A-D]E?)"
_LICENCE_HELD = re.compile(rf"[ \t]*:?[ \t]*{_LICENCE_CLASS}(?:[ \t]*(?:/|,|\+|&|og|and)[ \t]*{_LICENCE_CLASS})*"
                           r"[ \t]*(?:[.(\n]|$)")
_LICENCE_HEADINGS = frozenset({"kørekort"})
# A unit that says what the citizen seeks names an occupation (linked as a title), not a competence.
_SEEKING = re.compile(r"^\W*(?:søger|søges|jeg\s+søger|ønsker|seeking|looking\s+for|applying\s+for)\b", re.IGNORECASE)


def is_heading(text: str, start: int, end: int) -> bool:
    """True if ``text[start:end]`` is a section heading: a heading word followed by a colon or alone on
    its line ("Sprog:", "IT-kompetencer", "Languages")."""
    phrase = " ".join(text[start:end].lower().split())
    if phrase not in HEADING_PHRASES:
        return False
    if phrase in _LICENCE_HEADINGS and _LICENCE_HELD.match(text, end):
        return False
    after = text[end:end + 3].lstrip(" \t")
    before = text[max(0, start - 2):start].rstrip(" \t")
    return after[:1] in (":", "\n", "") or before[-1:] in ("\n", "")


@dataclass(frozen=True, slots=True)
class Mention:
    """A phrase of the text that may name a competence: offsets into the text and the phrase."""

    start: int
    end: int
    text: str


def _pieces(text: str, start: int, end: int, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    pos = start
    for m in pattern.finditer(text, start, end):
        if m.start() > pos:
            out.append((pos, m.start()))
        pos = max(pos, m.end())
    if pos < end:
        out.append((pos, end))
    return out


def _words(text: str, start: int, end: int) -> list[tuple[int, int]]:
    return [(start + m.start(), start + m.end()) for m in _WORD.finditer(text[start:end])]


def _norm(word: str) -> str:
    return word.strip("'’`´\"-–.,").lower()


def _trim(text: str, words: list[tuple[int, int]]) -> list[tuple[int, int]]:
    i, j = 0, len(words)
    while i < j and _norm(text[words[i][0]:words[i][1]]) in _TRIM:
        i += 1
    while j > i and _norm(text[words[j - 1][0]:words[j - 1][1]]) in _TRIM:
        j -= 1
    return words[i:j]


def _content(word: str) -> bool:
    w = _norm(word)
    return any(ch.isalpha() for ch in w) and w not in _TRIM


def _split_long(text: str, words: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """A long unit cut at function words (those that do not sit inside competence names)."""
    runs: list[list[tuple[int, int]]] = [[]]
    for w in words:
        token = _norm(text[w[0]:w[1]])
        if token in _TRIM and token not in _KEEP_INSIDE:
            if runs[-1]:
                runs.append([])
            continue
        runs[-1].append(w)
    out: list[list[tuple[int, int]]] = []
    for run in runs:
        run = _trim(text, run)
        # a run may still be long (no function words): keep its tail window, where heads stand
        while len(run) > MAX_MENTION_WORDS:
            out.append(run[:MAX_MENTION_WORDS])
            run = run[MAX_MENTION_WORDS:]
        if run:
            out.append(run)
    return out


def mentions(text: str) -> list[Mention]:
    """The mentions of ``text`` in text order (a span may contain a shorter one), no duplicates."""
    scrubbed = PLACEHOLDER.sub(lambda m: " " * len(m.group()), text)
    spans: dict[tuple[int, int], None] = {}

    def add(words: list[tuple[int, int]]) -> None:
        words = _trim(scrubbed, words)
        if not words or not any(_content(scrubbed[a:b]) for a, b in words):
            return
        runs = [words] if len(words) <= MAX_MENTION_WORDS else _split_long(scrubbed, words)
        for run in runs:
            a, b = run[0][0], run[-1][1]
            # strip punctuation glued to the ends ("Excel," "(SPSS")
            while a < b and not scrubbed[a].isalnum() and scrubbed[a] not in "#+.":
                a += 1
            while b > a and not scrubbed[b - 1].isalnum() and scrubbed[b - 1] not in "#+":
                b -= 1
            if a < b and b - a <= MAX_MENTION_CHARS and any(ch.isalpha() for ch in scrubbed[a:b]) \
                    and not is_heading(scrubbed, a, b):
                spans.setdefault((a, b), None)

    for u0, u1 in _pieces(scrubbed, 0, len(scrubbed), _BREAK):
        if _SEEKING.match(scrubbed[u0:u1]):
            continue
        parts = _pieces(scrubbed, u0, u1, _CONJUNCTION)
        unit_words = _words(scrubbed, u0, u1)
        if len(parts) > 1 and len(_trim(scrubbed, unit_words)) <= MAX_COORDINATED_WORDS:
            add(unit_words)
        for p0, p1 in parts:
            add(_words(scrubbed, p0, p1))
    return [Mention(a, b, text[a:b]) for a, b in sorted(spans)]
