// Buttons that print the page (no inline handlers: the Content-Security-Policy forbids them).
(function () {
  "use strict";
  document.querySelectorAll('[data-action="print"]').forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();

// The dossier form: the postal address only matters when the result goes by post.
(function () {
  "use strict";
  const box = document.querySelector(".delivery-address");
  if (!box) return;
  const radios = document.querySelectorAll('input[name="delivery.method"]');
  function sync() {
    const chosen = document.querySelector('input[name="delivery.method"]:checked');
    box.hidden = chosen !== null && chosen.value === "pickup";
  }
  radios.forEach(function (radio) { radio.addEventListener("change", sync); });
  sync();
})();

// The queue: new drafts arrive by server-sent events; j/k move, Enter claims.
(function () {
  "use strict";
  const table = document.getElementById("queue");
  if (!table) return;
  const body = table.tBodies[0];
  const status = document.getElementById("live-status");
  const empty = document.getElementById("queue-empty");

  function rows() { return Array.from(body.rows); }

  function move(step) {
    const all = rows();
    if (!all.length) return;
    const at = all.indexOf(document.activeElement);
    const next = at < 0 ? 0 : Math.min(all.length - 1, Math.max(0, at + step));
    all[next].focus();
  }

  document.addEventListener("keydown", function (event) {
    if (event.target.closest("input, select, textarea") || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === "j") { move(1); event.preventDefault(); }
    else if (event.key === "k") { move(-1); event.preventDefault(); }
    else if (event.key === "Enter" && event.target.matches("tr[data-reference]")) {
      event.target.querySelector("form.claim").requestSubmit();
      event.preventDefault();
    }
  });

  if (!window.EventSource) return;
  let since = table.dataset.since;
  let waiting = 0;
  const url = "/console/queue/events" + (since ? "?since=" + encodeURIComponent(since) : "");
  const source = new EventSource(url);
  source.addEventListener("draft", function (event) {
    const draft = JSON.parse(event.data);
    if (body.querySelector('tr[data-reference="' + draft.reference + '"]')) return;
    if (table.dataset.lastPage === "yes") {
      // Oldest first: a new draft belongs at the end, which is this page.
      body.insertAdjacentHTML("beforeend", draft.html);
      body.lastElementChild.classList.add("fresh");
      if (empty) empty.hidden = true;
      status.textContent = "Có hồ sơ mới: " + draft.reference;
    } else {
      waiting += 1;
      status.textContent = "Có " + waiting + " hồ sơ mới ở cuối hàng chờ.";
    }
  });
  window.addEventListener("pagehide", function () { source.close(); });
})();
