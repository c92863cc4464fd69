"""
Consumers' sign-in with OpenID Connect (docs/seguranca.md, "Entrar com um provedor de identidade").

The operator names the providers in settings (PROTOCOLO_OIDC, docs/operacao.md). The sign-in is the
authorization code flow with PKCE (S256), a state and a nonce, through Authlib's Django client: the
state and the code verifier wait in this browser's session and are spent by the first return, so a
replayed return is refused; the ID token must come from the configured issuer, for our client, with
our nonce, unexpired.

What a sign-in grants depends on the provider. Only one whose CPF claim the operator declared
identity-proofed (CPF_COMPROVADO, and the accepted assurance levels where the provider has them)
lets the session see every protocol of that CPF, through the consumer grant of consumidor/acesso.py,
re-checked against each protocol's current consumer at every request. Anywhere else anyone may
register any CPF: the sign-in is recorded and shown, and grants nothing.

`identidade_comprovada(request)` is what other code asks: the proofed (cpf, provider) of this
session, or None. A proofed sign-in that also carries a verified e-mail binds that address to the
consumer (origem oidc), as an attendant's identity check would: the provider vouches for both.
"""

import logging
import time

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe
from joserfc.errors import JoseError

from protocolo import services
from protocolo.exceptions import ErroProtocolo
from protocolo.models import Consumidor, Contato
from protocolo.services import contatos
from protocolo.validators import normalizar_cpf

from . import acesso

logger = logging.getLogger(__name__)

CHAVE = "identidade_oidc"
# As long as the other grants of the portal (consumidor/acesso.py): a shared computer forgets it.
DURACAO = acesso.DURACAO

_clientes = {}


def provedores():
    """{name: settings} of the configured providers, in the order the operator listed them."""
    return settings.PROTOCOLO_OIDC


def _config(nome):
    config = provedores().get(nome)
    if config is None:
        raise Http404("Provedor de identidade não configurado.")
    return config


def _cliente(nome, config):
    """Authlib's client for this provider. One per configuration: it keeps the provider's metadata
    and keys, fetched once."""
    chave = (nome, *sorted((k, str(v)) for k, v in config.items()))
    if chave not in _clientes:
        escopos = config["escopos"].split()
        if "openid" not in escopos:
            escopos.insert(0, "openid")
        registro = OAuth()
        _clientes[chave] = registro.register(
            name=nome,
            client_id=config["cliente"],
            client_secret=config["segredo"],
            server_metadata_url=config["emissor"] + "/.well-known/openid-configuration",
            client_kwargs={
                "scope": " ".join(escopos),
                "code_challenge_method": "S256",
                "default_timeout": config["tempo_limite"],
            },
        )
    return _clientes[chave]


def _retorno(nome):
    # The address registered with the provider: the portal's public address, never a Host header.
    return f"{settings.PROTOCOLO_URL_BASE}/entrar/{nome}/retorno/"


# The session's identity -----------------------------------------------------------------------------


def identidade(request):
    """{"provedor", "titulo", "sub", "cpf", "comprovado"} of this session's sign-in, or None once it
    expired or never happened."""
    valor = request.session.get(CHAVE)
    if not isinstance(valor, dict) or not isinstance(valor.get("expira"), (int, float)):
        return None
    if valor["expira"] <= time.time() or valor.get("provedor") not in provedores():
        return None
    return valor


def identidade_comprovada(request):
    """(cpf, provider name) when this session signed in, less than 30 minutes ago, through a provider
    whose CPF claim is identity-proofed (docs/seguranca.md); None otherwise. The CPF is 11 digits.

    This is the only identity that may stand for the consumer: a provider where anyone registers any
    CPF never yields one. The provider's setting is read again at each call, so an operator who turns
    CPF_COMPROVADO off withdraws every session's identity at once."""
    valor = identidade(request)
    if valor is None or not valor.get("comprovado") or not provedores()[valor["provedor"]]["cpf_comprovado"]:
        return None
    return valor["cpf"], valor["provedor"]


# The views ----------------------------------------------------------------------------------------


def _recusado(request, mensagem, *, status=400):
    return render(request, "consumidor/entrada_recusada.html", {"mensagem": mensagem}, status=status)


@require_safe
@never_cache
def entrar(request, provedor):
    """The button is a link (a GET): a POST form would be refused by Chromium, which applies
    form-action 'self' to the redirect that leaves for the provider."""
    config = _config(provedor)
    try:
        return _cliente(provedor, config).authorize_redirect(request, _retorno(provedor))
    except (AuthlibBaseError, requests.RequestException, ValueError, RuntimeError) as erro:
        logger.warning("Provedor de identidade %s indisponível: %r", provedor, erro)
        return _recusado(
            request,
            f"Não foi possível falar com {config['titulo']} agora. Tente de novo em alguns minutos, ou consulte "
            "o protocolo com o número e o CPF.",
            status=503,
        )


def _cpf(valor):
    """The claim's CPF as 11 digits, or None when the claim holds no valid CPF."""
    if not isinstance(valor, (str, int)):
        return None
    try:
        return normalizar_cpf(str(valor).zfill(11) if isinstance(valor, int) else valor)
    except ValidationError:
        return None


def _nivel_aceito(config, claims):
    """True when the provider has no assurance levels, or the account's level is one accepted."""
    if not config["claim_nivel"]:
        return True
    valor = claims.get(config["claim_nivel"])
    valores = valor if isinstance(valor, list) else [valor]
    return any(str(v) in config["niveis_aceitos"] for v in valores if v is not None)


def _claims(cliente, config, token):
    """The ID token's claims, completed by the UserInfo endpoint when the CPF is only there (its
    `sub` must be the ID token's)."""
    claims = dict(token["userinfo"])
    faltam = [c for c in (config["claim_cpf"], config["claim_nivel"]) if c and c not in claims]
    if faltam and cliente.load_server_metadata().get("userinfo_endpoint"):
        extra = cliente.userinfo(token=token)
        if extra.get("sub") == claims.get("sub"):
            claims.update({c: extra[c] for c in faltam if c in extra})
    return claims


@require_safe
@never_cache
def retorno(request, provedor):
    """Where the provider sends the browser back. Anything but a fresh, valid answer to this
    session's own request is a 400 in Portuguese and leaves no sign-in behind."""
    config = _config(provedor)
    if "error" in request.GET:
        return _recusado(request, f"A entrada com {config['titulo']} foi cancelada ou recusada. Tente de novo.")
    if not request.GET.get("code") or not request.GET.get("state"):
        return _recusado(request, "Resposta incompleta do provedor de identidade. Comece a entrada de novo.")
    cliente = _cliente(provedor, config)
    try:
        token = cliente.authorize_access_token(
            request, claims_options={"iss": {"essential": True, "values": [config["emissor"]]}}
        )
        if not token.get("userinfo"):
            raise ValueError("sem ID token")
        claims = _claims(cliente, config, token)
    except (AuthlibBaseError, JoseError, requests.RequestException, ValueError) as erro:
        logger.warning("Entrada recusada (%s): %r", provedor, erro)
        return _recusado(
            request,
            f"Não foi possível confirmar a sua entrada com {config['titulo']}: o link de retorno já foi usado, "
            "expirou ou não veio do provedor esperado. Comece a entrada de novo.",
        )
    cpf = _cpf(claims.get(config["claim_cpf"]))
    comprovado = bool(config["cpf_comprovado"] and cpf and _nivel_aceito(config, claims))
    # As at any login: a session key planted beforehand gains nothing, and a previous sign-in or
    # recovery link of this browser grants nothing to the new identity.
    request.session.cycle_key()
    request.session.pop(acesso.CHAVE_CONSUMIDOR, None)
    request.session[CHAVE] = {
        "provedor": provedor,
        "titulo": config["titulo"],
        "sub": str(claims.get("sub", "")),
        "cpf": cpf,
        "comprovado": comprovado,
        "expira": time.time() + DURACAO,
    }
    if not comprovado:
        messages.info(
            request,
            f"Você entrou com {config['titulo']}. Essa entrada não comprova o seu CPF: para ver um protocolo, "
            "informe o número e o CPF, ou peça os seus protocolos por e-mail.",
        )
        return redirect("consumidor:inicio")
    consumidor = Consumidor.objects.filter(cpf=cpf).only("pk").first()
    if consumidor is None:
        messages.info(request, f"Você entrou com {config['titulo']}. Não há protocolos registrados com o seu CPF.")
        return redirect("consumidor:inicio")
    _vincular_email(consumidor, config, claims)
    acesso.conceder_consumidor(request.session, consumidor)
    return redirect("consumidor:demandas")


def _vincular_email(consumidor, config, claims):
    """Bind the provider's verified e-mail to the consumer, unless it is already their bound one: a
    sign-in repeated every day must not warn the other bound contacts every day. An address the
    provider did not verify, or one we refuse, binds nothing and does not stop the sign-in."""
    email = claims.get("email")
    if not isinstance(email, str) or claims.get("email_verified") is not True:
        return
    try:
        valor = contatos.normalizar(Contato.Tipo.EMAIL, email)
        if not valor or consumidor.contatos.vinculados().filter(tipo=Contato.Tipo.EMAIL, valor=valor).exists():
            return
        services.consumidor_vincular_contato(
            consumidor=consumidor,
            tipo=Contato.Tipo.EMAIL,
            valor=valor,
            origem=Contato.Origem.OIDC,
            verificacao=f"{contatos.PREFIXO_OIDC}{config['emissor']}",
        )
    except ErroProtocolo as erro:
        logger.warning("E-mail da entrada não vinculado: %s", erro.mensagem)


@require_POST
def sair(request):
    """Ends everything this browser holds on the portal: the sign-in and every grant."""
    request.session.flush()
    messages.info(request, "Você saiu. Para voltar, entre de novo ou consulte com o número e o CPF.")
    return redirect("consumidor:inicio")
