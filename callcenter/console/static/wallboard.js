// The supervisors' wall board: figures pushed by /console/supervisor/wallboard/events.
(function () {
  "use strict";
  const board = document.getElementById("wallboard");
  if (!board || !window.EventSource) return;
  const $ = function (id) { return document.getElementById(id); };
  const duration = window.Console.duration;
  function render(b) {
    $("wb-status").textContent = "Cập nhật " + new Date().toLocaleTimeString("vi-VN");
    $("wb-waiting").textContent = String(b.waiting);
    $("wb-longest").textContent = duration(b.longest_wait_s);
    $("wb-ready").textContent = String(b.by_state.ready || 0);
    $("wb-on-call").textContent = String(b.by_state.on_call || 0);
    const t = b.today;
    $("wb-offered").textContent = String(t.offered);
    $("wb-answered").textContent = String(t.answered);
    $("wb-abandoned").textContent = String(t.abandoned);
    $("wb-callback").textContent = String(t.callback_chosen);
    $("wb-service-level").textContent = t.service_level === null ? "–" : Math.round(t.service_level * 100) + "%";
    $("wb-service-level-label").textContent = "Nghe máy trong " + b.service_level_s + " giây";
    $("wb-avg-wait").textContent = duration(t.avg_wait_s);
    $("wb-avg-handle").textContent = duration(t.avg_handle_s);
    const body = document.querySelector("#wb-operators tbody");
    body.replaceChildren();
    b.operators.forEach(function (o) {
      const tr = window.Console.row([o.name, o.state_label, duration(o.for_s)]);
      tr.dataset.username = o.username;
      body.append(tr);
    });
  }
  const source = new EventSource("/console/supervisor/wallboard/events");
  source.addEventListener("board", function (event) { render(JSON.parse(event.data)); });
  window.addEventListener("pagehide", function () { source.close(); });
})();
