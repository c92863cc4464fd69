"""
Opening a protocol: by an attendant, by the consumer on the portal, or in one step with the
consumer, categoria and objeto (chat and e-mail); and sending its number by the first channel that
reaches the consumer (Decreto 11.034 art. 12, Anatel RGC art. 7). The number exists from the moment the
opening commits, and it is issued last: the day's sequence row stays locked until then, and every
opening of the day waits for it.
"""

import contextlib

from django.db import IntegrityError, transaction
from django.utils import timezone

from .. import anexos as anexos_da_abertura
from .. import canais, numeracao, outbox, relogio
from ..exceptions import DadosInvalidos
from ..models import Canal, CanalPreferido, Consumidor, Mensagem, Protocolo, Situacao, mascarar_cpf
from . import canais_de_envio, codigos
from .consumidores import _consumidor_do_atendimento, contatos_do_atendimento
from .contatos import OrigemContato, TipoContato, contato_do_protocolo, pedir_confirmacao
from .historico import (
    Origem,
    Tipo,
    _calcular_prazo,
    _cpf,
    _exigir_nao_anonimizado,
    _origem_de,
    _texto,
    _travar,
    anexar_ao_historico,
)
from .mensagens import protocolo_registrar_interacao
from .preferencias import canais_de_telefone

TEXTO_DOS_ANEXOS_DA_ABERTURA = "Arquivos enviados com a abertura da demanda."


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


def _abrir(
    *, canal, atendente, consumidor, categoria, objeto, chave=None, sistema=None, origem=None, canal_preferido=""
):
    """(protocol, its opening entry), inside the caller's transaction, the consumer already locked.
    sistema: the account of the integrated system that opens it, named as the entry's author; it
    never becomes the responsável. origem: who opened it, when the canal alone does not say (a
    consumer writing to the WhatsApp number)."""
    if origem is None and atendente is not None:
        origem = Origem.ATENDENTE
    elif origem is None:
        origem = Origem.CONSUMIDOR if canal == Canal.PORTAL else Origem.SISTEMA
    agora = relogio.agora()
    protocolo = Protocolo(
        canal=canal,
        consumidor=consumidor,
        categoria=categoria,
        objeto=objeto,
        responsavel=atendente,
        aberto_em=agora,
        chave_de_abertura=chave or None,
        canal_preferido=canal_preferido,
    )
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
        autor=atendente or sistema,
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


def protocolo_abrir_pelo_portal(
    *, cpf, nome, email, categoria, objeto, chave=None, telefone="", canal_preferido="", anexos=(), preparados=None
):
    """A demand the consumer opens online (canal portal): open the protocol; the e-mail typed
    becomes a contact of this protocol only, gets the confirmation link and, once confirmed, the
    number; a telephone typed too gets only a one-time code, typed back on the protocol's page
    (services/codigos.py). canal_preferido: how the consumer prefers to be told, among the
    contacts typed. A CPF already on file keeps its record exactly as it is: anyone may type a CPF here.
    The work is the same whether or not the CPF is on file (docs/seguranca.md).

    One transaction without savepoints: the consumer inserted-or-kept and locked, the protocol, its
    opening entry, the contact, its messages and the entry that records them (each chain head
    already known).

    chave: the form's one-time key. Sent again (the first answer never reached the browser, or two
    copies race each other), the second insert meets the key's unique index, its transaction rolls
    back whole (the day's number with it) and the protocol that key opened is returned. The first
    sending, the usual case, pays no lookup for it.

    anexos: the files sent with the form, read and checked before anything is written (a refused
    file opens nothing; preparados: the same, already read by the form). They join the protocol as
    the consumer's message right after the opening, in a transaction of their own: writing them
    inside the opening's would hold the day's sequence row locked for as long as the storage takes."""
    objeto = _validar_abertura(canal=Canal.PORTAL, categoria=categoria, objeto=objeto, obrigatorio=True)
    cpf = _cpf(cpf)
    if canal_preferido not in ("", CanalPreferido.EMAIL) and (
        canal_preferido not in canais_de_telefone() or not str(telefone or "").strip()
    ):
        raise DadosInvalidos("Para receber por SMS ou WhatsApp, informe o telefone.")
    if preparados is None:
        preparados = anexos_da_abertura.preparar(anexos)
    try:
        protocolo = _abrir_pelo_portal(
            cpf=cpf,
            nome=nome,
            email=email,
            categoria=categoria,
            objeto=objeto,
            chave=chave,
            telefone=telefone,
            canal_preferido=canal_preferido,
        )
    except IntegrityError:
        if chave and (protocolo := _ja_aberto(chave, cpf)) is not None:
            return protocolo
        raise
    if preparados:
        protocolo_registrar_interacao(
            protocolo=protocolo,
            texto=TEXTO_DOS_ANEXOS_DA_ABERTURA,
            origem=Origem.CONSUMIDOR,
            preparados=preparados,
        )
    return protocolo


def _abrir_pelo_portal(*, cpf, nome, email, categoria, objeto, chave, telefone, canal_preferido):
    nome = _texto(nome, campo="nome", obrigatorio=False)[:200]
    with transaction.atomic():
        # The same statements whether or not the CPF is on file (docs/seguranca.md): an insert that
        # a row already there turns into nothing, then the row read and locked. Consumer before
        # protocol, the order anonymisation takes too (_exigir_nao_anonimizado).
        Consumidor.objects.bulk_create([Consumidor(cpf=cpf, nome=nome)], ignore_conflicts=True)
        consumidor = Consumidor.objects.select_for_update().get(cpf=cpf)
        if consumidor.anonimizado_em is not None:
            raise DadosInvalidos("Os dados deste consumidor foram anonimizados (LGPD): identifique-o de novo pelo CPF.")
        protocolo, abertura = _abrir(
            canal=Canal.PORTAL, atendente=None, consumidor=consumidor, categoria=categoria, objeto=objeto, chave=chave
        )
        if canal_preferido:
            protocolo.canal_preferido = canal_preferido
            protocolo.save(update_fields=["canal_preferido"])
        # The e-mail typed serves this protocol only, and only once its owner confirms it: until
        # then it gets the confirmation link, and the number waits for it.
        contato = contato_do_protocolo(
            protocolo=protocolo, tipo=TipoContato.EMAIL, valor=email, origem=OrigemContato.PORTAL, novo=True
        )
        if contato is not None:
            pedir_confirmacao(contato, protocolo=protocolo)
            _enviar_numero(protocolo, cabeca=(abertura.ordem, abertura.mac), contatos=[contato])
        # The telephone, like the e-mail, serves this protocol only and gets nothing but its code
        # until the visitor types the code back.
        fone = contato_do_protocolo(
            protocolo=protocolo, tipo=TipoContato.TELEFONE, valor=telefone, origem=OrigemContato.PORTAL, novo=True
        )
        if fone is not None:
            # A code refused now (the telephone's hourly limit, or it stopped SMS) refuses nothing
            # of the opening: nothing was written for it, and the page offers another code later.
            with contextlib.suppress(DadosInvalidos):
                codigos.codigo_enviar(contato=fone, protocolo=protocolo)
    return protocolo


def protocolo_abrir_completo(*, canal, atendente, cpf="", nome="", email="", telefone="", categoria=None, objeto=""):
    """Chat and e-mail in one step: the consumer (found by CPF or created), the categoria (and so
    the prazo), the objeto and the contacts typed (of this protocol), all in the transaction that
    issues the number. Returns (protocolo, consumidor, criado) — criado is False when the CPF was
    already on file."""
    with transaction.atomic():
        consumidor, criado = _consumidor_do_atendimento(cpf=cpf, nome=nome, email=email, telefone=telefone)
        protocolo = protocolo_abrir(
            canal=canal, atendente=atendente, consumidor=consumidor, categoria=categoria, objeto=objeto
        )
        contatos_do_atendimento(protocolo, email=email, telefone=telefone)
    return protocolo, consumidor, criado


def protocolo_abrir_por_mensagem(*, canal, telefone, texto):
    """A consumer wrote to the WhatsApp number without a protocol number: open a protocol (canal
    whatsapp) whose demand is the text, with the telephone as a confirmed contact of this protocol
    only (the provider vouches for the sender, never for a CPF), WhatsApp as the preferred channel,
    and the number answered at once on it — free text inside the 24-hour window the message opened,
    with the approved template named for a sender that needs one. A telephone that refused the
    channel (SAIR) gets nothing on it. Returns the protocol."""
    if canal != Canal.WHATSAPP:
        raise DadosInvalidos("Só uma mensagem de WhatsApp abre um protocolo.")
    objeto = _validar_abertura(canal=canal, categoria=None, objeto=texto, obrigatorio=True)
    with transaction.atomic():
        protocolo, abertura = _abrir(
            canal=canal,
            atendente=None,
            consumidor=None,
            categoria=None,
            objeto=objeto,
            origem=Origem.CONSUMIDOR,
            canal_preferido=CanalPreferido.WHATSAPP,
        )
        contato = contato_do_protocolo(
            protocolo=protocolo,
            tipo=TipoContato.TELEFONE,
            valor=telefone,
            origem=OrigemContato.WHATSAPP,
            confirmado=True,
            novo=True,
        )
        if canais.aceita(contato.valor, Mensagem.Canal.WHATSAPP):
            _enviar_numero_por_whatsapp(protocolo, contato, cabeca=(abertura.ordem, abertura.mac))
    return protocolo


def _enviar_numero_por_whatsapp(protocolo, contato, *, cabeca):
    mensagem = outbox.enfileirar(
        protocolo=protocolo,
        canal=Mensagem.Canal.WHATSAPP,
        destinatario=contato.valor,
        contato=contato,
        assunto=f"Protocolo {protocolo.numero_formatado}: número do seu atendimento (WhatsApp)",
        corpo=texto_sms_numero(protocolo),
        modelo="protocolo_numero",
        parametros=[protocolo.numero_formatado],
        aviso=Mensagem.Aviso.NUMERO,
    )
    anexar_ao_historico(
        protocolo,
        cabeca=cabeca,
        tipo=Tipo.ENVIO_NUMERO,
        origem=Origem.SISTEMA,
        publica=True,
        texto="Número do protocolo enviado por WhatsApp.",
        detalhes={"mensagens": [mensagem.message_id]},
    )
    return mensagem


def protocolo_enviar_numero(*, protocolo, autor=None):
    """Send the number (Decreto 11.034 art. 12; Anatel RGC art. 7) by the first channel that reaches
    the consumer (docs/dominio.md, "Canais das mensagens"): the e-mails as ever, or their confirmed
    telephones by WhatsApp or SMS. A consumer who refused every channel they have gets nothing, and
    the timeline says so: [] is returned. With no contact to reach, DadosInvalidos."""
    with transaction.atomic():
        protocolo = _travar(protocolo)
        alcance = canais_de_envio.Alcance(protocolo)
        canal, _ = alcance.primeiro(canais.ordem(protocolo))
        if canal is None:
            if alcance.recusou_tudo():
                canais_de_envio.nao_notificado(protocolo, Mensagem.Aviso.NUMERO, canais_de_envio.RECUSOU_TUDO)
                return []
            raise DadosInvalidos(
                "Nenhum e-mail confirmado recebe as mensagens deste protocolo, nem um telefone confirmado por "
                "SMS ou WhatsApp: informe o número por telefone."
            )
        return _enviar_numero(protocolo, autor=autor, alcance=alcance)


def texto_sms_numero(protocolo):
    """The number's SMS (canais_de_envio.texto_curto)."""
    return canais_de_envio.texto_curto(protocolo, Mensagem.Aviso.NUMERO)


def _enviar_numero(protocolo, *, autor=None, cabeca=None, contatos=None, alcance=None):
    """Queue the number (to `contatos`, the e-mails a form has just typed, or by the first channel
    that reaches) and record it, inside the caller's transaction."""
    mensagens = canais_de_envio.avisar(
        protocolo, Mensagem.Aviso.NUMERO, "número do seu atendimento", contatos=contatos, alcance=alcance
    )
    if not mensagens:
        return mensagens
    canal = mensagens[0].canal
    if canal != Mensagem.Canal.EMAIL:
        texto = f"Número do protocolo enviado por {Mensagem.Canal(canal).label}."
    elif any(m.aguarda_confirmacao for m in mensagens):
        texto = "Número do protocolo enviado ao e-mail informado, que o recebe quando o endereço for confirmado."
    else:
        texto = "Número do protocolo enviado por e-mail."
    anexar_ao_historico(
        protocolo,
        cabeca=cabeca,
        tipo=Tipo.ENVIO_NUMERO,
        origem=_origem_de(autor),
        autor=autor,
        publica=True,
        texto=texto,
        detalhes={"mensagens": [m.message_id for m in mensagens]},
    )
    return mensagens
