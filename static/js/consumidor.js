// Portal do consumidor: the little the pages need (no inline script under the CSP).

// "Imprimir" buttons on the receipt and the histories.
document.addEventListener("click", (evento) => {
  const botao = evento.target.closest("[data-imprimir]");
  if (botao) {
    window.print();
  }
});

// After a refused form, take keyboard and screen reader users straight to the first field in error.
document.addEventListener("DOMContentLoaded", () => {
  const campo = document.querySelector("form .is-invalid");
  if (campo) {
    campo.focus();
  }
});
