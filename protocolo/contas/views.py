"""
The accounts' pages, under the back-office's URLs (/atendimento/senha/, /atendimento/verificacao/):
changing the password, resetting it by e-mail, and the second factor (segundo_fator: the admin,
a supervisor's powers and, where it is asked, the whole back-office).
"""

from urllib.parse import urlencode

import segno
from axes.utils import reset as axes_reset
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from protocolo.operacao import limites
from protocolo.operacao.rede import ip_do_cliente

from . import forms, redefinicao, segundo_fator
from .decorators import atendimento, quem_verifica

# Password -----------------------------------------------------------------------------------------

senha = atendimento(
    auth_views.PasswordChangeView.as_view(
        template_name="atendimento/senha.html", success_url=reverse_lazy("atendimento:senha_alterada")
    )
)
senha_alterada = atendimento(auth_views.PasswordChangeDoneView.as_view(template_name="atendimento/senha_alterada.html"))


# Password reset by e-mail -------------------------------------------------------------------------


class RedefinirSenha(auth_views.PasswordResetView):
    """The same answer and the same work whatever the e-mail (known, unknown, not of the
    back-office): the request is only written down, and the deliverer finds the account and sends
    the mail after the answer (redefinicao.py). At most PROTOCOLO_LIMITES["senha_ip"] requests per
    network."""

    form_class = forms.RedefinirSenhaForm
    template_name = "atendimento/senha_redefinir.html"
    success_url = reverse_lazy("atendimento:senha_redefinir_enviada")

    def post(self, request, *args, **kwargs):
        try:
            limites.consumir("senha_ip", limites.rede(ip_do_cliente(request)))
        except limites.Limitado as erro:
            return limites.resposta(request, erro, "atendimento/limitado.html")
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        redefinicao.pedir(form.cleaned_data["email"])
        return HttpResponseRedirect(self.get_success_url())


class DefinirSenha(auth_views.PasswordResetConfirmView):
    template_name = "atendimento/senha_redefinir_nova.html"
    success_url = reverse_lazy("atendimento:senha_redefinir_concluida")
    # The URL segment that stands in for the token once it moved to the session, not a secret.
    reset_url_token = "nova"  # noqa: S105  # nosec B105

    def form_valid(self, form):
        resposta = super().form_valid(form)
        # Whoever proved they read the mailbox gets past the lockout of wrong passwords too.
        axes_reset(username=form.user.get_username())
        return resposta


senha_redefinir = RedefinirSenha.as_view()
senha_redefinir_enviada = auth_views.PasswordResetDoneView.as_view(
    template_name="atendimento/senha_redefinir_enviada.html"
)
senha_redefinir_nova = DefinirSenha.as_view()
senha_redefinir_concluida = auth_views.PasswordResetCompleteView.as_view(
    template_name="atendimento/senha_redefinir_concluida.html"
)


# The admin's second factor ------------------------------------------------------------------------


def _destino(request):
    """Where to go once verified: `next` when it is a page of ours, else the admin's index (staff) or
    the queue."""
    destino = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME) or ""
    if url_has_allowed_host_and_scheme(destino, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return destino
    return reverse("admin:index" if request.user.is_staff else "atendimento:painel")


def _com_destino(nome, destino):
    return f"{reverse(nome)}?{urlencode({REDIRECT_FIELD_NAME: destino})}"


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@quem_verifica
def verificacao(request):
    """The code of the authenticator app, once per session, before the admin, a supervisor's power
    or, where it is asked, the back-office."""
    destino = _destino(request)
    if request.user.is_verified():
        return redirect(destino)
    dispositivo = segundo_fator.dispositivo_confirmado(request.user)
    if dispositivo is None:
        return redirect(_com_destino("atendimento:verificacao_ativar", destino))
    form = forms.CodigoForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        if (erro := segundo_fator.verificar_codigo(dispositivo, form.cleaned_data["codigo"])) is None:
            otp_login(request, dispositivo)
            return redirect(destino)
        form.add_error("codigo", erro)
    return render(request, "atendimento/verificacao.html", {"form": form, "next": destino})


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@quem_verifica
def verificacao_ativar(request):
    """Enrolment of the authenticator app: a QR code and the key to type, confirmed by a code."""
    destino = _destino(request)
    if request.user.is_verified():
        return redirect(destino)
    if segundo_fator.dispositivo_confirmado(request.user) is not None:
        return redirect(_com_destino("atendimento:verificacao", destino))
    chave = segundo_fator.chave_pendente(request.session)
    form = forms.CodigoForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        if dispositivo := segundo_fator.ativar(request.user, request.session, form.cleaned_data["codigo"]):
            otp_login(request, dispositivo)
            messages.success(
                request, "Verificação em duas etapas ativada: o código será pedido uma vez a cada entrada."
            )
            return redirect(destino)
        if segundo_fator.dispositivo_confirmado(request.user) is not None:
            # Another tab confirmed a device meanwhile: that one is asked for.
            return redirect(_com_destino("atendimento:verificacao", destino))
        form.add_error(
            "codigo", "Código incorreto. Confira a chave no aplicativo e digite o código que ele mostra agora."
        )
    ativacao = segundo_fator.ativacao(request.user, chave)
    svg = segno.make(ativacao["uri"], error="m").svg_inline(
        scale=4, omitsize=True, svgclass="qr", lineclass=None, title="Código QR para o aplicativo autenticador"
    )
    svg = svg.replace("<svg ", '<svg role="img" aria-label="Código QR para o aplicativo autenticador" ', 1)
    return render(
        request, "atendimento/verificacao_ativar.html", {"form": form, "next": destino, "qr": svg, **ativacao}
    )
