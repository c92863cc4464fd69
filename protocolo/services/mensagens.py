"""
Messages on a protocol: the consumer's, the answers sent to them and the team's internal notes, each
with the files attached to it (protocolo/anexos.py). They never change the version, so a message
never makes someone's open form stale.
"""

from django.db import transaction

from .. import anexos as arquivos_anexos
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


def protocolo_registrar_interacao(
    *, protocolo, texto, autor=None, publica=False, origem=Origem.ATENDENTE, anexos=(), preparados=None
):
    """A message from the consumer, an answer to them (sent through the outbox) or an internal
    note, with its files. Never conflicts with other changes: it does not touch the version.

    anexos: the uploaded files (read and checked here, before the lock); preparados: files already
    through protocolo.anexos.preparar. A message with files may have no text."""
    if preparados is None:
        preparados = arquivos_anexos.preparar(anexos)
    texto = _texto(texto, campo="texto", obrigatorio=not preparados)
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
        criadas = []
        detalhes = None
        if preparados:
            arquivos_anexos.conferir_limites_do_protocolo(protocolo, preparados)
            # Written under the protocol's lock: no other change of it writes the same keys meanwhile,
            # so the keys this call created are its own to remove if the entry is not recorded.
            criadas = arquivos_anexos.guardar(protocolo, preparados)
            detalhes = {"anexos": [p.registro() for p in preparados]}
        try:
            interacao = anexar_ao_historico(
                protocolo, tipo=tipo, origem=origem, autor=autor, publica=publica, texto=texto, detalhes=detalhes
            )
            if preparados:
                arquivos_anexos.registrar(interacao, preparados)
            _salvar(protocolo, campo, nova_versao=False)
            if tipo == Tipo.MENSAGEM:
                _avisar(protocolo, "nova mensagem", "mensagem", texto=texto)
        except BaseException:
            arquivos_anexos.apagar_criadas(criadas)
            raise
    return interacao


def anexar(*, protocolo, arquivos, texto="", autor=None, publica=False, origem=None):
    """Files joined to a protocol as one entry of its timeline: the consumer's message (origem
    CONSUMIDOR, always public), an attendant's answer (publica=True) or internal note. `arquivos`:
    anything with .name and .read() (an upload, `django.core.files.File(open(caminho, "rb"))`,
    `ContentFile(dados, name=...)`), usable from a script. Returns the entry."""
    if origem is None:
        origem = Origem.ATENDENTE if autor is not None else Origem.SISTEMA
    return protocolo_registrar_interacao(
        protocolo=protocolo, texto=texto, autor=autor, publica=publica, origem=origem, anexos=arquivos
    )
