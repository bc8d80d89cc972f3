// Shared by every console page (pages add their own files: queue.js, dossier.js …).
// No inline handlers anywhere: the Content-Security-Policy forbids them.
(function () {
  "use strict";
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
