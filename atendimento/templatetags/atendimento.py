from django import template
from django.http import QueryDict

from protocolo.services.contatos import telefone_formatado

register = template.Library()


@register.filter
def minutos(duracao):
    """A timedelta as people say it: "15 minutos", "1 hora e 30 minutos"."""
    if duracao is None:
        return ""
    total = max(1, round(duracao.total_seconds() / 60))
    horas, minutos = divmod(total, 60)
    partes = []
    if horas:
        partes.append(f"{horas} hora{'s' if horas > 1 else ''}")
    if minutos:
        partes.append(f"{minutos} minuto{'s' if minutos > 1 else ''}")
    return " e ".join(partes)


@register.simple_tag
def com_pagina(parametros, pagina):
    """The painel's query string with another page number."""
    dados = QueryDict(parametros, mutable=True)
    dados["pagina"] = pagina
    return "?" + dados.urlencode()


@register.filter
def destino(mensagem):
    """Where a message went, as people read it: a telephone as "(11) 98765-4321"."""
    if mensagem.canal in (mensagem.Canal.SMS, mensagem.Canal.WHATSAPP):
        return telefone_formatado(mensagem.destinatario)
    return mensagem.destinatario
