"""
Opening a protocol: by an attendant, by the consumer on the portal, or in one step with the
consumer, categoria and objeto (chat and e-mail); and sending its number to the consumer's e-mail
(Decreto 6.523 art. 15). The number exists from the moment the opening commits, and it is issued
last: the day's sequence row stays locked until then, and every opening of the day waits for it.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from .. import numeracao, relogio
from ..exceptions import DadosInvalidos
from ..models import Canal, Consumidor, Protocolo, Situacao, mascarar_cpf
from .consumidores import _consumidor_do_atendimento, consumidor_identificar
from .historico import (
    Origem,
    Tipo,
    _avisar,
    _calcular_prazo,
    _cpf,
    _exigir_nao_anonimizado,
    _origem_de,
    _texto,
    _travar,
    anexar_ao_historico,
)


def _validar_abertura(*, canal, categoria, objeto, obrigatorio=False):
    """The objeto as stored, or DadosInvalidos before anything is written."""
    if canal not in Canal.values:
        raise DadosInvalidos("Canal de atendimento inválido.")
    if categoria is not None and not categoria.ativa:
        raise DadosInvalidos(f"A categoria “{categoria}” não está mais em uso.")
    return _texto(objeto, campo="objeto", obrigatorio=obrigatorio)


def protocolo_abrir(*, canal, atendente=None, consumidor=None, categoria=None, objeto=""):
    """Open a protocol: its number exists from this moment. The transaction does nothing slow, since
    the day's sequence row stays locked until it commits."""
    objeto = _validar_abertura(canal=canal, categoria=categoria, objeto=objeto)
    with transaction.atomic():
        if consumidor is not None:
            _exigir_nao_anonimizado(consumidor)
        protocolo, _ = _abrir(
            canal=canal, atendente=atendente, consumidor=consumidor, categoria=categoria, objeto=objeto
        )
    return protocolo


def _abrir(*, canal, atendente, consumidor, categoria, objeto, chave=None):
    """(protocol, its opening entry), inside the caller's transaction, the consumer already locked."""
    if atendente is not None:
        origem = Origem.ATENDENTE
    elif canal == Canal.PORTAL:
        origem = Origem.CONSUMIDOR
    else:
        origem = Origem.SISTEMA
    agora = relogio.agora()
    protocolo = Protocolo(
        canal=canal,
        consumidor=consumidor,
        categoria=categoria,
        objeto=objeto,
        responsavel=atendente,
        aberto_em=agora,
        chave_de_abertura=chave or None,
    )
    if categoria is not None:
        protocolo.prazo = _calcular_prazo(protocolo, categoria)
    # The number last: the day's sequence row stays locked from here until the commit, and every
    # opening of the day waits for it.
    protocolo.numero = numeracao.gerar(timezone.localdate(agora))
    protocolo.save(force_insert=True)
    abertura = anexar_ao_historico(
        protocolo,
        cabeca=(0, ""),
        tipo=Tipo.ABERTURA,
        origem=origem,
        autor=atendente,
        publica=True,
        texto=objeto,
        situacao_nova=Situacao.ABERTO,
        nivel_novo=protocolo.nivel,
        detalhes={
            "canal": canal,
            "categoria": categoria.codigo if categoria else None,
            "prazo": protocolo.prazo.isoformat() if protocolo.prazo else None,
            "cpf": mascarar_cpf(consumidor.cpf) if consumidor else None,
        },
    )
    return protocolo, abertura


def _ja_aberto(chave, cpf):
    """The protocol a form with this one-time key already opened for this CPF, or None. A key
    that opened someone else's protocol is refused: it never shows another person's number."""
    protocolo = Protocolo.objects.select_related("consumidor").filter(chave_de_abertura=chave).first()
    if protocolo is not None and (protocolo.consumidor is None or protocolo.consumidor.cpf != cpf):
        raise DadosInvalidos("Este formulário já foi enviado. Recarregue a página para abrir outro protocolo.")
    return protocolo


def protocolo_abrir_pelo_portal(*, cpf, nome, email, categoria, objeto, chave=None):
    """A demand the consumer opens online (canal portal), open the protocol and queue its number to
    the e-mail on record. A CPF already on file keeps its record exactly as it is, empty fields
    included: anyone may type a CPF here, and an e-mail filled in from this form would receive that
    consumer's protocols on the next recovery.

    One transaction without savepoints: the consumer read and locked in one query, the protocol, its
    opening entry, the message and the entry that records it (each chain head already known).

    chave: the form's one-time key. Sent again (the first answer never reached the browser, or two
    copies race each other), the second insert meets the key's unique index, its transaction rolls
    back whole (the day's number with it) and the protocol that key opened is returned. The first
    sending, the usual case, pays no lookup for it."""
    objeto = _validar_abertura(canal=Canal.PORTAL, categoria=categoria, objeto=objeto, obrigatorio=True)
    cpf = _cpf(cpf)
    try:
        return _abrir_pelo_portal(cpf=cpf, nome=nome, email=email, categoria=categoria, objeto=objeto, chave=chave)
    except IntegrityError:
        if chave and (protocolo := _ja_aberto(chave, cpf)) is not None:
            return protocolo
        raise


def _abrir_pelo_portal(*, cpf, nome, email, categoria, objeto, chave):
    with transaction.atomic():
        # Consumer before protocol, the order anonymisation takes too (_exigir_nao_anonimizado).
        consumidor = next(iter(Consumidor.objects.select_for_update().filter(cpf=cpf).order_by()[:1]), None)
        if consumidor is None:
            consumidor, _ = consumidor_identificar(cpf=cpf, nome=nome, email=email)
        elif consumidor.anonimizado_em is not None:
            raise DadosInvalidos("Os dados deste consumidor foram anonimizados (LGPD): identifique-o de novo pelo CPF.")
        protocolo, abertura = _abrir(
            canal=Canal.PORTAL, atendente=None, consumidor=consumidor, categoria=categoria, objeto=objeto, chave=chave
        )
        if consumidor.email:
            _enviar_numero(protocolo, cabeca=(abertura.ordem, abertura.mac))
    return protocolo


def protocolo_abrir_completo(*, canal, atendente, cpf="", nome="", email="", telefone="", categoria=None, objeto=""):
    """Chat and e-mail in one step: the consumer (found by CPF or created), the categoria (and so
    the prazo) and the objeto, all in the transaction that issues the number. Returns
    (protocolo, consumidor, criado) — criado is False when the CPF was already on file."""
    with transaction.atomic():
        consumidor, criado = _consumidor_do_atendimento(cpf=cpf, nome=nome, email=email, telefone=telefone)
        protocolo = protocolo_abrir(
            canal=canal, atendente=atendente, consumidor=consumidor, categoria=categoria, objeto=objeto
        )
    return protocolo, consumidor, criado


def protocolo_enviar_numero(*, protocolo, autor=None):
    """Send the number to the consumer's e-mail (Decreto 6.523 art. 15); returns the message."""
    with transaction.atomic():
        protocolo = _travar(protocolo)
        if protocolo.consumidor is None or not protocolo.consumidor.email:
            raise DadosInvalidos("O consumidor não tem e-mail cadastrado: informe o número por telefone.")
        return _enviar_numero(protocolo, autor=autor)


def _enviar_numero(protocolo, *, autor=None, cabeca=None):
    """Queue the number to the consumer's e-mail and record it, inside the caller's transaction."""
    mensagem = _avisar(protocolo, "número do seu atendimento", "numero")
    anexar_ao_historico(
        protocolo,
        cabeca=cabeca,
        tipo=Tipo.ENVIO_NUMERO,
        origem=_origem_de(autor),
        autor=autor,
        publica=True,
        texto="Número do protocolo enviado por e-mail.",
        detalhes={"mensagem": mensagem.message_id},
    )
    return mensagem
