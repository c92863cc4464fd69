// Every page of the portal and the back-office. CSP allows no inline script.
(function () {
  "use strict";

  // A form that changes something is sent once: a second tap while the first is being answered
  // would open a second protocol or record an entry twice. Listening on the document, after the
  // forms' own listeners, so a confirmation the person cancels does not count as sent.
  document.addEventListener("submit", function (evento) {
    var form = evento.target;
    if (evento.defaultPrevented || form.method !== "post") { return; }
    if (form.hasAttribute("data-enviando")) { evento.preventDefault(); return; }
    form.setAttribute("data-enviando", "");
    form.setAttribute("aria-busy", "true");
  });

  // Back to a page from the browser's cache: its forms may be sent again. Only then: pageshow also
  // fires when the page first loads, maybe after a form was already sent.
  window.addEventListener("pageshow", function (evento) {
    if (!evento.persisted) { return; }
    document.querySelectorAll("form[data-enviando]").forEach(function (form) {
      form.removeAttribute("data-enviando");
      form.removeAttribute("aria-busy");
    });
  });
})();
