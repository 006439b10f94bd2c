// Drawing the charts of /api/summary as SVG: small multiples by event type, fatalities, actors.
(function () {
  const NS = "http://www.w3.org/2000/svg";
  function svg(tag, attrs, text) {
    const el = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
    if (text !== undefined) el.textContent = text;
    return el;
  }
  function box(title, id) {
    const div = document.createElement("div");
    div.className = "chart";
    if (id) div.id = id;
    const h = document.createElement("h4");
    h.textContent = title;
    div.appendChild(h);
    return div;
  }
  // bars over the periods, one colour, y axis max and first/last period labels
  function bars(values, periods, colour, label) {
    const W = 300, H = 90, top = Math.max(1, ...values), n = Math.max(1, values.length);
    const s = svg("svg", { viewBox: `0 0 ${W} ${H + 16}`, role: "img", "aria-label": label });
    const bw = W / n;
    values.forEach((v, i) => {
      if (!v) return;
      const h = Math.max(1, Math.round((H - 12) * v / top));
      const r = svg("rect", { x: (i * bw).toFixed(2), y: H - h, width: Math.max(1, bw - 1).toFixed(2), height: h,
                              fill: colour, class: "bar" });
      r.appendChild(svg("title", {}, `${periods[i]}: ${v}`));
      s.appendChild(r);
    });
    s.appendChild(svg("text", { x: 0, y: 9 }, `max ${top}`));
    if (periods.length) {
      s.appendChild(svg("text", { x: 0, y: H + 12 }, periods[0]));
      s.appendChild(svg("text", { x: W, y: H + 12, "text-anchor": "end" }, periods[periods.length - 1]));
    }
    return s;
  }
  function actors(list) {
    const W = 300, row = 16, top = Math.max(1, ...list.map(a => a.events));
    const s = svg("svg", { viewBox: `0 0 ${W} ${Math.max(row, list.length * row)}`, role: "img",
                           "aria-label": "events by actor" });
    list.forEach((a, i) => {
      const w = Math.max(2, Math.round(110 * a.events / top));
      s.appendChild(svg("rect", { x: 180, y: i * row + 3, width: w, height: row - 5, class: "actor-bar" }));
      const name = a.actor.length > 34 ? a.actor.slice(0, 33) + "…" : a.actor;
      const t = svg("text", { x: 176, y: i * row + 12, "text-anchor": "end" }, name);
      t.appendChild(svg("title", {}, a.actor));
      s.appendChild(t);
      s.appendChild(svg("text", { x: 184 + w, y: i * row + 12 }, `${a.events}` + (a.fatalities ? ` (${a.fatalities} killed)` : "")));
    });
    return s;
  }
  function draw(container, summary) {
    container.replaceChildren();
    container.dataset.total = summary.total;
    if (!summary.total) {
      container.appendChild(box("No event in this view"));
      return;
    }
    const per = summary.bucket;
    for (const [type, values] of Object.entries(summary.by_type)) {
      const n = values.reduce((a, x) => a + x, 0);
      const b = box(`${type}: ${n} event${n === 1 ? "" : "s"}, by ${per}`);
      b.classList.add("by-type");
      b.appendChild(bars(values, summary.periods, summary.colours[type] || "#555", type));
      container.appendChild(b);
    }
    const f = box(`Fatalities by ${per}: ${summary.fatalities} in all`, "chart-fatalities");
    f.appendChild(bars(summary.fatalities_by_period, summary.periods, "#7a1f1f", "fatalities"));
    container.appendChild(f);
    const a = box("Most active actors (events as actor 1 or 2)", "chart-actors");
    a.appendChild(actors(summary.actors));
    container.appendChild(a);
  }
  window.veilleCharts = { draw: draw };
})();
