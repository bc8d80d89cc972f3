// The printable report: its print button (a static file, no inline handler).
(function () {
  "use strict";
  const button = document.getElementById("print");
  if (button) button.addEventListener("click", function () { window.print(); });
})();
