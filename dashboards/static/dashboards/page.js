// Charts and map of the officials' page; data comes from json_script blocks, nothing external.
(function () {
  "use strict";
  const data = (id) => JSON.parse(document.getElementById(id).textContent);
  const euro = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 0 });
  const brand = "#1d4f6e", green = "#1a7f37", amber = "#9a6700";
  Chart.defaults.font.family = "system-ui, 'DejaVu Sans', sans-serif";
  Chart.defaults.maintainAspectRatio = false;

  const weekly = data("weekly-data");
  new Chart(document.getElementById("weekly"), {
    type: "bar",
    data: {
      labels: weekly.map((point) => new Date(point.period).toLocaleDateString("fr-FR", { day: "numeric", month: "short" })),
      datasets: [{ label: "kg distribués", data: weekly.map((point) => Number(point.value)), backgroundColor: brand }],
    },
    options: { plugins: { legend: { display: false } }, scales: { y: { ticks: { callback: (v) => euro.format(v) } } } },
  });

  const funders = data("funders-data").filter((row) => row.subsidy_ttc !== null);
  new Chart(document.getElementById("funders"), {
    type: "bar",
    data: {
      labels: funders.map((row) => row.funder),
      datasets: [{ label: "Subventions (€)", data: funders.map((row) => Number(row.subsidy_ttc)), backgroundColor: green }],
    },
    options: { indexAxis: "y", plugins: { legend: { display: false } }, scales: { x: { ticks: { callback: (v) => euro.format(v) + " €" } } } },
  });

  const shares = data("shares-data");
  const percent = (value) => (value === null ? 0 : Math.round(Number(value) * 1000) / 10);
  new Chart(document.getElementById("shares"), {
    type: "bar",
    data: {
      labels: ["Produits locaux", "Produits bio"],
      datasets: [
        { label: "Plateforme", data: [percent(shares.local), percent(shares.organic)], backgroundColor: brand },
        // EGAlim sets no target for local products: only the organic bar has one.
        { label: "Objectif EGAlim (bio)", data: [null, percent(shares.organic_target)], backgroundColor: amber },
      ],
    },
    options: { scales: { y: { min: 0, max: 100, ticks: { callback: (v) => v + " %" } } } },
  });

  const places = data("places-data");
  // A view first: layers and tooltips need one before the map is fitted to the places.
  const map = L.map("map", { attributionControl: false, scrollWheelZoom: false }).setView([50.63, 3.06], 10);
  places.zones.forEach((zone) => {
    L.geoJSON(zone.geometry, {
      style: { color: zone.kind === "qpv" ? amber : "#8c959f", weight: 1, fillOpacity: zone.kind === "qpv" ? 0.15 : 0.05 },
    }).bindTooltip(zone.name).addTo(map);
  });
  const bounds = [];
  const radius = (value, largest) => 5 + 20 * Math.sqrt(value / (largest || 1));
  const largestKg = Math.max(1, ...places.groceries.map((g) => g.kg));
  const largestValue = Math.max(1, ...places.producers.map((p) => p.value));
  // Producers first, so that the groceries they surround stay on top.
  places.producers.forEach((p) => {
    bounds.push([p.latitude, p.longitude]);
    L.circleMarker([p.latitude, p.longitude], { radius: radius(p.value, largestValue), color: green, fillOpacity: 0.5 })
      .bindTooltip(`${p.name} : ${euro.format(p.value)} € livrés`).addTo(map);
  });
  places.groceries.forEach((g) => {
    bounds.push([g.latitude, g.longitude]);
    L.circleMarker([g.latitude, g.longitude], { radius: radius(g.kg, largestKg), color: brand, fillOpacity: 0.5 })
      .bindTooltip(`${g.name} : ${euro.format(g.kg)} kg reçus`).addTo(map);
  });
  if (bounds.length) { map.fitBounds(bounds, { padding: [20, 20] }); } else { map.setView([50.63, 3.06], 11); }
})();
