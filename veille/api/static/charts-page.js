window.veilleCharts.draw(document.getElementById("charts"),
                         JSON.parse(document.getElementById("summary-data").textContent));
window.veilleReady = true;
