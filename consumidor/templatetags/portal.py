"""The situação and the level as the consumer reads them (consumidor/apresentacao.py)."""

from django import template
from django.conf import settings

from consumidor import acesso, apresentacao, entrar
from protocolo import indicadores

register = template.Library()


@register.filter
def situacao_publica(protocolo):
    return apresentacao.SITUACAO_PUBLICA[protocolo.situacao].capitalize()


@register.filter
def quem_cuida(protocolo):
    return apresentacao.QUEM_CUIDA.get(protocolo.nivel, "")


@register.simple_tag(takes_context=True)
def acesso_no_navegador(context):
    """Whether this browser holds anything on the portal (a grant or a sign-in), so the page offers
    "Sair". A browser without a session cookie holds nothing: its session is never read."""
    request = context.get("request")
    if request is None or settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    return acesso.algum_acesso(request.session) or entrar.identidade(request) is not None


@register.filter
def percentual(fracao):
    return f"{round(fracao * 100)}%"


@register.filter
def nota_media(valor):
    return f"{valor:.1f}".replace(".", ",")


@register.filter
def duracao(valor):
    return indicadores.duracao_legivel(valor)


@register.simple_tag
def indicadores_publicos():
    return settings.PROTOCOLO_INDICADORES_PUBLICOS
