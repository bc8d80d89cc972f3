// The dossier form: the postal address only matters when the result goes by post;
// a date typed as digits gets its slashes (20122026 → 20/12/2026).
(function () {
  "use strict";
  const box = document.querySelector(".delivery-address");
  if (box) {
    const radios = document.querySelectorAll('input[name="delivery.method"]');
    const sync = function () {
      const chosen = document.querySelector('input[name="delivery.method"]:checked');
      box.hidden = chosen !== null && chosen.value === "pickup";
    };
    radios.forEach(function (radio) { radio.addEventListener("change", sync); });
    sync();
  }
  document.querySelectorAll("input.date").forEach(function (input) {
    input.addEventListener("blur", function () {
      const digits = input.value.replace(/\D/g, "");
      if (digits.length === 8 && input.value === digits) {
        input.value = digits.slice(0, 2) + "/" + digits.slice(2, 4) + "/" + digits.slice(4);
      }
    });
  });
})();
