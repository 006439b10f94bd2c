// The main page: a clustered map with place labels, a brushable timeline, charts, a table and downloads,
// all showing one view. The view lives in the URL (filters in the query, the map in the hash), so a link
// reopens it. Events come from /api/events, charts from /api/summary, labels from /api/map/labels.
(function () {
  const DAY = 86400000;
  const page = JSON.parse(document.getElementById("page-data").textContent);
  const colours = page.colours;
  const FILTERS = ["country", "admin1", "type", "actor", "outlet", "q"];
  const params = new URLSearchParams(window.location.search);
  const state = { since: params.get("since") || "", until: params.get("until") || "", events: [],
                  offset: Math.max(0, parseInt(params.get("offset") || "0", 10) || 0), limit: page.limit || 100 };
  for (const k of FILTERS) if (params.get(k)) state[k] = params.get(k);
  window.veilleState = state;

  const iso = t => new Date(t).toISOString().slice(0, 10);
  const day = s => Date.parse(s + "T00:00:00Z");
  function query(withDates) {
    const q = new URLSearchParams();
    for (const k of FILTERS) if (state[k]) q.set(k, state[k]);
    if (withDates && state.since) q.set("since", state.since);
    if (withDates && state.until) q.set("until", state.until);
    if (withDates && state.offset) q.set("offset", state.offset);
    return q;
  }
  const inWindow = e => (!state.since || e.event_date >= state.since) && (!state.until || e.event_date <= state.until);

  // -- map ---------------------------------------------------------------------------------------
  const map = L.map("map", { worldCopyJump: true, minZoom: 2, maxZoom: 12 });
  map.attributionControl.addAttribution("Outlines: Natural Earth · Places: GeoNames");
  fetch("/api/countries.geojson").then(r => r.json()).then(g => {
    L.geoJSON(g, { interactive: false, style: { color: "#7d8ea3", weight: 0.7, fillColor: "#fbfbf7", fillOpacity: 1 } })
      .addTo(map).bringToBack();
  });
  const clusters = L.markerClusterGroup({
    maxClusterRadius: 40, showCoverageOnHover: false, spiderfyOnMaxZoom: true,
    iconCreateFunction: c => {
      const ms = c.getAllChildMarkers();
      const killed = ms.reduce((a, m) => a + (m.options.fatalities || 0), 0);
      const size = Math.max(killed ? 42 : 30, 28 + Math.min(22, 5 * Math.log2(ms.length)));
      return L.divIcon({ className: "", iconSize: [size, size],
        html: `<div class="cluster"><span>${ms.length}` +
              (killed ? `<small>${killed} dead</small>` : "") + "</span></div>" });
    },
  }).addTo(map);
  const labels = L.layerGroup().addTo(map);
  let labelRequest = 0;
  function loadLabels() {
    const b = map.getBounds(), n = ++labelRequest;
    const q = new URLSearchParams({ west: Math.max(-180, b.getWest()).toFixed(3), east: Math.min(180, b.getEast()).toFixed(3),
                                    south: Math.max(-90, b.getSouth()).toFixed(3), north: Math.min(90, b.getNorth()).toFixed(3),
                                    zoom: map.getZoom() });
    fetch("/api/map/labels?" + q).then(r => r.json()).then(d => {
      if (n !== labelRequest) return;
      labels.clearLayers();
      const add = (p, cls) => L.marker([p.lat, p.lon], { interactive: false, keyboard: false,
        icon: L.divIcon({ className: cls, html: "", iconSize: null }) }).addTo(labels).getElement().textContent = p.name;
      d.divisions.forEach(p => add(p, "division-label"));
      d.places.forEach(p => add(p, "place-label"));
      document.getElementById("map").dataset.labels = d.places.length + d.divisions.length;
    });
  }
  map.on("moveend", () => { loadLabels(); writeUrl(); });

  function drawMap(events) {
    clusters.clearLayers();
    const ms = [];
    for (const e of events) {
      if (e.latitude === null || e.longitude === null) continue;
      const m = L.circleMarker([e.latitude, e.longitude], {
        radius: Math.min(16, 5 + 2 * Math.sqrt(e.fatalities || 0)), weight: e.outside_country ? 2 : 1,
        color: e.outside_country ? "#d00" : "#222", dashArray: e.outside_country ? "3 2" : null,
        fillColor: colours[e.event_type] || "#555", fillOpacity: 0.85, fatalities: e.fatalities });
      const label = document.createElement("span");  // text, never parsed as HTML
      label.textContent = `${e.event_date} ${e.sub_event_type} — ${e.location || "?"}` + (e.admin1 ? `, ${e.admin1}` : "") +
                          ` (${e.iso || "?"})` + (e.fatalities ? `, ${e.fatalities} killed` : "") +
                          (e.outside_country ? " — coordinates outside this country" : "");
      m.bindTooltip(label);
      m.on("click", () => { window.location = "/events/" + encodeURIComponent(e.event_id); });
      ms.push(m);
    }
    clusters.addLayers(ms);
    document.getElementById("map").dataset.markers = ms.length;
    window.veilleMarkers = ms.length;
    return ms;
  }

  // -- table -------------------------------------------------------------------------------------
  function cell(tr, text, cls) {
    const td = document.createElement("td");
    if (text instanceof Node) td.appendChild(text); else td.textContent = text;
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }
  function span(cls, text) { const s = document.createElement("span"); s.className = cls; if (text) s.textContent = text; return s; }
  // the table shows a page of the events in view (as the server does); the map and charts show them all
  function drawPages(total) {
    const box = document.getElementById("pages");
    const first = total ? state.offset + 1 : 0, last = Math.min(state.offset + state.limit, total);
    box.replaceChildren(`${first}–${last} of ${total} `);
    const link = (offset, text, rel) => {
      const a = document.createElement("a");
      const q = query(true); if (offset) q.set("offset", offset); else q.delete("offset");
      a.href = "?" + q; a.rel = rel; a.textContent = text;
      a.addEventListener("click", ev => { ev.preventDefault(); state.offset = offset; update(); });
      box.append(a, " ");
    };
    if (state.offset > 0) link(Math.max(0, state.offset - state.limit), `previous ${state.limit}`, "prev");
    if (last < total) link(state.offset + state.limit, `next ${state.limit}`, "next");
  }
  function drawTable(events) {
    const body = document.querySelector("#events tbody");
    if (state.offset >= events.length) state.offset = 0;
    drawPages(events.length);
    const rows = events.slice(state.offset, state.offset + state.limit).map(e => {
      const tr = document.createElement("tr");
      tr.dataset.id = e.event_id;
      tr.dataset.date = e.event_date;
      const a = document.createElement("a");
      a.href = "/events/" + encodeURIComponent(e.event_id);
      a.textContent = e.event_date;
      const d = cell(tr, a);
      if (e.time_precision > 1) d.append(" ", span("muted", e.time_precision === 2 ? "(±week)" : "(±month)"));
      const t = cell(tr, span("swatch " + slug(e.event_type)));
      t.append(e.sub_event_type);
      if (e.background) t.append(" ", span("bg", "background"));
      const p = cell(tr, `${e.location || "?"}${e.admin1 ? ", " + e.admin1 : ""} (${e.iso || "?"})`);
      if (e.outside_country) p.append(" ", span("warn", `outside ${e.iso}?`));
      cell(tr, e.actor1 || ""); cell(tr, e.actor2 || ""); cell(tr, String(e.fatalities));
      cell(tr, String(e.doc_ids.length)); cell(tr, e.notes, "small");
      return tr;
    });
    body.replaceChildren(...rows);
    document.getElementById("count").textContent = `${events.length} events`;
  }
  const slug = t => "t-" + t.toLowerCase().replace(/[^a-z]+/g, "-").replace(/^-|-$/g, "");

  // -- timeline with a brush ---------------------------------------------------------------------
  const NS = "http://www.w3.org/2000/svg";
  const el = (tag, attrs, text) => { const x = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) x.setAttribute(k, v); if (text !== undefined) x.textContent = text; return x; };
  const tl = { lo: 0, hi: 0, width: 0 };
  function drawTimeline(events) {
    const box = document.getElementById("timeline");
    box.replaceChildren();
    if (!events.length) return;
    const dates = events.map(e => day(e.event_date));
    tl.lo = Math.min(...dates) - 3 * DAY; tl.hi = Math.max(...dates) + 4 * DAY;
    const W = tl.width = box.clientWidth || 900, H = 110, base = 84;
    const span = (tl.hi - tl.lo) / DAY, step = span <= 200 ? 1 : span <= 1400 ? 7 : 30;
    const counts = new Map();
    for (const d of dates) { const k = tl.lo + Math.floor((d - tl.lo) / (step * DAY)) * step * DAY; counts.set(k, (counts.get(k) || 0) + 1); }
    const top = Math.max(...counts.values()), x = t => (t - tl.lo) / (tl.hi - tl.lo) * W;
    const s = el("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": "events over time" });
    for (const [k, n] of counts) {
      const h = Math.max(2, Math.round(70 * n / top));
      const r = el("rect", { class: "bar", x: x(k).toFixed(1), y: base - h, width: Math.max(2, x(k + step * DAY) - x(k) - 1).toFixed(1),
                             height: h, "data-date": iso(k), "data-end": iso(k + (step - 1) * DAY), "data-count": n });
      r.appendChild(el("title", {}, `${iso(k)}${step > 1 ? " (" + step + " days)" : ""}: ${n} events`));
      s.appendChild(r);
    }
    // ticks on the first of months (or of years), labels kept apart
    const first = new Date(tl.lo); first.setUTCDate(1); first.setUTCHours(0, 0, 0, 0);
    let lastLabel = -1e9;
    const monthStep = span > 1500 ? 12 : span > 700 ? 3 : 1;
    for (let m = new Date(first); m.getTime() <= tl.hi; m.setUTCMonth(m.getUTCMonth() + monthStep)) {
      const px = x(m.getTime());
      if (px < 0) continue;
      s.appendChild(el("line", { class: "tick", x1: px, x2: px, y1: base, y2: base + 4 }));
      const label = monthStep === 12 ? String(m.getUTCFullYear()) : iso(m.getTime()).slice(0, 7);
      if (px - lastLabel > 64 && px < W - 30) { s.appendChild(el("text", { x: px + 2, y: base + 16 }, label)); lastLabel = px; }
    }
    s.appendChild(el("line", { class: "tick", x1: 0, x2: W, y1: base, y2: base }));
    const brush = el("rect", { class: "brush", x: 0, y: 2, width: 0, height: base - 2, visibility: "hidden" });
    s.appendChild(brush);
    box.appendChild(s);
    tl.svg = s; tl.brush = brush;
    showBrush();
    let start = null;
    const at = ev => { const b = s.getBoundingClientRect(); return Math.max(0, Math.min(W, (ev.clientX - b.left) / b.width * W)); };
    s.addEventListener("pointerdown", ev => { start = at(ev); s.setPointerCapture(ev.pointerId); setBrush(start, start); });
    s.addEventListener("pointermove", ev => { if (start !== null) setBrush(start, at(ev)); });
    s.addEventListener("pointerup", ev => {
      if (start === null) return;
      const a = Math.min(start, at(ev)), b = Math.max(start, at(ev));
      start = null;
      state.offset = 0;
      if (b - a < 3) { state.since = state.until = ""; } else {
        const t = px => tl.lo + px / W * (tl.hi - tl.lo);
        state.since = iso(Math.ceil(t(a) / DAY) * DAY); state.until = iso(Math.floor(t(b) / DAY) * DAY);
      }
      update();
    });
    s.addEventListener("dblclick", () => { state.since = state.until = ""; state.offset = 0; update(); });
  }
  function setBrush(a, b) {
    tl.brush.setAttribute("x", Math.min(a, b)); tl.brush.setAttribute("width", Math.abs(b - a));
    tl.brush.setAttribute("visibility", "visible");
  }
  function showBrush() {
    if (!tl.brush) return;
    const x = t => (t - tl.lo) / (tl.hi - tl.lo) * tl.width;
    if (state.since || state.until) {
      setBrush(x(state.since ? day(state.since) : tl.lo), x(state.until ? day(state.until) + DAY : tl.hi));
    } else tl.brush.setAttribute("visibility", "hidden");
    for (const r of tl.svg.querySelectorAll("rect.bar")) {
      r.classList.toggle("out", (!!state.since && r.dataset.end < state.since) || (!!state.until && r.dataset.date > state.until));
    }
  }

  // -- one view, written to the URL --------------------------------------------------------------
  function writeUrl() {
    const q = query(true).toString();
    const c = map.getCenter();
    const hash = `#map=${map.getZoom()}/${c.lat.toFixed(3)}/${c.lng.toFixed(3)}`;
    history.replaceState(null, "", (q ? "?" + q : window.location.pathname) + hash);
    for (const [id, fmt] of [["dl-csv", "acled-csv"], ["dl-geojson", "geojson"], ["dl-jsonl", "jsonl"]]) {
      const dq = query(true); dq.set("format", fmt);
      document.getElementById(id).href = "/api/export?" + dq;
    }
    document.getElementById("json-twin").href = "/api/events?" + query(true);
    document.getElementById("f-since").value = state.since;
    document.getElementById("f-until").value = state.until;
  }
  let chartRequest = 0;
  function update() {
    const shown = state.events.filter(inWindow);
    drawMap(shown);
    drawTable(shown);
    showBrush();
    document.getElementById("brush-info").textContent = state.since || state.until
      ? `${shown.length} events from ${state.since || "the start"} to ${state.until || "the end"} (double-click the timeline to clear).`
      : "Drag over the timeline to choose a period.";
    writeUrl();
    const n = ++chartRequest;
    window.veilleReady = false;
    return fetch("/api/summary?" + query(true)).then(r => r.json()).then(summary => {
      if (n !== chartRequest) return;
      window.veilleCharts.draw(document.getElementById("charts"), summary);
      window.veilleReady = true;
    });
  }

  fetch("/api/events?" + query(false) + "&limit=5000").then(r => r.json()).then(data => {
    state.events = data.events;
    const view = /#map=(\d+)\/(-?[\d.]+)\/(-?[\d.]+)/.exec(window.location.hash);
    const shown = drawMap(state.events.filter(inWindow));
    if (view) map.setView([+view[2], +view[3]], +view[1]);
    else if (shown.length) map.fitBounds(L.featureGroup(shown).getBounds().pad(0.3), { maxZoom: 6 });
    else map.setView([25, 20], 2);
    drawTimeline(state.events);
    return update();
  });
})();
