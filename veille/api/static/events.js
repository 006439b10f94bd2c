// The events page: the offline map of the listed events. The points come from the page itself
// (a JSON data block, not a script); labels are set as text, never parsed as HTML.
(function () {
  const points = JSON.parse(document.getElementById("points").textContent);
  const map = L.map("map", { worldCopyJump: true, attributionControl: true });
  map.attributionControl.addAttribution("Outlines: Natural Earth");
  fetch("/api/countries.geojson").then(r => r.json()).then(g => {
    L.geoJSON(g, { style: { color: "#7d8ea3", weight: 0.7, fillColor: "#fbfbf7", fillOpacity: 1 } }).addTo(map).bringToBack();
  });
  const layer = L.featureGroup().addTo(map);
  for (const p of points) {
    const m = L.circleMarker([p.lat, p.lon], { radius: 5 + 3 * Math.sqrt(p.fatalities || 0), color: "#222", weight: 1,
                                               fillColor: p.colour, fillOpacity: 0.85 });
    const label = document.createElement("span");
    label.textContent = p.label;
    m.bindTooltip(label);
    m.on("click", () => { window.location = "/events/" + encodeURIComponent(p.id); });
    m.addTo(layer);
  }
  if (points.length) { map.fitBounds(layer.getBounds().pad(0.4), { maxZoom: 7 }); } else { map.setView([30, 30], 3); }
  window.veilleMarkers = points.length;
})();
