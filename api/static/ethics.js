// The ethics reviewer's page: the audit chain's status, a search over served lists (pseudonym, dates,
// consultant), and one list in full — score parts, paths, CV sentences, versions — with replay.
import {
  $, T, LANG, LOCALE, api, badges, citizenText, el, explain, fill, hideMessage, labelOf, matchedItem, num,
  pathDetails, scoreBar, setupToken, showMessage, token, vocabulary,
} from "./common.js";

const PAGE = 50;
const when = new Intl.DateTimeFormat(LOCALE, { dateStyle: "medium", timeStyle: "medium" });
const score3 = new Intl.NumberFormat(LOCALE, { minimumFractionDigits: 3, maximumFractionDigits: 3 });
const VERSION_KEYS = ["ontology", "algorithm", "settings", "local_additions", "reading_model", "ranking_model",
  "occupation_vectors"];
// Strategies, score parts (in the order a reader weighs them; records store them sorted by name) and
// verdicts, with their labels: from the API (GET /api/v1/vocabulary), never restated here.
const VOCABULARY = await vocabulary();
const PART_ORDER = VOCABULARY.score_parts.map((p) => p.name);
// graph.accountability.replay's reasons for a difference, in the page's language.
const REASONS = {
  "posting added since the list was served": T.reason_added,
  "posting changed since the list was served": T.reason_written,
  "taxonomy version changed": T.reason_taxonomy,
  "algorithm changed": T.reason_algorithm,
  "local additions changed": T.reason_local,
  "no recorded change explains it": T.reason_unexplained,
  "posting expired": T.reason_expired,
  "posting removed": T.reason_removed,
  "CV changed since the list was served": T.reason_cv,
  "settings changed": T.reason_settings,
  "reading model changed": T.reason_model,
  "ranking model changed": T.reason_ranking,
  "occupation vectors changed": T.reason_vectors,
};
// graph.accountability.serving's note on a control-group list; shown in the page's language.
const CONTROL_NOTE = "control group in the trial";

let search = null;  // the current search: URLSearchParams without limit/offset, and the offset

const time = (iso) => when.format(new Date(iso));
const role = (r) => T["role_" + r] || r;
const kind = (s) => labelOf([...VOCABULARY.strategies, ...(VOCABULARY.audit_events || [])], s);
const short = (hash, n) => (hash ? hash.slice(0, n || 12) : T.v_none);

function problemText(err, notFound) {
  if (err && err.status === 403) return T.ethics_forbidden;
  return explain(err, notFound);
}

// -- sign-in and the chain's status ----------------------------------------------------------------
setupToken(() => { checkChain(); loadFlags(); $("cv-id").focus(); }, () => {
  for (const id of ["chain-panel", "flags-panel", "list-section", "record"]) $(id).hidden = true;
});

// -- the queue of items consultants flagged for review ---------------------------------------------
async function loadFlags() {
  const list = $("flags");
  try {
    const { flags } = await api("/flags");
    list.replaceChildren(...(flags.length ? flags.map((f) => el("li", {},
      el("strong", { text: time(f.at) }), ` · ${f.target} · `, el("q", { text: f.reason }), " ",
      (() => {
        const open = el("button", { type: "button", class: "secondary inline", text: T.open,
          "aria-label": `${T.open}: ${f.target}` });
        open.addEventListener("click", () => openRecord(f.recommendation_id, open));
        return open;
      })())) : [el("li", { class: "empty", text: T.flags_none })]));
    $("flags-panel").hidden = false;
  } catch (err) {
    $("flags-panel").hidden = true;
  }
}

async function checkChain() {
  const status = $("chain-status");
  $("chain-panel").hidden = false;
  status.className = "chain grow";
  status.textContent = T.loading;
  try {
    const r = await api("/audit/verify");
    status.classList.add(r.ok ? "good" : "bad");
    status.textContent = r.ok ? fill(T.chain_ok, { n: r.checked })
      : fill(T.chain_broken, { seq: r.first_bad_seq, problem: chainProblem(r.problem), n: r.checked });
  } catch (err) {
    status.classList.add("bad");
    status.textContent = problemText(err);
  }
}
$("chain-check").addEventListener("click", checkChain);

// graph.accountability.audit's reasons, in the page's language.
function chainProblem(problem) {
  if (problem.startsWith("record content")) return T.chain_problem_content;
  if (problem.startsWith("record does not link")) return T.chain_problem_link;
  if (problem.startsWith("the records before this one")) return T.chain_problem_start;
  if (problem.startsWith("records after")) return T.chain_problem_cut;
  if (problem.startsWith("record differs from the checkpoint")) return T.chain_problem_rewritten;
  if (problem.startsWith("a checkpoint in the file")) return T.chain_problem_checkpoint;
  return problem;
}

// -- search ----------------------------------------------------------------------------------------
// A date in the form is a local calendar day; the API compares UTC instants (until exclusive).
function dayStart(value, plusDays) {
  const [y, m, d] = value.split("-").map(Number);
  return new Date(y, m - 1, d + plusDays).toISOString();
}

$("search-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  if (!token()) { showMessage(T.token_missing); $("token").focus(); return; }
  const q = new URLSearchParams();
  const cv = $("cv-id").value.trim(), actor = $("actor").value.trim();
  if (cv) q.set("cv_id", cv);
  if (actor) q.set("actor", actor);
  if ($("since").value) q.set("since", dayStart($("since").value, 0));
  if ($("until").value) q.set("until", dayStart($("until").value, 1));
  search = { q, offset: 0 };
  loadList();
});
$("list-prev").addEventListener("click", () => { search.offset = Math.max(0, search.offset - PAGE); loadList(); });
$("list-next").addEventListener("click", () => { search.offset += PAGE; loadList(); });

async function loadList() {
  const q = new URLSearchParams(search.q);
  q.set("limit", PAGE);
  q.set("offset", search.offset);
  $("search-button").disabled = true;
  showMessage(T.loading, "info");
  try {
    const r = await api(`/recommendations?${q}`);
    hideMessage();
    renderList(r);
  } catch (err) {
    showMessage(problemText(err));
    $("list-section").hidden = true;
  } finally {
    $("search-button").disabled = false;
  }
}

function renderList(r) {
  const body = $("records").tBodies[0];
  body.replaceChildren();
  for (const rec of r.recommendations) {
    const open = el("button", { type: "button", class: "secondary small", text: T.open,
      "aria-label": `${T.open}: ${kind(rec.strategy)}, ${rec.cv_id}, ${time(rec.at)}` });
    open.addEventListener("click", () => openRecord(rec.id, open));
    body.append(el("tr", { "data-id": rec.id },
      el("td", { class: "nowrap", text: time(rec.at) }),
      el("td", { class: "nowrap" }, el("code", { text: rec.cv_id })),
      el("td", { text: kind(rec.strategy) }),
      el("td", { class: "num", text: String(rec.suggestions + rec.alternatives) }),
      el("td", {}, el("code", { text: rec.actor }), ` (${role(rec.role)})`),
      el("td", { class: "versions" }, `ESCO ${rec.ontology_version || T.v_none} · ${rec.algorithm_version}`),
      el("td", {}, open)));
  }
  const n = r.recommendations.length;
  $("list-count").textContent = n ? fill(T.list_count, { from: r.offset + 1, to: r.offset + n }) : T.list_none;
  $("records").hidden = n === 0;
  $("list-prev").disabled = r.offset === 0;
  $("list-next").disabled = n < r.limit;
  $("list-prev").parentElement.hidden = r.offset === 0 && n < r.limit;  // one page: nothing to turn
  $("list-section").hidden = false;
}

// -- one served list in full -----------------------------------------------------------------------
async function openRecord(id, opener) {
  for (const row of $("records").tBodies[0].rows) row.classList.toggle("selected", row.dataset.id === id);
  showMessage(T.loading, "info");
  try {
    const rec = await api(`/recommendations/${encodeURIComponent(id)}?lang=${LANG}`);
    hideMessage();
    renderRecord(rec);
    const section = $("record");
    section.hidden = false;
    section.scrollIntoView({ block: "start" });
    section.focus({ preventScroll: true });
  } catch (err) {
    showMessage(problemText(err, T.record_not_found));
    if (opener) opener.focus();
  }
}

function facts(pairs) {
  const dl = el("dl", { class: "facts" });
  for (const [k, v] of pairs) dl.append(el("dt", { text: k }), el("dd", {}, v));
  return dl;
}

function renderRecord(rec) {
  const body = rec.body || {};
  const result = body.result || {};
  const req = body.request || {};
  const arm = body.trial_arm;
  const items = result.suggestions && result.suggestions.length ? result.suggestions : (result.alternatives || []);
  const names = Object.fromEntries(items.map((it) => it.posting
    ? [it.posting.id, it.posting.title] : [it.occupation.uri, it.occupation.label]));

  const request = facts([
    [T.f_citizen, el("code", { text: rec.cv_id })],
    [T.f_kind, kind(rec.strategy)],
    [T.f_actor, el("span", {}, el("code", { text: rec.actor }), ` (${role(rec.role)})`)],
    [T.f_municipality, rec.municipality || "—"],
    [T.f_trial, arm === "control" ? T.trial_control_arm : arm === "treatment" ? T.trial_treatment : T.trial_none],
    [T.f_radius, `${num.format(result.radius_km)} km`],
    [T.f_valid_on, result.valid_on || req.valid_on || "—"],
    [T.f_candidates, String(result.candidates ?? "—")],
  ]);
  const versions = facts([
    [T.v_ontology, rec.ontology_version || T.v_none],
    [T.v_algorithm, rec.algorithm_version],
    [T.v_settings, el("code", { title: rec.settings_hash, text: short(rec.settings_hash) })],
    [T.v_local_additions, rec.local_additions_version
      ? el("code", { title: rec.local_additions_version, text: short(rec.local_additions_version) }) : T.v_none],
  ]);
  const verdict = el("div", { id: "replay-result", class: "replay-result", role: "status", "aria-live": "polite" });
  const replayButton = el("button", { type: "button", class: "primary inline", id: "replay-button",
    text: T.replay_button, "aria-describedby": "replay-help" });
  replayButton.addEventListener("click", () => runReplay(rec, names, replayButton, verdict, "recorded"));
  const todayButton = el("button", { type: "button", class: "inline", id: "today-button",
    text: T.today_button, "aria-describedby": "today-help" });
  todayButton.addEventListener("click", () => runReplay(rec, names, todayButton, verdict, "today"));
  const audit = el("div", {},
    el("p", { class: "chain-link" }, fill(T.chain_link, { seq: rec.seq }), " · ",
      el("code", { title: rec.hash, text: short(rec.hash) })),
    el("p", { class: rec.hash_valid ? "good" : "bad", text: rec.hash_valid ? T.hash_valid : T.hash_invalid }),
    el("div", { class: "row center" }, replayButton,
      el("small", { id: "replay-help", text: T.replay_help })),
    el("div", { class: "row center" }, todayButton,
      el("small", { id: "today-help", text: T.today_help })),
    verdict);

  const section = $("record");
  section.replaceChildren(
    el("h2", { id: "record-heading" }, `${T.record} · `, el("code", { text: rec.cv_id }), ` · ${time(rec.at)}`),
    el("div", { class: "record-grid" },
      el("section", { class: "panel", "aria-label": T.facts_heading }, el("h3", { text: T.facts_heading }), request),
      el("section", { class: "panel", "aria-label": T.versions_heading },
        el("h3", { text: T.versions_heading }), versions),
      el("section", { class: "panel", "aria-label": T.audit_heading }, el("h3", { text: T.audit_heading }), audit)),
  );
  const notes = (body.erased ? [T.record_erased] : [])
    .concat((result.notes || []).map((n) => (n.startsWith(CONTROL_NOTE) ? T.trial_control : n)));
  if (notes.length) {
    section.append(el("div", { class: "banner", role: "note" }, el("strong", { text: T.notes_heading }),
      el("ul", {}, notes.map((n) => el("li", { text: n })))));
  }
  section.append(el("h3", { class: "section-title", text: T.items_heading }));
  if (!items.length) section.append(el("p", { class: "empty", text: T.no_items }));
  const cards = el("div", { class: "cards" });
  items.forEach((it, i) => cards.append(itemCard(rec, it, i === 0)));
  section.append(cards);
  section.append(el("h3", { class: "section-title", text: T.verdicts_heading }), verdicts(rec.feedback, names));
}

function partsTable(parts) {
  const table = el("table", { class: "parts" }, el("caption", { text: T.parts_label }));
  const at = (name) => (PART_ORDER.includes(name) ? PART_ORDER.indexOf(name) : PART_ORDER.length);
  const ordered = Object.entries(parts || {}).sort(([a], [b]) => at(a) - at(b) || a.localeCompare(b));
  for (const [name, value] of ordered) {
    const bar = el("span", { class: "fill" });
    bar.style.width = `${(Math.max(0, Math.min(1, value)) * 100).toFixed(0)}%`;
    table.append(el("tr", {},
      el("th", { scope: "row", text: labelOf(VOCABULARY.score_parts, name) }),
      el("td", { class: "part-bar" }, el("span", { class: "bar", "aria-hidden": "true" }, bar)),
      el("td", { class: "num", text: score3.format(value) })));
  }
  return table;
}

function itemCard(rec, it, first) {
  const posting = it.posting;
  const title = posting ? posting.title : it.occupation.label;
  const card = el("article", { class: "card", "aria-label": `${it.rank}. ${title}` });
  const meta = posting ? el("p", { class: "meta" }, posting.employer, " · ", `${num.format(it.distance_km)} ${T.km_away}`)
    : el("p", { class: "meta", text: fill(T.essential_covered, { n: it.essential_covered, total: it.essential_total }) });
  card.append(
    el("header", { class: "card-head" },
      el("div", {}, el("h4", { class: "card-title" }, el("span", { class: "rank", text: `${it.rank}.` }), " ", title),
        meta),
      posting ? badges(it) : null),
    scoreBar(it.score, `${T.score} ${score3.format(it.score)}`),
    partsTable(it.parts));
  if (it.matched.length) {
    const why = el("ul", { class: "why" });
    for (const m of it.matched) why.append(matchedItem(m, rec.labels));
    card.append(el("h5", { text: posting ? T.why : T.transferable }), why);
  }
  if (it.missing_essential.length) {
    card.append(el("p", { class: "missing" }, el("strong", { text: (posting ? T.missing : T.gap) + ": " }),
      it.missing_essential.map((r) => r.label).join(", ")));
  }
  if (!posting && it.postings.length) {
    card.append(el("h5", { text: T.postings_nearby }), el("ul", { class: "nearby" }, it.postings.map((p) =>
      el("li", {}, el("span", { class: "skill", text: p.title }), ` · ${p.employer} · ${num.format(p.distance_km)} km`))));
  }
  if (it.matched.length) card.append(pathDetails(rec.labels, it.matched, title, first));
  card.append(citizenText(rec.id, it.rank));
  return card;
}

function verdicts(feedback, names) {
  if (!feedback.length) return el("p", { class: "empty", text: T.no_verdicts });
  return el("ul", { class: "verdicts" }, feedback.map((f) => el("li", {},
    el("strong", { text: labelOf(VOCABULARY.verdicts, f.verdict) }), ` · ${names[f.target] || f.target} · `,
    el("code", { text: f.actor }), ` · ${time(f.at)}`, f.reason ? el("q", { text: f.reason }) : null)));
}

// -- replay ----------------------------------------------------------------------------------------
async function runReplay(rec, names, button, out, against) {
  button.disabled = true;
  out.className = "replay-result";
  out.replaceChildren(el("p", { class: "empty", text: T.loading }));
  try {
    const r = await api(`/recommendations/${encodeURIComponent(rec.id)}/replay?against=${against}`,
      { method: "POST" });
    out.classList.add(r.identical ? "good" : "bad");
    const rows = VERSION_KEYS.map((k) => {
      const was = r.recorded_versions[k] || "", now = r.current_versions[k] || "";
      const changed = was !== now;
      const hashed = k === "settings" || k === "local_additions" || k === "occupation_vectors";  // long hashes: the start tells them apart
      return el("tr", { class: changed ? "changed" : null },
        el("th", { scope: "row", text: T["v_" + k] }),
        el("td", {}, el("code", { title: was, text: hashed ? short(was) : was || T.v_none })),
        el("td", {}, el("code", { title: now, text: hashed ? short(now) : now || T.v_none }),
          changed ? el("span", { class: "tag warn", text: T.replay_changed }) : null));
    });
    const diffText = { "no longer suggested": T.diff_removed, changed: T.diff_changed, "newly suggested": T.diff_added,
      "result metadata differs": T.diff_meta };
    out.replaceChildren(...[
      el("p", { class: "verdict", text: r.identical ? T.replay_identical : T.replay_differs }),
      el("table", { class: "compare" },
        el("thead", {}, el("tr", {}, el("td", {}), el("th", { scope: "col", text: T.replay_recorded }),
          el("th", { scope: "col", text: T.replay_now }))),
        el("tbody", {}, rows)),
      r.differences.length ? el("ul", { class: "diffs" }, r.differences.map((d) => el("li", {},
        el("strong", { text: names[d.item] || d.title || d.item || "—" }), `: ${diffText[d.change] || d.change}`,
        d.rank_was !== undefined ? ` · ${T.rank_was} ${d.rank_was}` : "",
        d.rank_now !== undefined ? ` · ${T.rank_now} ${d.rank_now}` : "",
        d.score_was !== undefined ? ` · ${T.score} ${score3.format(d.score_was)} → ${score3.format(d.score_now)}`
          : "",
        d.reason ? el("span", { class: "reason" }, ` — ${REASONS[d.reason] || d.reason}`) : "",
        d.posting_fields && d.posting_fields.length ? ` (${d.posting_fields.join(", ")})` : "",
        d.written && d.written.length ? ` (${d.written.map((w) => `${w.actor}, ${time(w.at)}`).join("; ")})`
          : ""))) : null,
      r.notes.length ? el("ul", { class: "diffs" }, r.notes.map((n) => el("li", { text: n }))) : null,
    ].filter(Boolean));
  } catch (err) {
    out.classList.add("bad");
    out.replaceChildren(el("p", { text: problemText(err, T.record_not_found) }));
  } finally {
    button.disabled = false;
  }
}

if (token()) { checkChain(); loadFlags(); }
