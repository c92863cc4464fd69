"""
Messages on a protocol: the consumer's, the answers sent to them and the team's internal notes. They
never change the version, so a message never makes someone's open form stale.
"""

from django.db import transaction

from .. import relogio
from .historico import (
    Origem,
    Tipo,
    _avisar,
    _exigir_aberto,
    _exigir_equipe,
    _salvar,
    _texto,
    _travar,
    anexar_ao_historico,
)


def protocolo_registrar_interacao(*, protocolo, texto, autor=None, publica=False, origem=Origem.ATENDENTE):
    """A message from the consumer, an answer to them (sent through the outbox) or an internal
    note. Never conflicts with other changes: it does not touch the version."""
    texto = _texto(texto, campo="texto")
    with transaction.atomic():
        protocolo = _travar(protocolo)
        agora = relogio.agora()
        if origem == Origem.CONSUMIDOR:
            _exigir_aberto(protocolo)
            tipo, publica = Tipo.MENSAGEM_CONSUMIDOR, True
            protocolo.consumidor_escreveu_em = agora
            campo = "consumidor_escreveu_em"
        else:
            if publica:
                # An internal note records a contact whoever takes it (the consumer called the
                # first nível about a case that rose); answering the consumer is the team's work.
                _exigir_equipe(protocolo, autor)
            tipo = Tipo.MENSAGEM if publica else Tipo.NOTA_INTERNA
            protocolo.atendente_escreveu_em = agora
            campo = "atendente_escreveu_em"
        interacao = anexar_ao_historico(protocolo, tipo=tipo, origem=origem, autor=autor, publica=publica, texto=texto)
        _salvar(protocolo, campo, nova_versao=False)
        if tipo == Tipo.MENSAGEM:
            _avisar(protocolo, "nova mensagem", "mensagem", texto=texto)
    return interacao
