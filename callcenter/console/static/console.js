// Shared by every console page (pages add their own files: queue.js, dossier.js …).
// No inline handlers anywhere: the Content-Security-Policy forbids them.
(function () {
  "use strict";
  // Helpers for the pages' own scripts (loaded after this one: both are deferred).
  window.Console = {
    // Seconds as people say them: "2 phút 5 giây"; "–" when there is no figure.
    duration: function (s) {
      if (s === null || s === undefined) return "–";
      s = Math.round(s);
      const m = Math.floor(s / 60);
      return m ? m + " phút " + (s % 60) + " giây" : s + " giây";
    },
    // A table row of text cells.
    row: function (texts) {
      const tr = document.createElement("tr");
      texts.forEach(function (text) {
        const td = document.createElement("td");
        td.textContent = text;
        tr.append(td);
      });
      return tr;
    },
  };
  // Buttons that print the page.
  document.querySelectorAll('[data-action="print"]').forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  // A page that comes back with errors: the summary at the top takes the focus, so a
  // keyboard or screen-reader user starts from the list of what to fix.
  const summary = document.getElementById("errors");
  if (summary) summary.focus();
  // The phone-width menu closes when a link in it is followed.
  document.querySelectorAll("details.nav-menu a").forEach(function (link) {
    link.addEventListener("click", function () { link.closest("details").open = false; });
  });
})();
