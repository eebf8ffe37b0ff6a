"""``jobmatch ontology …``: load an ESCO package (CSV or SKOS/RDF) into the configured store, export one as
SKOS/RDF, show a concept."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

from api.settings import Settings
from api.wiring import open_store
from graph.matching.search import find_concepts
from ontology.errors import ConfigurationError, NotFoundError
from ontology.labels import merge_label_file
from ontology.model import Taxonomy
from ontology.package import read_taxonomy

log = logging.getLogger(__name__)

# ontology.skos's FORMATS, repeated so that building the parser does not import rdflib (~80 ms).
RDF_FORMATS = ("turtle", "nt")


def register(sub: Any) -> None:
    p = sub.add_parser("ontology", help="load and inspect the ESCO taxonomy")
    osub = p.add_subparsers(dest="ontology_command", required=True)

    load = osub.add_parser("load", help="load an ESCO CSV package (or a SKOS export of one) into the store")
    source = load.add_mutually_exclusive_group()
    source.add_argument("--esco", action="append",
                        help="ESCO package folder (repeatable); default JOBMATCH_ESCO_DIR")
    source.add_argument("--skos", help="a SKOS/RDF file written by `jobmatch ontology export` (.ttl or .nt)")
    _package_options(load)
    load.add_argument("--no-local-additions", action="store_true",
                      help="do not apply JOBMATCH_LOCAL_ADDITIONS (Danish synonyms, local concepts)")
    load.add_argument("--json", action="store_true", help="print one JSON object")
    load.set_defaults(func=cmd_load)

    # `ontology diff` is the maintainer's first step; the lifecycle commands live under `taxonomy`.
    from api.cli import taxonomy as taxonomy_cmds

    diff = osub.add_parser("diff", help="what changed between two ESCO packages (= taxonomy diff)")
    taxonomy_cmds.pair_options(diff)
    diff.set_defaults(func=taxonomy_cmds.cmd_diff)

    export = osub.add_parser("export", help="write an ESCO CSV package as SKOS/RDF (Turtle or N-Triples)")
    export.add_argument("--out", required=True, help="file to write (- for standard output)")
    export.add_argument("--format", choices=RDF_FORMATS, help="RDF format (default: from --out's suffix, else turtle)")
    export.add_argument("--esco", action="append",
                        help="ESCO package folder (repeatable); default JOBMATCH_ESCO_DIR")
    _package_options(export)
    export.set_defaults(func=cmd_export)

    show = osub.add_parser("show", help="print a concept with its relations")
    show.add_argument("concept", help="an ESCO URI or a label (Danish or English)")
    show.add_argument("--lang", default="en")
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=cmd_show)


def _package_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", help="label languages, e.g. en,da (default JOBMATCH_LANGS)")
    p.add_argument("--labels", action="append", default=None,
                   help="extra label TSV (conceptUri, position, label), e.g. Danish occupation labels")
    p.add_argument("--version", dest="esco_version", help="ESCO version (default: from the folder name)")


def _read_package(args: argparse.Namespace, settings: Settings) -> Taxonomy:
    """Read the ESCO CSV package the options (or the settings) name, extra label files merged on top.

    :raise ConfigurationError: if no package folder is given or configured.
    """
    dirs = [Path(d) for d in args.esco] if args.esco else ([settings.esco_dir] if settings.esco_dir else [])
    if not dirs:
        raise ConfigurationError("no ESCO package given: use --esco DIR or set JOBMATCH_ESCO_DIR", field="esco")
    langs = tuple(x.strip() for x in args.lang.split(",") if x.strip()) if args.lang else settings.languages
    labels = [Path(x) for x in args.labels] if args.labels is not None else list(settings.extra_labels)
    return read_taxonomy(dirs, langs, labels, version=args.esco_version)


def _read_skos_file(args: argparse.Namespace) -> Taxonomy:
    """Read a SKOS export; only label files given with --labels are merged (the export already holds the
    configured ones).

    :raise ConfigurationError: if --lang or --version is given: a SKOS export fixes both.
    """
    for option, value in (("--lang", args.lang), ("--version", args.esco_version)):
        if value:
            raise ConfigurationError(f"{option} applies to --esco; a SKOS export fixes it", field=option[2:])
    from ontology.skos import read_skos

    tax = read_skos(Path(args.skos))
    for path in args.labels or ():
        merge_label_file(tax, Path(path))
    return tax


def cmd_load(args: argparse.Namespace, settings: Settings) -> int:
    t0 = time.perf_counter()
    tax = _read_skos_file(args) if args.skos else _read_package(args, settings)
    if settings.local_additions is not None and not args.no_local_additions:
        # Loading ESCO again must not drop the maintainer's additions (they are data on top of ESCO).
        from ontology.local_additions import load_local_additions

        load_local_additions(tax, settings.local_additions)
    t1 = time.perf_counter()
    store = open_store(settings)
    try:
        summary = store.upsert_taxonomy(tax)
        t2 = time.perf_counter()
        # The reading model's index belongs to this taxonomy: built now, once, so no request waits for it.
        from api.cli.reading import build_for_store

        reading = build_for_store(store, settings)
    finally:
        store.close()
    t3 = time.perf_counter()
    out = summary.as_json()
    out["notes"] = tax.notes
    out["seconds"] = {"read": round(t1 - t0, 2), "store": round(t2 - t1, 2), "reading_index": round(t3 - t2, 2)}
    out["reading"] = reading or {"model": "lexical"}
    out["store"] = settings.store
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
    else:
        _print_summary(out)
    return 0


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    """Write the configured (or given) ESCO package as SKOS/RDF; prints a one-line summary to stderr."""
    from ontology.skos import export_skos

    tax = _read_package(args, settings)
    t0 = time.perf_counter()
    if args.out == "-":
        triples = export_skos(tax, sys.stdout.buffer, format=args.format)
    else:
        triples = export_skos(tax, Path(args.out), format=args.format)
    print(f"ESCO {tax.version}: {triples:,} triples written to {args.out} "
          f"in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return 0


def _print_summary(out: dict[str, Any]) -> None:
    rel = out["occupation_skill_relations"]
    lines = [
        f"ESCO {out['version']} loaded into the {out['store']} store "
        f"(languages: {', '.join(out['languages'])})",
        f"  occupations                  {out['occupations']:>8,}",
        f"  skills                       {out['skills']:>8,}",
        f"  ISCO groups                  {out['isco_groups']:>8,}",
        f"  skill groups                 {out['skill_groups']:>8,}",
        f"  occupation-skill relations   {rel['total']:>8,}  ({rel['essential']:,} essential, "
        f"{rel['optional']:,} optional)",
        f"  skill-skill relations        {out['skill_skill_relations']:>8,}",
        f"  broader relations            {out['broader_relations']:>8,}",
        f"  collection memberships       {out['collection_memberships']:>8,}",
    ]
    for lang, per in sorted(out["labels_by_language"].items()):
        lines.append(f"  labels [{lang}]                  " + ", ".join(f"{k} {v:,}" for k, v in sorted(per.items())))
    for reason, n in sorted(out["stubs"].items()):
        lines.append(f"  stub created: {reason}: {n}")
    for reason, n in sorted(out["skipped"].items()):
        lines.append(f"  skipped: {reason}: {n}")
    for note in out["notes"]:
        lines.append(f"  note: {note}")
    lines.append(f"  took {out['seconds']['read']} s to read, {out['seconds']['store']} s to store")
    reading = out.get("reading") or {}
    if reading.get("key"):
        lines.append(f"  reading model {reading['model']}: concept index {reading['key']} ({reading['texts']:,} label "
                     f"texts; {out['seconds']['reading_index']} s, reused when already built)")
    else:
        lines.append("  reading model: lexical (no concept index)")
    print("\n".join(lines))


def cmd_show(args: argparse.Namespace, settings: Settings) -> int:
    store = open_store(settings)
    try:
        hits = find_concepts(store, args.concept, limit=5)
        if not hits:
            raise NotFoundError(f"no concept with URI or label {args.concept!r}", field="concept")
        c = hits[0].concept
        rels = store.concept_relations(c.uri)
        others = store.concepts({r.other for r in rels if r.relation != "IN_COLLECTION"})
    finally:
        store.close()
    if args.json:
        print(json.dumps({
            "uri": c.uri, "kind": c.kind, "label": c.label(args.lang), "code": c.code,
            "isco_group": c.isco_group, "skill_type": c.skill_type, "reuse_level": c.reuse_level,
            "labels": {lang: {"preferred": ls.preferred, "alt": list(ls.alt)} for lang, ls in c.labels.items()},
            "relations": [{"relation": r.relation, "kind": r.kind, "uri": r.other,
                           "label": others[r.other].label(args.lang) if r.other in others else r.other}
                          for r in rels],
            "other_matches": [{"uri": h.concept.uri, "label": h.concept.label(args.lang)} for h in hits[1:]],
        }, ensure_ascii=False))
        return 0
    w = sys.stdout.write
    w(f"{c.label(args.lang)}  [{c.kind}]  {c.uri}\n")
    for lang, ls in sorted(c.labels.items()):
        alts = f"  (also: {'; '.join(ls.alt[:6])}{' …' if len(ls.alt) > 6 else ''})" if ls.alt else ""
        w(f"  {lang}: {ls.preferred}{alts}\n")
    facts = [f"code {c.code}" if c.code else "", f"ISCO {c.isco_group}" if c.isco_group else "",
             c.skill_type, c.reuse_level]
    if any(facts):
        w("  " + " · ".join(f for f in facts if f) + "\n")
    by_rel: dict[str, list[str]] = {}
    for r in rels:
        name = others[r.other].label(args.lang) if r.other in others else r.other
        by_rel.setdefault(r.relation + (f" ({r.kind})" if r.kind else ""), []).append(name)
    for rel, names in sorted(by_rel.items()):
        shown = ", ".join(names[:12]) + (f" … (+{len(names) - 12})" if len(names) > 12 else "")
        w(f"  {rel} [{len(names)}]: {shown}\n")
    if len(hits) > 1:
        w("  other matches: " + "; ".join(h.concept.label(args.lang) for h in hits[1:]) + "\n")
    return 0
