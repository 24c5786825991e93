// Rounds over the commune outlines, without any tile server.
(function () {
  const zones = JSON.parse(document.getElementById("zones").textContent);
  const rounds = JSON.parse(document.getElementById("rounds").textContent);
  const colours = ["#1d4f6e", "#c0392b", "#27ae60", "#8e44ad", "#d35400", "#16a085", "#2c3e50"];
  const map = L.map("map", { zoomSnap: 0.25 });
  const outlines = L.geoJSON(zones, {
    style: (feature) => feature.properties.kind === "qpv"
      ? { color: "#b9770e", weight: 1, fillColor: "#f5cba7", fillOpacity: 0.5 }
      : { color: "#7f8c8d", weight: 1.5, fillColor: "#ffffff", fillOpacity: 0.9 },
    onEachFeature: (feature, layer) => layer.bindTooltip(feature.properties.name),
  }).addTo(map);
  const roundIds = [...new Set(rounds.features.map((f) => f.properties.round ?? f.properties.id))];
  const colourOf = (id) => colours[roundIds.indexOf(id) % colours.length];
  const drawn = L.geoJSON(rounds, {
    style: (feature) => ({ color: colourOf(feature.properties.id), weight: 3, opacity: 0.85 }),
    pointToLayer: (feature, latlng) => L.circleMarker(latlng, {
      radius: feature.properties.kind === "hub" ? 8 : 5,
      color: colourOf(feature.properties.round), weight: 2,
      fillColor: feature.properties.kind === "hub" ? "#000" : "#fff", fillOpacity: 1,
    }).bindTooltip(`${feature.properties.sequence}. ${feature.properties.name}`),
  }).addTo(map);
  document.querySelectorAll(".round").forEach((element) => {
    element.style.borderColor = colourOf(Number(element.dataset.round));
  });
  const bounds = drawn.getLayers().length ? drawn.getBounds().extend(outlines.getBounds())
                                          : outlines.getBounds();
  map.fitBounds(bounds, { padding: [20, 20] });
})();
