// Rounds over the communes of the Nord and the project's zones, without any tile server:
// the commune contours are a static file of the site (tools/build_communes.py).
(function () {
  const element = document.getElementById("map");
  const zones = JSON.parse(document.getElementById("zones").textContent);
  const rounds = JSON.parse(document.getElementById("rounds").textContent);
  const labelled = new Set(JSON.parse(document.getElementById("labelled-communes").textContent));
  const colours = ["#1d4f6e", "#c0392b", "#1e8449", "#8e44ad", "#b9460e", "#117a65", "#2c3e50"];
  const time = new Intl.DateTimeFormat("fr-FR", { hour: "2-digit", minute: "2-digit",
                                                   timeZone: "Europe/Paris" });
  const map = L.map(element, { zoomSnap: 0.25 });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("Communes : IGN Admin Express, Licence Ouverte");

  const communes = L.geoJSON(null, {
    style: { color: "#9aabb8", weight: 1, fillColor: "#f4f1ea", fillOpacity: 1 },
    interactive: false,
  }).addTo(map);
  const outlines = L.geoJSON(zones, {
    style: (feature) => feature.properties.kind === "qpv"
      ? { color: "#b9770e", weight: 1, fillColor: "#f5cba7", fillOpacity: 0.55 }
      : { color: "#5d6d7e", weight: 2, fillColor: "#ffffff", fillOpacity: 0.6 },
    // The three communes of the project are labelled; the priority neighbourhoods on hover.
    onEachFeature: (feature, layer) => feature.properties.kind === "qpv"
      ? layer.bindTooltip(feature.properties.name)
      : layer.bindTooltip(feature.properties.name, {
        permanent: true, direction: "center", className: "commune-label",
      }),
  }).addTo(map);

  const roundIds = [...new Set(rounds.features.map((f) => f.properties.round ?? f.properties.id))];
  const colourOf = (id) => colours[roundIds.indexOf(id) % colours.length];
  const stops = rounds.features.filter((f) => f.geometry.type === "Point").length;
  let hubLabelled = false;
  const drawn = L.geoJSON(rounds, {
    style: (feature) => ({ color: colourOf(feature.properties.id), weight: 3, opacity: 0.85 }),
    pointToLayer: (feature, latlng) => {
      const properties = feature.properties;
      const marker = L.circleMarker(latlng, {
        radius: properties.kind === "hub" ? 8 : 5,
        color: colourOf(properties.round), weight: 2,
        fillColor: properties.kind === "hub" ? "#000" : "#fff", fillOpacity: 1,
      });
      // Place names stay written while the map is readable; beyond, on hover. Every round
      // starts and ends at the hub: it is written once, without a time.
      if (properties.kind === "hub") {
        marker.bindTooltip(`Plateforme : ${properties.name}`, {
          permanent: !hubLabelled, direction: "top", className: "place-label",
        });
        hubLabelled = true;
        return marker;
      }
      const arrival = properties.arrival_at ? ` — ${time.format(new Date(properties.arrival_at))}` : "";
      marker.bindTooltip(`${properties.sequence}. ${properties.name}${arrival}`, {
        permanent: stops <= 40, direction: "right", className: "place-label",
      });
      return marker;
    },
  }).addTo(map);
  document.querySelectorAll(".round").forEach((section) => {
    section.style.borderColor = colourOf(Number(section.dataset.round));
  });
  const bounds = drawn.getLayers().length ? drawn.getBounds().extend(outlines.getBounds())
                                          : outlines.getBounds();
  map.fitBounds(bounds, { padding: [40, 40] });

  fetch(element.dataset.communes)
    .then((response) => response.json())
    .then((geojson) => {
      communes.addData(geojson);
      communes.eachLayer((layer) => {
        if (labelled.has(layer.feature.properties.nom)) {
          layer.bindTooltip(layer.feature.properties.nom, {
            permanent: true, direction: "center", className: "commune-label",
          });
        }
      });
      communes.bringToBack();
    });
})();
