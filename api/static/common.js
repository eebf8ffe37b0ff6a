// What both pages share: the string table, DOM helpers, the token, API calls, and drawing an explained
// item (score bar, matched skills with their CV sentence, the path drawing, the citizen's explanation).
// Every text comes from the server's string table (#strings); data is put in the page with textContent
// only, never as HTML, so nothing a CV or posting says can run as code.

export const T = JSON.parse(document.getElementById("strings").textContent);
export const LANG = document.body.dataset.lang || "da";
export const LOCALE = LANG === "da" ? "da-DK" : "en-GB";
const API = "/api/v1";
const SVG = "http://www.w3.org/2000/svg";
export const num = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 1 });
export const pct = new Intl.NumberFormat(LOCALE, { style: "percent", maximumFractionDigits: 0 });
export const $ = (id) => document.getElementById(id);

// -- small DOM helpers -----------------------------------------------------------------------------
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

export const fill = (template, values) =>
  template.replace(/\{(\w+)\}/g, (m, k) => (k in values ? String(values[k]) : m));

// -- token: kept per page in sessionStorage, so it ends with the tab -------------------------------
const TOKEN_KEY = "jobmatch.token." + (document.body.dataset.page || "consultant");
export const token = () => sessionStorage.getItem(TOKEN_KEY) || "";

export function setupToken(onSaved, onForgotten) {
  const show = () => {
    const has = token() !== "";
    $("token-form").hidden = has;
    $("token-done").hidden = !has;
  };
  $("token-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const value = $("token").value.trim();
    if (!value) return;
    sessionStorage.setItem(TOKEN_KEY, value);
    $("token").value = "";
    show();
    hideMessage();
    if (onSaved) onSaved();
  });
  $("token-forget").addEventListener("click", () => {
    sessionStorage.removeItem(TOKEN_KEY);
    show();
    if (onForgotten) onForgotten();
    $("token").focus();
  });
  document.addEventListener("jobmatch:token-rejected", show);
  show();
}

// -- messages and API calls ------------------------------------------------------------------------
export function showMessage(text, kind) {
  const box = $("message");
  box.textContent = text;
  box.className = "message " + (kind || "error");
  box.hidden = false;
}
export function hideMessage() { $("message").hidden = true; }

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && problem.detail) || String(status));
    this.status = status;
    this.problem = problem;
  }
}

// The service's vocabularies (strategies, score parts, verdicts, bounds) as the API defines them, fetched
// once: the page names nothing by a literal of its own. A failed fetch leaves names as they are.
let vocabularyPromise = null;
export function vocabulary() {
  if (!vocabularyPromise) {
    vocabularyPromise = fetch(API + "/vocabulary", { headers: { Accept: "application/json" } })
      .then((resp) => (resp.ok ? resp.json() : null))
      .catch(() => null)
      .then((v) => v || { strategies: [], audit_events: [], score_parts: [], verdicts: [], bounds: [] });
  }
  return vocabularyPromise;
}

// An entry's label in the page's language ({name, da, en}), else its name.
export function labelOf(entries, name) {
  const entry = (entries || []).find((e) => e.name === name);
  return entry ? entry[LANG] || entry.en || name : name;
}

export async function api(path, options) {
  const headers = { Accept: "application/json", Authorization: "Bearer " + token() };
  const init = Object.assign({ headers }, options || {});
  if (init.body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(init.body);
  }
  const resp = await fetch(API + path, init);
  const body = await resp.json().catch(() => null);
  if (!resp.ok) {
    if (resp.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      document.dispatchEvent(new Event("jobmatch:token-rejected"));
    }
    throw new ApiError(resp.status, body);
  }
  return body;
}

// The user's words for an error; ``notFound`` is what a 404 means on the calling page.
export function explain(err, notFound) {
  if (!(err instanceof ApiError)) return T.error;
  if (err.status === 401) return T.token_rejected;
  if (err.status === 404) return notFound || T.not_found;
  if (err.status === 503) return T.unavailable;
  return T.error + ": " + err.message;
}

// -- an explained item -----------------------------------------------------------------------------
export function scoreBar(score, text) {
  const value = Math.max(0, Math.min(1, score));
  const bar = el("span", { class: "fill" });
  // Set through the CSSOM: the page's CSP refuses inline style attributes.
  bar.style.width = `${(value * 100).toFixed(0)}%`;
  return el("div", { class: "score" },
    el("span", { class: "score-label", text: text || `${T.match} ${pct.format(value)}` }),
    el("span", { class: "bar", "aria-hidden": "true" }, bar));
}

export function badges(s) {
  const box = el("div", { class: "badges" });
  const fit = T["fit_" + s.occupation_fit];
  if (fit) box.append(el("span", { class: "badge fit", text: fit }));
  const reason = s.reason && T["reason_" + s.reason];
  if (reason) box.append(el("span", { class: "badge", text: reason }));
  return box;
}

// How a phrase was read, as a short tag: "local synonym", "read by meaning 94 %", "confirmed by …"; a
// reading by meaning the CV's own occupations made likelier names the occupation ("… in the profile of
// energy engineer"; ``labels`` are the list's concept labels).
export function howTag(ev, labels = {}) {
  if (!ev || !ev.how || !T["how_" + ev.how]) return null;
  const sim = ev.how === "semantic" && typeof ev.similarity === "number"
    ? ` ${Math.round(ev.similarity * 100)} %` : "";
  const via = ev.how === "semantic" && ev.via && labels[ev.via] ? ` · ${T.in_profile_of} ${labels[ev.via]}` : "";
  return el("span", { class: "tag how how-" + ev.how, text: T["how_" + ev.how] + sim + via });
}

// The citizen's own words first ("kontraktret"), then the ESCO concept it was read as, and how.
export function matchedItem(m, labels = {}) {
  const li = el("li", {});
  const ev = m.evidence.find((e) => e.sentence) || m.evidence[0];
  const phrase = ev && ev.text && ev.text.toLowerCase() !== m.skill.label.toLowerCase() ? ev.text : "";
  if (phrase) li.append(el("q", { class: "phrase", text: phrase }), ` ${T.read_as} `);
  li.append(el("span", { class: "skill", text: m.skill.label }));
  const how = howTag(ev, labels);
  if (how) li.append(" ", how);
  if (m.via !== "exact") li.append(" ", el("span", { class: "near", text: `${T.near_match} ${m.cv_skill.label}` }));
  if (m.transversal) li.append(" ", el("span", { class: "tag", text: T.personal }));
  if (ev && ev.sentence) li.append(el("blockquote", { class: "quote", "aria-label": T.from_cv }, highlighted(ev)));
  return li;
}

// The phrase as a whole word of the sentence ("R" in "…, R, SPSS", never the r inside "Projektledelse").
function wordAt(sentence, text) {
  const esc = text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  for (const flags of ["u", "iu"]) {
    const m = new RegExp(`(?<![\\p{L}\\p{N}])${esc}(?![\\p{L}\\p{N}])`, flags).exec(sentence);
    if (m) return m.index;
  }
  return -1;
}

function highlighted(ev) {
  const sentence = ev.sentence || ev.text;
  const at = ev.text ? wordAt(sentence, ev.text) : -1;
  if (at < 0) return el("span", { text: sentence });
  return el("span", {}, sentence.slice(0, at), el("mark", { text: sentence.slice(at, at + ev.text.length) }),
    sentence.slice(at + ev.text.length));
}

// The citizen's plain-language explanation, fetched when first opened. It is Danish in both page
// languages: it is written for the citizen, not for the consultant.
export function citizenText(recId, rank) {
  const body = el("div", { class: "citizen-text-body" });
  const det = el("details", { class: "citizen-text" }, el("summary", { text: T.citizen_text_show }), body);
  let loaded = false;
  det.addEventListener("toggle", async () => {
    if (!det.open || loaded) return;
    loaded = true;
    body.replaceChildren(el("p", { class: "empty", text: T.loading }));
    try {
      const r = await api(`/recommendations/${encodeURIComponent(recId)}/explanation?rank=${rank}`);
      body.replaceChildren(
        el("p", { class: "hint", text: T.citizen_text_hint }),
        el("blockquote", { class: "plain", lang: "da", text: r.text_da }));
    } catch (err) {
      loaded = false;
      body.replaceChildren(el("p", { class: "missing", text: T.citizen_text_failed }));
    }
  });
  return det;
}

// -- the path drawing: CV → skill [→ hierarchy step] → job, one row per matched skill ---------------
// Sized for a card about 560 px wide, so the text is drawn at roughly its real size.
const W = 560, ROW = 40, BOX_H = 28, CV_W = 48, JOB_W = 118, SKILL_W = 132, GAP = 64;
const X_A = CV_W + 30, X_B = X_A + SKILL_W + GAP, X_JOB = W - JOB_W;
const MAX_ROWS = 6;

function relName(rel, reversed) {
  const name = rel.split(":")[0];
  if (name === "HAS_SKILL") return T.path_has;
  if (name === "BROADER") return reversed ? T.path_narrower : T.path_broader;
  if (name === "REQUIRES_SKILL" || name === "REQUIRES") return T.path_requires;
  return name.toLowerCase();
}

function chainOf(path) {
  // The path's nodes in reading order (CV first), with the relation leading to each node.
  const nodes = [path[0][0]];
  const rels = [];
  for (const [src, rel, dst] of path) {
    const last = nodes[nodes.length - 1];
    const reversed = src !== last;
    nodes.push(reversed ? src : dst);
    rels.push(relName(rel, reversed));
  }
  return { nodes, rels };
}

function fitText(text, width) {
  const max = Math.floor(width / 6.6);  // ~6.6 px a character at 12 px
  return text.length > max ? text.slice(0, max - 1) + "…" : text;
}

// ``labels`` names the ESCO URIs on the paths; ``end`` is the job's (or occupation's) name.
export function pathDrawing(labels, matched, end) {
  const nodeName = (id) => {
    if (id.startsWith("cv:")) return T.path_cv;
    if (id.startsWith("posting:")) return end;
    return (labels && labels[id]) || id.split("/").pop();
  };
  const rows = matched.slice(0, MAX_ROWS);
  const height = rows.length * ROW + 8;
  const mid = height / 2;
  const root = svg("svg", { viewBox: `0 0 ${W} ${height}`, class: "path-svg", role: "img" });
  const title = svg("title", {});
  root.append(title);
  const edges = svg("g", {}), boxes = svg("g", {});
  root.append(edges, boxes);
  const box = (x, y, w, text, kind) => {
    const g = svg("g", { class: "node " + kind });
    g.append(svg("title", {}, text));
    g.append(svg("rect", { x, y: y - BOX_H / 2, width: w, height: BOX_H, rx: 7 }));
    g.append(svg("text", { x: x + w / 2, y: y + 4, "text-anchor": "middle" }, fitText(text, w - 10)));
    boxes.append(g);
  };
  const edge = (x1, y1, x2, y2, text, dashed) => {
    edges.append(svg("line", { x1, y1, x2, y2, class: dashed ? "edge near" : "edge" }));
    if (text) {
      // A third of the way along: edges converging on the job keep their labels apart.
      const t = x2 === X_JOB ? 0.3 : 0.5;
      const tx = x1 + (x2 - x1) * t, ty = y1 + (y2 - y1) * t - 4;
      edges.append(svg("text", { x: tx, y: ty, class: "edge-label", "text-anchor": "middle" }, text));
    }
  };
  const described = [];
  rows.forEach((m, i) => {
    const y = 4 + ROW / 2 + i * ROW;
    const { nodes, rels } = chainOf(m.path);
    // The last node is whoever requires the skill: the posting, or the occupation of an alternative.
    const names = nodes.map((n, j) => (j === nodes.length - 1 ? end : nodeName(n)));
    described.push(names.map((n, j) => (j ? `${rels[j - 1]} ${n}` : n)).join(" → "));
    const cvSkill = names[1], required = names[names.length - 2];
    edge(CV_W, mid, X_A, y, "");
    box(X_A, y, SKILL_W, cvSkill, "skill");
    if (m.via === "exact") {
      edge(X_A + SKILL_W, y, X_JOB, mid, rels[rels.length - 1]);
    } else {
      // A near match: the CV's skill reaches the required one through the ESCO hierarchy.
      const step = m.via === "sibling" ? T.path_sibling : rels[1];
      edge(X_A + SKILL_W, y, X_B, y, step, true);
      box(X_B, y, SKILL_W, required, "near");
      edge(X_B + SKILL_W, y, X_JOB, mid, "");
    }
  });
  box(0, mid, CV_W, T.path_cv, "end");
  box(X_JOB, mid, JOB_W, end, "end");
  title.textContent = described.join("; ");
  root.setAttribute("aria-label", described.join("; "));
  return root;
}

export function pathDetails(labels, matched, end, open) {
  return el("details", { class: "path", open },
    el("summary", { text: T.path_show }), pathDrawing(labels, matched, end));
}
