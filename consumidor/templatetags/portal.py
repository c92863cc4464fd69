"""The situação and the level as the consumer reads them (consumidor/apresentacao.py)."""

from django import template

from consumidor import apresentacao

register = template.Library()


@register.filter
def situacao_publica(protocolo):
    return apresentacao.SITUACAO_PUBLICA[protocolo.situacao].capitalize()


@register.filter
def quem_cuida(protocolo):
    return apresentacao.QUEM_CUIDA.get(protocolo.nivel, "")
