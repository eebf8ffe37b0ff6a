"""Concept lookup by URI or label, ranked once here over what any store's ``match_labels`` returns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from graph.store import Store
from ontology.model import CONCEPT_KINDS, Concept, ConceptKind

# Rank of a label hit: exact preferred < exact other label < prefix < inside. Lower is better.
_EXACT_PREFERRED, _EXACT, _PREFIX, _INSIDE = 0, 1, 2, 3


@dataclass(frozen=True, slots=True)
class ConceptHit:
    concept: Concept
    matched_label: str
    lang: str
    rank: int


def find_concepts(
    store: Store, text: str, kinds: Sequence[ConceptKind] = CONCEPT_KINDS, limit: int = 20
) -> list[ConceptHit]:
    """Concepts whose URI is ``text`` or whose label contains it, best first (rank, label, uri)."""
    text = text.strip()
    if not text:
        return []
    if text.startswith("http://") or text.startswith("https://"):
        found = store.concepts([text])
        c = found.get(text)
        return [ConceptHit(c, c.label(), "", _EXACT_PREFERRED)] if c and c.kind in kinds else []
    needle = text.lower()
    best: dict[str, tuple[int, str, str]] = {}
    for e in store.match_labels(text, kinds):
        low = e.label.lower()
        if low == needle:
            rank = _EXACT_PREFERRED if e.role == "preferred" else _EXACT
        elif low.startswith(needle):
            rank = _PREFIX
        else:
            rank = _INSIDE
        cur = best.get(e.uri)
        if cur is None or (rank, e.label) < (cur[0], cur[1]):
            best[e.uri] = (rank, e.label, e.lang)
    ordered = sorted(best.items(), key=lambda kv: (kv[1][0], len(kv[1][1]), kv[1][1], kv[0]))[:limit]
    concepts = store.concepts([uri for uri, _ in ordered])
    return [ConceptHit(concepts[uri], label, lang, rank) for uri, (rank, label, lang) in ordered if uri in concepts]
