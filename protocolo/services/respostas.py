"""
Canned answers (respostas prontas): saved with their history, filled for one protocol. The text
is the supervisors' and may hold anything, braces and template tags included: placeholders are
replaced by plain substitution, never by rendering it as a template (a `{{ }}` or `{% %}` in it
comes out as typed).
"""

import re

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from ..models import RespostaPronta, VersaoDeRespostaPronta

MARCADORES = {
    "{nome}": lambda p: (p.consumidor.nome if p.consumidor_id else "") or "cliente",
    "{numero}": lambda p: p.numero_formatado,
    "{prazo}": lambda p: f"{p.prazo:%d/%m/%Y}" if p.prazo else "sem prazo definido",
    "{telefone_empresa}": lambda p: settings.PROTOCOLO_EMPRESA_TELEFONE,
}
_MARCADOR = re.compile("|".join(re.escape(m) for m in MARCADORES))


def preencher(texto, protocolo):
    """The text with each placeholder replaced by its value for the protocol, in one pass: a value
    that itself looks like a placeholder (a consumer named "{numero}") is not replaced again."""
    return _MARCADOR.sub(lambda achado: MARCADORES[achado.group(0)](protocolo), texto)


def respostas_para(protocolo):
    """The active answers the protocol's categoria may use: its own and the general ones."""
    condicao = Q(categoria__isnull=True)
    if protocolo.categoria_id:
        condicao |= Q(categoria_id=protocolo.categoria_id)
    return RespostaPronta.objects.filter(condicao, ativa=True).order_by("titulo", "pk")


def resposta_salvar(*, resposta, autor):
    """Save the answer and append the state saved, with who saved it, in one transaction."""
    with transaction.atomic():
        resposta.save()
        VersaoDeRespostaPronta.objects.create(
            resposta=resposta,
            titulo=resposta.titulo,
            categoria_id=resposta.categoria_id,
            texto=resposta.texto,
            ativa=resposta.ativa,
            autor=autor,
        )
    return resposta
