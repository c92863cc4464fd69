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

  // [data-alterna]: shows or folds the element its aria-controls names, with Bootstrap's CSS classes
  // (.collapse hides, .show shows), so the page ships no Bootstrap JavaScript.
  document.querySelectorAll("[data-alterna]").forEach(function (botao) {
    var alvo = document.getElementById(botao.getAttribute("aria-controls") || "");
    if (!alvo) { return; }
    botao.addEventListener("click", function () {
      botao.setAttribute("aria-expanded", String(alvo.classList.toggle("show")));
    });
  });

  // Forms marked data-confirmar ask before acting (cancel, duplicate).
  document.querySelectorAll("form[data-confirmar]").forEach(function (form) {
    form.addEventListener("submit", function (evento) {
      if (!window.confirm(form.getAttribute("data-confirmar"))) { evento.preventDefault(); }
    });
  });
})();
