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

// A server-rendered error stays until the visitor changes the field it is about: typing (or picking)
// clears that field's red state and hides its message, so an old error never sits beside a new value.
// The message is hidden, not removed: the next send of the form renders the errors afresh.
function limparErro(evento) {
  const campo = evento.target;
  if (!(campo instanceof HTMLElement) || !campo.classList.contains("is-invalid")) {
    return;
  }
  const grupo = campo.closest("[id^='div_id_']") || campo.parentElement;
  for (const irmao of grupo.querySelectorAll(`[name="${CSS.escape(campo.name)}"].is-invalid`)) {
    irmao.classList.remove("is-invalid");
    irmao.removeAttribute("aria-invalid");
  }
  for (const mensagem of grupo.querySelectorAll(".invalid-feedback")) {
    mensagem.hidden = true;
    mensagem.classList.remove("d-block");
  }
}
document.addEventListener("input", limparErro);
document.addEventListener("change", limparErro);
