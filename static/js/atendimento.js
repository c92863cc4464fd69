// Back-office behaviour. CSP allows no inline script: everything hangs on data- attributes.
(function () {
  "use strict";

  // [data-copiar="texto"]: copies the text (the protocol number, digits only) and says so.
  document.querySelectorAll("[data-copiar]").forEach(function (botao) {
    var aviso = document.getElementById(botao.getAttribute("aria-describedby") || "");
    var rotulo = botao.textContent;
    botao.addEventListener("click", function () {
      var texto = botao.getAttribute("data-copiar");
      var feito = function () {
        botao.textContent = "Copiado";
        if (aviso) { aviso.textContent = "Número copiado para a área de transferência."; }
        window.setTimeout(function () { botao.textContent = rotulo; }, 2000);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(texto).then(feito, function () { selecionar(texto, feito); });
      } else {
        selecionar(texto, feito);
      }
    });
  });

  function selecionar(texto, feito) {
    var campo = document.createElement("textarea");
    campo.value = texto;
    campo.setAttribute("readonly", "");
    campo.className = "copiar-temporario";
    document.body.appendChild(campo);
    campo.select();
    try { document.execCommand("copy"); feito(); } finally { document.body.removeChild(campo); }
  }

  // Forms marked data-confirmar ask before acting (cancel, duplicate).
  document.querySelectorAll("form[data-confirmar]").forEach(function (form) {
    form.addEventListener("submit", function (evento) {
      if (!window.confirm(form.getAttribute("data-confirmar"))) { evento.preventDefault(); }
    });
  });

  // A form that changes something is sent once: a second click while the first is being answered
  // would open a second protocol or record an entry twice. Registered after data-confirmar, so a
  // cancelled confirmation does not count as sent.
  document.querySelectorAll("form[method=post]").forEach(function (form) {
    form.addEventListener("submit", function (evento) {
      if (evento.defaultPrevented) { return; }
      if (form.hasAttribute("data-enviando")) { evento.preventDefault(); return; }
      form.setAttribute("data-enviando", "");
      form.setAttribute("aria-busy", "true");
    });
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
