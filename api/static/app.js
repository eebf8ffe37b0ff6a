// The consultant's page: asks the JSON API with the token kept in sessionStorage and draws the answers.
// Every text comes from the server's string table (#strings); data is put in the page with textContent
// only, never as HTML, so nothing a CV or posting says can run as code.
"use strict";

(function () {
  const T = JSON.parse(document.getElementById("strings").textContent);
  const LANG = document.body.dataset.lang || "da";
  const LOCALE = LANG === "da" ? "da-DK" : "en-GB";
  const TOKEN_KEY = "jobmatch.token";
  const API = "/api/v1";
  const SVG = "http://www.w3.org/2000/svg";
  const num = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 1 });
  const pct = new Intl.NumberFormat(LOCALE, { style: "percent", maximumFractionDigits: 0 });
  const $ = (id) => document.getElementById(id);

  // -- small DOM helpers ---------------------------------------------------------------------------
  function el(tag, attrs, ...children) {
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

  // -- token ---------------------------------------------------------------------------------------
  const token = () => sessionStorage.getItem(TOKEN_KEY) || "";
  function showToken() {
    const has = token() !== "";
    $("token-form").hidden = has;
    $("token-done").hidden = !has;
  }
  $("token-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const value = $("token").value.trim();
    if (!value) return;
    sessionStorage.setItem(TOKEN_KEY, value);
    $("token").value = "";
    showToken();
    hideMessage();
    $("cv-id").focus();
  });
  $("token-forget").addEventListener("click", () => {
    sessionStorage.removeItem(TOKEN_KEY);
    showToken();
    $("token").focus();
  });

  // -- messages and API calls ----------------------------------------------------------------------
  function showMessage(text, kind) {
    const box = $("message");
    box.textContent = text;
    box.className = "message " + (kind || "error");
    box.hidden = false;
  }
  function hideMessage() { $("message").hidden = true; }

  class ApiError extends Error {
    constructor(status, problem) {
      super((problem && problem.detail) || String(status));
      this.status = status;
      this.problem = problem;
    }
  }

  async function api(path, options) {
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
        showToken();
      }
      throw new ApiError(resp.status, body);
    }
    return body;
  }

  function explain(err) {
    if (!(err instanceof ApiError)) return T.error;
    if (err.status === 401) return T.token_rejected;
    if (err.status === 404) return T.not_found;
    if (err.status === 503) return T.unavailable;
    return T.error + ": " + err.message;
  }

  // -- lookup --------------------------------------------------------------------------------------
  $("lookup-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (!token()) { showMessage(T.token_missing); $("token").focus(); return; }
    const cvId = $("cv-id").value.trim();
    if (!cvId) return;
    const strategy = $("strategy").value;
    const radius = $("radius").value.trim();
    const q = new URLSearchParams({ lang: LANG });
    if (radius) q.set("radius_km", radius);
    const id = encodeURIComponent(cvId);
    const results = $("results");
    results.setAttribute("aria-busy", "true");
    $("lookup-button").disabled = true;
    showMessage(T.loading, "info");
    try {
      const strategies = strategy === "both" ? ["graph", "automatch"] : [strategy];
      const [cv, alternatives, ...lists] = await Promise.all([
        api(`/cvs/${id}?lang=${LANG}`),
        api(`/cvs/${id}/alternatives?${q}`),
        ...strategies.map((s) => api(`/cvs/${id}/matches?${q}&strategy=${s}`)),
      ]);
      hideMessage();
      renderCitizen(cv);
      renderMatches(lists);
      renderAlternatives(alternatives);
      results.focus();
    } catch (err) {
      showMessage(explain(err));
      for (const s of ["citizen", "matches-section", "alternatives-section"]) $(s).hidden = true;
    } finally {
      results.setAttribute("aria-busy", "false");
      $("lookup-button").disabled = false;
    }
  });

  function renderCitizen(cv) {
    const seeks = cv.seeks.map((u) => cv.labels[u] || "").filter(Boolean);
    const box = $("citizen");
    box.replaceChildren(
      el("p", { class: "citizen" },
        el("strong", { text: cv.id }), " · ",
        seeks.length ? `${T.citizen_seeks}: ${seeks.join(", ")}` : T.citizen_nothing_sought, " · ",
        `${cv.skills.length} ${T.citizen_skills}`),
    );
    box.hidden = false;
  }

  // -- direct matches ------------------------------------------------------------------------------
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

  function label(list, uri) {
    return (list.labels && list.labels[uri]) || "";
  }

  function matchCard(list, s, first) {
    const p = s.posting;
    const card = el("article", { class: "card", "aria-label": p.title });
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
      for (const m of s.matched) why.append(matchedItem(m));
      card.append(el("h4", { text: T.why }), why);
    }
    if (list.strategy === "graph") {
      card.append(s.missing_essential.length
        ? el("p", { class: "missing" }, el("strong", { text: T.missing + ": " }),
          s.missing_essential.map((r) => r.label).join(", "))
        : el("p", { class: "complete", text: T.nothing_missing }));
    }
    if (s.matched.length) {
      const det = el("details", { class: "path", open: first },
        el("summary", { text: T.path_show }), pathDrawing(list, s));
      card.append(det);
    }
    card.append(feedback(list.recommendation_id, p.id));
    return card;
  }

  function badges(s) {
    const box = el("div", { class: "badges" });
    const fit = T["fit_" + s.occupation_fit];
    if (fit) box.append(el("span", { class: "badge fit", text: fit }));
    const reason = s.reason && T["reason_" + s.reason];
    if (reason) box.append(el("span", { class: "badge", text: reason }));
    return box;
  }

  function scoreBar(score) {
    const value = Math.max(0, Math.min(1, score));
    const fill = el("span", { class: "fill" });
    // Set through the CSSOM: the page's CSP refuses inline style attributes.
    fill.style.width = `${(value * 100).toFixed(0)}%`;
    return el("div", { class: "score" },
      el("span", { class: "score-label", text: `${T.match} ${pct.format(value)}` }),
      el("span", { class: "bar", "aria-hidden": "true" }, fill));
  }

  function matchedItem(m) {
    const li = el("li", {});
    li.append(el("span", { class: "skill", text: m.skill.label }));
    if (m.via !== "exact") li.append(" ", el("span", { class: "near", text: `${T.near_match} ${m.cv_skill.label}` }));
    if (m.transversal) li.append(" ", el("span", { class: "tag", text: T.personal }));
    const ev = m.evidence.find((e) => e.sentence) || m.evidence[0];
    if (ev) li.append(el("blockquote", { class: "quote", "aria-label": T.from_cv }, highlighted(ev)));
    return li;
  }

  function highlighted(ev) {
    const sentence = ev.sentence || ev.text;
    const at = ev.text ? sentence.toLowerCase().indexOf(ev.text.toLowerCase()) : -1;
    if (at < 0) return el("span", { text: sentence });
    return el("span", {}, sentence.slice(0, at), el("mark", { text: sentence.slice(at, at + ev.text.length) }),
      sentence.slice(at + ev.text.length));
  }

  // -- the path drawing: CV → skill [→ hierarchy step] → posting, one row per matched skill -----------
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

  function nodeName(list, posting, id) {
    if (id.startsWith("cv:")) return T.path_cv;
    if (id.startsWith("posting:")) return posting.title;
    return label(list, id) || id.split("/").pop();
  }

  function fit(text, width) {
    const max = Math.floor(width / 6.6);  // ~6.6 px a character at 12 px
    return text.length > max ? text.slice(0, max - 1) + "…" : text;
  }

  function pathDrawing(list, s) {
    const rows = s.matched.slice(0, MAX_ROWS);
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
      g.append(svg("text", { x: x + w / 2, y: y + 4, "text-anchor": "middle" }, fit(text, w - 10)));
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
      const names = nodes.map((n) => nodeName(list, s.posting, n));
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
    box(X_JOB, mid, JOB_W, s.posting.title, "end");
    title.textContent = described.join("; ");
    root.setAttribute("aria-label", described.join("; "));
    return root;
  }

  // -- alternatives --------------------------------------------------------------------------------
  function renderAlternatives(list) {
    const root = $("alternatives");
    root.replaceChildren();
    if (!list.alternatives.length) root.append(el("p", { class: "empty", text: T.no_alternatives }));
    for (const a of list.alternatives) root.append(alternativeCard(list, a));
    $("alternatives-section").hidden = false;
  }

  function alternativeCard(list, a) {
    const card = el("article", { class: "card alt", "aria-label": a.occupation.label });
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
    card.append(feedback(list.recommendation_id, a.occupation.uri));
    return card;
  }

  // -- feedback ------------------------------------------------------------------------------------
  function feedback(recId, target) {
    const status = el("span", { class: "fb-status", role: "status" });
    const group = el("div", { class: "feedback", role: "group", "aria-label": T.feedback_label });
    for (const verdict of ["useful", "not_useful", "applied"]) {
      const button = el("button", { type: "button", class: "fb fb-" + verdict, "data-verdict": verdict,
        "aria-pressed": "false", text: T[verdict] });
      button.addEventListener("click", async () => {
        try {
          await api(`/recommendations/${encodeURIComponent(recId)}/feedback`,
            { method: "POST", body: { target, verdict } });
          for (const b of group.querySelectorAll("button")) b.setAttribute("aria-pressed", String(b === button));
          status.textContent = T.feedback_saved;
        } catch (err) {
          status.textContent = T.feedback_failed;
        }
      });
      group.append(button);
    }
    group.append(status);
    return group;
  }

  showToken();
})();
