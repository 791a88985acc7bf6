/* The payment return page while the bank's answer is awaited: the state is asked again
   every few seconds and replaces the message in place (a live region), instead of a meta
   refresh that reloads the whole page under the reader's eyes. */
(function () {
  var state = document.querySelector("[data-payment-pending]");
  if (!state) { return; }
  var tries = 0;
  function ask() {
    tries += 1;
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector(".payment-state");
        if (fresh) { state.innerHTML = fresh.innerHTML; state.className = fresh.className; }
        if (fresh && !fresh.hasAttribute("data-payment-pending")) { return; }
        if (tries < 60) { window.setTimeout(ask, 5000); }
      })
      .catch(function () { if (tries < 60) { window.setTimeout(ask, 5000); } });
  }
  window.setTimeout(ask, 5000);
})();
