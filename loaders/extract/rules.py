"""Rules that decide which label matches count, and how: boilerplate, negation, requirement strength,
ambiguous labels. Plain functions over strings and offsets, so each rule is tested on its own.

Cue lists are Danish and English. They are deliberately explicit: a maintainer reading a complaint
("the benefits section became requirements") finds and extends the list here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from spacy.lang.da.stop_words import STOP_WORDS as DA_STOP_WORDS
from spacy.lang.en.stop_words import STOP_WORDS as EN_STOP_WORDS


class Section(Enum):
    """What part of a posting a sentence belongs to, from the nearest heading before it."""

    NEUTRAL = "neutral"
    BOILERPLATE = "boilerplate"  # company presentation, what we offer, how to apply
    REQUIREMENTS = "requirements"  # qualifications with no stated strength ("Din profil")
    ESSENTIAL = "essential"  # "Krav", "Requirements", "Must have"
    OPTIONAL = "optional"  # "Nice to have", "Det er en fordel"
    TASKS = "tasks"  # what the job involves


def _alternation(phrases: str) -> str:
    return "|".join(p.strip().replace(" ", r"\s+") for p in phrases.split("|") if p.strip())


# Headings per section: (strong, weak). A strong cue opening a sentence marks that sentence even in
# running text ("Vi tilbyder en god løn …"); a weak one only counts as a heading: followed by a colon
# or on a short line ("Kontakt:", "Ansøgning"), since "Contact with customers …" is a requirement.
_HEADINGS: tuple[tuple[Section, str, str], ...] = (
    (Section.BOILERPLATE,
     "om os|om virksomheden|om firmaet|hvem er vi|vi tilbyder|vi kan tilbyde|hvad vi tilbyder|vi byder på|"
     "til gengæld tilbyder vi|det tilbyder vi|about us|about the company|who we are|we offer|what we offer|"
     "we can offer|our offer|why join us|why work with us|what's in it for you",
     "om arbejdspladsen|om afdelingen|løn og ansættelsesvilkår|løn- og ansættelsesvilkår|ansættelsesvilkår|"
     "løn og vilkår|ansøgning|ansøgningsfrist|sådan søger du|send din ansøgning|søg stillingen|"
     "yderligere oplysninger|har du spørgsmål|kontakt|praktiske oplysninger|benefits|perks|compensation|"
     "salary and benefits|how to apply|application|to apply|contact|further information|equal opportunity"),
    (Section.OPTIONAL,
     "nice to have|nice-to-have|det er en fordel|det vil være en fordel",
     "bonus points|preferred qualifications|desirable|det er et plus|gerne"),
    (Section.ESSENTIAL,
     "must have|must-haves|minimum requirements|required qualifications|required skills|vores krav",
     "krav|kvalifikationskrav|requirements|basic qualifications"),
    (Section.REQUIREMENTS,
     "din profil|om dig|hvem er du|vi forventer|your profile|about you|who you are|what you bring|"
     "what we expect",
     "kvalifikationer|dine kvalifikationer|forudsætninger|kompetencer|qualifications|we are looking for|"
     "vi søger|skills|profile|profil"),
    (Section.TASKS,
     "dine opgaver|arbejdsopgaver|om jobbet|om stillingen|your role|about the role|what you will do|"
     "responsibilities|job description",
     "opgaver|jobbet|stillingen|the role|tasks|duties"),
)
# A sentence of at most this many words that opens with a cue is a heading line.
HEADING_MAX_WORDS = 5
_BULLETS = " \t\r\n•·▪-–*#>"
_STRONG_AT_START = [(sec, re.compile(rf"(?:{_alternation(strong)})\b", re.IGNORECASE))
                    for sec, strong, _weak in _HEADINGS]
_ANY_AT_START = [(sec, re.compile(rf"(?:{_alternation(strong + '|' + weak)})\b", re.IGNORECASE))
                 for sec, strong, weak in _HEADINGS]
_HEADING_WITH_COLON = [(sec, re.compile(rf"(?<![\w-])(?:{_alternation(strong + '|' + weak)})\s*:", re.IGNORECASE))
                       for sec, strong, weak in _HEADINGS]


@dataclass(frozen=True, slots=True)
class Heading:
    section: Section
    opens_section: bool  # a heading line: the section runs until the next heading


def sentence_heading(sentence: str) -> Heading | None:
    """The heading a sentence (or line) starts with, if any.

    A cue followed by a colon, or on a line of at most :data:`HEADING_MAX_WORDS` words that does not
    end like a sentence, is a heading line that opens a section; a strong cue in running text marks only its own sentence.
    """
    text = sentence.strip(_BULLETS)
    for section, pattern in _ANY_AT_START:
        m = pattern.match(text)
        if m and (text[m.end():].lstrip().startswith(":") or (
                len(text.split()) <= HEADING_MAX_WORDS and not text.endswith((".", "!", "?")))):
            return Heading(section, True)
    for section, pattern in _STRONG_AT_START:
        if pattern.match(text):
            return Heading(section, False)
    return None


def headings_inside(text: str) -> list[tuple[int, Section]]:
    """``(offset, section)`` of each run-in "Heading:" inside ``text``, in text order."""
    found = [(m.start(), section) for section, pattern in _HEADING_WITH_COLON for m in pattern.finditer(text)]
    return sorted(found, key=lambda x: x[0])


# Sentences that are boilerplate wherever they stand: equal-opportunity and diversity statements.
_BOILERPLATE_SENTENCE = re.compile(_alternation(
    r"uanset køn|uanset alder|uanset etnisk|uanset baggrund|uanset religion|uanset handicap|"
    r"opfordrer alle|alle interesserede|alle kvalificerede|mangfoldig arbejdsplads|afspejle samfundet|"
    r"regardless of|equal opportunity|equal employment|equal-opportunity|we celebrate diversity|"
    r"diversity and inclusion|all qualified applicants|without regard to"), re.IGNORECASE)

_NEGATION_BEFORE = re.compile(
    r"\b(?:no|not|without|never|nor|neither|lack(?:ing)?\s+of|don't|doesn't|do\s+not|does\s+not|"
    r"ingen|ikke|uden|aldrig|hverken|intet)\b", re.IGNORECASE)
# "not only X but also Y", "ikke kun/blot/bare X" and "not afraid to X" assert X; they are not negations.
_NOT_A_NEGATION = re.compile(
    r"\b(?:not\s+only|not\s+just|ikke\s+kun|ikke\s+blot|ikke\s+bare|no\s+matter|not\s+afraid|never\s+afraid|"
    r"ikke\s+bange|ikke\s+er\s+bange|ikke\s+tøve|don't\s+hesitate|do\s+not\s+hesitate)\b", re.IGNORECASE)
_NEGATION_AFTER = re.compile(
    r"^\W*(?:(?:is|are)\s+not\s+(?:required|necessary|needed|a\s+requirement|mandatory)|not\s+required|"
    r"er\s+ikke\s+(?:et\s+krav|nødvendig|nødvendigt|påkrævet|et\s+must)|ikke\s+et\s+krav|ikke\s+nødvendigt?)",
    re.IGNORECASE)
# Where a negation's scope ends: punctuation and contrastive conjunctions. A comma ends it too:
# "griber ind, hvis målet ikke nås, og arbejder struktureret" claims the last part, which is far more
# common in postings than a negated list ("no Java, Python or SQL").
_CLAUSE_BREAK = re.compile(r"[.,;:!?•·▪\n]|\b(?:but|however|although|whereas|men|dog|derimod|selvom|mens)\b",
                           re.IGNORECASE)
# Requirement strength is read from the smallest part first: "Python is required, SQL is a plus".
_STRENGTH_BREAK = _CLAUSE_BREAK
# Words a negation may reach back over ("no prior professional experience with X").
NEGATION_WINDOW_WORDS = 7
_WORDS = re.compile(r"\S+")

_OPTIONAL_CUE = re.compile(_alternation(
    r"nice to have|nice-to-have|preferably|preferred|a plus|an advantage|advantageous|desirable|desired|"
    r"ideally|bonus|beneficial|is a merit|good to have|would be great|appreciated|is welcome|"
    r"gerne|fordel|ønskeligt|ønskværdigt|et plus|ideelt|kærkommen|meriterende"), re.IGNORECASE)
_ESSENTIAL_CUE = re.compile(r"\b(?:" + _alternation(
    r"required|requirement|requirements|must|mandatory|essential|necessary|prerequisite|need to have|"
    r"krav|kravet|skal|påkrævet|påkrævede|nødvendig|nødvendigt|forudsætning|et must") + r")\b", re.IGNORECASE)


def is_boilerplate_sentence(sentence: str) -> bool:
    """True for equal-opportunity and diversity statements, which never state requirements."""
    return bool(_BOILERPLATE_SENTENCE.search(sentence))


def _clause_before(sentence: str, start: int) -> str:
    head = sentence[:start]
    breaks = [m.end() for m in _CLAUSE_BREAK.finditer(head)]
    return head[breaks[-1]:] if breaks else head


def _clause_after(sentence: str, end: int) -> str:
    tail = sentence[end:]
    m = _CLAUSE_BREAK.search(tail)
    return tail[: m.start()] if m else tail


def clause_of(sentence: str, start: int, end: int, breaks: re.Pattern[str] = _CLAUSE_BREAK) -> str:
    """The clause of ``sentence`` around the span [start, end), delimited by ``breaks``."""
    head = sentence[:start]
    cuts = [m.end() for m in breaks.finditer(head)]
    tail = sentence[end:]
    m = breaks.search(tail)
    return (head[cuts[-1]:] if cuts else head) + sentence[start:end] + (tail[: m.start()] if m else tail)


def is_negated(sentence: str, start: int, end: int) -> bool:
    """True if the span [start, end) of ``sentence`` is negated: "no experience with X",
    "ingen erfaring med X", "X is not required" (unless the clause also calls X a plus)."""
    before = _clause_before(sentence, start)
    words = _WORDS.findall(before)[-NEGATION_WINDOW_WORDS:]
    window = " ".join(words)
    if _NEGATION_BEFORE.search(window) and not _NOT_A_NEGATION.search(window):
        return True
    after = sentence[end:]
    if _NEGATION_AFTER.search(_strip_subject_tail(after)):
        return not _OPTIONAL_CUE.search(clause_of(sentence, start, end) + after)
    return False


_SUBJECT_TAIL = re.compile(r"^[\s\w/+#-]{0,40}?(?=\b(?:is|are|er|ikke|not)\b)", re.IGNORECASE)


def _strip_subject_tail(after: str) -> str:
    # "SQL experience is not required": skip the rest of the noun phrase before the verb.
    m = _SUBJECT_TAIL.match(after)
    return after[m.end():] if m else after


def requirement_strength(sentence: str, start: int, end: int, section: Section) -> bool | None:
    """Whether a posting requires the skill at [start, end) of ``sentence``: True (essential), False
    (optional) or None (the text does not say). The clause decides first, then the sentence, then
    the section heading. An optional cue beats an essential one: "a plus but not required"."""
    clause = clause_of(sentence, start, end, _STRENGTH_BREAK)
    for scope in (clause, sentence):
        if _OPTIONAL_CUE.search(scope):
            return False
        if _ESSENTIAL_CUE.search(scope):
            return True
    if section is Section.ESSENTIAL:
        return True
    if section is Section.OPTIONAL:
        return False
    return None


# --- ambiguous labels ------------------------------------------------------------------------
# Single-word labels that are also everyday words: the tech sense needs supporting context
# ("Go", "R", "Excel" the verb, "Swift" the adjective). Lower-case forms.
AMBIGUOUS_WORDS = frozenset(
    "go r c d e f j k q s t v x excel access word office outlook teams project swift ruby rust spring "
    "less react express dart julia scheme elm pascal basic logo ada io shell make ant maven puppet chef "
    "salt ansible cobra spark hive pig storm flask django rails meteor ember backbone polymer vue "
    "groovy crystal nim pure clean hack mercury oz red ring alice boo chapel clipper curl "
    "delphi eiffel factor falcon fantom frege gosu icon joy lasso lisp lua mumps opal "
    "pike pl processing prolog rebol rexx sail self simula squirrel tcl turing vala "
    "zeno bash fish dash git svn jira confluence slack zoom sas tableau".split()
)
# Ambiguous names that need technical context even capitalised in a Danish text: "SAS" is as often the
# airline a citizen worked for ("kabinepersonale hos SAS") as the statistics software.
CONTEXT_EVEN_CAPITALISED = frozenset({"sas"})
# Words near an ambiguous label that make its technical sense likely (normalised forms).
TECH_CONTEXT = frozenset(
    "programming programmering programmere programmer programmør programmeringssprog language languages "
    "sprog code coding kode kodning developer developers udvikler udviklere udvikling development software "
    "framework frameworks stack backend back-end frontend front-end full-stack fullstack database databases "
    "database statistics statistik statistical scripting script scripts api apis library libraries "
    "compiler devops cloud microservices web app apps application applications it tech technology "
    "technologies teknologi system systems systemer python java javascript typescript sql c++ c# php perl "
    "scala kotlin linux unix git docker kubernetes aws azure gcp html css matlab sas spss stata haskell "
    "erlang elixir golang node node.js .net spreadsheet spreadsheets regneark microsoft office word "
    "powerpoint outlook pivot vba macro macros pc computer computers edb data analysis analyse "
    "engineer engineers ingeniør tools værktøjer".split()
)
# Context is looked for this many tokens either side of the match (same sentence only).
CONTEXT_WINDOW_TOKENS = 12
# Labels this short (characters) are ambiguous whatever they spell ("C", "R", "IT", "re").
AMBIGUOUS_MAX_CHARS = 2
_STOP_WORDS = frozenset(w.lower() for w in (*EN_STOP_WORDS, *DA_STOP_WORDS))


@dataclass(frozen=True, slots=True)
class LabelRisk:
    """How carefully a label must be matched."""

    case_sensitive: bool  # the text must spell it as the label does ("IT", not "it")
    needs_context: bool  # a technical word must be near ("R", "Go", "Excel")
    # One word that many other skill labels also use ("design", "data", "processes", "energy"): alone it
    # names a field or an object, not one skill, and is not read as a label (the semantic linker still
    # weighs the whole phrase it stands in).
    generic: bool = False


def label_risk(label: str, n_tokens: int, lang: str = "en") -> LabelRisk:
    """Classify a label for the matcher of ``lang``. A single-token label that is very short, a stop
    word or an everyday word needs supporting context, and when written with capitals it must match
    in that case ("Go", not "go"). In Danish texts a capitalised English everyday word of three or
    more letters ("Excel", "Word") is the product name, so its letter case is enough. Multi-word
    labels are specific enough as they are."""
    if n_tokens > 1:
        return LabelRisk(False, False)
    low = label.lower()
    ambiguous = len(label) <= AMBIGUOUS_MAX_CHARS or low in _STOP_WORDS or low in AMBIGUOUS_WORDS
    capitalised = label != low
    if lang == "da" and ambiguous and capitalised and len(label) > AMBIGUOUS_MAX_CHARS \
            and low not in DA_STOP_WORDS and low not in CONTEXT_EVEN_CAPITALISED:
        return LabelRisk(case_sensitive=True, needs_context=False)
    return LabelRisk(case_sensitive=ambiguous and capitalised, needs_context=ambiguous)


# "excel at", "excel in": the verb, never the spreadsheet.
_VERB_USES: dict[str, frozenset[str]] = {"excel": frozenset({"at", "in", "as", "and"})}


def is_verb_use(label_lower: str, next_word: str) -> bool:
    """True when an everyday-word label is used as the verb ("excel at customer service")."""
    followers = _VERB_USES.get(label_lower)
    return followers is not None and next_word.lower() in followers


# Phrases whose words are labels in another sense: "clean code" is a way of programming, not cleaning.
# A label matched inside one of these is not read (the semantic linker may still read the whole phrase).
IDIOMS = re.compile(r"\b(?:clean\s+(?:code|coder|architecture|desk)|ren\s+kode)\b", re.IGNORECASE)


def idiom_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of :data:`IDIOMS` in ``text``."""
    return [(m.start(), m.end()) for m in IDIOMS.finditer(text)]
