// Portal do consumidor: the little the pages need (no inline script under the CSP).

// "Imprimir" buttons on the receipt and the histories.
document.addEventListener("click", (evento) => {
  const botao = evento.target.closest("[data-imprimir]");
  if (botao) {
    window.print();
  }
});

// After a refused form, take keyboard and screen reader users straight to what went wrong: the
// error about the whole form when there is one (it stands above the fields), else the first field
// in error.
document.addEventListener("DOMContentLoaded", () => {
  const aviso = document.querySelector("form .alert-danger");
  if (aviso) {
    aviso.setAttribute("tabindex", "-1");
    aviso.focus();
    return;
  }
  const campo = document.querySelector("form .is-invalid");
  if (campo) {
    campo.focus();
  }
});
