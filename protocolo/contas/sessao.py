"""
Idle expiry of back-office sessions: a logged-in user who makes no request for
PROTOCOLO_SESSAO_OCIOSA_MINUTOS is logged out at the next one and sent to the login page.

The last activity is written into the session at most once a minute (a session save on every
request is a measured cost), so expiry is exact to within that minute. Only logged-in users are
concerned: a visitor's access to a protocol (consumidor/acesso.py) keeps its own 30 minutes.

A request that arrives after expiry is answered with the login page, whose `next` is a page that
answers GET: the page asked for, or for a form sent (POST) the page it was sent from.
"""

import logging
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

CHAVE = "sessao_ultima_atividade"
INTERVALO_DE_ESCRITA = 60
MENSAGEM = "Sua sessão expirou por inatividade. Entre de novo."

logger = logging.getLogger(__name__)


def marcar_atividade(sender, request, user, **kwargs):
    """user_logged_in: a login is activity (and the first request after it need not save the session)."""
    request.session[CHAVE] = int(time.time())


class ExpiracaoPorInatividade:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            agora = int(time.time())
            ultima = request.session.get(CHAVE)
            if isinstance(ultima, int) and agora - ultima > settings.PROTOCOLO_SESSAO_OCIOSA_MINUTOS * 60:
                return self.expirar(request)
            if not isinstance(ultima, int) or agora - ultima >= INTERVALO_DE_ESCRITA:
                request.session[CHAVE] = agora
        return self.get_response(request)

    def expirar(self, request):
        destino = request.get_full_path() if request.method in ("GET", "HEAD") else _pagina_de_origem(request)
        usuario = request.user.pk
        logout(request)
        messages.info(request, MENSAGEM)
        logger.info("Sessão do usuário %s expirada por inatividade (%s %s).", usuario, request.method, request.path)
        return redirect_to_login(destino)


def _pagina_de_origem(request):
    """The page a form was sent from (the Referer, when it is ours), else the back-office's home."""
    origem = request.headers.get("referer", "")
    if url_has_allowed_host_and_scheme(origem, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        partes = urlsplit(origem)
        return partes.path + (f"?{partes.query}" if partes.query else "")
    return resolve_url(settings.LOGIN_REDIRECT_URL)
