"""
Which change of a protocol is which webhook event, and its writing: one EntregaWebhook per active
subscription to that event, in the transaction of the change. Every change goes through
services.historico.anexar_ao_historico, which calls registrar() with the entry it appended: a change
rolled back takes its events with it, and no event exists without the entry it reports.

The payload is thin on purpose: the number, the state the change left and what changed, never a
text typed on the timeline nor a consumer's data. What a receiver keeps of it then needs no
anonymisation (LGPD), and whoever needs the text reads it through the API with a token that allows it.
"""

from ..models import AssinaturaWebhook, EntregaWebhook, EscopoSistema, EventoWebhook, TipoInteracao, nome_de

Tipo = TipoInteracao
Evento = EventoWebhook

# The entry types that are an event, and for protocolo.atualizado the fields they change.
EVENTOS = {
    Tipo.ABERTURA: (Evento.ABERTO, ()),
    Tipo.SITUACAO: (Evento.ATUALIZADO, ("situacao",)),
    Tipo.REABERTURA: (Evento.ATUALIZADO, ("situacao",)),
    Tipo.ESCALONAMENTO: (Evento.ATUALIZADO, ("nivel",)),
    Tipo.PRORROGACAO: (Evento.ATUALIZADO, ("prazo",)),
    Tipo.CATEGORIZACAO: (Evento.ATUALIZADO, ("prazo",)),
    Tipo.ATRIBUICAO: (Evento.ATUALIZADO, ("responsavel",)),
    Tipo.MENSAGEM: (Evento.INTERACAO_PUBLICA, ()),
    Tipo.MENSAGEM_CONSUMIDOR: (Evento.INTERACAO_PUBLICA, ()),
    Tipo.RESOLUCAO: (Evento.RESOLVIDO, ()),
    # Every way into a final situação: closed, cancelled, without demand, duplicate.
    Tipo.ENCERRAMENTO: (Evento.ENCERRADO, ()),
    Tipo.CANCELAMENTO: (Evento.ENCERRADO, ()),
    Tipo.SEM_DEMANDA: (Evento.ENCERRADO, ()),
    Tipo.DUPLICIDADE: (Evento.ENCERRADO, ()),
}


def evento_de(interacao):
    """(event, changed fields) for a timeline entry, or None when it is no event."""
    evento = EVENTOS.get(interacao.tipo)
    if evento is None:
        return None
    if evento[0] == Evento.INTERACAO_PUBLICA and not interacao.publica:
        return None
    if interacao.tipo == Tipo.CATEGORIZACAO:
        detalhes = interacao.detalhes or {}
        if detalhes.get("prazo_anterior") == detalhes.get("prazo_novo"):
            # A new categoria that kept the deadline changes none of the fields the event reports.
            return None
    return evento


def assinaturas_ativas():
    """(pk, eventos) of the subscriptions that may receive events now: active, of an active system
    that still holds the webhooks scope. One query on a small table; the lists are read here rather
    than with a JSON containment lookup, which SQLite (the demo's database) does not have."""
    linhas = AssinaturaWebhook.objects.filter(ativa=True, sistema__ativo=True).values_list(
        "pk", "eventos", "sistema__escopos"
    )
    return [(pk, eventos) for pk, eventos, escopos in linhas if EscopoSistema.WEBHOOKS in escopos]


def assinaturas_de(evento):
    """The pks of the subscriptions that want this event now. A paused one still gets its events,
    delivered once a supervisor resumes it."""
    return [pk for pk, eventos in assinaturas_ativas() if evento in eventos]


def registrar(protocolo, interacao):
    """Write the event of this entry for every subscription to it, inside the caller's transaction.
    Entries that are no event cost nothing; the others one query when nobody subscribes."""
    evento = evento_de(interacao)
    if evento is None:
        return []
    assinaturas = assinaturas_de(evento[0])
    if not assinaturas:
        return []
    corpo = payload(protocolo, interacao, *evento)
    return EntregaWebhook.objects.bulk_create(
        EntregaWebhook(
            assinatura_id=assinatura,
            evento=evento[0],
            protocolo=protocolo,
            interacao=interacao,
            payload=corpo,
            criada_em=interacao.criada_em,
            proxima_tentativa_em=interacao.criada_em,
        )
        for assinatura in assinaturas
    )


def payload(protocolo, interacao, evento, campos=()):
    """The JSON a receiver gets, in the Standard Webhooks shape: type, timestamp, data."""
    dados = {
        "numero": protocolo.numero,
        "numero_formatado": protocolo.numero_formatado,
        "canal": protocolo.canal,
        "situacao": protocolo.situacao,
        "nivel": protocolo.nivel,
        "prazo": protocolo.prazo.isoformat() if protocolo.prazo else None,
        "responsavel": nome_de(protocolo.responsavel) or None,
        "interacao": {"ordem": interacao.ordem, "tipo": interacao.tipo, "origem": interacao.origem},
    }
    if evento == Evento.ATUALIZADO:
        dados["alterados"] = list(campos)
    return {"type": evento, "timestamp": interacao.criada_em.isoformat(), "data": dados}
