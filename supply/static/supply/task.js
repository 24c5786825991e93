// Follows a background task (GET /api/v1/tasks/{id}/) and moves its progress bar; reloads
// the page once the task has finished so the panel shows its result.
(function () {
  "use strict";
  const box = document.getElementById("task");
  if (!box) return;
  const bar = box.querySelector(".progress");
  const labels = { PENDING: "En attente", STARTED: "Démarrée", PROGRESS: "En cours", SUCCESS: "Terminée", FAILURE: "Échec" };
  const show = (task) => {
    bar.setAttribute("aria-valuenow", task.progress);
    bar.firstElementChild.style.width = task.progress + "%";
    box.querySelector("[data-state-label]").textContent = labels[task.state] || task.state;
    box.querySelector("[data-error]").textContent = task.error || "";
    box.dataset.state = task.state;
  };
  const poll = () => {
    fetch(box.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => response.json())
      .then((task) => {
        show(task);
        if (task.state === "SUCCESS") {
          const url = new URL(window.location.href);
          url.searchParams.delete("tache");
          window.setTimeout(() => window.location.replace(url.toString()), 600);
        } else if (task.state !== "FAILURE") {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(() => window.setTimeout(poll, 3000));
  };
  if (box.dataset.state !== "SUCCESS" && box.dataset.state !== "FAILURE") poll();
})();
