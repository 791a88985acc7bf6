/* The portal's own behaviour in the admin, without inline scripts: a form with
   data-confirm asks first; a checkbox with data-check-all ticks every box it names. */
(function () {
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });
  document.addEventListener("change", function (event) {
    var selector = event.target.getAttribute && event.target.getAttribute("data-check-all");
    if (!selector) { return; }
    document.querySelectorAll(selector).forEach(function (box) { box.checked = event.target.checked; });
  });
  /* A page whose work is under way (an invoicing run) reloads itself until it is done. */
  var reload = document.querySelector('meta[name="portail-reload"]');
  if (reload) { window.setTimeout(function () { window.location.reload(); }, 1000 * Number(reload.content || 3)); }
})();
