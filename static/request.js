/* The request page refreshes itself like the planning: it polls the request's version (a
   "nothing changed" 304 costs a few bytes) and reloads once a line has been decided,
   unless the parent is ticking days to withdraw (their ticks would be lost). */
(function () {
  "use strict";
  var live = document.getElementById("request-live");
  if (!live) return;
  var version = live.dataset.version, ms = parseInt(live.dataset.pollMs, 10) || 5000;
  function ticking() { return !!document.querySelector('input[name="line"]:checked'); }
  function poll() {
    if (document.hidden) { setTimeout(poll, ms); return; }
    fetch(live.dataset.url, { credentials: "same-origin", cache: "no-cache", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (data && data.version && data.version !== version && !ticking()) { window.location.reload(); return; }
        setTimeout(poll, ms);
      })
      .catch(function () { setTimeout(poll, ms * 2); });
  }
  setTimeout(poll, ms);
})();
