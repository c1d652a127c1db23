// The page script of `kg viz`. Everything from the graph goes into the DOM as text
// (textContent, Text nodes, vis-network titles as strings, which it shows with innerText):
// never as HTML. Links are made only for http(s) URLs and Wikidata ids.
(function () {
  "use strict";

  const D = JSON.parse(document.getElementById("kg-data").textContent);
  const EDGE_LOOK = {
    affirmed: { color: "#4a4a4a", dashes: false, text: "asserted or reported" },
    conjectured: { color: "#3d6fb4", dashes: [9, 6], text: "hypothetical, predicted or speculative" },
    denied: { color: "#c0392b", dashes: [2, 5], text: "denied or negated" },
  };
  const READABLE_SCALE = 0.55; // below this zoom, labels at the default size are hard to read
  const BIG = D.nodes.length > 2000;

  const typeById = new Map(D.types.map((t) => [t.id, t]));
  const relLabel = new Map(D.relations.map((r) => [r.id, r.label]));
  const entity = new Map(D.nodes.map((n) => [n.id, n]));
  const claim = new Map(D.claims.map((c) => [c.id, c]));
  const source = new Map(D.sources.map((s) => [s.id, s]));
  const edge = new Map(D.edges.map((e) => [e.id, e]));
  const notesOf = new Map();
  for (const n of D.notes) {
    for (const id of new Set([n.subject, n.measure].filter(Boolean))) {
      if (!notesOf.has(id)) notesOf.set(id, []);
      notesOf.get(id).push(n);
    }
  }
  const edgesOf = new Map(D.nodes.map((n) => [n.id, { out: [], in: [] }]));
  for (const e of D.edges) {
    edgesOf.get(e.from).out.push(e);
    edgesOf.get(e.to).in.push(e);
  }

  // ---- small DOM helpers: text only ----
  function el(tag, cls, ...kids) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    for (const kid of kids) {
      if (kid === null || kid === undefined || kid === false) continue;
      node.append(kid instanceof Node ? kid : String(kid));
    }
    return node;
  }
  function button(text, onClick, cls) {
    const b = el("button", cls || "kg-link", text);
    b.type = "button";
    b.addEventListener("click", onClick);
    return b;
  }
  function externalLink(href, text) {
    if (typeof href !== "string" || !/^https?:\/\//i.test(href)) return el("span", null, text);
    const a = el("a", null, text);
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    return a;
  }
  const SVG = "http://www.w3.org/2000/svg";
  function svg(width, height, child) {
    const s = document.createElementNS(SVG, "svg");
    s.setAttribute("width", width);
    s.setAttribute("height", height);
    s.setAttribute("class", "kg-swatch");
    s.setAttribute("aria-hidden", "true");
    s.append(child);
    return s;
  }
  function shapeSwatch(type) {
    const t = typeById.get(type);
    const points = {
      diamond: "7,1 13,7 7,13 1,7",
      triangle: "7,1 13,12 1,12",
      triangleDown: "1,2 13,2 7,13",
      star: "7,1 8.8,5.2 13,5.5 9.8,8.4 10.8,13 7,10.6 3.2,13 4.2,8.4 1,5.5 5.2,5.2",
      hexagon: "4,1.5 10,1.5 13,7 10,12.5 4,12.5 1,7",
    }[t.shape];
    let shape;
    if (points) {
      shape = document.createElementNS(SVG, "polygon");
      shape.setAttribute("points", points);
    } else if (t.shape === "square") {
      shape = document.createElementNS(SVG, "rect");
      for (const [k, v] of [["x", 2], ["y", 2], ["width", 10], ["height", 10]]) shape.setAttribute(k, v);
    } else {
      shape = document.createElementNS(SVG, "circle");
      for (const [k, v] of [["cx", 7], ["cy", 7], ["r", 5.5]]) shape.setAttribute(k, v);
    }
    shape.setAttribute("fill", t.color);
    shape.setAttribute("stroke", "#333");
    shape.setAttribute("stroke-width", "0.8");
    return svg(14, 14, shape);
  }
  function lineSwatch(style) {
    const look = EDGE_LOOK[style];
    const line = document.createElementNS(SVG, "line");
    for (const [k, v] of [["x1", 1], ["y1", 6], ["x2", 29], ["y2", 6]]) line.setAttribute(k, v);
    line.setAttribute("stroke", look.color);
    line.setAttribute("stroke-width", "2.5");
    if (look.dashes) line.setAttribute("stroke-dasharray", look.dashes.join(" "));
    return svg(30, 12, line);
  }

  // ---- what a claim and an edge look like ----
  function styleOf(c) {
    if (c.polarity === "negative") return "denied";
    return D.modalityStyles[c.modality] || "conjectured";
  }
  function published(s) {
    if (s.published) return `${s.published} (${s.precision} precision, ${s.established})`;
    const bounds = [s.not_before && `not before ${s.not_before}`, s.not_after && `not after ${s.not_after}`];
    const known = bounds.filter(Boolean).join(", ");
    return known ? `unknown (${known})` : "unknown";
  }
  function speakerOf(c) {
    if (c.attribution === "outlet") return "the outlet, in its own voice";
    const written = c.speaker_as_written && c.speaker ? ` as “${c.speaker_as_written}”` : "";
    return `${c.speaker || c.speaker_as_written || "unnamed"}${written} (${c.attribution})`;
  }
  function claimCard(c, extra) {
    const s = source.get(c.source);
    const card = el("article", `kg-claim kg-${styleOf(c)}`);
    const head = el("div", null, el("span", `kg-badge kg-${styleOf(c)}`, c.modality));
    if (c.polarity === "negative") head.append(el("span", "kg-badge kg-denied", "negated"));
    if (extra) head.append(el("strong", null, extra));
    card.append(head);
    card.append(el("blockquote", null, "“", c.before, el("mark", null, c.quote), c.after, "”"));
    const dl = el("dl");
    const row = (k, v) => dl.append(el("dt", null, k), el("dd", null, v));
    row("Source", externalLink(s.url, s.title));
    row("Outlet", s.outlet || "unknown");
    if (s.author) row("Author", s.author);
    row("Published", published(s));
    row("Speaker", speakerOf(c));
    if (c.time || c.time_written) {
      const when = c.time ? ` (${c.time}, ${c.time_precision})` : "";
      row("When", `${c.time_written || ""}${when}`.trim());
    }
    row("Claim", c.id);
    card.append(dl);
    return card;
  }

  // ---- filters ----
  const all = (list) => new Set(list.map((x) => x.id));
  const state = {
    types: all(D.types), relations: all(D.relations), modalities: all(D.modalities),
    sources: all(D.sources), from: "", to: "", undated: true, around: null,
  };
  function dateOk(s) {
    const lo = s.not_before, hi = s.not_after;
    if (!lo && !hi) return state.undated;
    if (state.from && hi && hi < state.from) return false;
    if (state.to && lo && lo > state.to) return false;
    return true;
  }
  const claimOk = (c) => state.modalities.has(c.modality) && state.sources.has(c.source) && dateOk(source.get(c.source));
  const typeOk = (id) => state.types.has(entity.get(id).type) && (!state.around || state.around.has(id));
  function shownClaims(e) {
    if (!state.relations.has(e.relation) || !typeOk(e.from) || !typeOk(e.to)) return [];
    return e.claims.map((id) => claim.get(id)).filter(claimOk);
  }
  const widthFor = (claims) => 1 + 1.6 * (new Set(claims.map((c) => c.source)).size - 1);

  // ---- the network ----
  // Absolute sizes, not vis-network's value scaling, which blows up small differences.
  const nodeFont = (n, faded) => ({ size: 16 + Math.min(7, Math.sqrt(n.degree) - 1), color: faded ? "#c3c7ce" : "#1d2330" });
  function nodeItem(n) {
    const t = typeById.get(n.type);
    return {
      id: n.id, label: n.label, x: n.x, y: n.y, shape: t.shape,
      size: Math.min(32, 9 + 3 * Math.sqrt(n.degree)), font: nodeFont(n, false), opacity: 1,
      color: { background: t.color, border: "#2b2b2b", highlight: { background: t.color, border: "#000" },
        hover: { background: t.color, border: "#000" } },
      title: `${n.label}\n${t.label} · ${n.degree} claim${n.degree === 1 ? "" : "s"}`,
    };
  }
  const edgeColor = (e, faded) => {
    const look = EDGE_LOOK[e.style];
    return { color: look.color, highlight: "#111111", hover: look.color, opacity: faded ? 0.1 : 0.9 };
  };
  function edgeItem(e) {
    const look = EDGE_LOOK[e.style];
    const claims = e.claims.map((id) => claim.get(id));
    const nSources = new Set(claims.map((c) => c.source)).size;
    const modalities = [...new Set(claims.map((c) => c.modality))].join(", ");
    const item = {
      id: e.id, from: e.from, to: e.to, width: widthFor(claims), dashes: look.dashes,
      color: edgeColor(e, false),
      title: `${entity.get(e.from).label} → ${relLabel.get(e.relation)} → ${entity.get(e.to).label}\n` +
        `${claims.length} claim${claims.length === 1 ? "" : "s"} from ${nSources} source${nSources === 1 ? "" : "s"}: ${modalities}\n` +
        "Click for the quotes",
      smooth: e.curve ? { enabled: true, type: e.curve > 0 ? "curvedCW" : "curvedCCW", roundness: Math.abs(e.curve) } : false,
    };
    if (D.labelEdges) item.label = relLabel.get(e.relation);
    return item;
  }
  const nodes = new vis.DataSet(D.nodes.map(nodeItem));
  const edges = new vis.DataSet(D.edges.map(edgeItem));
  const container = document.getElementById("kg-graph");
  const network = new vis.Network(container, { nodes, edges }, {
    autoResize: true,
    physics: { enabled: false },
    layout: { improvedLayout: false, randomSeed: 1 },
    interaction: { hover: !BIG, hideEdgesOnDrag: true, hideEdgesOnZoom: BIG, tooltipDelay: 150,
      navigationButtons: false, keyboard: false, multiselect: false },
    nodes: {
      borderWidth: 1, scaling: { label: { drawThreshold: 7 } },
      font: { size: 16, color: "#1d2330", strokeWidth: 4, strokeColor: "#ffffff",
        face: "system-ui, -apple-system, Segoe UI, Roboto, Noto Sans, DejaVu Sans, sans-serif" },
      widthConstraint: { maximum: 180 },
    },
    edges: {
      arrows: { to: { enabled: true, scaleFactor: 0.55 } }, smooth: false, selectionWidth: 2.5,
      scaling: { label: { drawThreshold: 8 } },
      font: { size: 12, color: "#3c4452", strokeWidth: 3, strokeColor: "#ffffff", align: "middle" },
    },
  });

  const panel = document.getElementById("kg-panel");
  const counts = document.getElementById("kg-counts");
  let selected = null;
  const shown = { nodes: new Set(D.nodes.map((n) => n.id)), edges: new Map() };
  for (const e of D.edges) shown.edges.set(e.id, e.claims.length);

  function applyFilters() {
    const nodeUpdates = [], edgeUpdates = [], live = new Set();
    let nClaims = 0;
    for (const e of D.edges) {
      const claims = shownClaims(e);
      const visible = claims.length > 0;
      nClaims += claims.length;
      if (visible) { live.add(e.from); live.add(e.to); }
      const before = shown.edges.get(e.id);
      if (before !== claims.length) {
        edgeUpdates.push(visible ? { id: e.id, hidden: false, width: widthFor(claims) } : { id: e.id, hidden: true });
        shown.edges.set(e.id, claims.length);
      }
    }
    for (const n of D.nodes) {
      const visible = live.has(n.id) || (D.edges.length === 0 && typeOk(n.id));
      if (visible !== shown.nodes.has(n.id)) {
        nodeUpdates.push({ id: n.id, hidden: !visible });
        if (visible) shown.nodes.add(n.id); else shown.nodes.delete(n.id);
      }
    }
    nodes.update(nodeUpdates);
    edges.update(edgeUpdates);
    let nEdges = 0;
    for (const k of shown.edges.values()) if (k > 0) nEdges += 1;
    counts.textContent = `${shown.nodes.size} of ${D.nodes.length} entities · ${nEdges} of ${D.edges.length} edges · ` +
      `${nClaims} of ${D.claims.length} causal claims`;
    if (selected && !shown.nodes.has(selected)) select(null);
  }

  // ---- panel views ----
  function entityButton(id) {
    return button(entity.get(id).label, () => focusNode(id));
  }
  function edgeLine(e, outgoing) {
    const k = shownClaims(e).length;
    const other = entity.get(outgoing ? e.to : e.from).label;
    const text = outgoing ? `${relLabel.get(e.relation)} → ${other}` : `${other} → ${relLabel.get(e.relation)}`;
    return el("li", null, lineSwatch(e.style), " ", button(text, () => openEdge(e.id)),
      el("span", "kg-muted", ` · ${k || "no"} claim${k === 1 ? "" : "s"}${k < e.claims.length ? " shown" : ""}`));
  }
  function showHelp() {
    panel.replaceChildren(
      el("h2", null, "Reading the graph"),
      el("p", null, "Click an arrow to read every claim behind it: the quote in its sentence, the source, its date, " +
        "who said it and how sure the text is. Click an entity for its details and its claims in and out."),
      el("p", null, "Drag to pan, scroll to zoom, hover for a short summary. Filters on the left narrow what is shown; " +
        "“Show neighbourhood” keeps only what surrounds the selected entity."),
    );
    if (D.paths.length) showPaths();
  }
  function showPaths() {
    const box = el("section");
    box.append(el("h3", null, `${D.paths.length} causal path${D.paths.length === 1 ? "" : "s"}`));
    for (const path of D.paths) {
      const line = el("div", "kg-path", entityButton(path[0]));
      for (let i = 1; i < path.length; i += 1) {
        const a = path[i - 1], b = path[i];
        const steps = D.edges.filter((e) => (e.from === a && e.to === b && e.relation !== "responds_to") ||
          (e.from === b && e.to === a && e.relation === "responds_to"));
        const rels = [...new Set(steps.map((e) => relLabel.get(e.relation)))].join(" / ");
        line.append(" ", button(`—${rels}→`, () => openEdges(steps), "kg-link kg-rel"), " ", entityButton(b));
      }
      box.append(line);
    }
    panel.append(box);
  }
  function openEdges(list) {
    network.selectEdges(list.map((e) => e.id));
    spotlightEdges(list);
    panel.replaceChildren();
    for (const e of list) renderEdge(e, true);
  }
  function openEdge(id) {
    network.selectEdges([id]);
    select(null, true);
    spotlightEdges([edge.get(id)]);
    panel.replaceChildren();
    renderEdge(edge.get(id), false);
  }
  function renderEdge(e, append) {
    const claims = shownClaims(e);
    const hidden = e.claims.length - claims.length;
    const nSources = new Set(claims.map((c) => c.source)).size;
    if (!append) panel.replaceChildren();
    panel.append(
      el("h2", null, entityButton(e.from), " ", el("span", "kg-rel", `—${relLabel.get(e.relation)}→`), " ", entityButton(e.to)),
      el("p", "kg-muted", lineSwatch(e.style), ` ${EDGE_LOOK[e.style].text} · ${claims.length} claim${claims.length === 1 ? "" : "s"}` +
        ` from ${nSources} source${nSources === 1 ? "" : "s"}`),
    );
    for (const c of claims) panel.append(claimCard(c));
    if (hidden) panel.append(el("p", "kg-muted", `${hidden} more claim${hidden === 1 ? "" : "s"} hidden by the filters.`));
  }
  function showNode(id) {
    const n = entity.get(id), t = typeById.get(n.type);
    panel.replaceChildren(el("h2", null, n.label), el("p", null, shapeSwatch(n.type), " ", t.label));
    if (n.description) panel.append(el("p", null, n.description));
    if (n.aliases.length) panel.append(el("p", null, el("span", "kg-muted", "Also written: "), n.aliases.join(" · ")));
    if (n.wikidata && /^Q[0-9]+$/.test(n.wikidata)) {
      panel.append(el("p", null, el("span", "kg-muted", "Wikidata: "),
        externalLink(`https://www.wikidata.org/wiki/${n.wikidata}`, n.wikidata)));
    }
    panel.append(el("p", null, button("Show neighbourhood", () => showNeighbourhood(id), null), " ", el("span", "kg-muted", `id ${n.id}`)));
    const byLabel = (key) => (a, b) => relLabel.get(a.relation).localeCompare(relLabel.get(b.relation)) ||
      entity.get(a[key]).label.localeCompare(entity.get(b[key]).label);
    for (const [title, list, outgoing] of [["Claims out", edgesOf.get(id).out, true], ["Claims in", edgesOf.get(id).in, false]]) {
      panel.append(el("h3", null, `${title}: ${n.label} ${outgoing ? "→ …" : "← …"} (${list.length})`));
      const sorted = [...list].sort(byLabel(outgoing ? "to" : "from"));
      panel.append(list.length ? el("ul", "kg-list kg-edges", ...sorted.map((e) => edgeLine(e, outgoing))) : el("p", "kg-muted", "none"));
    }
    const notes = notesOf.get(id) || [];
    if (notes.length) {
      panel.append(el("h3", null, `Event and quantity claims (${notes.length})`));
      for (const note of notes) panel.append(claimCard(note, ` ${note.summary}`));
    }
  }

  // ---- selection, search, neighbourhood, reset ----
  const neighbourhoodButton = document.getElementById("kg-neighbourhood");
  // Fade what the selection does not touch, so that it stands out in a crowded graph.
  let faded = false;
  function spotlight(nodeIds, edgeIds) {
    if (BIG || (!nodeIds && !faded)) return;
    faded = Boolean(nodeIds);
    const keepNodes = new Set(nodeIds || []), keepEdges = new Set(edgeIds || []);
    nodes.update(D.nodes.map((n) => {
      const fade = faded && !keepNodes.has(n.id);
      return { id: n.id, opacity: fade ? 0.25 : 1, font: nodeFont(n, fade) };
    }));
    edges.update(D.edges.map((e) => {
      const fade = faded && !keepEdges.has(e.id);
      return { id: e.id, color: edgeColor(e, fade), font: { color: fade ? "rgba(60,68,82,0.15)" : "#3c4452" } };
    }));
  }
  function spotlightEdges(list) {
    spotlight(list.flatMap((e) => [e.from, e.to]), list.map((e) => e.id));
  }
  function spotlightNode(id) {
    const around = [...edgesOf.get(id).out, ...edgesOf.get(id).in].filter((e) => shownClaims(e).length);
    spotlight([id, ...around.flatMap((e) => [e.from, e.to])], around.map((e) => e.id));
  }
  function select(id, keepPanel) {
    selected = id;
    neighbourhoodButton.disabled = !id;
    neighbourhoodButton.title = id ? `Keep only what surrounds ${entity.get(id).label}` : "Select an entity first";
    if (id) {
      network.selectNodes([id]);
      spotlightNode(id);
      showNode(id);
    } else if (!keepPanel) {
      network.unselectAll();
      spotlight(null);
      showHelp();
    }
  }
  function focusNode(id) {
    if (!shown.nodes.has(id)) resetFilters();
    select(id);
    network.focus(id, { scale: Math.max(network.getScale(), 1), animation: false });
  }
  function showNeighbourhood(id) {
    const depth = Number(document.getElementById("kg-depth").value);
    state.around = null;
    const seen = new Map([[id, 0]]);
    const queue = [id];
    while (queue.length) {
      const cur = queue.shift();
      if (seen.get(cur) >= depth) continue;
      for (const e of [...edgesOf.get(cur).out, ...edgesOf.get(cur).in]) {
        if (!shownClaims(e).length) continue;
        const other = e.from === cur ? e.to : e.from;
        if (!seen.has(other)) { seen.set(other, seen.get(cur) + 1); queue.push(other); }
      }
    }
    state.around = new Set(seen.keys());
    applyFilters();
    select(id);
    network.fit({ nodes: [...state.around].filter((n) => shown.nodes.has(n)), animation: false });
  }
  neighbourhoodButton.addEventListener("click", () => selected && showNeighbourhood(selected));

  const fold = (s) => s.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").replace(/[’‘]/g, "'").toLowerCase().trim();
  const names = D.nodes.map((n) => ({ id: n.id, names: [n.label, ...n.aliases, n.id].map((s) => [s, fold(s)]) }));
  function search(query) {
    const q = fold(query);
    if (!q) return [];
    const hits = [];
    for (const entry of names) {
      let best = null;
      for (const [name, folded] of entry.names) {
        const rank = folded === q ? 0 : folded.startsWith(q) ? 1 : folded.includes(` ${q}`) ? 2 : folded.includes(q) ? 3 : 9;
        if (rank < 9 && (!best || rank < best.rank)) best = { id: entry.id, name, rank };
      }
      if (best) hits.push(best);
    }
    const label = (h) => entity.get(h.id).label;
    hits.sort((a, b) => a.rank - b.rank || label(a).localeCompare(label(b)));
    return hits.slice(0, 12);
  }
  const searchBox = document.getElementById("kg-search");
  const results = document.getElementById("kg-search-results");
  function showResults() {
    const hits = search(searchBox.value);
    results.replaceChildren(...hits.map((h) => {
      const n = entity.get(h.id);
      const via = h.name !== n.label && h.name !== n.id ? ` · “${h.name}”` : "";
      const b = el("button", "kg-result", n.label, el("small", null, `${typeById.get(n.type).label}${via}`));
      b.type = "button";
      b.dataset.id = n.id;
      b.addEventListener("click", () => focusNode(n.id));
      return el("li", null, b);
    }));
    if (searchBox.value && !hits.length) results.replaceChildren(el("li", "kg-muted", "no entity by that name here"));
    return hits;
  }
  searchBox.addEventListener("input", showResults);
  searchBox.addEventListener("keydown", (ev) => {
    if (ev.key !== "Enter") return;
    const hits = showResults();
    if (hits.length) focusNode(hits[0].id);
  });

  // ---- filter controls ----
  function checkboxes(containerId, items, key, swatch, label, count) {
    const box = document.getElementById(containerId);
    for (const item of items) {
      const input = el("input");
      input.type = "checkbox";
      input.checked = true;
      input.value = item.id;
      input.addEventListener("change", () => {
        if (input.checked) state[key].add(item.id); else state[key].delete(item.id);
        applyFilters();
      });
      const name = el("span", "kg-label", label(item));
      name.title = label(item);
      box.append(el("label", null, input, swatch ? swatch(item) : null, name, el("span", "kg-count", count(item))));
    }
  }
  const claimCount = (key) => (id) => D.claims.filter((c) => c[key] === id).length;
  checkboxes("kg-filter-type", D.types, "types", (t) => shapeSwatch(t.id), (t) => t.label,
    (t) => D.nodes.filter((n) => n.type === t.id).length);
  checkboxes("kg-filter-modality", D.modalities, "modalities", (m) => lineSwatch(m.style), (m) => m.id,
    (m) => claimCount("modality")(m.id));
  if (D.claims.some((c) => c.polarity === "negative")) {
    document.getElementById("kg-filter-modality").append(el("p", "kg-hint", lineSwatch("denied"), " red dotted: also negated claims (“did not cause”)"));
  }
  checkboxes("kg-filter-relation", D.relations, "relations", null, (r) => r.label, (r) => claimCount("relation")(r.id));
  checkboxes("kg-filter-source", D.sources, "sources", null,
    (s) => `${s.title} (${s.published || "date unknown"})`, (s) => claimCount("source")(s.id));
  const dateFrom = document.getElementById("kg-date-from");
  const dateTo = document.getElementById("kg-date-to");
  const undated = document.getElementById("kg-undated");
  for (const input of [dateFrom, dateTo, undated]) {
    input.addEventListener("change", () => {
      state.from = dateFrom.value;
      state.to = dateTo.value;
      state.undated = undated.checked;
      applyFilters();
    });
  }
  function resetFilters() {
    for (const [key, list] of [["types", D.types], ["relations", D.relations], ["modalities", D.modalities], ["sources", D.sources]]) {
      state[key] = all(list);
    }
    const boxes = ["kg-filter-type", "kg-filter-relation", "kg-filter-modality", "kg-filter-source"];
    for (const id of boxes) for (const input of document.querySelectorAll(`#${id} input`)) input.checked = true;
    dateFrom.value = dateTo.value = "";
    undated.checked = true;
    Object.assign(state, { from: "", to: "", undated: true, around: null });
    applyFilters();
  }
  function initialView() {
    network.fit({ animation: false });
    if (network.getScale() > 1.2) network.moveTo({ scale: 1.2, animation: false });
    if (D.focus && D.view !== "paths") select(D.focus);
    if (network.getScale() < READABLE_SCALE && D.view !== "paths") {
      // Too much to read at once: zoom in on the middle, where the layout puts the most
      // connected entities, until labels are legible; scroll out for the rest.
      network.moveTo({ scale: READABLE_SCALE, animation: false });
    }
  }
  document.getElementById("kg-reset").addEventListener("click", () => {
    resetFilters();
    searchBox.value = "";
    results.replaceChildren();
    select(null);
    initialView();
  });

  network.on("click", (params) => {
    if (params.nodes.length) select(params.nodes[0]);
    else if (params.edges.length) openEdge(params.edges[0]);
    else select(null);
  });

  // Links from elsewhere (the audit report) open one claim or entity: #claim=<id>, #entity=<id>.
  // An event or quantity claim has no arrow: its subject opens, where the claim is listed.
  function openFragment() {
    const m = /^#(claim|entity)=(.+)$/.exec(window.location.hash);
    if (!m) return;
    const id = decodeURIComponent(m[2]);
    if (m[1] === "entity") {
      if (entity.has(id)) focusNode(id);
      return;
    }
    const e = D.edges.find((x) => x.claims.includes(id));
    if (e) {
      resetFilters();
      openEdge(e.id);
      network.focus(e.to, { scale: Math.max(network.getScale(), 1), animation: false });
      return;
    }
    const note = D.notes.find((n) => n.id === id);
    if (note && entity.has(note.subject)) focusNode(note.subject);
  }

  showHelp();
  applyFilters();
  initialView();
  openFragment();
  window.addEventListener("hashchange", openFragment);
  network.once("afterDrawing", () => {
    window.kgReady = performance.now();
    document.body.dataset.ready = "true";
  });
  window.kg = { network, nodes, edges, data: D, focusNode, openEdge, openEdges, applyFilters, state };
})();
