// Live calls in the console (issue 14): ready/away, the browser softphone (Twilio's Voice
// SDK, window.TwilioVoice from static/vendor/twilio-voice.js), the caller offered and the
// caller on the line, the wrap-up, the callers waiting. The server pushes everything by
// server-sent events (/console/live/events); nothing here is trusted to decide.
(function () {
  "use strict";
  const root = document.getElementById("live");
  if (!root) return;
  const csrf = root.dataset.csrf;
  const $ = function (id) { return document.getElementById(id); };
  const stateEl = $("live-state"), sinceEl = $("live-since"), toggle = $("live-toggle");
  const phoneEl = $("live-phone"), errorEl = $("live-error");
  const offerBox = $("live-offer"), cardBox = $("live-card"), wrapForm = $("live-wrapup");
  const wrapDone = $("live-wrapup-done"), draftForm = $("live-draft");
  let current = { state: "away" };
  let device = null, call = null, tokenTimer = null;
  let codesLoaded = false, wrappedSid = null;

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body || {}),
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) { return { ok: r.ok, status: r.status, data: data }; });
    });
  }

  function showError(text) {
    errorEl.textContent = text || "";
    errorEl.hidden = !text;
  }

  const minutes = window.Console.duration;

  function row(dl, label, value) {
    if (value === null || value === undefined || value === "") return;
    const dt = document.createElement("dt"), dd = document.createElement("dd");
    dt.textContent = label;
    dd.textContent = value;
    dl.append(dt, dd);
  }

  function fillCard(box, card) {
    box.replaceChildren();
    const dl = document.createElement("dl");
    row(dl, "Số gọi đến", card.from_display || card.from_number);
    let vessel = card.vessel_registration || "Chưa xác định";
    if (card.vessel_registration) {
      vessel += card.vessel_from_caller_id ? " (theo số gọi đến, người gọi chưa xác nhận)"
        : card.vessel_verified ? " (đã đối chiếu sổ đăng ký)" : " (chưa kiểm tra)";
      if (card.owner_name) vessel += " — chủ tàu " + card.owner_name;
    }
    row(dl, "Tàu cá", vessel);
    row(dl, "Thủ tục", card.procedure_name);
    row(dl, "Đi qua menu", (card.path_titles || []).join(" → "));
    row(dl, "Lý do gặp điện thoại viên", card.reason_text);
    row(dl, "Đã chờ", minutes(card.waiting_s));
    if (card.dossiers && card.dossiers.length) {
      row(dl, "Hồ sơ của số này", card.dossiers.map(function (d) {
        return d.reference + " (" + d.procedure_name + ", " + d.status + ")";
      }).join("; "));
    }
    if (card.open_callbacks) row(dl, "Yêu cầu gọi lại đang mở", String(card.open_callbacks));
    box.append(dl);
  }

  function renderWaiting(waiting) {
    const body = $("live-waiting-rows");
    body.replaceChildren();
    waiting.forEach(function (c) {
      const tr = window.Console.row([c.from_display || c.from_number, minutes(c.waiting_s),
        c.vessel_registration || "—", (c.path_titles || []).join(" → "), c.reason_text]);
      tr.dataset.callSid = c.call_sid;
      body.append(tr);
    });
    $("live-waiting-n").textContent = String(waiting.length);
    $("live-waiting-empty").hidden = waiting.length > 0;
    $("live-waiting-count").textContent = waiting.length ? waiting.length + " người đang chờ" : "";
  }

  function loadCodes() {
    if (codesLoaded) return;
    codesLoaded = true;
    fetch("/console/live/wrap-up-codes", { credentials: "same-origin" }).then(function (r) { return r.json(); })
      .then(function (codes) {
        const select = $("live-wrapup-code");
        codes.forEach(function (c) {
          const option = document.createElement("option");
          option.value = c.code;
          option.textContent = c.label;
          select.append(option);
        });
      });
  }

  function render(snap) {
    current = snap;
    stateEl.textContent = snap.state_label;
    stateEl.dataset.state = snap.state;
    sinceEl.textContent = snap.away_reason ? "(" + snap.away_reason + ")" : "";
    toggle.hidden = snap.state === "on_call";
    toggle.textContent = snap.state === "away" ? "Sẵn sàng nhận cuộc gọi" : "Tạm vắng";
    offerBox.hidden = !snap.offer || !!call;
    if (snap.offer) fillCard(offerBox.querySelector("[data-card]"), snap.offer);
    cardBox.hidden = !snap.card;
    if (snap.card) {
      cardBox.querySelector("[data-field=from]").textContent = snap.card.from_display || snap.card.from_number;
      fillCard(cardBox.querySelector("[data-card]"), snap.card);
      draftForm.action = "/console/calls/" + encodeURIComponent(snap.card.call_sid) + "/draft";
      $("live-hangup").hidden = snap.state !== "on_call" || !call;
      const filed = snap.card.wrap_up_code || wrappedSid === snap.card.call_sid;
      wrapForm.hidden = !!filed;
      wrapDone.hidden = !filed;
      if (filed) wrapDone.textContent = "Đã lưu kết quả cuộc gọi.";
      if (!filed) loadCodes();
    }
    renderWaiting(snap.waiting || []);
    if (snap.state !== "away") startSoftphone();
  }

  // The softphone: a short-lived token, renewed before it runs out.
  function fetchToken() {
    return post("/console/live/token").then(function (res) {
      if (!res.ok) throw new Error(res.data.error || "Không lấy được mã điện thoại.");
      clearTimeout(tokenTimer);
      const lifetime = new Date(res.data.expires_at).getTime() - Date.now();
      tokenTimer = setTimeout(refreshToken, Math.max(30000, lifetime * 0.8));
      return res.data.token;
    });
  }

  function refreshToken() {
    if (!device) return;
    fetchToken().then(function (token) { device.updateToken(token); })
      .catch(function (err) { phoneEl.textContent = err.message; });
  }

  // The SDK's sounds from this server, not from Twilio's CDN (see callcenter/operators/sounds.py).
  var SOFTPHONE_SOUNDS = {};
  ["incoming", "outgoing", "disconnect", "dtmf0", "dtmf1", "dtmf2", "dtmf3", "dtmf4", "dtmf5", "dtmf6",
   "dtmf7", "dtmf8", "dtmf9", "dtmfs", "dtmfh"].forEach(function (name) {
    SOFTPHONE_SOUNDS[name] = "/console/live/sounds/" + name + ".wav";
  });

  function startSoftphone() {
    if (device) return;
    if (!window.TwilioVoice || !window.TwilioVoice.Device) {
      phoneEl.textContent = "Chưa có điện thoại trình duyệt (chạy make setup).";
      return;
    }
    device = "starting";
    fetchToken().then(function (token) {
      device = new window.TwilioVoice.Device(token, {
        closeProtection: true, logLevel: "warn", sounds: SOFTPHONE_SOUNDS,
      });
      device.on("tokenWillExpire", refreshToken);
      device.on("error", function (err) { phoneEl.textContent = "Lỗi điện thoại: " + (err.message || err); });
      device.on("registered", function () { phoneEl.textContent = "Điện thoại trình duyệt sẵn sàng."; });
      phoneEl.textContent = "Điện thoại trình duyệt sẵn sàng.";
      return device.register();
    }).catch(function (err) {
      device = null;
      phoneEl.textContent = err.message || String(err);
    });
  }

  $("live-answer").addEventListener("click", function () {
    if (!device || device === "starting") { showError("Điện thoại trình duyệt chưa sẵn sàng."); return; }
    showError("");
    offerBox.hidden = true;
    Promise.resolve(device.connect({ params: {} })).then(function (c) {
      call = c;
      phoneEl.textContent = "Đang kết nối…";
      call.on("accept", function () { phoneEl.textContent = "Đang nghe máy."; });
      call.on("disconnect", function () { call = null; phoneEl.textContent = "Cuộc gọi đã kết thúc."; render(current); });
      call.on("error", function (err) { phoneEl.textContent = "Lỗi cuộc gọi: " + (err.message || err); });
    }).catch(function (err) { showError("Không gọi được: " + (err.message || err)); });
  });

  $("live-hangup").addEventListener("click", function () { if (call) call.disconnect(); });

  toggle.addEventListener("click", function () {
    const want = current.state === "away" ? "ready" : "away";
    post("/console/live/state", { state: want }).then(function (res) {
      if (!res.ok) { showError(res.data.error || "Không đổi được trạng thái."); return; }
      showError("");
      render(res.data);
    });
  });

  wrapForm.addEventListener("submit", function (event) {
    event.preventDefault();
    const codeError = $("live-wrapup-code-error");
    const body = { call_sid: current.card && current.card.call_sid, code: $("live-wrapup-code").value,
                   note: $("live-wrapup-note").value };
    post("/console/live/wrap-up", body).then(function (res) {
      codeError.hidden = true;
      if (!res.ok) {
        if (res.data.field === "code") { codeError.textContent = res.data.error; codeError.hidden = false; }
        else showError(res.data.error || "Không lưu được kết quả.");
        return;
      }
      wrappedSid = body.call_sid;
      render(current);
    });
  });

  if (!window.EventSource) return;
  const source = new EventSource("/console/live/events");
  source.addEventListener("live", function (event) { render(JSON.parse(event.data)); });
  window.addEventListener("pagehide", function () { source.close(); });
})();
