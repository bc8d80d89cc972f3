// Shared by every console page (pages add their own files: queue.js, dossier.js …).
(function () {
  "use strict";
  // A page that comes back with errors: the summary at the top takes the focus, so a
  // keyboard or screen-reader user starts from the list of what to fix.
  const summary = document.getElementById("errors");
  if (summary) summary.focus();
  // The phone-width menu closes when a link in it is followed or the page is left.
  document.querySelectorAll("details.nav-menu a").forEach(function (link) {
    link.addEventListener("click", function () { link.closest("details").open = false; });
  });
})();
