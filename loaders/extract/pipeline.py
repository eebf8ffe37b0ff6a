"""The spaCy pipelines extraction runs on: a blank Danish or English pipeline with lookup lemmas.

No trained model is needed (none can be downloaded at run time): ``spacy.blank(lang)`` gives the
tokenizer, the ``lemmatizer`` component in ``lookup`` mode reads its table from
``spacy-lookups-data``, and the ``sentencizer`` splits sentences on punctuation (plus line breaks,
which postings use for headings and bullets). A last component lower-cases the lemmas (and looks up
capitalised words the lookup table only holds in lower case), so one ``PhraseMatcher`` on ``LEMMA``
finds inflected forms ("Managing teams" ~ "manage team"); whether a match was also exact (``LOWER``)
is checked per match.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import compile_suffix_regex

LANGUAGES: tuple[str, ...] = ("da", "en")
NORM_COMPONENT = "jobmatch_norm"
NEWLINE_SPLITTER = "jobmatch_newlines"
# Token types memoised by the normaliser; bounds memory in a long-running process.
_NORM_MEMO_MAX = 500_000

_lock = threading.Lock()
_cache: dict[str, Language] = {}


class Normaliser:
    """Set ``token.lemma_`` to the lower-cased lookup lemma.

    spaCy's lookup lemmatizer looks a token up exactly as written, so a capitalised word at the start
    of a sentence ("Managing") gets no lemma; the lower-cased form is looked up as a fallback.
    """

    def __init__(self) -> None:
        self._table: Any = {}
        self._memo: dict[str, str] = {}

    def initialize(self, get_examples: Callable[[], Any] | None = None, *, nlp: Language | None = None) -> None:
        # Runs after the lemmatizer's own initialize (pipeline order), when its table is loaded.
        if nlp is not None and "lemmatizer" in nlp.pipe_names:
            self._table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")  # type: ignore[attr-defined]
        self._memo.clear()

    def norm(self, text: str, lemma: str) -> str:
        if lemma and lemma != text:
            return lemma.lower()
        hit = self._memo.get(text)
        if hit is None:
            low = text.lower()
            found = self._table.get(low, low)
            hit = (found if isinstance(found, str) else low).lower()
            if len(self._memo) < _NORM_MEMO_MAX:
                self._memo[text] = hit
        return hit

    def __call__(self, doc: Doc) -> Doc:
        norm = self.norm
        for tok in doc:
            tok.lemma_ = norm(tok.text, tok.lemma_)
        return doc


def _split_on_newlines(doc: Doc) -> Doc:
    """Start a new sentence after a line break or at a bullet."""
    for i, tok in enumerate(doc[:-1]):
        if "\n" in tok.text or doc[i + 1].text in ("•", "·", "▪", "–"):
            doc[i + 1].is_sent_start = True
    return doc


@Language.factory(NORM_COMPONENT)
def _make_normaliser(nlp: Language, name: str) -> Normaliser:
    return Normaliser()


Language.component(NEWLINE_SPLITTER, func=_split_on_newlines)


def make_nlp(lang: str) -> Language:
    """Build the pipeline for ``lang`` ("da" or "en"). Loads the lookup table (I/O): prefer
    :func:`get_nlp`, which builds each language once per process.

    :raise ValueError: if ``lang`` is not supported.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r} (supported: {', '.join(LANGUAGES)})")
    nlp = spacy.blank(lang)
    # spaCy keeps a capital letter and a full stop together as an initial ("R."); in job texts it
    # usually ends a sentence naming a language ("… Python and R."), so split the stop off.
    suffixes = [*(nlp.Defaults.suffixes or ()), r"(?<=^[A-ZÆØÅ])\."]
    nlp.tokenizer.suffix_search = compile_suffix_regex(suffixes).search  # type: ignore[union-attr]
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.add_pipe(NEWLINE_SPLITTER)
    nlp.add_pipe("sentencizer")
    nlp.add_pipe(NORM_COMPONENT)
    nlp.initialize()
    return nlp


def get_nlp(lang: str) -> Language:
    """The process-wide pipeline for ``lang``, built on first use and then shared (thread-safe)."""
    with _lock:
        nlp = _cache.get(lang)
        if nlp is None:
            nlp = _cache[lang] = make_nlp(lang)
        return nlp


@dataclass(frozen=True, slots=True)
class LabelForm:
    """A label as the pipeline reads it: its tokens and their normalised lemmas."""

    words: tuple[str, ...]
    lemmas: tuple[str, ...]
    doc: Doc | None  # already made when the tokenizer had to split the label


class LabelReader:
    """Tokenise and lemmatise labels exactly as the pipeline does texts, for the phrase matcher.

    Most labels are plain words separated by spaces, which the tokenizer would leave as they are;
    those are read directly, and a ``Doc`` is made only for labels that become patterns (making
    Docs and tokenizing are most of the cost of building the full-ESCO matchers). Anything else, or
    a word the tokenizer treats specially ("cannot"), goes through the tokenizer.
    """

    def __init__(self, nlp: Language) -> None:
        self._nlp = nlp
        self._table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")  # type: ignore[attr-defined]
        normaliser = nlp.get_pipe(NORM_COMPONENT)
        if not isinstance(normaliser, Normaliser):
            raise TypeError(f"{NORM_COMPONENT} is not a Normaliser")
        self._norm = normaliser.norm
        self._specials = frozenset(nlp.tokenizer.rules or ())  # type: ignore[union-attr]

    def _lemma(self, text: str) -> str:
        found = self._table.get(text, text)
        return self._norm(text, found if isinstance(found, str) else text)

    def read(self, label: str) -> LabelForm:
        words = label.split(" ")
        if all(w.isalpha() and w not in self._specials for w in words):
            return LabelForm(tuple(words), tuple(self._lemma(w) for w in words), None)
        doc = self._nlp.make_doc(label)
        texts = tuple(t.text for t in doc)
        lemmas = tuple(self._lemma(w) for w in texts)
        for tok, lemma in zip(doc, lemmas, strict=True):
            tok.lemma_ = lemma
        return LabelForm(texts, lemmas, doc)

    def doc(self, form: LabelForm) -> Doc:
        """The pattern Doc of a label read by :meth:`read`."""
        if form.doc is not None:
            return form.doc
        n = len(form.words)
        return Doc(self._nlp.vocab, words=list(form.words), spaces=[True] * (n - 1) + [False],
                   lemmas=list(form.lemmas))
