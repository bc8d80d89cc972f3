// The queue: new drafts arrive by server-sent events, into their vessel's card when it
// is on the page; j/k move between drafts, Enter claims the one selected.
(function () {
  "use strict";
  const list = document.getElementById("queue");
  if (!list) return;
  const status = document.getElementById("live-status");
  const empty = document.getElementById("queue-empty");

  function items() { return Array.from(list.querySelectorAll(".queue-item")); }

  function move(step) {
    const all = items();
    if (!all.length) return;
    const at = all.indexOf(document.activeElement);
    const next = at < 0 ? 0 : Math.min(all.length - 1, Math.max(0, at + step));
    all[next].focus();
  }

  document.addEventListener("keydown", function (event) {
    if (event.target.closest("input, select, textarea") || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === "j") { move(1); event.preventDefault(); }
    else if (event.key === "k") { move(-1); event.preventDefault(); }
    else if (event.key === "Enter" && event.target.matches(".queue-item")) {
      event.target.querySelector("form.claim").requestSubmit();
      event.preventDefault();
    }
  });

  function groupOf(key) {
    return Array.from(list.querySelectorAll(".queue-group")).find(function (g) { return g.dataset.group === key; });
  }

  function add(draft) {
    const group = groupOf(draft.group);
    if (group) {
      const rows = group.querySelector(".queue-items");
      rows.insertAdjacentHTML("beforeend", draft.html);
      rows.lastElementChild.classList.add("fresh");
      const count = group.querySelector(".count");
      count.querySelector(".n").textContent = String(rows.children.length);
      count.hidden = rows.children.length < 2;
    } else {
      list.insertAdjacentHTML("beforeend", draft.group_html);
      list.lastElementChild.querySelector(".queue-item").classList.add("fresh");
    }
  }

  if (!window.EventSource) return;
  let waiting = 0;
  const since = list.dataset.since;
  const url = "/console/queue/events" + (since ? "?since=" + encodeURIComponent(since) : "");
  const source = new EventSource(url);
  source.addEventListener("draft", function (event) {
    const draft = JSON.parse(event.data);
    if (list.querySelector('[data-reference="' + draft.reference + '"]')) return;
    if (list.dataset.lastPage === "yes" || groupOf(draft.group)) {
      // Oldest first: a new draft goes to its vessel's card, or at the end (this page).
      add(draft);
      if (empty) empty.hidden = true;
      status.textContent = "Có hồ sơ mới: " + draft.reference;
    } else {
      waiting += 1;
      status.textContent = "Có " + waiting + " hồ sơ mới ở cuối hàng chờ.";
    }
  });
  window.addEventListener("pagehide", function () { source.close(); });
})();
