"""SKOS/RDF export and import: a taxonomy written with export_skos reads back with nothing lost."""

from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from rdflib import RDF, Literal, URIRef
from rdflib.namespace import SKOS

from api.cli import main
from ontology.errors import EscoPackageError
from ontology.model import (
    Broader,
    CollectionMember,
    Concept,
    LabelSet,
    OccupationSkill,
    SkillSkill,
    Taxonomy,
    summarise,
)
from ontology.skos import ESCO, JOBMATCH, export_skos, read_skos, to_graph
from tests.conftest import MINI_DA_LABELS, MINI_ESCO

OCC = "http://data.europa.eu/esco/occupation/"
SKILL = "http://data.europa.eu/esco/skill/"


def comparable(tax: Taxonomy) -> dict[str, Any]:
    """Everything a taxonomy holds, with RDF's unordered parts (label lists, relation lists) as sets.

    Fails the test if a list holds a duplicate, so comparing sets cannot hide a lost row.
    """
    for name in ("occupation_skills", "skill_skills", "broader", "collections"):
        rows = getattr(tax, name)
        assert len(rows) == len(set(rows)), f"{name} holds duplicates"
    concepts = {}
    for c in tax.concepts.values():
        for ls in c.labels.values():
            assert len(ls.alt) == len(set(ls.alt)) and len(ls.hidden) == len(set(ls.hidden))
        concepts[c.uri] = (
            c.kind, c.version, c.code, c.status, c.isco_group, c.skill_type, c.reuse_level, c.stub,
            dict(c.descriptions),
            {lang: (ls.preferred, frozenset(ls.alt), frozenset(ls.hidden)) for lang, ls in c.labels.items()},
        )
    return {
        "version": tax.version, "languages": tax.languages, "source": tax.source, "checksum": tax.checksum,
        "skipped": dict(tax.skipped), "stubs": dict(tax.stubs), "notes": list(tax.notes),
        "concepts": concepts,
        "occupation_skills": set(tax.occupation_skills), "skill_skills": set(tax.skill_skills),
        "broader": set(tax.broader), "collections": set(tax.collections),
    }


def assert_same(a: Taxonomy, b: Taxonomy) -> None:
    ca, cb = comparable(a), comparable(b)
    for key in ca:
        assert ca[key] == cb[key], f"{key} differs after the round trip"
    assert summarise(a) == summarise(b)


@pytest.mark.parametrize(("fmt", "suffix"), [("turtle", ".ttl"), ("nt", ".nt")])
def test_mini_taxonomy_round_trips(mini_taxonomy: Taxonomy, tmp_path: Path, fmt: str, suffix: str) -> None:
    path = tmp_path / f"esco{suffix}"
    triples = export_skos(mini_taxonomy, path, format=fmt)
    assert triples > 0
    back = read_skos(path)
    assert_same(mini_taxonomy, back)
    # The fixture exercises what ESCO's own vocabulary cannot hold: stubs, skipped rows, Danish labels.
    assert back.stubs and back.skipped and "da" in back.languages
    assert any(c.stub for c in back.concepts.values())


def test_export_to_a_binary_stream(mini_taxonomy: Taxonomy, tmp_path: Path) -> None:
    buffer = io.BytesIO()
    export_skos(mini_taxonomy, buffer, format="turtle")
    path = tmp_path / "from-stream.ttl"
    path.write_bytes(buffer.getvalue())
    assert_same(mini_taxonomy, read_skos(path))


def test_export_uses_skos_and_esco_terms(mini_taxonomy: Taxonomy) -> None:
    g = to_graph(mini_taxonomy)
    bus, drive = URIRef(OCC + "mini-bus"), URIRef(SKILL + "mini-drivebus")
    assert (bus, RDF.type, ESCO.Occupation) in g
    assert (bus, RDF.type, SKOS.Concept) in g
    assert (bus, ESCO.relatedEssentialSkill, drive) in g
    assert (bus, ESCO.memberOfISCOGroup, URIRef("http://data.europa.eu/esco/isco/C8331")) in g
    assert (bus, SKOS.prefLabel, Literal("bus driver", lang="en")) in g
    assert (bus, SKOS.prefLabel, Literal("buschauffør", lang="da")) in g
    assert (bus, SKOS.inScheme, URIRef("http://data.europa.eu/esco/concept-scheme/occupations")) in g
    skill = mini_taxonomy.concepts[SKILL + "mini-drivebus"]
    assert skill.skill_type == "skill/competence"
    assert (drive, ESCO.skillType, URIRef("http://data.europa.eu/esco/skill-type/skill")) in g
    assert (drive, ESCO.skillReuseLevel,
            URIRef(f"http://data.europa.eu/esco/skill-reuse-level/{skill.reuse_level}")) in g
    assert len(list(g.subjects(RDF.type, JOBMATCH.Taxonomy))) == 1


def test_a_mistyped_vocabulary_term_is_an_error() -> None:
    # ESCO names occupation requirements relatedEssentialSkill; "hasEssentialSkill" is not an ESCO term.
    with pytest.raises(AttributeError):
        _ = ESCO.hasEssentialSkill
    with pytest.raises(AttributeError):
        _ = JOBMATCH.stubb


def _concept(uri: str, kind: Any, version: str = "9.9", **kw: Any) -> Concept:
    return Concept(uri=uri, kind=kind, version=version, **kw)


def test_unusual_values_round_trip(tmp_path: Path) -> None:
    """Values no real package has yet but the model allows: each needs its own RDF encoding."""
    a, b, occ = SKILL + "a", SKILL + "b", OCC + "x"
    concepts = [
        _concept(a, "Skill", labels={"en": LabelSet("a", ("a2", "a1"), ("ah",)), "da": LabelSet("", ("å",))},
                 skill_type="attitude", reuse_level="regional", descriptions={"en": 'line 1\r\n"two"\t\\'},
                 status="obsolete", code="S1.2"),
        _concept(b, "Skill", labels={"en": LabelSet("b"), "sv": LabelSet("")}, version="9.8",
                 skill_type="knowledge", reuse_level="transversal"),
        _concept(occ, "Occupation", labels={"en": LabelSet("x")}, isco_group="X1", code="1234.5"),
        _concept("http://data.europa.eu/esco/isco/C1", "IscoGroup", code="1", labels={"en": LabelSet("Managers")}),
        _concept(SKILL + "g", "SkillGroup", labels={}, stub=True),
    ]
    tax = Taxonomy(
        version="9.9/local", languages=("da", "en", "sv"), source="/some where/æøå", checksum="abc",
        concepts={c.uri: c for c in concepts},
        occupation_skills=[OccupationSkill(occ, a, "optional")],
        skill_skills=[SkillSkill(a, b, "essential"), SkillSkill(b, a, "broader-ish"), SkillSkill(occ, b, "optional")],
        broader=[Broader(a, SKILL + "g"), Broader(occ, "http://data.europa.eu/esco/isco/C1")],
        collections=[CollectionMember("green", a), CollectionMember("my list/2", b)],
        skipped=Counter({"why: this": 2, "and that": 1}), stubs=Counter({"a stub": 1}),
        notes=["second", "first"],
    )
    for suffix in (".ttl", ".nt"):
        path = tmp_path / f"odd{suffix}"
        export_skos(tax, path)
        back = read_skos(path)
        assert_same(tax, back)
        assert back.languages == ("da", "en", "sv")  # order kept: the first language is the primary one
        assert back.notes == ["second", "first"]


def test_read_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(EscoPackageError, match="not found"):
        read_skos(tmp_path / "missing.ttl")
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix x: <http://x/> .\n x:a x:b ", encoding="utf-8")
    with pytest.raises(EscoPackageError, match=r"bad\.ttl: not valid RDF"):
        read_skos(bad)
    bad_nt = tmp_path / "bad.nt"
    bad_nt.write_text('<http://x/a> <http://x/b> "open .\n', encoding="utf-8")
    with pytest.raises(EscoPackageError, match=r"bad\.nt: not valid RDF"):
        read_skos(bad_nt)
    foreign = tmp_path / "foreign.ttl"
    foreign.write_text("<http://x/a> a <http://www.w3.org/2004/02/skos/core#Concept> .\n", encoding="utf-8")
    with pytest.raises(EscoPackageError, match="expected one jobmatch:Taxonomy, found 0"):
        read_skos(foreign)


def test_unknown_format_is_refused(mini_taxonomy: Taxonomy, tmp_path: Path) -> None:
    with pytest.raises(EscoPackageError, match="unknown RDF format"):
        export_skos(mini_taxonomy, tmp_path / "x.rdf", format="xml")


def test_cli_export_then_load_skos(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    common = ["--store", "memory", "--data-dir", str(tmp_path / "data")]
    package = ["--esco", str(MINI_ESCO), "--lang", "en,da", "--labels", str(MINI_DA_LABELS)]
    out = tmp_path / "mini.nt"
    assert main([*common, "ontology", "export", *package, "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("<")  # N-Triples, from the suffix
    capsys.readouterr()

    assert main([*common, "ontology", "load", *package, "--json"]) == 0
    from_csv = json.loads(capsys.readouterr().out)
    assert main([*common, "ontology", "load", "--skos", str(out), "--json"]) == 0
    from_skos = json.loads(capsys.readouterr().out)
    for key in ("seconds", "notes"):
        from_csv.pop(key), from_skos.pop(key)
    assert from_skos == from_csv

    assert main([*common, "ontology", "load", "--skos", str(out), "--lang", "en"]) == 2
    assert "--lang applies to --esco" in capsys.readouterr().err


@pytest.mark.esco
@pytest.mark.slow
def test_full_esco_111_round_trips(esco_111: Taxonomy, tmp_path: Path) -> None:
    """All of ESCO 1.1.1 plus the Danish labels (~460k triples).

    N-Triples, not Turtle: on the development machine N-Triples export + import took ~35 s, Turtle
    ~85 s (rdflib's Turtle serializer and parser are the slow parts). Turtle is covered by the mini
    fixture above; the encoding is the same.
    """
    path = tmp_path / "esco-1.1.1.nt"
    export_skos(esco_111, path, format="nt")
    back = read_skos(path)
    assert_same(esco_111, back)
    assert back.count("Occupation") == 3007 and back.count("Skill") == 13896
    assert len(back.occupation_skills) == len(esco_111.occupation_skills) > 120_000
