/* Portail Famille – a child's planning: selecting days (click, drag, tools), adding them to
   the basket, and refreshing the cells' states by polling, without reloading the page. */
(function () {
  "use strict";
  var root = document.getElementById("planning");
  if (!root) return;
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var pollMs = Math.max(parseInt(root.dataset.pollMs, 10) || 5000, 200);
  var selection = new Map(); // key "unit|date" -> "book" | "cancel"
  var summary = document.getElementById("sel-summary");
  var message = document.getElementById("sel-message");
  var addButton = document.getElementById("add-basket");
  var sending = false;
  var clearButton = document.getElementById("clear-sel");
  var selbar = root.querySelector(".selbar");
  var tools = root.querySelector("details.tools");
  // On a phone the tools start folded, so the calendar comes first.
  if (tools && window.matchMedia && window.matchMedia("(max-width: 40rem)").matches) tools.open = false;

  function allCells() { return Array.prototype.slice.call(root.querySelectorAll(".cell[data-key]")); }
  function cellByKey(key) {
    return root.querySelector('.cell[data-key="' + key.replace(/"/g, "") + '"]');
  }
  function selectable(el) { return el.dataset.action === "book" || el.dataset.action === "cancel"; }

  function paint(el) {
    var action = selection.get(el.dataset.key);
    el.classList.toggle("sel-book", action === "book");
    el.classList.toggle("sel-cancel", action === "cancel");
    el.setAttribute("aria-pressed", action ? "true" : "false");
    var mark = el.querySelector(".sel");
    if (mark) {
      mark.textContent = action === "book" ? "sélectionné : à réserver"
        : action === "cancel" ? "sélectionné : à annuler" : "";
    }
  }

  function setSelected(el, on) {
    if (on && selectable(el)) selection.set(el.dataset.key, el.dataset.action);
    else selection.delete(el.dataset.key);
    paint(el);
  }

  function refreshSummary() {
    var book = 0, cancel = 0;
    selection.forEach(function (a) { if (a === "book") book++; else cancel++; });
    var n = book + cancel;
    if (!n) summary.textContent = "Aucun jour sélectionné.";
    else {
      var parts = [];
      if (book) parts.push(book + " à réserver");
      if (cancel) parts.push(cancel + " à annuler");
      summary.textContent = n + (n > 1 ? " jours sélectionnés : " : " jour sélectionné : ") + parts.join(", ") + ".";
    }
    // aria-disabled, not disabled: a disabled button drops the keyboard focus, and the
    // parent who pressed "Ajouter au panier" must find it where it was.
    addButton.setAttribute("aria-disabled", n && !sending ? "false" : "true");
    addButton.disabled = false;
    clearButton.disabled = !n;
    // The bar sticks to the bottom once there is a selection, but not in the middle of a
    // drag: it would cover the days under the pointer.
    if (selbar && !drag) selbar.classList.toggle("active", n > 0);
  }

  function say(text, problems, isError) {
    message.textContent = "";
    var p = document.createElement("p");
    p.className = isError ? "flash flash-error" : "flash";
    p.textContent = text;
    message.appendChild(p);
    if (problems && problems.length) {
      var ul = document.createElement("ul");
      ul.className = "error";
      problems.forEach(function (t) { var li = document.createElement("li"); li.textContent = t; ul.appendChild(li); });
      message.appendChild(ul);
    }
  }

  // Why a cell cannot be chosen: next to the cell, where the eye is, and in the live
  // region under the calendar, for screen readers.
  var tip = null;
  function explain(el) {
    var why = el.dataset.whyNot || "ce jour ne peut pas être modifié";
    var text = (el.getAttribute("title") || "").split(" :")[0] + " : " + why + ".";
    say(text, null, true);
    if (!tip) {
      tip = document.createElement("p");
      tip.className = "cell-tip";
      tip.setAttribute("aria-hidden", "true");  // the live region says it already
    }
    tip.textContent = why.charAt(0).toUpperCase() + why.slice(1) + ".";
    el.insertAdjacentElement("afterend", tip);
  }

  // -- click and drag ------------------------------------------------------------------------
  var drag = null, suppressClick = false;

  root.addEventListener("click", function (ev) {
    var el = ev.target.closest(".cell[data-key]");
    if (!el) return;
    if (suppressClick) { suppressClick = false; return; }
    if (!selectable(el)) { explain(el); return; }
    setSelected(el, !selection.has(el.dataset.key));
    refreshSummary();
  });

  root.addEventListener("pointerdown", function (ev) {
    if (ev.pointerType === "touch" || ev.button !== 0) return; // touch keeps scrolling the page
    var el = ev.target.closest(".cell[data-key]");
    if (!el || !selectable(el)) return;
    drag = { start: el, unit: el.dataset.unit, on: !selection.has(el.dataset.key), last: el, moved: false };
  });

  root.addEventListener("pointermove", function (ev) {
    if (!drag) return;
    var under = document.elementFromPoint(ev.clientX, ev.clientY);
    var el = under && under.closest(".cell[data-key]");
    if (!el || el === drag.last || el.dataset.unit !== drag.unit) return;
    drag.last = el;
    drag.moved = true;
    ev.preventDefault();
    var a = drag.start.dataset.date, b = el.dataset.date;
    var lo = a < b ? a : b, hi = a < b ? b : a;
    allCells().forEach(function (c) {
      if (c.dataset.unit === drag.unit && c.dataset.date >= lo && c.dataset.date <= hi) setSelected(c, drag.on);
    });
    refreshSummary();
  });

  document.addEventListener("pointerup", function (ev) {
    if (!drag) return;
    // A drag ending on another cell fires no click on a cell; one ending on its first cell does.
    var end = ev.target.closest && ev.target.closest(".cell[data-key]");
    if (drag.moved && end === drag.start) suppressClick = true;
    drag = null;
    refreshSummary();
  });
  root.addEventListener("dragstart", function (ev) { ev.preventDefault(); });

  // -- tools ---------------------------------------------------------------------------------
  function toolUnits() {
    var units = {};
    root.querySelectorAll('input[name="tool-unit"]:checked').forEach(function (i) { units[i.value] = i.dataset.usual || ""; });
    return units;
  }
  function toolMode() {
    var checked = root.querySelector('input[name="tool-mode"]:checked');
    return checked ? checked.value : "book";
  }

  function applyTool(button) {
    var units = toolUnits(), mode = toolMode(), kind = button.dataset.tool;
    if (!Object.keys(units).length) { say("Cochez au moins une prestation pour utiliser les outils.", null, true); return; }
    var matched = allCells().filter(function (c) {
      if (!(c.dataset.unit in units) || c.dataset.action !== mode) return false;
      if (kind === "week") return c.dataset.week === button.dataset.week;
      if (kind === "weekday") return c.dataset.wd === button.dataset.weekday;
      if (kind === "usual") return units[c.dataset.unit].indexOf(c.dataset.wd) >= 0;
      return true;
    });
    if (!matched.length) {
      say("Aucun jour " + (mode === "book" ? "à réserver" : "à annuler") + " ne correspond parmi les jours encore modifiables.", null, true);
      return;
    }
    // Pressed again on the same days, the tool takes them out of the selection.
    var all = matched.every(function (c) { return selection.has(c.dataset.key); });
    matched.forEach(function (c) { setSelected(c, !all); });
    refreshSummary();
    message.textContent = "";
  }
  root.querySelectorAll("[data-tool]").forEach(function (b) {
    b.addEventListener("click", function () { applyTool(b); });
  });

  clearButton.addEventListener("click", function () {
    selection.clear();
    allCells().forEach(paint);
    refreshSummary();
    message.textContent = "";
  });

  // -- add to the basket -------------------------------------------------------------------
  function setBasketCount(n) {
    document.querySelectorAll(".basket-count").forEach(function (s) { s.textContent = n; });
  }

  addButton.addEventListener("click", function () {
    var lines = [];
    selection.forEach(function (action, key) {
      var parts = key.split("|");
      lines.push({ unit: parseInt(parts[0], 10), date: parts[1], action: action });
    });
    if (!lines.length || sending) return;
    var also = [];
    root.querySelectorAll('.selbar input[name="also"]:checked').forEach(function (i) { also.push(parseInt(i.value, 10)); });
    sending = true;
    addButton.setAttribute("aria-disabled", "true");
    say(root.dataset.sendingText || "Ajout au panier…");
    fetch(root.dataset.addUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ lines: lines, also: also })
    }).then(function (r) {
      return r.json().catch(function () { return { ok: false, message: "Réponse illisible du serveur." }; });
    }).then(function (data) {
      var problems = (data.problems || []).concat(data.skipped || []);
      say(data.message || "", problems, !data.ok);
      if (data.basket_count !== undefined) setBasketCount(data.basket_count);
      if (data.ok) {
        if (data.basket_url) {
          var a = document.createElement("a");
          a.href = data.basket_url;
          a.textContent = "Voir le panier et confirmer";
          a.className = "button";
          message.appendChild(a);
        }
        selection.clear();
        allCells().forEach(paint);
      }
      sending = false;
      refreshSummary();
      poll(true);
    }).catch(function () {
      sending = false;
      say("Le panier n'a pas pu être mis à jour : vérifiez votre connexion et réessayez.", null, true);
      refreshSummary();
    });
  });

  // -- polling: the cells follow their states without reloading -------------------------------
  var STATE_CLASSES = ["st-closed", "st-free", "st-requested", "st-waiting", "st-booked", "st-cancel_requested", "st-refused"];

  function setText(el, selector, text) {
    var node = el.querySelector(selector);
    if (node && node.textContent !== text) node.textContent = text;
  }

  function update(c) {
    var el = cellByKey(c.key);
    if (!el) return;
    STATE_CLASSES.forEach(function (k) { el.classList.remove(k); });
    el.classList.add("st-" + c.state);
    el.classList.toggle("in-basket", !!c.basket);
    el.dataset.state = c.state;
    el.dataset.action = c.action || "";
    el.dataset.whyNot = c.why_not || "";
    el.setAttribute("aria-disabled", c.changeable ? "false" : "true");
    if (c.state === "closed") el.setAttribute("tabindex", "-1"); else el.removeAttribute("tabindex");
    el.setAttribute("title", c.title);
    setText(el, ".ic", c.icon);
    setText(el, ".tx", c.text);
    setText(el, ".why", c.reason || "");
    setText(el, ".late", c.late_text || "");
    el.classList.toggle("is-late", !!c.late);
    setText(el, ".dl", c.detail || "");
    setText(el, ".bk", c.basket_text || "");
    setText(el, ".home", c.home_text || "");
    el.classList.toggle("other-home", !!c.other_home);
    var chosen = selection.get(c.key);
    if (chosen && chosen !== c.action) selection.delete(c.key);
    paint(el);
  }

  // The server tags each answer (ETag); the browser asks again with it and is told "nothing
  // changed" (304) for a few bytes, and hands us the same answer: we skip it.
  var timer = null, busy = false, lastTag = null, backoff = 0;
  function poll(now) {
    if (timer) clearTimeout(timer);
    timer = null;
    if (busy || (document.hidden && !now)) { schedule(); return; }
    busy = true;
    var url = root.dataset.jsonUrl + "?from=" + root.dataset.from + "&to=" + root.dataset.to;
    fetch(url, { credentials: "same-origin", cache: "no-cache", headers: { "Accept": "application/json" } })
      .then(function (r) {
        if (r.status === 401) { sessionEnded(); return null; }
        if (r.status === 503) {  // the portal is busy: come back when it says
          backoff = (parseInt(r.headers.get("Retry-After"), 10) || 10) * 1000;
          return null;
        }
        var tag = r.headers.get("ETag");
        if (r.ok && tag && tag === lastTag && !now) return null;
        lastTag = tag;
        return r.ok ? r.json() : null;
      })
      .then(function (data) {
        if (data && data.cells) {
          data.cells.forEach(update);
          if (data.basket_count !== undefined) setBasketCount(data.basket_count);
          refreshSummary();
          root.dataset.polled = String((parseInt(root.dataset.polled, 10) || 0) + 1);
        }
      })
      .catch(function () { /* offline for a moment: the next poll will tell */ })
      .then(function () { busy = false; schedule(); });
  }
  var ended = false;
  function sessionEnded() {
    if (ended) return;
    ended = true;
    var note = document.createElement("p");
    note.className = "flash flash-error";
    note.setAttribute("role", "alert");
    note.innerHTML = 'Votre session a expiré : les états ne se mettent plus à jour. ' +
      '<a href="/connexion?next=' + encodeURIComponent(location.pathname + location.search) +
      '">Se reconnecter</a>';
    root.parentNode.insertBefore(note, root);
  }
  function schedule() {
    if (timer || ended) return;
    timer = setTimeout(poll, Math.max(pollMs, backoff));
    backoff = 0;
  }

  document.addEventListener("visibilitychange", function () { if (!document.hidden) poll(true); });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape" && selection.size) clearButton.click();
  });
  refreshSummary();
  schedule();
})();
