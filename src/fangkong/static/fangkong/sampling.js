// The sampling phone. Every scan goes into a queue kept on the phone (localStorage) and is
// sent through the screening API (POST /tubes, POST /swabs), each swab with its own client id:
// a scan made in a stairwell without signal waits on the phone, the page says how many wait,
// and they go when the connection returns (or the page is opened again). An upload retried
// after a lost answer is stored once: the server counts a client id it has seen as a
// duplicate. The camera (ZXing from npm, served by the project) reads a tube's barcode or a
// resident's QR into the same fields a hand-held scanner types into. Without this script the
// forms post as they are.
(function () {
  "use strict";
  var root = document.getElementById("sampling");
  if (!root || !window.fetch || !window.localStorage) return;
  var d = root.dataset;
  var KEY = "fangkong.sampling." + d.user;
  var RETRY_MS = 15000;
  var csrf = (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value || "";
  var text = JSON.parse(document.getElementById("sampling-text").textContent);

  function fill(template, n) { return template.replace("{n}", String(n)); }

  function load() {
    var state = null;
    try { state = JSON.parse(localStorage.getItem(KEY)); } catch (e) { state = null; }
    state = state || {};
    state.queue = state.queue || [];
    state.refused = state.refused || [];
    return state;
  }

  function save(state) { localStorage.setItem(KEY, JSON.stringify(state)); }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID(); // secure pages only
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20)].join("-");
  }

  function tubeUrl(id) { return d.tubeUrl.replace("/0/", "/" + id + "/"); }

  // --- what the page says ------------------------------------------------------------------

  var status = document.getElementById("queue-status");
  var refusedList = document.getElementById("queue-refused");

  function here(entry) {
    if (d.tube) return String(entry.tube) === d.tube;
    var offline = load().offline;
    return !!(offline && entry.tube_client_id === offline.client_id);
  }

  var problem = ""; // why the last try sent nothing, when the server said so

  function show() {
    var s = load();
    var waiting = s.queue.length;
    status.hidden = waiting === 0;
    var why = navigator.onLine ? problem : text.offline;
    status.textContent = waiting ? fill(text.waiting, waiting) + (why ? " · " + why : "") : "";
    refusedList.textContent = "";
    s.refused.forEach(function (r, i) {
      var li = document.createElement("li");
      li.className = "error";
      li.textContent = (r.code ? r.code + ": " : "") + r.reason + " ";
      var ok = document.createElement("button");
      ok.type = "button";
      ok.className = "linklike";
      ok.textContent = text.dismiss;
      ok.addEventListener("click", function () {
        var t = load();
        t.refused.splice(i, 1);
        save(t);
        show();
      });
      li.appendChild(ok);
      refusedList.appendChild(li);
    });
    var note = sessionStorage.getItem(KEY + ".note");
    if (note) {
      sessionStorage.removeItem(KEY + ".note");
      var p = document.getElementById("queue-note");
      p.textContent = note;
      p.hidden = false;
    }
    fullness(s);
  }

  // The tube's count as the server last said it plus what waits for it; at the pool size the
  // field is closed here too (the server refuses a swab beyond it anyway).
  function fullness(s) {
    var form = document.querySelector("form[data-scan]");
    if (!form || !d.pool) return;
    var queued = s.queue.filter(here).length;
    var count = (d.tube ? Number(d.count) : 0) + queued;
    var counter = document.getElementById("tube-count");
    if (counter) counter.textContent = count + "/" + d.pool;
    var full = count >= Number(d.pool);
    form.querySelectorAll("input, button").forEach(function (el) { el.disabled = full; });
    document.getElementById("tube-full").hidden = !full;
  }

  // --- sending -------------------------------------------------------------------------------

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) { return { status: r.status, body: j }; });
    });
  }

  function reason(body) {
    var detail = body && body.detail;
    if (typeof detail === "string") return detail;
    if (detail && typeof detail === "object" && !Array.isArray(detail)) return Object.values(detail).join(" ");
    return text.refused;
  }

  // No connection, the server could not answer, or the session is gone (logged out, a CSRF
  // token from before a new login): keep everything, try again later.
  function Unsent(why) { this.why = why || ""; }

  function check(answer) {
    if (answer.status >= 500) throw new Unsent(text.server);
    if (answer.status === 401 || answer.status === 403) throw new Unsent(text.login);
    return answer;
  }

  async function sendGroup(entries) {
    var first = entries[0];
    var tube = first.tube;
    if (!tube) {
      var opened = check(await post(d.tubesApi, { campaign: first.campaign, barcode: first.barcode, client_id: first.tube_client_id }));
      if (opened.status !== 200) return { tube: null, body: null, refused: entries.map(function (e) { return [e, reason(opened.body)]; }) };
      tube = opened.body.id;
    }
    var records = entries.map(function (e) { return { client_id: e.client_id, code: e.code, sampled_at: e.at }; });
    var sent = check(await post(d.swabsApi, { tube: tube, records: records }));
    if (sent.status !== 200) return { tube: tube, body: null, refused: entries.map(function (e) { return [e, reason(sent.body)]; }) };
    var bad = {};
    sent.body.rejected.forEach(function (r) { bad[r.index] = r.reason; });
    return {
      tube: tube,
      body: sent.body,
      refused: entries.filter(function (e, i) { return i in bad; }).map(function (e) { return [e, bad[entries.indexOf(e)]]; })
    };
  }

  function groups(queue) {
    var out = {};
    queue.forEach(function (e) {
      var key = e.tube ? "t" + e.tube : "c" + e.tube_client_id;
      (out[key] = out[key] || []).push(e);
    });
    return Object.values(out).map(function (g) { return g.slice(0, 200); });
  }

  // Take what a group's answer settled off the queue (read afresh: scans may have been added
  // while it was on its way).
  function settle(group, outcome) {
    var s = load();
    var done = {};
    group.forEach(function (e) { done[e.client_id] = true; });
    s.queue = s.queue.filter(function (e) { return !done[e.client_id]; });
    outcome.refused.forEach(function (pair) { s.refused.push({ code: pair[0].code, reason: pair[1] }); });
    if (outcome.tube && !group[0].tube) {
      s.queue.forEach(function (e) { if (e.tube_client_id === group[0].tube_client_id) e.tube = outcome.tube; });
      if (s.offline && s.offline.client_id === group[0].tube_client_id) s.offline.tube = outcome.tube;
    }
    save(s);
  }

  function notes(group, outcome) {
    var lines = [];
    if (outcome.body) {
      var stored = outcome.body.created + outcome.body.duplicates;
      if (stored) lines.push(fill(text.sent, stored));
      if (outcome.body.repeats.length) lines.push(text.repeat);
      if (outcome.body.tube_status !== "open") lines.push(text.closed);
    }
    return lines;
  }

  var sending = false;
  async function flush() {
    if (sending) return;
    sending = true;
    var lines = [];
    var moved = false;
    problem = "";
    try {
      var list;
      while ((list = groups(load().queue)).length) {
        for (var i = 0; i < list.length; i++) {
          var group = list[i];
          var mine = group.some(here);
          var outcome = await sendGroup(group);
          settle(group, outcome);
          if (mine) {
            lines = lines.concat(notes(group, outcome));
            moved = true;
          }
        }
      }
    } catch (e) {
      if (e instanceof Unsent) problem = e.why;
      else if (!(e instanceof TypeError)) throw e; // TypeError: no network
    } finally {
      sending = false;
    }
    if (moved && arrive(lines)) return; // leaving: the next page says it
    show();
  }

  // After this page's scans are in: the server's own page of the tube, with what was said.
  function arrive(lines) {
    if (lines.length) sessionStorage.setItem(KEY + ".note", lines.join(" "));
    var s = load();
    if (!d.tube && s.offline && s.offline.tube && !s.queue.some(function (e) { return e.tube_client_id === s.offline.client_id; })) {
      var id = s.offline.tube;
      delete s.offline;
      save(s);
      location.href = tubeUrl(id);
      return true;
    }
    if (d.tube) location.reload();
    return !!d.tube;
  }

  function enqueue(entry) {
    var s = load();
    s.queue.push(entry);
    save(s);
    show();
    flush();
  }

  // --- scanning people -------------------------------------------------------------------------

  function scanPeople(form, tube) {
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var input = form.querySelector("input[name=code]");
      var code = input.value.trim();
      if (!code) return;
      input.value = "";
      input.focus();
      var t = tube();
      enqueue({
        client_id: uuid(),
        campaign: Number(d.campaign),
        tube: t.tube || null,
        barcode: t.barcode || "",
        tube_client_id: t.client_id || "",
        code: code,
        at: new Date().toISOString()
      });
    });
  }

  // --- the sample page: opening a tube, and a tube opened without a connection -------------------

  var BARCODE = /^[0-9A-Za-z]{4,40}$/;

  function offlineTube() {
    var s = load();
    var panel = document.getElementById("offline-tube");
    if (!panel) return;
    panel.hidden = !s.offline;
    document.getElementById("open-form").hidden = !!s.offline;
    if (s.offline) {
      panel.querySelector("[data-barcode]").textContent = s.offline.barcode;
      fullness(s);
    }
  }

  function sampleForm() {
    var form = document.getElementById("open-form");
    if (!form) return;
    var error = document.getElementById("open-error");
    form.addEventListener("submit", async function (ev) {
      ev.preventDefault();
      var input = form.querySelector("input[name=barcode]");
      var barcode = input.value.replace(/[\s-]/g, "");
      var clientId = uuid();
      error.hidden = true;
      var answer = null;
      try {
        answer = await post(d.tubesApi, { campaign: Number(d.campaign), barcode: barcode, client_id: clientId });
      } catch (e) {
        answer = null; // no connection
      }
      if (answer && answer.status === 200) {
        location.href = tubeUrl(answer.body.id);
        return;
      }
      if (answer && answer.status < 500) {
        error.textContent = reason(answer.body);
        error.hidden = false;
        return;
      }
      if (!BARCODE.test(barcode)) {
        error.textContent = text.barcode;
        error.hidden = false;
        return;
      }
      var s = load();
      s.offline = { campaign: Number(d.campaign), barcode: barcode.toUpperCase(), client_id: clientId, tube: null };
      save(s);
      input.value = "";
      offlineTube();
      show();
    });
    var next = document.getElementById("offline-next");
    next.addEventListener("click", function () {
      var s = load();
      delete s.offline;
      save(s);
      offlineTube();
      show();
    });
    var scan = document.querySelector("#offline-tube form[data-scan]");
    scanPeople(scan, function () { return load().offline || {}; });
  }

  // --- the camera --------------------------------------------------------------------------------

  var video = document.getElementById("camera");
  var controls = null;

  function stopCamera() {
    if (controls) controls.stop();
    controls = null;
    video.hidden = true;
  }

  async function startCamera(form) {
    var say = document.getElementById("camera-note");
    say.hidden = true;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      say.textContent = text.cameraSecure;
      say.hidden = false;
      return;
    }
    if (!window.ZXingBrowser) {
      say.textContent = text.cameraMissing;
      say.hidden = false;
      return;
    }
    stopCamera();
    video.hidden = false;
    try {
      var reader = new window.ZXingBrowser.BrowserMultiFormatReader();
      controls = await reader.decodeFromConstraints({ video: { facingMode: "environment" } }, video, function (result) {
        if (!result) return;
        stopCamera();
        var input = form.querySelector("input[name=code], input[name=barcode]");
        input.value = result.getText();
        if (navigator.vibrate) navigator.vibrate(80);
        form.requestSubmit();
      });
    } catch (e) {
      stopCamera();
      say.textContent = text.cameraRefused;
      say.hidden = false;
    }
  }

  document.querySelectorAll("[data-camera]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      if (controls) stopCamera(); else startCamera(document.getElementById(button.dataset.camera));
    });
  });

  // --- start ---------------------------------------------------------------------------------------

  var tubeForm = d.tube && document.querySelector("form[data-scan]");
  if (tubeForm) scanPeople(tubeForm, function () { return { tube: Number(d.tube) }; });
  sampleForm();
  offlineTube();
  show();
  window.addEventListener("online", flush);
  window.addEventListener("offline", show);
  setInterval(function () { if (load().queue.length) flush(); }, RETRY_MS);
  flush();
})();
