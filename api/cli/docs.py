"""``jobmatch docs technical``: the AI Act Annex IV technical documentation, a model card and a DPIA
worksheet, written from the running system — its settings with their reasons, the versions in force, the
audit trail's state and the last evaluation — in Danish and English, as Markdown.

Written from data, never by hand, so the documents cannot drift from what the service does; the texts
around the figures are this module's and say what a reviewer needs to check.
"""

from __future__ import annotations

import argparse
import ast
import inspect
import json
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from api.settings import Settings
from api.wiring import audit_key, composed, local_additions_version, verify_trail
from graph.accountability.serving import active_ontology_version
from graph.matching import scoring
from graph.matching.scoring import MatchSettings
from graph.matching.vocabulary import SCORE_PARTS, STRATEGIES, VERDICTS

LANGS = ("da", "en")


def register(sub: Any) -> None:
    d = sub.add_parser("docs", help="documents generated from the running system")
    dsub = d.add_subparsers(dest="docs_command", required=True)
    t = dsub.add_parser("technical", help="AI Act Annex IV documentation, model card and DPIA worksheet (da, en)")
    t.add_argument("--out", type=Path, default=Path("docs/generated"), help="folder (default docs/generated)")
    t.add_argument("--evaluation", type=Path, help="report.json of the last `jobmatch evaluate placements`")
    t.set_defaults(func=cmd_technical)


def setting_reasons() -> dict[str, str]:
    """Each matching setting's reason: the comment lines written above it in graph/matching/scoring.py."""
    source = inspect.getsource(scoring)
    lines = source.splitlines()
    reasons: dict[str, str] = {}
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            comment: list[str] = []
            i = node.lineno - 2
            while i >= 0 and lines[i].strip().startswith("#") and not lines[i].strip().startswith("# ---"):
                comment.insert(0, lines[i].strip().lstrip("#").strip())
                i -= 1
            inline = lines[node.lineno - 1].split("#", 1)[1].strip() if "#" in lines[node.lineno - 1] else ""
            reasons[node.target.id] = " ".join([*comment, inline]).strip()
    return reasons


def facts(settings: Settings) -> dict[str, Any]:
    """What the documents state, read from the system now."""
    with composed(settings) as root:
        store = root.backend
        report = verify_trail(settings, store)
        summary = store.taxonomy_summary()
        return {
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "store": settings.store,
            "esco": active_ontology_version(store) or "(none loaded)",
            "occupations": summary.occupations if summary else 0,
            "skills": summary.skills if summary else 0,
            "local_additions": local_additions_version(settings) or "(none)",
            "reading_model": settings.reading_model,
            "ranking_model": root.policy.ranking_model.as_json() if root.policy.ranking_model else None,
            "strategies": [(s.name, s.algorithm_version, s.da, s.en) for s in STRATEGIES],
            "settings_hash": root.policy.settings.settings_hash(),
            "trial": (f"{root.policy.trial.name}, share {root.policy.trial.treatment_share:g}, "
                      f"blocks of {root.policy.trial.block_size}") if root.policy.trial else "(none)",
            "crowding_cap": settings.crowding_cap_per_week,
            "retention_days": settings.audit_retention_days,
            "retention": {"cv": settings.cv_retention_days, "posting": settings.posting_retention_days,
                          "feedback": settings.feedback_retention_days},
            "audit": {"records": report.checked, "ok": report.ok, "anchor": report.anchor,
                      "checkpoints": report.checkpoints, "signed": audit_key(settings) is not None},
            "cvs": len(store.cv_ids()), "postings": store.posting_count(),
        }


def _n(x: int, da: bool) -> str:
    """A count as each language writes it (Danish groups thousands with a dot)."""
    return f"{x:,}".replace(",", ".") if da else f"{x:,}"


def _weights_table(lang: str) -> list[str]:
    reasons = setting_reasons()
    defaults = MatchSettings()
    head = ("| indstilling | værdi | begrundelse |" if lang == "da" else "| setting | value | reason |")
    out = [head, "|---|---|---|"]
    for f in fields(MatchSettings):
        reason = reasons.get(f.name, "").replace("|", "/")
        out.append(f"| `{f.name}` | {getattr(defaults, f.name)} | {reason} |")
    return out


def _evaluation(path: Path | None, lang: str) -> list[str]:
    if path is None or not path.exists():
        return ["Ingen evaluering angivet (`--evaluation report.json`)." if lang == "da"
                else "No evaluation given (`--evaluation report.json`)."]
    rep = json.loads(path.read_text("utf-8"))
    pop = rep.get("headline", {}).get("population", "all")
    k = rep.get("headline", {}).get("k", 10)
    figures = rep.get("populations", {}).get(pop, {})
    out = [f"{rep.get('title', '')} ({rep.get('generated_at', '')}); population `{pop}`, "
           f"{figures.get('cases', '?')} cases, k = {k}.", ""]
    for strategy, figs in figures.get("strategies", {}).items():
        shown = {key: value for key, value in figs.items() if isinstance(value, (int, float, dict))}
        out.append(f"- `{strategy}`: " + json.dumps(shown, ensure_ascii=False)[:400])
    return out


def technical(f: dict[str, Any], evaluation: Path | None, lang: str) -> str:
    da = lang == "da"
    strat = "\n".join(f"- `{n}` ({v}): {d if da else e}" for n, v, d, e in f["strategies"])
    parts = "\n".join(f"- `{p.name}`: {p.da if da else p.en}" + (f" (vægt `{p.weight}`)" if da and p.weight
                                                                  else f" (weight `{p.weight}`)" if p.weight else "")
                      for p in SCORE_PARTS)
    verdicts = ", ".join(f"{v.da if da else v.en}" for v in VERDICTS)
    audit = f["audit"]
    body = [
        "# Teknisk dokumentation (AI-forordningen, bilag IV)" if da else "# Technical documentation (AI Act, Annex IV)",
        "",
        (f"Genereret {f['generated_at']} fra det kørende system." if da
         else f"Generated {f['generated_at']} from the running system."),
        "",
        "## 1. Formål og anvendelse" if da else "## 1. Intended purpose",
        ("Beslutningsstøtte til jobcentrets rådgivere: forklarede jobforslag og alternative fag ud fra borgerens "
         "CV og aktuelle opslag. Et menneske træffer altid beslutningen; borgeren og rådgiveren vælger sammen."
         if da else
         "Decision support for job centre consultants: explained job suggestions and alternative occupations "
         "from the citizen's CV and current postings. A person always decides, together with the citizen."),
        "",
        "## 2. Data og versioner" if da else "## 2. Data and versions",
        f"- ESCO: {f['esco']} ({_n(f['occupations'], da)} {'fag' if da else 'occupations'}, "
        f"{_n(f['skills'], da)} {'kompetencer' if da else 'skills'})",
        f"- {'Lokale tilføjelser' if da else 'Local additions'}: {f['local_additions']}",
        f"- {'Læsemodel' if da else 'Reading model'}: `{f['reading_model']}`",
        f"- {'Rangordningsmodel' if da else 'Ranking model'}: "
        + (f"`{f['ranking_model']['id']}`" if f["ranking_model"] else ("(ingen)" if da else "(none)")),
        f"- {'Lager' if da else 'Store'}: `{f['store']}`; CVs {_n(f['cvs'], da)}, {'opslag' if da else 'postings'} "
        f"{_n(f['postings'], da)}",
        f"- {'Indstillinger (hash)' if da else 'Settings (hash)'}: `{f['settings_hash']}`",
        "",
        "## 3. Metoder" if da else "## 3. Methods",
        strat, "", "Pointdele:" if da else "Score parts:", parts, "",
        "## 4. Vægte og tærskler med begrundelse" if da else "## 4. Weights and thresholds with reasons",
        *_weights_table(lang), "",
        "## 5. Evaluering" if da else "## 5. Evaluation",
        *_evaluation(evaluation, lang), "",
        "## 6. Menneskeligt tilsyn" if da else "## 6. Human oversight",
        (f"Rådgiverens vurderinger og beslutninger: {verdicts}. Markeringer til etisk gennemgang samles i en kø "
         "i den etiske visning. Forsøg: " + f["trial"] + f"; trængselsværn {f['crowding_cap']} pr. opslag pr. uge."
         if da else
         f"The consultant's verdicts and decisions: {verdicts}. Flags for ethics review form a queue in the "
         f"ethics view. Trial: {f['trial']}; crowding guard {f['crowding_cap']} per posting per week."),
        "",
        "## 7. Logning og opbevaring" if da else "## 7. Logging and retention",
        (f"Hver vist liste, udskrift, sletning og oprydning er en post i en hash-kædet revisionslog "
         f"({_n(audit['records'], True)} poster, intakt: {audit['ok']}, start: {audit['anchor']}, signerede "
         f"kontrolpunkter: {audit['checkpoints']}{'' if audit['signed'] else ' — JOBMATCH_AUDIT_KEY mangler'}). "
         f"Opbevaring: revisionslog {f['retention_days']} dage, CV'er {f['retention']['cv']} dage efter sidste "
         f"opdatering, stillinger {f['retention']['posting']} dage efter sidste ansøgningsdag, vurderinger "
         f"{f['retention']['feedback']} dage (`jobmatch retention --yes`)."
         if da else
         f"Every served list, print, erasure and purge is a record of a hash-chained audit trail "
         f"({_n(audit['records'], False)} records, intact: {audit['ok']}, starting at the {audit['anchor']}, signed "
         f"checkpoints: {audit['checkpoints']}{'' if audit['signed'] else ' — JOBMATCH_AUDIT_KEY not set'}). "
         f"Retention: audit trail {f['retention_days']} days, CVs {f['retention']['cv']} days after their last "
         f"update, postings {f['retention']['posting']} days past their last day, feedback "
         f"{f['retention']['feedback']} days (`jobmatch retention --yes`)."),
        "",
    ]
    return "\n".join(body)


def _learned_card(model: dict[str, Any] | None, da: bool) -> list[str]:
    """The learned ranking model's part of the model card: where its weights came from, and the weights."""
    if model is None:
        return [("Ingen lært rangordningsmodel er indstillet (`JOBMATCH_RANKING_MODEL`): strategien `learned` "
                 "kan ikke vælges." if da else
                 "No learned ranking model is configured (`JOBMATCH_RANKING_MODEL`): the `learned` strategy "
                 "cannot be asked for."), ""]
    t = model.get("trained", {})
    fit_ = t.get("fit", {})
    head = ("| egenskab | vægt (andel) |" if da else "| feature | weight (share) |")
    return [
        "## Lært rangordning" if da else "## Learned ranking", "",
        (f"Model `{model['id']}` (betinget logit, ikke-negative vægte, docs/LEARNING.md). Trænet på "
         f"{t.get('window', '?')}: {t.get('cases_used', '?')} sager ansat {t.get('first_hired_on', '?')} til "
         f"{t.get('last_hired_on', '?')}; udeladt: {t.get('cases_skipped', {})}. Data-hash "
         f"`{str(t.get('data_sha256', '?'))[:16]}`, kodeversion {t.get('code_version', '?')}, log-tab "
         f"{fit_.get('mean_log_loss')} (alle lige: {fit_.get('null_log_loss')})." if da else
         f"Model `{model['id']}` (conditional logit, non-negative weights, docs/LEARNING.md). Trained on "
         f"{t.get('window', '?')}: {t.get('cases_used', '?')} cases hired {t.get('first_hired_on', '?')} to "
         f"{t.get('last_hired_on', '?')}; skipped: {t.get('cases_skipped', {})}. Data hash "
         f"`{str(t.get('data_sha256', '?'))[:16]}`, code version {t.get('code_version', '?')}, log-loss "
         f"{fit_.get('mean_log_loss')} (every candidate alike: {fit_.get('null_log_loss')})."), "",
        head, "|---|---|",
        *[f"| `{name}` | {w:.3f} |" for name, w in zip(model["features"], model["weights"], strict=True)], "",
        (f"Skift mellem fag fra {len(model.get('moves', {}))} ISCO-enhedsgrupper (celler under 5 borgere "
         "udeladt) indgår i alternative fag." if da else
         f"Moves between occupations from {len(model.get('moves', {}))} ISCO unit groups (cells under 5 citizens "
         "left out) rank the alternative occupations."), "",
    ]


def model_card(f: dict[str, Any], lang: str) -> str:
    da = lang == "da"
    return "\n".join([
        "# Modelkort: jobmatch" if da else "# Model card: jobmatch", "",
        ("En forklarlig grafmatchning over ESCO med navngivne vægte (se teknisk dokumentation, afsnit 4) og, "
         "når den er indstillet, en lært rangordning af de samme kandidater. Læsning af CV-tekst: " if da else
         "Explainable graph matching over ESCO with named weights (see the technical documentation, section 4) "
         "and, when configured, a learned ranking of the same candidates. Reading CV text: ")
        + f"`{f['reading_model']}`.", "",
        *_learned_card(f["ranking_model"], da),
        "## Begrænsninger" if da else "## Limitations",
        ("- Læsningen af danske CV'er finder ikke alle kompetencer; udledte kompetencer bruges først, når "
         "borgeren har bekræftet dem.\n- ESCO dækker ikke alle danske titler; lokale tilføjelser udfylder dem.\n"
         "- Beskyttede oplysninger afvises ved indlæsning og indgår aldrig i matchningen." if da else
         "- Reading Danish CVs misses some competences; inferred competences count only once the citizen "
         "confirmed them.\n- ESCO does not cover every Danish title; local additions fill the gaps.\n"
         "- Protected attributes are refused at ingestion and never enter matching."),
        "",
    ])


def dpia(f: dict[str, Any], lang: str) -> str:
    da = lang == "da"
    rows = [
        ("Personoplysninger", "Personal data",
         "CV-tekst (renset for CPR, telefon, e-mail, adresse, navne), pseudonym, postnummer" if da else
         "CV text (scrubbed of CPR, phone, e-mail, address, names), pseudonym, postcode"),
        ("Pseudonymisering", "Pseudonymisation", "HMAC af jobcentrets reference (JOBMATCH_PSEUDONYM_KEY)"
         if da else "HMAC of the job centre's reference (JOBMATCH_PSEUDONYM_KEY)"),
        ("Sletning", "Erasure", "`jobmatch citizen erase` / POST /api/v1/cvs/{id}/erasure; sporet forbliver intakt"
         if da else "`jobmatch citizen erase` / POST /api/v1/cvs/{id}/erasure; the trail stays intact"),
        ("Opbevaring", "Retention", f"{f['retention_days']} dage for revisionsloggen, {f['retention']['cv']} for "
         f"CV'er, {f['retention']['posting']} for udløbne stillinger, {f['retention']['feedback']} for "
         "vurderinger (`jobmatch retention`)" if da
         else f"{f['retention_days']} days for the audit trail, {f['retention']['cv']} for CVs, "
         f"{f['retention']['posting']} for expired postings, {f['retention']['feedback']} for feedback "
         "(`jobmatch retention`)"),
        ("Adgang", "Access", "Tokens pr. rolle; rådgivere ser kun egen kommune" if da
         else "Tokens per role; consultants see their own municipality only"),
    ]
    head = "| emne | foranstaltning |" if da else "| topic | measure |"
    return "\n".join([
        "# DPIA-arbejdsark (udfyldes af DPO)" if da else "# DPIA worksheet (for the DPO to complete)", "",
        f"Genereret {f['generated_at']}." if da else f"Generated {f['generated_at']}.", "",
        head, "|---|---|", *(f"| {d if da else e} | {m} |" for d, e, m in rows), "",
        "## Risici og vurdering (DPO)" if da else "## Risks and assessment (DPO)", "",
        "- [ ] ...", "",
    ])


def cmd_technical(args: argparse.Namespace, settings: Settings) -> int:
    f = facts(settings)
    args.out.mkdir(parents=True, exist_ok=True)
    written = []
    for lang in LANGS:
        for name, text in (("technical-documentation", technical(f, args.evaluation, lang)),
                           ("model-card", model_card(f, lang)), ("dpia-worksheet", dpia(f, lang))):
            path = args.out / f"{name}.{lang}.md"
            path.write_text(text, encoding="utf-8")
            written.append(path)
    print("\n".join(str(p) for p in written))
    return 0
