"""The report: ``report.json`` (every figure), ``report.md`` (for readers who are not programmers),
SVG charts beside them, and ``cases.jsonl`` (each case's ranks, for auditing a figure).

The Markdown is written from the JSON data only, so the two can never disagree.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from graph.evaluation.history import Outcome
from graph.evaluation.plots import Point, bar_chart, line_chart

# Rejected lines listed in report.md; report.json has all of them.
MD_REJECTIONS = 50
_HIRE_KINDS = {"open": "posting open on the hiring date", "not_open": "posting not open on the hiring date",
               "no_location": "posting without a location", "no_posting": "no posting (occupation only)"}


def caveats(report: dict[str, Any]) -> list[str]:
    """What the figures do and do not show, in plain words, with this run's numbers."""
    pops = report["populations"]["all"]
    depth = report["options"]["depth"]
    out = [
        "A placement replay measures whether a strategy would have *shown* the job a person later got. It does "
        "not measure whether showing it *caused* the hire: for that, use the randomised trial.",
        "Hit@k for the obtained posting is a lower bound on usefulness: many postings fit a person and they "
        "took one of them; a list of other suitable jobs counts as a miss here. The occupation figures are "
        "closer to \"was the list relevant\".",
        f"Only the first {depth} suggestions were read: a hire ranked further down counts as a miss, so the "
        f"mean reciprocal rank is MRR@{depth}.",
        f"Posting figures count only the {pops['posting_cases']} case(s) whose obtained posting was current on "
        "the hiring date; hires with no posting in the data, and postings closed before the hiring date, count "
        "only in the occupation figures.",
        "Postings without an ESCO occupation code never count as an occupation hit, even if they fit.",
        "The CV is replayed as given in the placements file. A CV updated after the hire (for example with the "
        "new job) would flatter every strategy.",
        "Coverage says a list was produced, not that it was good.",
        "Intervals are 95 % intervals for these cases: they show sampling uncertainty only, not bias in which "
        "placements were recorded. Group breakdowns with few cases have wide intervals and are not corrected "
        "for multiple comparisons.",
        "If the placements were generated (`jobmatch sample placements`, loaders/hiring.py; or the older "
        "loaders/placements.py, which draws hires from the same ESCO profiles the strategies use), the figures "
        "measure agreement with the generator's made-up hiring process, not real hiring; they test the "
        "evaluation machinery and show orders of magnitude only.",
    ]
    if report.get("learned"):
        out.append("The learned strategy lists the same postings as the graph strategy (same candidates, radius "
                   "and minimum score) and differs only in their order; its weights come from the placements, "
                   "so its figures on the part it was fitted on are in-sample — judge it on the other part.")
    if report.get("usefulness"):
        out.append("Consultants' feedback comes from consultants who chose to give it, on the lists they saw; it "
                   "is not a sample of all suggestions.")
    return out


def _pct(fig: dict[str, Any] | None) -> str:
    if not fig or fig.get("value") is None:
        return "n/a"
    ci = fig.get("ci")
    core = f"{fig['value'] * 100:.1f} %"
    return f"{core} ({ci[0] * 100:.1f}–{ci[1] * 100:.1f})" if ci else core


def _num(fig: dict[str, Any] | None) -> str:
    if not fig or fig.get("value") is None:
        return "n/a"
    ci = fig.get("ci")
    return f"{fig['value']:.3f} ({ci[0]:.3f}–{ci[1]:.3f})" if ci else f"{fig['value']:.3f}"


def _p(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "column"


def _point(fig: dict[str, Any] | None) -> Point:
    if not fig or fig.get("value") is None:
        return Point(None)
    ci = fig.get("ci") or [None, None]
    return Point(fig["value"], ci[0], ci[1])


def plots(report: dict[str, Any]) -> dict[str, str]:
    """File name → SVG text of every chart."""
    out: dict[str, str] = {}
    ks = report["options"]["ks"]
    k = report["headline"]["k"]
    for pop_name, pop in report["populations"].items():
        if not pop["cases"]:
            continue
        for metric, title in (("posting", "obtained posting"), ("occupation", "same ESCO occupation")):
            series: dict[str, Sequence[Point]] = {
                s: [_point(f[metric][f"hit@{x}"]) for x in ks] for s, f in pop["strategies"].items()}
            out[f"hitk-{metric}-{pop_name}.svg"] = line_chart(
                f"Hit@k, {title} ({pop_name} cases)", [str(x) for x in ks], series)
    for col, values in ((report.get("groups") or {}).get("columns") or {}).items():
        cats = list(values)
        strategies = list(report["options"]["strategies"])
        for metric, title in (("posting", "obtained posting"), ("occupation", "same ESCO occupation")):
            bars: dict[str, Sequence[Point]] = {
                s: [_point(values[c]["strategies"][s][metric][f"hit@{k}"]) for c in cats] for s in strategies}
            counts = [f"{values[c]['cases']:,} cases" for c in cats]
            out[f"group-{_slug(col)}-{metric}.svg"] = bar_chart(f"Hit@{k}, {title}, by {col}", cats, bars,
                                                                subtitles=counts)
    return out


def _population_table(pop: dict[str, Any], ks: Sequence[int]) -> list[str]:
    names = list(pop["strategies"])
    lines = ["| measure | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]

    def row(label: str, cells: list[str]) -> None:
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    for k in ks:
        row(f"obtained posting in top {k}", [_pct(pop["strategies"][s]["posting"][f"hit@{k}"]) for s in names])
    row("mean reciprocal rank (posting)", [_num(pop["strategies"][s]["posting"]["mrr"]) for s in names])
    for k in ks:
        row(f"same occupation in top {k}", [_pct(pop["strategies"][s]["occupation"][f"hit@{k}"]) for s in names])
    for k in ks:
        row(f"same ISCO unit group in top {k}",
            [_pct(pop["strategies"][s]["isco_unit_group"][f"hit@{k}"]) for s in names])
    row("coverage (at least one suggestion)", [_pct(pop["strategies"][s]["coverage"]) for s in names])
    return lines


def _comparison_table(comparisons: list[dict[str, Any]]) -> list[str]:
    lines = ["| measure | A − B | difference | 95 % interval | test | p |", "|---|---|---|---|---|---|"]
    for c in comparisons:
        if c["difference"] is None:
            continue
        pp = c["metric"] != "posting mrr"
        diff = f"{c['difference'] * 100:+.1f} points" if pp else f"{c['difference']:+.3f}"
        ci = c["ci"]
        interval = ("n/a" if not ci else f"{ci[0] * 100:+.1f} to {ci[1] * 100:+.1f}" if pp
                    else f"{ci[0]:+.3f} to {ci[1]:+.3f}")
        lines.append(f"| {c['metric']} | {c['a']} − {c['b']} | {diff} | {interval} | {c['test']} | {_p(c['p'])} |")
    return lines


def _headline(report: dict[str, Any]) -> list[str]:
    head = report["headline"]
    pop = report["populations"][head["population"]]
    k = head["k"]
    lines = [f"Figures for the **{head['population']}** cases ({pop['cases']} cases, hired "
             f"{pop['period']['first']} to {pop['period']['last']}); the split is described under *The data*.", ""]
    for s, f in pop["strategies"].items():
        lines.append(f"- **{s}**: the posting the person got was among the first {k} suggestions in "
                     f"{_pct(f['posting'][f'hit@{k}'])} of {f['posting'][f'hit@{k}']['n']} cases with a posting; "
                     f"a posting in the same occupation was among them in {_pct(f['occupation'][f'hit@{k}'])} of "
                     f"{f['occupation'][f'hit@{k}']['n']} cases; at least one suggestion in {_pct(f['coverage'])}.")
    for c in pop.get("comparisons", []):
        if c["metric"] == f"posting hit@{k}" and c["difference"] is not None and c["ci"]:
            lines.append(f"- **{c['a']} − {c['b']}**: {c['difference'] * 100:+.1f} percentage points for the obtained "
                         f"posting in the top {k} (95 % interval {c['ci'][0] * 100:+.1f} to {c['ci'][1] * 100:+.1f}; "
                         f"{c['a_only']} cases found only by {c['a']}, {c['b_only']} only by {c['b']}; "
                         f"McNemar p {_p(c['p'])}).")
    lines.append("")
    lines.append("Numbers in brackets are 95 % intervals: the range the figure would plausibly lie in if the same "
                 "kind of placements were collected again.")
    return lines


def _learned_section(report: dict[str, Any]) -> list[str]:
    """The learned strategy's model: where its weights came from, what it saw, and the weights."""
    learned = report.get("learned")
    if not learned:
        return []
    model = learned["model"]
    t = model.get("trained", {})
    md = ["## The learned strategy", "", learned.get("statement", ""), ""]
    if learned.get("trained_here"):
        md += [f"- training window: {learned['window']}; cases used {t.get('cases_used')}, hired "
               f"{t.get('first_hired_on')} to {t.get('last_hired_on')}",
               "- cases skipped: " + (", ".join(f"{k}: {v}" for k, v in t.get("cases_skipped", {}).items())
                                      or "none")]
    if learned.get("alternatives"):
        md.append(f"- {learned['alternatives']}")
    fit_ = t.get("fit", {})
    md += [f"- model `{model['id']}`; mean log-loss {fit_.get('mean_log_loss')} (every candidate alike: "
           f"{fit_.get('null_log_loss')})", "", "| feature | weight (share) |", "|---|---|",
           *[f"| {f} | {w:.3f} |" for f, w in zip(model["features"], model["weights"], strict=True)], ""]
    return md


def markdown(report: dict[str, Any], charts: Sequence[str]) -> str:
    """report.md from the report data."""
    ks = report["options"]["ks"]
    inp = report["inputs"]
    all_ = report["populations"]["all"]
    k = report["headline"]["k"]
    md: list[str] = [f"# {report['title']}", "",
                     f"_Written {report['generated_at']} by `jobmatch evaluate placements`._", "",
                     "## In short", "", *_headline(report), "",
                     "## What was measured", "",
                     "Each historical case — a citizen's CV, the job they got and the day they were hired — is "
                     "replayed: every strategy is asked for suggestions **as of the hiring date**, from the "
                     "postings that were open on that day, exactly as the service would have asked then.", "",
                     "- **Obtained posting in top k** (hit@k): the share of cases where the posting the person got "
                     "was among the first k suggestions.",
                     "- **Mean reciprocal rank**: 1 if that posting came first, ½ if second, ⅓ if third …, 0 if "
                     f"not among the first {report['options']['depth']}; averaged over cases.",
                     "- **Same occupation / same ISCO unit group in top k**: the share of cases where some posting "
                     "among the first k was for the ESCO occupation the person was hired into (or for an "
                     "occupation in the same 4-digit ISCO group). This also counts hires with no posting.",
                     "- **Coverage**: the share of cases where the strategy suggested anything at all.",
                     "- **Widened horizon**: for people hired outside the occupations they said they wanted, how "
                     "often the *alternative occupations* list named the occupation they were hired into.", "",
                     "## The data", "",
                     "| | |", "|---|---|",
                     f"| hiring dates | {all_['period']['first']} to {all_['period']['last']} |",
                     f"| placement lines read | {inp['placement_lines']} |",
                     f"| cases replayed | {inp['cases_replayed']} |",
                     f"| lines rejected (all files) | {report['rejected']['count']} |",
                     f"| cases with the obtained posting open on the hiring date | {all_['posting_cases']} |",
                     f"| cases by hire kind | {', '.join(f'{_HIRE_KINDS.get(k_, k_)}: {v}' for k_, v in all_['posting_hires'].items())} |",
                     f"| cases with a known hired occupation | {all_['occupation_cases']} |",
                     f"| postings corpus lines / loaded | {inp['postings_lines']} / {inp['postings_loaded']} "
                     f"(+{inp['inline_postings_added']} given with the cases) |",
                     f"| split | {report['split']['rule']} "
                     f"({', '.join(f'{n}: {c}' for n, c in report['split']['parts'].items())}) |", ""]
    md += _learned_section(report)
    for name, pop in report["populations"].items():
        md += [f"## Results: {name} cases ({pop['cases']}, {pop['period']['first']} to {pop['period']['last']})", ""]
        if not pop["cases"]:
            md += ["No cases in this part.", ""]
            continue
        md += _population_table(pop, ks) + [""]
        if pop.get("comparisons"):
            md += ["Paired comparison on the same cases (A − B; points = percentage points):", "",
                   *_comparison_table(pop["comparisons"]), ""]
        hz = pop["horizon"]
        md += [f"Widened horizon: {_pct(hz['hired_outside_desired'])} of the cases with a desired occupation were "
               f"hired outside it; for these, the alternatives list named the hired occupation in "
               f"{_pct(hz['alternatives_named_hire'])} (of {hz['alternatives_named_hire']['n']}); counting only "
               f"hires outside the desired and past occupations and their ISCO groups (the only ones the list "
               f"can name) {_pct(hz['alternatives_named_hire_outside_focus'])} "
               f"(of {hz['alternatives_named_hire_outside_focus']['n']}).", ""]
    md += ["## Charts", ""]
    md += [f"![{c}]({c})" for c in charts if c.startswith("hitk-")] + [""]
    groups = report.get("groups")
    if groups:
        md += ["## Breakdown by group", "",
               "Groups come from the separate groups file and were joined to the results after the replay; no "
               "strategy saw them.", ""]
        for col, values in groups["columns"].items():
            names = list(report["options"]["strategies"])
            md += [f"### {col}", "", "| value | cases | " + " | ".join(
                f"{s}: posting top {k} | {s}: occupation top {k}" for s in names) + " |",
                "|---|---|" + "---|---|" * len(names)]
            for value, g in values.items():
                cells = [f"{_pct(g['strategies'][s]['posting'][f'hit@{k}'])} | "
                         f"{_pct(g['strategies'][s]['occupation'][f'hit@{k}'])}" for s in names]
                md.append(f"| {value} | {g['cases']} | " + " | ".join(cells) + " |")
            md += ["", *[f"![{c}]({c})" for c in charts if c.startswith(f"group-{_slug(col)}-")], ""]
        for col, why in groups["skipped_columns"].items():
            md.append(f"- column *{col}* skipped: {why}")
        md += [f"- {groups['cases_without_row']} case(s) have no row in the groups file; "
               f"{groups['rows_without_case']} row(s) name no replayed case.", ""]
    md += ["## Consultants' feedback", ""]
    use = report.get("usefulness")
    if use:
        md += [f"{use['records']} verdicts recorded from {use['period']['first']} to {use['period']['last']}.", "",
               "| strategy | verdicts | useful | not useful | applied | useful or applied |", "|---|---|---|---|---|---|"]
        for s, u in use["strategies"].items():
            md.append(f"| {s} | {u['n']} | {_pct(u['useful'])} | {_pct(u['not_useful'])} | {_pct(u['applied'])} | "
                      f"{_pct(u['useful_or_applied'])} |")
        md.append("")
    else:
        md += ["No feedback is recorded in the store.", ""]
    onto = report["versions"]["ontology"]
    md += ["## Versions", "",
           f"- ESCO version replayed: **{onto['used'] or '(unnamed)'}**; version of the hiring date per case: "
           + ", ".join(f"{v}: {n}" for v, n in onto["of_then"].items()) + "."]
    md += [f"- {note[0].upper()}{note[1:]}." for note in onto["notes"]]
    md += [f"- {s}: algorithm {v['algorithm_version']}, settings {v['settings_hash']}"
           for s, v in report["versions"]["algorithms"].items()]
    md += [f"- seed {report['options']['seed']}, {report['options']['resamples']} bootstrap resamples, "
           f"{report['options']['permutations']} sign-flip permutations: the same inputs and seed give the same "
           "figures.", "",
           "## What these figures show and do not show", "", *[f"- {c}" for c in report["caveats"]], ""]
    rej = report["rejected"]
    md += ["## Rejected lines", ""]
    if rej["count"]:
        md += [f"{rej['count']} line(s) could not be used (all are listed in report.json):", "",
               "| file | line | field | reason |", "|---|---|---|---|"]
        md += [f"| {r['file']} | {r['line']} | {r['field'] or '(line)'} | {r['reason']} |"
               for r in rej["lines"][:MD_REJECTIONS]]
        md.append("")
    else:
        md += ["None.", ""]
    return "\n".join(md)


def outcome_json(o: Outcome) -> dict[str, Any]:
    return {"case_id": o.case_id, "line": o.line, "hired_on": o.hired_on, "posting_id": o.posting_id,
            "posting_status": o.posting_status, "occupation": o.occupation, "isco_group": o.isco_group,
            "outside_desired": o.outside_desired, "outside_focus": o.outside_focus,
            "alternatives": list(o.alternatives) if o.alternatives is not None else None,
            "alternatives_hit": o.alternatives_hit, "ontology_of_then": o.ontology_of_then,
            "strategies": {s: {"posting_rank": x.posting_rank, "occupation_rank": x.occupation_rank,
                               "isco_rank": x.isco_rank, "suggested": list(x.suggested)}
                           for s, x in o.listings.items()}}


def write_report(report: dict[str, Any], outcomes: Sequence[Outcome], out_dir: Path) -> list[Path]:
    """Write report.json, report.md, the charts and cases.jsonl into ``out_dir``; returns the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    report["caveats"] = caveats(report)
    charts = plots(report)
    report["charts"] = sorted(charts)
    written = []
    for name, svg in sorted(charts.items()):
        (out_dir / name).write_text(svg, "utf-8")
        written.append(out_dir / name)
    (out_dir / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", "utf-8")
    (out_dir / "report.md").write_text(markdown(report, sorted(charts)), "utf-8")
    with (out_dir / "cases.jsonl").open("w", encoding="utf-8") as fh:
        for o in outcomes:
            fh.write(json.dumps(outcome_json(o), ensure_ascii=False) + "\n")
    return [out_dir / "report.json", out_dir / "report.md", out_dir / "cases.jsonl", *written]
