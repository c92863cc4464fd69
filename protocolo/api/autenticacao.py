"""The API's only way in: `Authorization: Bearer <token>` of an integrated system
(protocolo/services/sistemas.py). A revoked token, a deactivated system and any other scheme (a
session cookie, HTTP Basic with a team member's password) are 401; a known token from an address
outside the system's allowlist is 403."""

import datetime

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication

from .. import relogio
from ..models import Credencial
from ..operacao.rede import ip_do_cliente
from ..services.sistemas import endereco_permitido, hash_do_token

ESQUEMA = "Bearer"
# "Last used" is written at most this often per token: a write on every request would cost the
# menu's fastest path a row lock for a date nobody needs to the second.
USO_REGISTRADO_A_CADA = datetime.timedelta(minutes=1)
TOKEN_MAXIMO = 200


class TokenDoSistema(BaseAuthentication):
    def authenticate(self, request):
        cabecalho = request.META.get("HTTP_AUTHORIZATION", "")
        esquema, _, token = cabecalho.partition(" ")
        if esquema.lower() != ESQUEMA.lower():
            # No credentials of ours (or another scheme): anonymous, refused by the permission with 401.
            return None
        token = token.strip()
        if not token or len(token) > TOKEN_MAXIMO or not token.isascii() or not token.isprintable():
            raise exceptions.AuthenticationFailed("Token inválido.")
        # The hash is unique: a bare slice, with no ORDER BY for first() to compile and sort.
        credencial = next(
            iter(
                Credencial.objects.select_related("sistema__usuario").filter(
                    hash=hash_do_token(token), revogada_em__isnull=True
                )[:1]
            ),
            None,
        )
        if credencial is None or not credencial.sistema.ativo or not credencial.sistema.usuario.is_active:
            raise exceptions.AuthenticationFailed("Token inválido, revogado ou de um sistema desativado.")
        if not endereco_permitido(credencial.sistema, ip_do_cliente(request._request)):
            raise exceptions.PermissionDenied("Este sistema não pode chamar a API a partir deste endereço.")
        agora = relogio.agora()
        if credencial.ultimo_uso_em is None or agora - credencial.ultimo_uso_em >= USO_REGISTRADO_A_CADA:
            Credencial.objects.filter(pk=credencial.pk).update(ultimo_uso_em=agora)
            credencial.ultimo_uso_em = agora
        return credencial.sistema.usuario, credencial

    def authenticate_header(self, request):
        # Makes an unauthenticated request a 401 with WWW-Authenticate, not a 403.
        return f'{ESQUEMA} realm="api"'
