"""``jobmatch taxonomy …``: the taxonomy maintainer's lifecycle — diff two ESCO versions, see what a new
version would touch in the store, upgrade in place, and validate, load and show the local additions.

See docs/TAXONOMY.md for the walk-through.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from api.cli.reading import build_for_store
from api.settings import Settings
from api.wiring import cli_actor, local_additions_path, open_store, what_if_store
from graph.accountability.audit import record_event
from graph.matching.vocabulary import UPGRADE
from graph.records import CvRecord
from graph.store import Store
from graph.taxonomy.impact import DEFAULT_DAYS, impact_of, render_impact
from graph.taxonomy.upgrade import plan_upgrade, render_upgrade, upgrade
from ontology.diff import TaxonomyDiff, diff_taxonomies, render_diff
from ontology.errors import ConfigurationError
from ontology.local_additions import (
    MATCHED_KINDS,
    AdditionsCheck,
    AdditionsFile,
    additions_uris,
    check_additions,
    load_local_additions,
    read_additions,
    validate_additions,
)
from ontology.model import Taxonomy
from ontology.package import read_taxonomy

DEFAULT_LIMIT = 50  # lines per section of a text report; --json always lists everything


def register(sub: Any) -> None:
    p = sub.add_parser("taxonomy", help="diff ESCO versions, assess their impact, upgrade, local additions")
    tsub = p.add_subparsers(dest="taxonomy_command", required=True)

    diff = tsub.add_parser("diff", help="what changed between two ESCO packages")
    pair_options(diff)
    diff.set_defaults(func=cmd_diff)

    impact = tsub.add_parser("impact", help="stored CVs, postings and recent recommendations a new version touches")
    pair_options(impact)
    impact.add_argument("--days", type=int, default=DEFAULT_DAYS,
                        help=f"recommendations served in the last N days (default {DEFAULT_DAYS})")
    impact.add_argument("--no-rematch", action="store_true",
                        help="only which items link a changed concept: do not match every CV on both versions")
    impact.set_defaults(func=cmd_impact)

    up = tsub.add_parser("upgrade", help="load a new ESCO package into the store and migrate links to replaced concepts")
    up.add_argument("new", help="the new ESCO package folder")
    up.add_argument("--lang", help="label languages, e.g. en,da (default JOBMATCH_LANGS); the first one is "
                                   "used to match replaced concepts by label")
    up.add_argument("--labels", action="append", default=None,
                    help="extra label TSV (default JOBMATCH_EXTRA_LABELS), e.g. Danish occupation labels")
    up.add_argument("--version", dest="esco_version", help="ESCO version (default: from the folder name)")
    up.add_argument("--mapping", help="TSV oldUri<TAB>newUri of replaced concepts (tried before label matching)")
    up.add_argument("--from", dest="old", help="the old ESCO package folder, for old labels if the store "
                                               "no longer has them (e.g. re-running an interrupted upgrade)")
    additions = up.add_mutually_exclusive_group()
    additions.add_argument("--local-additions", help="local additions file (default JOBMATCH_LOCAL_ADDITIONS)")
    additions.add_argument("--no-local-additions", action="store_true", help="load ESCO without local additions")
    up.add_argument("--dry-run", action="store_true", help="plan and report, write nothing")
    _output_options(up)
    up.set_defaults(func=cmd_upgrade)

    add = tsub.add_parser("additions", help="the local additions file: validate, load, show")
    asub = add.add_subparsers(dest="additions_command", required=True)
    for name, func, text in (
        ("validate", cmd_additions_validate, "check the file against an ESCO package (or the store)"),
        ("load", cmd_additions_load, "load ESCO plus the additions into the store, recording their version"),
        ("show", cmd_additions_show, "print the file's version, checksum and counts"),
    ):
        a = asub.add_parser(name, help=text)
        a.add_argument("file", nargs="?", help="the additions TSV (default JOBMATCH_LOCAL_ADDITIONS)")
        if name != "show":
            a.add_argument("--esco", action="append", help="ESCO package folder (default JOBMATCH_ESCO_DIR)")
            a.add_argument("--lang", help="label languages (default JOBMATCH_LANGS)")
        if name == "load":
            a.add_argument("--labels", action="append", default=None, help="extra label TSV (default "
                                                                            "JOBMATCH_EXTRA_LABELS)")
            a.add_argument("--version", dest="esco_version", help="ESCO version (default: from the folder name)")
        a.add_argument("--json", action="store_true", help="print one JSON object")
        a.set_defaults(func=func)


def pair_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("old", help="the old ESCO package folder")
    p.add_argument("new", help="the new ESCO package folder")
    p.add_argument("--lang", default="en", help="label languages to read and compare, e.g. en,da (default en)")
    _output_options(p)


def _output_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print one JSON object with every change")
    p.add_argument("--limit", type=int, default=DEFAULT_LIMIT,
                   help=f"lines per section of the text report, 0 = all (default {DEFAULT_LIMIT})")


def _langs(value: str | None, default: Sequence[str]) -> tuple[str, ...]:
    return tuple(x.strip() for x in value.split(",") if x.strip()) if value else tuple(default)


def _emit(args: argparse.Namespace, data: dict[str, Any], text: str) -> None:
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
    else:
        sys.stdout.write(text)


def _diff(args: argparse.Namespace) -> TaxonomyDiff:
    return _pair(args)[2]


def _pair(args: argparse.Namespace) -> tuple[Taxonomy, Taxonomy, TaxonomyDiff]:
    langs = _langs(args.lang, ("en",))
    old = read_taxonomy(Path(args.old), langs)
    new = read_taxonomy(Path(args.new), langs)
    return old, new, diff_taxonomies(old, new, langs)


def cmd_diff(args: argparse.Namespace, settings: Settings) -> int:
    diff = _diff(args)
    _emit(args, diff.as_json(), render_diff(diff, args.limit))
    return 0


def cmd_impact(args: argparse.Namespace, settings: Settings) -> int:
    old, new, diff = _pair(args)
    store = open_store(settings)
    after = None
    try:
        migrated: dict[str, CvRecord] = {}
        if not args.no_rematch:
            # The new version's world, in memory, with the links the upgrade would migrate migrated: every
            # CV is matched there and on the store as it is.
            plan = plan_upgrade(store, new, old=old, lang=_langs(args.lang, ("en",))[0])
            after = what_if_store(new, store, plan.postings)
            migrated = {cv.id: cv for cv in plan.cvs}
        report = impact_of(diff, store, store, days=args.days, after=after, migrated=migrated)
    finally:
        store.close()
        if after is not None:
            after.close()
    _emit(args, report.as_json(), render_impact(report, args.limit))
    return 0


def cmd_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    langs = _langs(args.lang, settings.languages)
    labels = [Path(x) for x in args.labels] if args.labels is not None else list(settings.extra_labels)
    new = read_taxonomy(Path(args.new), langs, labels, version=args.esco_version)
    additions = None if args.no_local_additions else (
        Path(args.local_additions) if args.local_additions else settings.local_additions)
    check = load_local_additions(new, additions) if additions is not None else None
    old = read_taxonomy(Path(args.old), langs, labels) if args.old else None
    store = open_store(settings)
    try:
        report = upgrade(store, new, ledger=store, actor=cli_actor(),
                         mapping_path=Path(args.mapping) if args.mapping else None, old=old,
                         lang=langs[0] if langs else "en", dry_run=args.dry_run)
        if not args.dry_run:
            # The upgrade itself is an event of the audit chain: which version, what it moved, who.
            record_event(store, UPGRADE, cli_actor(), "", {"upgrade": {
                "from": report.plan.from_version, "to": report.plan.to_version, "cvs": report.cvs_updated,
                "postings": report.postings_updated, "links_migrated": len(report.plan.migrated)}})
        # The new version's labels need their concept index: built now (only new labels are embedded).
        reading = None if args.dry_run else build_for_store(store, settings)
    finally:
        store.close()
    data = report.as_json()
    data["reading"] = reading
    data["local_additions"] = check.file.summary() if check else None
    text = render_upgrade(report, args.limit)
    if check is not None:
        text += _additions_line(check.file) + "".join(f"  warning: {w}\n" for w in check.warnings[:args.limit or None])
    _emit(args, data, text)
    return 0


# -- local additions ----------------------------------------------------------------------------------
def _additions_path(value: str | None, settings: Settings) -> Path:
    """The additions file named on the command line, else the one in force: ``JOBMATCH_LOCAL_ADDITIONS``
    or the file shipped in loaders/data (what the extractor reads)."""
    if value:
        return Path(value)
    return local_additions_path(settings)


def _esco_dirs(args: argparse.Namespace, settings: Settings) -> list[Path]:
    return [Path(d) for d in args.esco] if args.esco else ([settings.esco_dir] if settings.esco_dir else [])


def _additions_line(f: AdditionsFile) -> str:
    declared = "declared" if f.declared else "undeclared: the sha256 stands in"
    return (f"local additions {f.source}: version {f.version} ({declared}), {len(f.additions):,} rows, "
            f"{len(f.local_concepts()):,} local concept(s)\n")


def _check_text(check: AdditionsCheck, limit: int | None) -> str:
    lines = [_additions_line(check.file).rstrip("\n")]
    lines += [f"  error: {p}" for p in check.errors[:limit]]
    lines += [f"  warning: {p}" for p in check.warnings[:limit]]
    lines.append("  OK" if check.ok else f"  {len(check.errors)} error(s): fix them before loading")
    return "\n".join(lines) + "\n"


def _check_json(check: AdditionsCheck) -> dict[str, Any]:
    return {**check.file.summary(), "ok": check.ok, "errors": [str(p) for p in check.errors],
            "warnings": [str(p) for p in check.warnings]}


def _check_against_store(path: Path, store: Store) -> AdditionsCheck:
    parsed, problems = read_additions(path)
    kinds = {u: c.kind for u, c in store.concepts(sorted(set(additions_uris(parsed)))).items()}
    versions = store.ontology_versions()
    active = f"the store's taxonomy (ESCO {versions[-1].version})" if versions else "the store (empty)"
    # The store may already hold these very additions, so "already a label of this concept" would
    # flag every row: only labels of *other* concepts are worth a warning here.
    langs = sorted({a.lang for a in parsed.additions})
    labels: dict[tuple[str, str], set[str]] = {}
    for e in store.labels(MATCHED_KINDS, langs):
        labels.setdefault((e.lang, e.label.casefold()), set()).add(e.uri)
    errors, warnings = check_additions(parsed, kinds, labels, against=active, redundant=False)
    return AdditionsCheck(parsed, tuple(sorted([*problems, *errors], key=lambda p: p.line)), tuple(warnings))


def cmd_additions_validate(args: argparse.Namespace, settings: Settings) -> int:
    path = _additions_path(args.file, settings)
    dirs = _esco_dirs(args, settings)
    if dirs:
        check = validate_additions(path, read_taxonomy(dirs, _langs(args.lang, settings.languages)))
    else:
        store = open_store(settings)
        try:
            check = _check_against_store(path, store)
        finally:
            store.close()
    _emit(args, _check_json(check), _check_text(check, None))
    return 0 if check.ok else 1


def cmd_additions_load(args: argparse.Namespace, settings: Settings) -> int:
    path = _additions_path(args.file, settings)
    dirs = _esco_dirs(args, settings)
    if not dirs:
        raise ConfigurationError("no ESCO package given: use --esco DIR or set JOBMATCH_ESCO_DIR", field="esco")
    labels = [Path(x) for x in args.labels] if args.labels is not None else list(settings.extra_labels)
    tax: Taxonomy = read_taxonomy(dirs, _langs(args.lang, settings.languages), labels, version=args.esco_version)
    check = load_local_additions(tax, path)
    store = open_store(settings)
    try:
        store.upsert_taxonomy(tax)
        versions = store.ontology_versions()
        build_for_store(store, settings)  # the additions' labels are in the concept index too
    finally:
        store.close()
    active = versions[-1]
    data = {**_check_json(check), "ontology_version": active.version, "checksum": active.checksum,
            "source": active.source}
    text = _check_text(check, DEFAULT_LIMIT) + f"loaded with ESCO {active.version} (recorded as {active.source})\n"
    _emit(args, data, text)
    return 0


def cmd_additions_show(args: argparse.Namespace, settings: Settings) -> int:
    path = _additions_path(args.file, settings)
    parsed, problems = read_additions(path)
    data = {**parsed.summary(), "problems": [str(p) for p in problems]}
    text = _additions_line(parsed) + "".join(f"  {lang}: {n:,} rows\n" for lang, n in
                                             parsed.by_language().items())
    text += "".join(f"  local concept {uri}: {rows[0].label!r} under {next((a.broader for a in rows if a.broader), '?')}\n"
                    for uri, rows in parsed.local_concepts().items())
    text += "".join(f"  problem: {p}\n" for p in problems)
    _emit(args, data, text)
    return 0



