/* The mobile site's only script (no inline scripts: the pages work without it).
 * - installs the service worker, so the site opens and a form shows even offline;
 * - keeps a half-filled form on the phone (localStorage) while it is typed, brings it
 *   back after a reload, and sends it when the connection is back if it was sent offline;
 * - forgets it once the dossier was received (the page that shows the reference says so).
 */
(function () {
  "use strict";
  var PREFIX = "tongdai:m:";
  var net = document.getElementById("net");

  function say(text) {
    if (!net) return;
    net.textContent = text || "";
    net.hidden = !text;
  }

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/m/sw.js", { scope: "/m/" }).catch(function () {});
  }

  function keyOf(form) { return PREFIX + form.getAttribute("action"); }

  function read(key) {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }

  function save(form, pendingAction) {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrf_token" || el.type === "file" || el.type === "submit") return;
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
      values[el.name] = el.value;
    });
    var kept = { values: values, pending: pendingAction || null, at: Date.now() };
    try { localStorage.setItem(keyOf(form), JSON.stringify(kept)); } catch (e) {}
  }

  function restore(form, kept) {
    Object.keys(kept.values).forEach(function (name) {
      var fields = form.querySelectorAll('[name="' + name.replace(/"/g, "") + '"]');
      Array.prototype.forEach.call(fields, function (el) {
        if (el.type === "radio") { el.checked = el.value === kept.values[name]; }
        else if (el.type !== "hidden") { el.value = kept.values[name]; }
      });
    });
  }

  function send(form, action) {
    var button = form.querySelector('button[name="action"][value="' + action + '"]');
    if (form.requestSubmit && button) { form.requestSubmit(button); } else { form.submit(); }
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-keep]"), function (form) {
    var kept = read(keyOf(form));
    if (kept && kept.values) restore(form, kept);
    form.addEventListener("input", function () { save(form); });
    form.addEventListener("change", function () { save(form); });
    form.addEventListener("submit", function (event) {
      var action = event.submitter && event.submitter.value || "review";
      if (!navigator.onLine) {
        event.preventDefault();
        save(form, action);
        say("Mất kết nối mạng. Hồ sơ được giữ trên máy và sẽ tự gửi khi có mạng trở lại.");
        return;
      }
      save(form);
    });
    function resume() {
      var again = read(keyOf(form));
      if (again && again.pending && navigator.onLine) {
        save(form);  // no longer pending: sent once
        say("Đã có mạng trở lại: đang gửi hồ sơ…");
        send(form, again.pending);
      }
    }
    window.addEventListener("online", resume);
    if (kept && kept.pending) {
      if (navigator.onLine) resume();
      else say("Hồ sơ đang được giữ trên máy và sẽ tự gửi khi có mạng trở lại.");
    }
  });

  var sent = document.querySelector("[data-clear-kept]");
  if (sent) { try { localStorage.removeItem(PREFIX + sent.getAttribute("data-clear-kept")); } catch (e) {} }

  window.addEventListener("offline", function () { say("Mất kết nối mạng. Những gì ông/bà đã nhập vẫn được giữ trên máy."); });
  window.addEventListener("online", function () { say(""); });
})();
