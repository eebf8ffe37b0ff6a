// The consultant's page: looks a citizen up, draws the explained matches and alternatives, takes the
// consultant's feedback, and shows the citizen's own explanation of each suggestion on request.
import {
  $, T, LANG, api, badges, citizenText, el, explain, hideMessage, labelOf, matchedItem, num, pathDetails, scoreBar,
  setupToken, showMessage, token, vocabulary,
} from "./common.js";

// The verdicts a consultant can give, the orders and the occupation groups, with their labels: from the
// API, never restated here.
const VOCABULARY = await vocabulary();
for (const s of VOCABULARY.sorts || []) $("sort").append(el("option", { value: s.name, text: s[LANG] || s.en }));
for (const g of VOCABULARY.isco_major_groups || []) {
  $("isco").append(el("option", { value: g.name, text: `${g.name} ${g[LANG] || g.en}` }));
}

setupToken(() => $("cv-id").focus());

// -- lookup ----------------------------------------------------------------------------------------
$("lookup-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  if (!token()) { showMessage(T.token_missing); $("token").focus(); return; }
  const given = $("cv-id").value.trim();
  if (!given) return;
  const strategy = $("strategy").value;
  const radius = $("radius").value.trim();
  const q = new URLSearchParams({ lang: LANG });
  if (radius) q.set("radius_km", radius);
  const isco = $("isco").value;
  if (isco) q.set("isco", isco);  // occupation group: the matches' postings and the alternatives
  const steer = new URLSearchParams();  // matches only: the postings' age and the order
  const maxAge = $("max-age").value.trim();
  if (maxAge) steer.set("max_age_days", maxAge);
  if ($("sort").value) steer.set("sort", $("sort").value);
  const results = $("results");
  results.setAttribute("aria-busy", "true");
  $("lookup-button").disabled = true;
  showMessage(T.loading, "info");
  try {
    // A pseudonym ("cv_…", sample "cv-000026") is used as it is; anything else is the job centre's
    // reference, sent in a body (never in a URL) and answered with the pseudonym.
    const cvId = /^cv[_-]/.test(given) ? given
      : (await api("/cvs/lookup", { method: "POST", body: { citizen_ref: given } })).id;
    const id = encodeURIComponent(cvId);
    const strategies = strategy === "both" ? ["graph", "automatch"] : [strategy];
    const [cv, alternatives, ...lists] = await Promise.all([
      api(`/cvs/${id}?lang=${LANG}`),
      api(`/cvs/${id}/alternatives?${q}`),
      ...strategies.map((s) => api(`/cvs/${id}/matches?${q}&${steer}&strategy=${s}`)),
    ]);
    hideMessage();
    const control = [alternatives, ...lists].some((l) => l.trial_arm === "control");
    renderCitizen(cv);
    $("trial-banner").hidden = !control;
    renderMatches(lists);
    renderAlternatives(alternatives, control);
    shown = [...lists, alternatives];
    $("print-bar").hidden = false;
    results.focus();
  } catch (err) {
    showMessage(explain(err));
    for (const s of ["citizen", "trial-banner", "matches-section", "alternatives-section", "print-bar"]) {
      $(s).hidden = true;
    }
    shown = [];
  } finally {
    results.setAttribute("aria-busy", "false");
    $("lookup-button").disabled = false;
  }
});

function renderCitizen(cv) {
  const seeks = cv.seeks.map((u) => cv.labels[u] || "").filter(Boolean);
  const own = cv.skills.filter((s) => s.source !== "inferred");
  const box = $("citizen");
  box.replaceChildren(
    el("p", { class: "citizen" },
      el("strong", { text: cv.id }), " · ",
      seeks.length ? `${T.citizen_seeks}: ${seeks.join(", ")}` : T.citizen_nothing_sought, " · ",
      `${own.length} ${T.citizen_skills}`),
  );
  const inferred = cv.skills.filter((s) => s.source === "inferred");
  if (inferred.length) box.append(inferredPanel(cv, inferred));
  box.hidden = false;
}

// The skills inferred from the occupations the CV names: the consultant confirms or rejects each with the
// citizen (or all at once). Until confirmed they are not used in matching.
function inferredPanel(cv, inferred) {
  const id = encodeURIComponent(cv.id);
  const status = el("p", { class: "fb-status", role: "status" });
  const list = el("ul", { class: "inferred" });
  const settle = async (action, body, rows) => {
    try {
      await api(`/cvs/${id}/skills/${action}`, { method: "POST", body });
      for (const row of rows) {
        row.querySelectorAll("button").forEach((b) => { b.disabled = true; });
        row.append(" ", el("span", { class: "tag done", text: action === "confirm" ? T.confirmed : T.rejected }));
      }
    } catch (err) {
      status.textContent = T.settle_failed;
    }
  };
  for (const s of inferred) {
    const ev = s.evidence[0] || {};
    const from = [ev.text, ev.via && cv.labels[ev.via]].filter(Boolean).join(" · ");
    const row = el("li", {}, el("span", { class: "skill", text: cv.labels[s.skill] || s.skill }),
      from ? el("span", { class: "meta", text: ` (${T.inferred_from} ${from})` }) : "");
    const yes = el("button", { type: "button", class: "fb", text: T.confirm });
    const no = el("button", { type: "button", class: "fb", text: T.reject });
    yes.addEventListener("click", () => settle("confirm", { skills: [s.skill] }, [row]));
    no.addEventListener("click", () => settle("reject", { skills: [s.skill] }, [row]));
    row.append(" ", el("span", { class: "feedback", role: "group", "aria-label": cv.labels[s.skill] || s.skill }, yes, no));
    list.append(row);
  }
  const all = el("button", { type: "button", class: "primary", text: T.confirm_all });
  all.addEventListener("click", () => settle("confirm", { all: true }, [...list.children]));
  return el("details", { class: "inferred-panel" },
    el("summary", { text: `${T.inferred_heading} (${inferred.length})` }),
    el("p", { class: "intro", text: T.inferred_intro }), list, all, status);
}

// -- the print for the citizen ---------------------------------------------------------------------
let shown = [];  // the lists on screen: what a print hands over

// Notes the print in the audit trail (one event per list), puts the citizen's own explanation under
// every item (print only), then opens the browser's print dialog (which also saves a PDF).
$("print-button").addEventListener("click", async () => {
  const status = $("print-status");
  status.textContent = T.loading;
  try {
    for (const list of shown) {
      await api(`/recommendations/${encodeURIComponent(list.recommendation_id)}/exports`,
        { method: "POST", body: { format: "print" } });
    }
    await Promise.all([...document.querySelectorAll("#results article.card[data-rank]")].map(async (card) => {
      if (card.querySelector(".print-explanation")) return;
      const r = await api(`/recommendations/${encodeURIComponent(card.dataset.rec)}/explanation?rank=${card.dataset.rank}`);
      card.append(el("blockquote", { class: "print-only print-explanation", lang: "da", text: r.text_da }));
    }));
    $("print-date").textContent = T.print_date.replace("{date}", new Date().toLocaleDateString(LANG === "da" ? "da-DK" : "en-GB"));
    status.textContent = "";
    window.print();
  } catch (err) {
    status.textContent = T.print_failed;
  }
});

// -- direct matches --------------------------------------------------------------------------------
function renderMatches(lists) {
  const root = $("matches");
  root.replaceChildren();
  root.classList.toggle("two", lists.length > 1);
  for (const list of lists) {
    const col = el("div", { class: "column" });
    if (lists.length > 1) {
      col.append(el("h3", { text: list.strategy === "graph" ? T.matches_graph : T.matches_automatch }));
    }
    if (!list.suggestions.length) col.append(el("p", { class: "empty", text: T.no_matches }));
    const cards = el("div", { class: "cards" });
    list.suggestions.forEach((s, i) => cards.append(matchCard(list, s, i === 0)));
    col.append(cards);
    root.append(col);
  }
  $("matches-section").hidden = false;
}

function matchCard(list, s, first) {
  const p = s.posting;
  const card = el("article", { class: "card", "aria-label": p.title, "data-rec": list.recommendation_id,
    "data-rank": String(s.rank) });
  card.append(
    el("header", { class: "card-head" },
      el("div", {},
        el("h3", { class: "card-title", text: p.title }),
        el("p", { class: "meta" }, p.employer, " · ", `${num.format(s.distance_km)} ${T.km_away}`)),
      badges(s)));
  // Automatch ranks by title and distance only; its "score" is a rank class, not a fit to show as one.
  if (list.strategy === "graph") card.append(scoreBar(s.score));
  if (s.matched.length) {
    const why = el("ul", { class: "why" });
    for (const m of s.matched) why.append(matchedItem(m, list.labels));
    card.append(el("h4", { text: T.why }), why);
  }
  if (list.strategy === "graph") {
    card.append(s.missing_essential.length
      ? el("p", { class: "missing" }, el("strong", { text: T.missing + ": " }),
        s.missing_essential.map((r) => r.label).join(", "))
      : el("p", { class: "complete", text: T.nothing_missing }));
  }
  if (s.matched.length) card.append(pathDetails(list.labels, s.matched, p.title, first));
  card.append(citizenText(list.recommendation_id, s.rank));
  card.append(feedback(list.recommendation_id, p.id));
  return card;
}

// -- alternatives ----------------------------------------------------------------------------------
function renderAlternatives(list, control) {
  const root = $("alternatives");
  root.replaceChildren();
  if (!list.alternatives.length) {
    root.append(el("p", { class: "empty", text: control ? T.trial_no_alternatives : T.no_alternatives }));
  }
  for (const a of list.alternatives) root.append(alternativeCard(list, a));
  $("alternatives-section").hidden = false;
}

function alternativeCard(list, a) {
  const card = el("article", { class: "card alt", "aria-label": a.occupation.label, "data-rec": list.recommendation_id,
    "data-rank": String(a.rank) });
  card.append(
    el("header", { class: "card-head" }, el("h3", { class: "card-title", text: a.occupation.label })),
    scoreBar(a.score),
    el("p", { class: "meta" }, T.essential_covered.replace("{n}", a.essential_covered)
      .replace("{total}", a.essential_total)),
  );
  if (a.matched.length) {
    card.append(el("p", {}, el("strong", { text: T.transferable + ": " }),
      a.matched.map((m) => m.skill.label).join(", ")));
  }
  if (a.missing_essential.length) {
    card.append(el("p", { class: "missing" }, el("strong", { text: T.gap + ": " }),
      a.missing_essential.map((r) => r.label).join(", ")));
  }
  card.append(el("h4", { text: T.postings_nearby }));
  if (!a.postings.length) card.append(el("p", { class: "empty", text: T.no_postings_nearby }));
  else {
    card.append(el("ul", { class: "nearby" }, a.postings.map((p) =>
      el("li", {}, el("span", { class: "skill", text: p.title }), ` · ${p.employer} · ${num.format(p.distance_km)} km`))));
  }
  card.append(citizenText(list.recommendation_id, a.rank));
  card.append(feedback(list.recommendation_id, a.occupation.uri));
  return card;
}

// -- feedback --------------------------------------------------------------------------------------
function feedback(recId, target) {
  const status = el("span", { class: "fb-status", role: "status" });
  const group = el("div", { class: "feedback", role: "group", "aria-label": T.feedback_label });
  // A dismissal or a flag says why: the button opens a field for the reason, sent with "Gem".
  const why = el("input", { type: "text", maxlength: "500", class: "fb-reason", "aria-label": T.feedback_reason });
  const save = el("button", { type: "button", class: "secondary", text: T.feedback_reason_save });
  const ask = el("div", { class: "fb-ask row", hidden: "" }, why, save);
  let pending = null;
  const send = async (verdict, button, reason) => {
    try {
      await api(`/recommendations/${encodeURIComponent(recId)}/feedback`,
        { method: "POST", body: reason ? { target, verdict, reason } : { target, verdict } });
      for (const b of group.querySelectorAll("button.fb")) b.setAttribute("aria-pressed", String(b === button));
      status.textContent = T.feedback_saved;
      ask.hidden = true;
    } catch (err) {
      status.textContent = T.feedback_failed;
    }
  };
  for (const v of VOCABULARY.verdicts) {
    const button = el("button", { type: "button", class: "fb fb-" + v.name, "data-verdict": v.name,
      "aria-pressed": "false", text: labelOf(VOCABULARY.verdicts, v.name) });
    button.addEventListener("click", () => {
      if (!v.needs_reason) { send(v.name, button, ""); return; }
      pending = { verdict: v.name, button };
      ask.hidden = false;
      why.placeholder = T.feedback_reason;
      why.focus();
    });
    group.append(button);
  }
  save.addEventListener("click", () => {
    if (!pending || !why.value.trim()) { why.focus(); return; }
    send(pending.verdict, pending.button, why.value.trim());
  });
  group.append(ask, status);
  return group;
}
