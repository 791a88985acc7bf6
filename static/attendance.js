/* Attendance on a phone: each tick is a mark with its own id, kept in localStorage until
   the server has it; sent at once when online, again when the connection comes back.
   The server keeps one mark per child, unit and day (the latest tick), so a mark sent
   twice changes nothing. */
(function () {
  "use strict";
  var sheet = document.getElementById("sheet");
  if (!sheet) return;
  var KEY = "portail-pointage-v1";
  var unit = Number(sheet.dataset.unit), date = sheet.dataset.date, url = sheet.dataset.post;
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var sync = document.getElementById("sync");
  var sending = false;

  function load() {
    try { return JSON.parse(localStorage.getItem(KEY)) || []; } catch (e) { return []; }
  }
  function save(queue) { localStorage.setItem(KEY, JSON.stringify(queue)); }
  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  }
  function mine(m) { return m.unit === unit && m.date === date; }

  function show(li, status) {
    li.dataset.status = status;
    li.querySelectorAll("button.mark").forEach(function (b) {
      b.setAttribute("aria-pressed", b.dataset.status === status ? "true" : "false");
    });
  }
  function say(text, kind) {
    sync.textContent = text;
    sync.className = kind || "";
  }
  function report(error) {
    var n = load().filter(mine).length;
    if (error) say(error, "error");
    else if (n) say(n + " pointage(s) en attente d'envoi (hors connexion).", "pending");
    else say("Tout est envoyé.");
  }

  function mark(child, status, unplanned) {
    var queue = load().filter(function (m) { return !(mine(m) && m.child === child); });
    queue.push({ id: newId(), unit: unit, date: date, child: child, status: status,
                 unplanned: !!unplanned, at: new Date().toISOString() });
    save(queue);
    report();
    flush();
  }

  function flush() {
    var queue = load().filter(mine);
    if (sending || !queue.length || !navigator.onLine) return;
    sending = true;
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json",
                 "X-CSRFToken": csrf },
      body: JSON.stringify({ unit: unit, date: date, marks: queue })
    }).then(function (resp) {
      return resp.json().then(function (body) { return { ok: resp.ok, body: body }; });
    }).then(function (r) {
      sending = false;
      if (!r.ok) { report(r.body.message || "Pointage refusé."); return; }
      var kept = r.body.kept || {};
      save(load().filter(function (m) { return !(m.id in kept); }));
      report();
    }).catch(function () { sending = false; report(); });
  }

  // what this browser still holds wins over what the page was drawn with
  load().filter(mine).forEach(function (m) {
    var li = sheet.querySelector('li.child[data-child="' + m.child + '"]');
    if (!li && m.unplanned) li = addRow(m.child, m.name || "");
    if (li) show(li, m.status);
  });

  function addRow(child, name) {
    var li = document.createElement("li");
    li.className = "child";
    li.dataset.child = child;
    li.dataset.unplanned = "1";
    var span = document.createElement("span");
    span.className = "name";
    span.textContent = name + " (sans réservation)";
    li.appendChild(span);
    var marks = document.createElement("span");
    marks.className = "marks";
    var b = document.createElement("button");
    b.type = "button"; b.className = "mark mark-present"; b.dataset.status = "present";
    b.textContent = "Présent";
    marks.appendChild(b);
    li.appendChild(marks);
    document.getElementById("children").appendChild(li);
    return li;
  }

  sheet.addEventListener("click", function (ev) {
    var b = ev.target.closest("button.mark[data-status]");
    if (!b || b.disabled) return;
    var li = b.closest("li.child");
    show(li, b.dataset.status);
    mark(Number(li.dataset.child), b.dataset.status, li.dataset.unplanned === "1");
  });
  var add = document.getElementById("add");
  if (add) {
    add.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var select = document.getElementById("add-child");
      var opt = select.options[select.selectedIndex];
      if (!opt) return;
      var child = Number(opt.value);
      var li = addRow(child, opt.textContent);
      opt.remove();
      show(li, "present");
      var queue = load().filter(function (m) { return !(mine(m) && m.child === child); });
      queue.push({ id: newId(), unit: unit, date: date, child: child, status: "present",
                   unplanned: true, name: opt.textContent, at: new Date().toISOString() });
      save(queue);
      report();
      flush();
    });
  }
  window.addEventListener("online", flush);
  window.addEventListener("offline", function () { report(); });
  setInterval(flush, 5000);
  if (!sheet.dataset.locked) { report(); flush(); }
})();
