/* The mobile site's only script (no inline scripts: the pages work without it).
 * - installs the service worker, so the site opens and a form shows even offline;
 * - keeps a half-filled form on the phone (localStorage) while it is typed, brings it
 *   back after a reload, and sends it when the connection is back if it was sent offline;
 *   never the inputs marked data-no-keep (the citizen ID number);
 * - forgets it once the dossier was received (the page that shows the reference says so)
 *   and when the citizen signs out (the server's Clear-Site-Data says so too).
 * A form marked data-offline-copy is the service worker's blank copy, without a session
 * token: once online it takes the token of the real form (fetched) before it is sent, or
 * reloads the real form when the session is gone (which asks to sign in, the form kept).
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

  function forgetAll() {
    try {
      Object.keys(localStorage).forEach(function (key) {
        if (key.indexOf(PREFIX) === 0) localStorage.removeItem(key);
      });
    } catch (e) {}
  }

  function private_(form, name) {
    return Array.prototype.some.call(form.querySelectorAll('[name="' + name.replace(/"/g, "") + '"]'),
      function (el) { return el.hasAttribute("data-no-keep"); });
  }

  function save(form, pendingAction) {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrf_token" || el.type === "file" || el.type === "submit") return;
      if (el.hasAttribute("data-no-keep")) return;
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
      values[el.name] = el.value;
    });
    var kept = { values: values, pending: pendingAction || null, at: Date.now() };
    try { localStorage.setItem(keyOf(form), JSON.stringify(kept)); } catch (e) {}
  }

  function restore(form, kept) {
    Object.keys(kept.values).forEach(function (name) {
      if (private_(form, name)) return;  // kept by an older version of this script: not put back
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

  // The session token of the real form at this address; null when the session is gone.
  function realToken() {
    return fetch(location.href, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
      if (!response.ok || response.redirected) return null;
      return response.text().then(function (html) {
        var found = new DOMParser().parseFromString(html, "text/html").querySelector('input[name="csrf_token"]');
        return found && found.value ? found.value : null;
      });
    });
  }

  var WAITING = "Hồ sơ đang được giữ trên máy và sẽ tự gửi khi có mạng trở lại.";
  var NO_ID = " Riêng số căn cước không được lưu trên máy: ông/bà nhập lại ô này.";

  Array.prototype.forEach.call(document.querySelectorAll("form[data-keep]"), function (form) {
    var copy = form.hasAttribute("data-offline-copy");
    function sendCopy(action) {
      say("Đã có mạng trở lại: đang gửi hồ sơ…");
      realToken().then(function (token) {
        if (!token) { location.reload(); return; }
        form.querySelector('input[name="csrf_token"]').value = token;
        form.removeAttribute("data-offline-copy");
        copy = false;
        save(form);  // no longer pending: sent once
        send(form, action);
      }).catch(function () { say(WAITING); });
    }
    var kept = read(keyOf(form));
    if (kept && kept.values) {
      restore(form, kept);
      save(form, kept.pending);  // rewritten without anything private an older copy held
    }
    form.addEventListener("input", function () { save(form); });
    form.addEventListener("change", function () { save(form); });
    form.addEventListener("submit", function (event) {
      var action = event.submitter && event.submitter.value || "review";
      if (copy || !navigator.onLine) {
        event.preventDefault();
        save(form, action);
        if (copy && navigator.onLine) { sendCopy(action); return; }
        say("Mất kết nối mạng. " + WAITING + (copy ? NO_ID : ""));
        return;
      }
      save(form);
    });
    function resume() {
      var again = read(keyOf(form));
      if (!(again && again.pending && navigator.onLine)) return;
      if (copy) { sendCopy(again.pending); return; }
      save(form);  // no longer pending: sent once
      say("Đã có mạng trở lại: đang gửi hồ sơ…");
      send(form, again.pending);
    }
    window.addEventListener("online", resume);
    if (kept && kept.pending && navigator.onLine && !copy) resume();
    else if (kept && kept.pending) say(WAITING + (copy ? NO_ID : ""));
    else if (copy) say("Mất kết nối mạng. Những gì ông/bà đã nhập vẫn được giữ trên máy." + NO_ID);
  });

  var sent = document.querySelector("[data-clear-kept]");
  if (sent) { try { localStorage.removeItem(PREFIX + sent.getAttribute("data-clear-kept")); } catch (e) {} }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-sign-out]"), function (form) {
    form.addEventListener("submit", forgetAll);
  });

  window.addEventListener("offline", function () { say("Mất kết nối mạng. Những gì ông/bà đã nhập vẫn được giữ trên máy."); });
  window.addEventListener("online", function () { say(""); });
})();
