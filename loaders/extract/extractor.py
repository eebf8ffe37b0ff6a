"""The extractor: skills and occupations in Danish and English texts, linked to ESCO, with evidence.

Built once from label entries — what ``Store.labels()`` yields, or :func:`labels_from_taxonomy` for a
taxonomy read from files — plus local additions (Danish synonyms). Building reads no files of its own
besides spaCy's lookup tables; it takes seconds for full ESCO, so processes keep one extractor per
taxonomy (:func:`cached_extractor`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import islice
from typing import Literal

from spacy.language import Language
from spacy.tokens import Doc, Span

from graph.records import LabelEntry
from loaders.extract.additions import Addition, addition_entries
from loaders.extract.chunks import PLACEHOLDER, Mention, is_heading, mentions
from loaders.extract.context import ProfileContext, in_context
from loaders.extract.embedding import Matrix
from loaders.extract.language import ENGLISH, detect_language
from loaders.extract.linking import (
    SENTENCE_KINDS,
    SENTENCE_LANGUAGES,
    SENTENCE_MAX_WORDS,
    SENTENCE_MIN_MENTION_P,
    SENTENCE_MIN_WORDS,
    SemanticLink,
    SemanticLinker,
    SentenceView,
    accept_sentence,
    accepted,
)
from loaders.extract.matcher import PhraseIndex, PhraseMatch, is_exact, resolve_overlaps, spelled_as_label
from loaders.extract.pipeline import LANGUAGES, get_nlp
from loaders.extract.reading import Reading
from loaders.extract.rules import Section, idiom_spans, is_negated, requirement_strength
from loaders.extract.semantic import LEXICAL_POOL, SemanticTitles, narrower_counts
from loaders.extract.skills import ROLE_WEIGHT, Layout, SentenceInfo, find_skills, layout
from loaders.extract.titles import DEFAULT_LIMIT, TitleLinker, title_weights
from loaders.mentions import Extraction, OccupationMention, SkillMention
from ontology.model import ConceptKind, Taxonomy

log = logging.getLogger(__name__)

DocumentKind = Literal["cv", "posting"]
EXTRACT_KINDS: tuple[ConceptKind, ...] = ("Skill", "Occupation")
# A text of at most this many words in one sentence is read as a job title and linked as a whole.
TITLE_MAX_WORDS = 12
# Abbreviations written in job titles, after which a full stop ends no sentence (English and Danish).
TITLE_ABBREVIATIONS = frozenset({"sr", "snr", "jr", "jnr", "asst", "assist", "ass", "mgr", "exec", "rep", "dept",
                                 "coord", "dir", "eng", "tech", "spec", "admin", "adm", "int", "vp", "stud", "udd"})
# English labels a Danish text may use as they are: names and acronyms ("SQL", "Python", "SAP R3") and
# short phrases ("project management"); single lower-case English words are too often Danish words.
SHARED_ENGLISH_MAX_WORDS = 3
LEMMA_ONLY_FACTOR = 0.9  # an occupation named in an inflected form
SCORE_DECIMALS = 4
# A mention is read as at most this many concepts by meaning (the best links), so a vague phrase
# cannot stand for a whole neighbourhood of skills.
SEMANTIC_LINKS_PER_MENTION = 1
# English labels Danish texts write in another sense: "CPR" is the person number, never resuscitation.
DANISH_FALSE_FRIENDS = frozenset({"cpr"})


@dataclass(frozen=True)
class LanguageIndex:
    """Everything one language needs: its pipeline, its label phrases and its title linker."""

    lang: str
    nlp: Language
    phrases: PhraseIndex
    titles: TitleLinker
    # Title linking by meaning (loaders/extract/semantic.py), None when the reading model is lexical.
    semantic: SemanticTitles | None = None


def labels_from_taxonomy(
    tax: Taxonomy, kinds: Sequence[ConceptKind] = EXTRACT_KINDS, langs: Sequence[str] | None = None
) -> Iterator[LabelEntry]:
    """The label entries of ``tax``, as ``Store.labels(kinds, langs)`` yields them."""
    wanted = set(kinds)
    for uri in sorted(tax.concepts):
        c = tax.concepts[uri]
        if c.kind not in wanted:
            continue
        for lang in sorted(c.labels):
            if langs is not None and lang not in langs:
                continue
            ls = c.labels[lang]
            if ls.preferred:
                yield LabelEntry(uri, c.kind, lang, ls.preferred, "preferred")
            yield from (LabelEntry(uri, c.kind, lang, a, "alt") for a in sorted(ls.alt))
            yield from (LabelEntry(uri, c.kind, lang, h, "hidden") for h in sorted(ls.hidden))


def _shared_with_danish(e: LabelEntry) -> bool:
    if e.kind != "Skill" or e.label.lower() in DANISH_FALSE_FRIENDS:
        return False
    words = e.label.split()
    return len(words) <= SHARED_ENGLISH_MAX_WORDS and (len(words) > 1 or e.label != e.label.lower())


def _truncated_alt(e: LabelEntry, preferred_words: list[str] | None) -> bool:
    """True for a one-word alternative label that is only the head word of the concept's longer preferred
    label ("engineering" for "packaging engineering"): ESCO keeps such truncations, and in a text the word
    means the general thing, not the one specialisation that happens to carry it."""
    if e.role not in ("alt", "hidden") or preferred_words is None or len(preferred_words) < 2:
        return False
    words = e.label.lower().split()
    # the head (last word) only: "Java" for "Java (computer programming)" names the concept itself
    return len(words) == 1 and words[0] == preferred_words[-1]


def build_extractor(
    entries: Iterable[LabelEntry],
    additions: Iterable[Addition] = (),
    *,
    languages: Sequence[str] = LANGUAGES,
    default_lang: str = ENGLISH,
    reading: Reading | None = None,
    occupation_codes: Mapping[str, str] | None = None,
    profiles: Mapping[str, Iterable[str]] | None = None,
) -> Extractor:
    """Build an extractor from label entries (any store's ``labels(("Skill", "Occupation"))``) and
    local additions. Additions for concepts the entries do not hold are skipped (counted in the log):
    an ESCO upgrade may retire a concept a synonym pointed at.

    ``reading``: the reading model and its concept index (:func:`loaders.extract.reading.open_reading`);
    with it, skills are also read by meaning and titles fused with their nearest occupations; without it
    (``JOBMATCH_READING_MODEL=lexical``) labels and local synonyms only. ``occupation_codes`` (uri → ESCO
    code) tells linking by meaning which occupations are broad (:data:`.semantic.BROAD_PENALTY`);
    ``profiles`` (occupation uri → the skills its profile requires) give linking by meaning its context
    prior (:mod:`.context`).

    :raise ValueError: if a language is not supported.
    """
    t0 = time.perf_counter()
    kinds: dict[str, str] = {}
    per_lang: dict[str, list[LabelEntry]] = {lang: [] for lang in languages}
    english: list[LabelEntry] = []
    entry_list = [e for e in entries if e.kind in EXTRACT_KINDS]
    preferred = {(e.uri, e.lang): e.label.lower().split() for e in entry_list if e.role == "preferred"}
    for e in entry_list:
        if _truncated_alt(e, preferred.get((e.uri, e.lang))):
            continue
        kinds.setdefault(e.uri, e.kind)
        if e.lang in per_lang:
            per_lang[e.lang].append(e)
        if e.lang == "en":
            english.append(e)
    extra = list(additions)
    added = list(addition_entries(extra, kinds.get))
    if len(added) < len(extra):
        log.warning("local additions: %d of %d rows point at concepts not loaded; skipped",
                    len(extra) - len(added), len(extra))
    for e in added:
        if e.lang in per_lang:
            per_lang[e.lang].append(e)
        if e.lang == "en":
            english.append(e)  # a maintainer's English name ("Photoshop") is read in Danish texts too
    link_only: dict[str, list[LabelEntry]] = {lang: [] for lang in languages}
    if "da" in per_lang:
        per_lang["da"] += [e for e in english if _shared_with_danish(e)]
        # Danish postings often carry English titles ("Software Developer"): the Danish title linker
        # knows the English occupation labels, but Danish texts are not searched for them.
        link_only["da"] = [e for e in english if e.kind == "Occupation"]
    indexes: dict[str, LanguageIndex] = {}
    for lang, lang_entries in per_lang.items():
        nlp = get_nlp(lang)
        phrases = PhraseIndex(nlp, lang_entries, link_only[lang])
        titles = TitleLinker(lab for lab in phrases.labels if lab.kind == "Occupation")
        indexes[lang] = LanguageIndex(lang, nlp, phrases, titles)
    linker: SemanticLinker | None = None
    if reading is not None:
        # One multilingual index serves every language: the model places Danish and English together.
        shared = SemanticTitles.from_concepts(reading.embedder, reading.index,
                                              narrower_counts(occupation_codes or {}))
        indexes = {lang: replace(ix, semantic=shared) for lang, ix in indexes.items()}
        linker = SemanticLinker(reading.index, reading.embedder, reading.glossary)
    log.info("extractor built in %.1f s: %s", time.perf_counter() - t0,
             ", ".join(f"{lang} {len(ix.phrases)} phrases / {len(ix.titles)} titles" for lang, ix in indexes.items()))
    return Extractor(indexes, default_lang=default_lang, linker=linker,
                     model_id=reading.model_id if reading is not None else "lexical",
                     index_key=reading.index_key if reading is not None else "",
                     context=ProfileContext(profiles) if profiles and linker is not None else None)


class Extractor:
    """Reads ESCO skills and occupations out of CV sections and postings.

    One instance serves a whole process. Calls may come from several threads: spaCy pipelines are
    not documented as thread-safe (they add strings to a shared vocabulary), so each batch runs
    under a lock; extraction is CPU-bound under the GIL anyway.
    """

    def __init__(self, indexes: Mapping[str, LanguageIndex], *, default_lang: str = ENGLISH,
                 linker: SemanticLinker | None = None, model_id: str = "lexical", index_key: str = "",
                 context: ProfileContext | None = None) -> None:
        if not indexes:
            raise ValueError("an extractor needs at least one language")
        self._indexes = dict(indexes)
        self._linker = linker
        self._context = context
        # What audit records cite as the reading model, so a replay knows how the CV was read.
        self.model_id = model_id
        self.index_key = index_key
        self._lock = threading.Lock()
        self.default_lang = default_lang if default_lang in self._indexes else next(iter(self._indexes))

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self._indexes)

    def language_of(self, text: str, lang: str | None = None) -> str:
        """``lang`` if given and supported (else the default), or the detected language for "auto"/None."""
        if lang and lang != "auto":
            return lang if lang in self._indexes else self.default_lang
        found = detect_language(text, default=self.default_lang)
        return found if found in self._indexes else self.default_lang

    def extract(self, text: str, *, lang: str | None = None, kind: DocumentKind = "posting",
                title: str | None = None) -> Extraction:
        """Extract from one text (a CV section or a posting body).

        ``lang`` is "da", "en", or None/"auto" to detect it. ``kind`` "posting" skips boilerplate and
        marks requirement strength; "cv" does neither. ``title`` (a posting's or CV's job title) is
        linked to occupations first; without it, a text that is itself a short title is linked as a
        whole, and a longer text yields the occupations its labels name.
        """
        return self.extract_many([text], lang=lang, kind=kind, titles=[title])[0]

    def extract_many(self, texts: Iterable[str], *, lang: str | None = None, kind: DocumentKind = "posting",
                     titles: Iterable[str | None] | None = None) -> list[Extraction]:
        """Extract from many texts, in order (batched through spaCy: faster than one by one).

        :raise ValueError: if ``titles`` is given and not as long as ``texts``.
        """
        text_list = list(texts)
        title_list = list(titles) if titles is not None else [None] * len(text_list)
        if len(title_list) != len(text_list):
            raise ValueError("titles must be as many as texts")
        langs = [self.language_of(t, lang) for t in text_list]
        with self._lock:
            docs: dict[int, Doc] = {}
            for code in dict.fromkeys(langs):
                ix = self._indexes[code]
                positions = [i for i, lg in enumerate(langs) if lg == code]
                for i, doc in zip(positions, ix.nlp.pipe(text_list[i] for i in positions), strict=True):
                    docs[i] = doc
            vectors = self._title_vectors(docs, langs, title_list)
            layouts = {i: layout(doc) for i, doc in docs.items()}
            results = [self._extract_doc(docs[i], layouts[i], langs[i], kind, title_list[i], vectors.get(i))
                       for i in range(len(text_list))]
            if self._linker is not None:
                results = self._read_by_meaning(self._linker, docs, layouts, langs, kind, results)
        return results

    def _read_by_meaning(self, linker: SemanticLinker, docs: Mapping[int, Doc], layouts: Mapping[int, Layout],
                         langs: Sequence[str], kind: DocumentKind, results: list[Extraction]) -> list[Extraction]:
        """Add the skills the texts' mentions mean, for mentions no label or synonym already read
        (the lexical reading is surer where it speaks); in the sentence view's languages, also what each
        sentence asks for as a whole (loaders/extract/linking.py). One embedding call per view for the
        whole batch."""
        wanted: list[tuple[int, Mention, SentenceInfo]] = []
        sentences: dict[tuple[int, int], SentenceInfo] = {}  # (text, sentence start) in the sentence view
        in_sentence: dict[tuple[int, int], list[int]] = {}  # its mentions (positions in ``wanted``)
        negated: set[tuple[int, int]] = set()
        for i, result in enumerate(results):
            lay = layouts[i]
            whole = langs[i] in SENTENCE_LANGUAGES and kind in SENTENCE_KINDS
            taken = [(s.start, s.end) for s in result.skills]
            # A mention that is an occupation the text names ("læger, sygeplejersker og socialrådgivere")
            # is a job, not a competence, in any inflection the lexical reading already recognised.
            jobs = [(o.start, o.end) for o in result.occupations if o.start is not None and o.end is not None]
            for m in mentions(docs[i].text):
                if any(a < m.end and m.start < b for a, b in taken) or any(a <= m.start and m.end <= b
                                                                            for a, b in jobs):
                    continue
                sentence = lay.sentence_at(m.start)
                if kind == "posting" and (sentence.boilerplate or lay.section_at(m.start) is Section.BOILERPLATE):
                    continue
                if is_negated(sentence.text, m.start - sentence.start, m.end - sentence.start):
                    negated.add((i, sentence.start))
                    continue
                if whole:
                    sentences[(i, sentence.start)] = sentence
                    in_sentence.setdefault((i, sentence.start), []).append(len(wanted))
                wanted.append((i, m, sentence))
        if not wanted:
            return results
        cands = linker.candidates([(langs[i], m) for i, m, _ in wanted])
        if self._context is not None:
            cands = self._with_context(self._context, cands, [i for i, _m, _s in wanted], results)
        added: dict[int, dict[str, SkillMention]] = {}

        def add(i: int, start: int, end: int, text: str, sentence: SentenceInfo, uri: str, label: str,
                score: float, cosine: float, via: str = "") -> None:
            essential = None
            if kind == "posting":
                essential = requirement_strength(sentence.text, start - sentence.start, end - sentence.start,
                                                 layouts[i].section_at(start))
            mention = SkillMention(uri=uri, label=label, start=start, end=end, text=text,
                                   sentence=sentence.text.strip(), score=score, essential=essential,
                                   how="semantic", similarity=cosine, via=via)
            best = added.setdefault(i, {})
            if uri not in best or mention.score > best[uri].score:
                best[uri] = mention

        for (i, m, sentence), found in zip(wanted, cands, strict=True):
            for link in accepted(langs[i], kind, found)[:SEMANTIC_LINKS_PER_MENTION]:
                add(i, m.start, m.end, m.text, sentence, link.uri, link.label, link.score, link.cosine, link.context)
        # Only a sentence with a mention the mention view found near some concept is embedded whole (see
        # SENTENCE_MIN_MENTION_P).
        keys = [k for k, sentence in sentences.items()
                if len(sentence.text.split()) <= SENTENCE_MAX_WORDS
                and any(lk.score >= SENTENCE_MIN_MENTION_P for w in in_sentence.get(k, []) for lk, _f in cands[w])]
        views = [SentenceView(sentences[k].text, [(w, cands[w]) for w in in_sentence.get(k, [])],
                              whole=k not in negated and len(sentences[k].text.split()) >= SENTENCE_MIN_WORDS)
                 for k in keys]
        for key, view_found in zip(keys, linker.sentence_candidates(views), strict=True):
            i, sentence = key[0], sentences[key]
            for c in accept_sentence(langs[i], kind, view_found):
                if c.mention is not None:
                    m = wanted[c.mention][1]
                    add(i, m.start, m.end, m.text, sentence, c.uri, c.label, c.score, c.cosine, c.context)
                else:
                    text = sentence.text.strip()
                    start = sentence.start + (len(sentence.text) - len(sentence.text.lstrip()))
                    add(i, start, start + len(text), text, sentence, c.uri, c.label, c.score, c.cosine)
        out: list[Extraction] = []
        for i, result in enumerate(results):
            lexical = {s.uri for s in result.skills}
            extra = [s for u, s in added.get(i, {}).items() if u not in lexical]
            skills = sorted([*result.skills, *extra], key=lambda s: (s.start, s.end, s.uri))
            out.append(replace(result, skills=tuple(skills)))
        return out

    @staticmethod
    def _with_context(context: ProfileContext, cands: list[list[tuple[SemanticLink, dict[str, float]]]],
                      owners: Sequence[int], results: Sequence[Extraction]
                      ) -> list[list[tuple[SemanticLink, dict[str, float]]]]:
        """Each mention's candidates with the context prior applied (:mod:`.context`): the concepts the
        document's own occupations and its profile neighbourhood require score higher."""
        around: dict[int, dict[str, str]] = {}
        out = []
        for i, found in zip(owners, cands, strict=True):
            if i not in around:
                around[i] = context.support((o.uri for o in results[i].occupations),
                                            (s.uri for s in results[i].skills))
            near = around[i]
            if not near or not any(lk.uri in near for lk, _f in found):
                out.append(found)
                continue
            moved = [(replace(lk, score=round(in_context(lk.score), 4), context=near[lk.uri]) if lk.uri in near
                      else lk, f) for lk, f in found]
            out.append(sorted(moved, key=lambda lf: (-lf[0].score, lf[0].uri)))
        return out

    def _title_vectors(self, docs: Mapping[int, Doc], langs: Sequence[str],
                       titles: Sequence[str | None]) -> dict[int, Matrix]:
        """Semantic hook: the embeddings of the titles a batch will link, in one call per semantic
        index (several times faster than one by one); empty when semantic linking is off."""
        wanted: dict[int, list[tuple[int, str]]] = {}
        for i, doc in docs.items():
            sem = self._indexes[langs[i]].semantic
            if sem is not None and (titles[i] or _looks_like_title(doc)):
                wanted.setdefault(id(sem), []).append((i, titles[i] or doc.text))
        out: dict[int, Matrix] = {}
        for items in wanted.values():
            sem = self._indexes[langs[items[0][0]]].semantic
            assert sem is not None
            for (i, _), vec in zip(items, sem.embed_titles([t for _, t in items]), strict=True):
                out[i] = vec
        return out

    def _extract_doc(self, doc: Doc, lay: Layout, lang: str, kind: DocumentKind, title: str | None,
                     vector: Matrix | None = None) -> Extraction:
        ix = self._indexes[lang]
        # Doc.text joins every token anew on each access: once per document, not once per skill.
        text = doc.text
        # The scrubber's placeholders ("[CPR]", "[NAVN]") stand for what was removed: never read them.
        held = [(m.start(), m.end()) for m in PLACEHOLDER.finditer(text)] + idiom_spans(text)
        matches = [m for m in ix.phrases.find(doc)
                   if not any(a < doc[m.end - 1].idx + len(doc[m.end - 1]) and doc[m.start].idx < b for a, b in held)]
        skills = [s for s in find_skills(doc, matches, lay, kind=kind, lang=lang)
                  if not is_heading(text, s.start, s.end)]
        occupations: list[OccupationMention] = []
        if title:
            occupations = self._link_doc(ix, ix.nlp(title), vector=vector)
        elif _looks_like_title(doc):
            occupations = self._link_doc(ix, doc, vector=vector)
        if not occupations:
            occupations = _named_occupations(doc, matches, lay, kind)
        return Extraction(lang=lang, skills=tuple(skills), occupations=tuple(occupations))

    def link_title(self, title: str, lang: str | None = None, limit: int = DEFAULT_LIMIT) -> list[OccupationMention]:
        """ESCO occupations for a free job title, best first (score desc, then uri)."""
        ix = self._indexes[self.language_of(title, lang)]
        with self._lock:
            return self._link_doc(ix, ix.nlp(title), limit)

    @staticmethod
    def _link_doc(ix: LanguageIndex, doc: Doc, limit: int = DEFAULT_LIMIT,
                  vector: Matrix | None = None) -> list[OccupationMention]:
        norms, weights = [t.lemma_ for t in doc], title_weights([t.text for t in doc])
        if ix.semantic is None:
            return ix.titles.link(norms, limit, weights)
        # Semantic hook: a longer lexical list, fused with the title's nearest occupations by meaning.
        return ix.semantic.rerank(doc.text, ix.titles.link(norms, max(limit, LEXICAL_POOL), weights), limit, vector)


def _looks_like_title(doc: Doc) -> bool:
    # Stops at the first word too many: called for every text, and a posting body has hundreds of tokens
    # (counting them all was a sixth of extraction time).
    words = 0
    for t in doc:
        if not t.is_punct and not t.is_space:
            words += 1
            if words > TITLE_MAX_WORDS:
                return False
    # One sentence; a break right after a title abbreviation ("Sr. Java Developer", which the parser splits
    # at "Sr.") does not count.
    return words > 0 and all(_ends_in_abbreviation(s) for s in islice(doc.sents, 0, TITLE_MAX_WORDS) if s.end < len(doc))


def _ends_in_abbreviation(sentence: Span) -> bool:
    last = sentence[-1]
    if last.text != "." or len(sentence) < 2:
        return last.text.endswith(".") and last.text[:-1].lower() in TITLE_ABBREVIATIONS
    return sentence[-2].lower_ in TITLE_ABBREVIATIONS


def _named_occupations(doc: Doc, matches: Sequence[PhraseMatch], lay: Layout, kind: str) -> list[OccupationMention]:
    """Occupations a longer text names by one of their labels, best first, each with its first span."""
    spans: list[tuple[int, int, float]] = []
    found: list[tuple[str, str, float]] = []
    for m in matches:
        sentence = lay.sentences[lay.token_sentence[m.start]]
        if kind == "posting" and (sentence.boilerplate or lay.section_at(doc[m.start].idx) is Section.BOILERPLATE):
            continue
        for c in m.candidates:
            if c.kind != "Occupation" or (c.risk.needs_context or
                                          (c.risk.case_sensitive and not spelled_as_label(doc, m.start, m.end, c))):
                continue
            score = ROLE_WEIGHT.get(c.role, ROLE_WEIGHT["hidden"])
            if not is_exact(doc, m.start, m.end, c):
                score *= LEMMA_ONLY_FACTOR
            spans.append((m.start, m.end, score))
            found.append((c.uri, c.label, score))
    best: dict[str, OccupationMention] = {}
    for i in resolve_overlaps(spans):
        uri, label, score = found[i]
        span = doc[spans[i][0]:spans[i][1]]
        if uri not in best or score > best[uri].score:
            best[uri] = OccupationMention(uri=uri, label=label, score=round(score, SCORE_DECIMALS),
                                          start=span.start_char, end=span.end_char)
    return sorted(best.values(), key=lambda o: (-o.score, o.start or 0, o.uri))


# -- one extractor per taxonomy per process ---------------------------------------------------------
_cache_lock = threading.Lock()
_cache: dict[str, Extractor] = {}


def cached_extractor(key: str, build: Callable[[], Extractor]) -> Extractor:
    """The extractor cached under ``key`` (e.g. the taxonomy checksum), built by ``build`` on first use.

    Building full ESCO takes seconds; every caller in a process shares one extractor per taxonomy.
    """
    with _cache_lock:
        ex = _cache.get(key)
        if ex is None:
            ex = _cache[key] = build()
        return ex


def clear_extractor_cache() -> None:
    """Forget cached extractors (after a taxonomy upgrade, and in tests)."""
    with _cache_lock:
        _cache.clear()
