// Running total, weight and household share of an order form, computed the way the server
// prices a line (DESIGN.md 4.1-4.2: rounded half-up to the cent at each step). The server's
// figures after saving are the ones that count.
(function () {
  "use strict";
  const cents = (value) => Math.round((value + Number.EPSILON) * 100) / 100;
  const euros = (value) =>
    value.toLocaleString("fr-FR", { minimumFractionDigits: 2, maximumFractionDigits: 2 }) + " €";
  document.querySelectorAll("form.order-form").forEach((form) => {
    const table = form.querySelector("table.catalogue");
    const rate = parseFloat(table.dataset.tierRate || "");
    const update = () => {
      let total = 0, share = 0, weight = 0;
      table.querySelectorAll("tbody tr[data-price-ht]").forEach((row) => {
        const quantity = parseFloat((row.querySelector("input").value || "0").replace(",", "."));
        if (!(quantity > 0)) return;
        const ht = cents(quantity * parseFloat(row.dataset.priceHt));
        const ttc = ht + cents(ht * parseFloat(row.dataset.vat));
        total += ttc;
        if (!isNaN(rate)) share += cents(ttc * rate);
        weight += quantity * parseFloat(row.dataset.weight);
      });
      form.querySelector("[data-total]").textContent = euros(total);
      const shareCell = form.querySelector("[data-share]");
      if (shareCell) shareCell.textContent = euros(share);
      form.querySelector("[data-total-weight]").textContent =
        weight.toLocaleString("fr-FR", { maximumFractionDigits: 1 }) + " kg";
      // A household's order: say before saving that it passes what is left of the cap.
      const warning = form.querySelector("[data-cap-warning]");
      if (warning) warning.hidden = !(cents(total) > parseFloat(form.dataset.capLeft));
    };
    form.addEventListener("input", update);
    update();
  });
})();

// The catalogue's search box: hides the products whose name does not contain the text, and
// the producers left with none. Quantities already typed stay in the form.
(function () {
  "use strict";
  document.querySelectorAll("[data-catalogue-search]").forEach((input) => {
    const table = input.closest("form").querySelector("table.catalogue");
    input.addEventListener("input", () => {
      const text = input.value.trim().toLocaleLowerCase("fr");
      let header = null, shown = 0;
      const close = () => { if (header) header.hidden = shown === 0; };
      table.querySelectorAll("tbody tr").forEach((row) => {
        if (row.classList.contains("group")) { close(); header = row; shown = 0; return; }
        const match = row.textContent.toLocaleLowerCase("fr").includes(text);
        row.hidden = !match;
        if (match) shown += 1;
      });
      close();
    });
  });
})();
