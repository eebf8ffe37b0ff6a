"""Refuse CVs that carry protected attributes as fields, recognised by meaning rather than spelling.

A CV field for age or birth date, sex or gender, nationality or citizenship, ethnicity or race, health,
disability or diagnosis, religion or belief, marital or family status, sexual orientation, political
opinion or trade-union membership, a photo, or a CPR number (which encodes birth date and sex) is
rejected with a :class:`ValidationError` naming the field as a JSON pointer, never its value.
Rejecting, rather than silently dropping, makes the sending system fix its export: a silent drop would
hide that it collects and ships these attributes at all.

Exporters name such fields in many ways, so a key is first reduced to its words (:func:`key_words`):
NFKC, look-alike Cyrillic and Greek letters folded to Latin ("gеnder" with a Cyrillic "е"), camelCase
and separators (``_ - .`` and spaces) split, lower case, diacritics and æ/ae, ø/oe, å/aa folded. The
words are then matched against a vocabulary in Danish, English, German, Swedish and Norwegian
(:mod:`.protected_terms`) three ways: a whole key ("party"), a word of the key ("disabilityStatus" →
"disability"), or a distinctive stem anywhere in it ("statsborgerskab", "Familienstand",
"nationalities"). An empty value (``""``, ``null``, ``[]``, ``{}``) carries no attribute and is let
through, because common exporters (JSON Resume's ``basics.image``) always write the key.

Matching never sees such attributes in any case: :class:`graph.records.CvRecord` has no field for them
and only ESCO URIs leave the extractor.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import cache, lru_cache
from typing import Any

from loaders.privacy.protected_terms import CATEGORIES, ORDINARY_WORDS, Terms
from loaders.privacy.text import fold
from ontology.errors import ValidationError

# Latin look-alikes in Cyrillic and Greek: a key typed (or forged) with them reads the same to a person
# and must read the same here. NFKC does not fold them; Unicode's confusables table does, but a few
# dozen letters cover every key a CV exporter writes.
_CONFUSABLES = str.maketrans({
    # Cyrillic
    "А": "A", "В": "B", "Е": "E", "Ѕ": "S", "І": "I", "Ј": "J", "К": "K", "М": "M", "Н": "H", "О": "O",
    "Р": "P", "С": "C", "Т": "T", "Х": "X", "У": "Y", "а": "a", "е": "e", "ѕ": "s", "і": "i", "ј": "j",
    "о": "o", "р": "p", "с": "c", "х": "x", "у": "y", "ԁ": "d", "һ": "h", "ԛ": "q", "ԝ": "w", "ӏ": "l",
    "ё": "e", "к": "k", "м": "m", "т": "t", "в": "b", "н": "h",
    # Greek
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O",
    "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "α": "a", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x",
    # Latin letters that read as plain ones
    "ı": "i", "ɡ": "g", "ɑ": "a",
})
_SEPARATORS = re.compile(r"[\W_]+")


def _split_camel(key: str) -> str:
    """Insert a space where a camelCase word starts: "religiousAffiliation", "HIVStatus" → "HIV Status"."""
    out: list[str] = []
    for i, ch in enumerate(key):
        prev = key[i - 1] if i else ""
        nxt = key[i + 1] if i + 1 < len(key) else ""
        if ch.isupper() and prev and (prev.islower() or prev.isdigit() or (prev.isupper() and nxt.islower())):
            out.append(" ")
        out.append(ch)
    return "".join(out)


def key_words(key: str) -> tuple[str, ...]:
    """The folded words of a field name: "Fødsels_Dato", "foedselsDato" → ("fodsels", "dato")."""
    text = unicodedata.normalize("NFKC", key).translate(_CONFUSABLES)
    return tuple(fold(w) for w in _SEPARATORS.split(_split_camel(text)) if w)


@cache
def _folded(category: str) -> Terms:
    terms = CATEGORIES[category]
    return Terms(
        whole=frozenset(fold(t) for t in terms.whole),
        words=frozenset(fold(t) for t in terms.words),
        stems=frozenset(fold(t) for t in terms.stems),
    )


def _word_known(word: str, words: frozenset[str]) -> bool:
    # Plurals: "genders", "races", "ages", "beliefs".
    return word in words or (word.endswith("s") and word[:-1] in words)


# Keys come from outside: a bounded cache, so a document with millions of distinct keys cannot grow it.
_KEY_CACHE_SIZE = 4096


@lru_cache(maxsize=_KEY_CACHE_SIZE)
def protected_category(key: str) -> str | None:
    """The protected category a field name stands for ("sex or gender", …), or None for an ordinary key."""
    words = key_words(key)
    if not words:
        return None
    ordinary = _ordinary()
    words = tuple(w for w in words if w not in ordinary)
    if not words:
        return None
    joined = "".join(words)
    for category in CATEGORIES:
        terms = _folded(category)
        if joined in terms.whole or _word_known(joined, terms.words):
            return category
        if any(_word_known(w, terms.words) for w in words):
            return category
        if any(stem in joined for stem in terms.stems):
            return category
    return None


@cache
def _ordinary() -> frozenset[str]:
    return frozenset(fold(w) for w in ORDINARY_WORDS)


# The whole-key vocabulary, kept as the public table it always was (tests and docs list it).
PROTECTED_FIELDS: dict[str, str] = {
    term: category for category, terms in CATEGORIES.items() for term in (*terms.whole, *terms.words)
}


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | dict) and not value)


def _pointer_token(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def reject_protected_fields(doc: Any, path: str = "") -> None:
    """Walk ``doc`` (parsed JSON) and refuse the first field that carries a protected attribute.

    :raise ValidationError: with ``field`` the JSON pointer of that field (e.g. ``/basics/gender``).
        The message names the category, never the value.
    """
    if isinstance(doc, Mapping):
        for key, value in doc.items():
            where = f"{path}/{_pointer_token(str(key))}"
            category = protected_category(str(key))
            if category is not None and not _empty(value):
                raise ValidationError(
                    f"field {where} carries a protected attribute ({category}); jobmatch refuses CVs "
                    "with such fields so the sending system stops exporting them",
                    field=where,
                )
            reject_protected_fields(value, where)
    elif isinstance(doc, list):
        for i, item in enumerate(doc):
            reject_protected_fields(item, f"{path}/{i}")
