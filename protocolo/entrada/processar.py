"""
What an inbound message does, whichever provider brought it, and what a delivery receipt records
(docs/operacao.md, "Mensagens recebidas" and "Recibos de entrega"; the threat in docs/seguranca.md,
"Mensagens recebidas").

A message is recorded once per provider's id (MensagemRecebida's unique constraint): a call the
provider repeats finds its row and does nothing more. Then, in this order:

1. it counts against the sender's limit (settings.PROTOCOLO_LIMITES["mensagem_telefone"], the SMS
   and WhatsApp numbers together);
2. the keyword SAIR alone stops that channel for that telephone (protocolo/canais.py), even past
   the limit: a refusal is always honoured, and it writes at most one row and sends nothing;
3. past the limit, the message is recorded as `limite` and nothing else happens;
4. a kind the portal does not read (an image, an audio) is answered with how to write instead;
5. a protocol number in the text, of a protocol this telephone may reach (a contact of it, or one
   bound to its consumer, open), adds the text to that timeline as the consumer's message; a number
   it may not reach, or that does not exist, is refused with one and the same answer, so the reply
   never tells whether a number exists;
6. without a number, a WhatsApp message continues the conversation of the last 24 hours (the
   protocol this telephone opened or wrote to on this channel, while open and reachable) or opens
   a protocol; an SMS without a number opens nothing (Protocolo.Canal has no SMS) and is answered
   with where to open one.

Every answer goes through the outbox on the channel the consumer wrote on, unless they refused it.
"""

import datetime
import logging
import re
import unicodedata

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef

from .. import canais, numeracao, outbox, relogio, services
from ..exceptions import DadosInvalidos, TransicaoInvalida
from ..models import Canal, Contato, EscolhaDeCanal, Mensagem, MensagemRecebida, Protocolo
from ..operacao import limites
from ..services.contatos import TipoContato, telefone_e164
from ..services.historico import TEXTO_MAXIMO

logger = logging.getLogger(__name__)

Resultado = MensagemRecebida.Resultado
Estado = Mensagem.Estado

PALAVRA_SAIR = "sair"
# Meta's window for free text after the consumer's last message; the conversation a message without
# a number continues.
JANELA = datetime.timedelta(hours=24)
ID_MAXIMO = 200

# Digit groups with single separators between them, as a number is typed or dictated.
_GRUPOS = re.compile(r"\d+(?:[ .\-/]\d+)*")
# How many digit groups of one run are tried as a number: a run longer than this is no number.
_GRUPOS_MAXIMO = 12

# The one table of what a receipt may change: the state in force → the states that may follow it.
# A late "delivered" after "read" changes nothing; a failure after a delivery is not believed.
TRANSICOES = {
    "": {Estado.ENVIADA, Estado.ENTREGUE, Estado.LIDA, Estado.FALHOU},
    Estado.ENVIADA: {Estado.ENTREGUE, Estado.LIDA, Estado.FALHOU},
    Estado.ENTREGUE: {Estado.LIDA},
    Estado.LIDA: set(),
    Estado.FALHOU: set(),
}

RESPOSTAS = {
    # The same words whether the number exists or not (docs/seguranca.md).
    "recusada": {
        Mensagem.Canal.WHATSAPP: "Não encontramos um protocolo com esse número que possa ser acompanhado por este "
        "telefone. Confira o número, ou escreva a sua demanda sem número para abrir um novo atendimento.",
        Mensagem.Canal.SMS: "Não encontramos um protocolo com esse número que possa ser acompanhado por este "
        "telefone. Confira o número, ou abra um atendimento em {url}.",
    },
    "encerrado": "O protocolo {numero} está {situacao} e não recebe mais mensagens. Para uma nova demanda, {novo}.",
    "anexada": "Recebemos a sua mensagem no protocolo {numero}. A equipe responsável já pode vê-la.",
    "sem_texto": "Por aqui lemos apenas mensagens de texto: escreva a sua demanda, ou o número do protocolo, em texto.",
    "sms_sem_numero": "Para abrir um atendimento, acesse {url} ou ligue {telefone}. Para falar de um protocolo "
    "aberto, envie o número dele por SMS.",
}
NOVO = {
    Mensagem.Canal.WHATSAPP: "escreva-a aqui sem número",
    Mensagem.Canal.SMS: "abra um atendimento em {url}",
}


class CorpoInvalido(Exception):
    """The provider's call, signed, does not hold what its format says: answered 400."""


# Reading the text ------------------------------------------------------------------------------------


def e_sair(texto):
    """Whether the message is the keyword SAIR alone: any case and accents, spaces and a final
    full stop or exclamation mark around it."""
    sem_acentos = "".join(c for c in unicodedata.normalize("NFKD", texto) if not unicodedata.combining(c))
    return sem_acentos.casefold().strip().strip(".!").strip() == PALAVRA_SAIR


def numero_no_texto(texto):
    """The first protocol number in the text, with or without separators, checked against every
    accepted format (check digits included) and never against the database; None without one. A
    run of digits that holds the number and more (a telephone after it) is tried group by group."""
    for casado in _GRUPOS.finditer(texto):
        grupos = re.split(r"[ .\-/]", casado.group())
        if len(grupos) > _GRUPOS_MAXIMO:
            continue
        for inicio in range(len(grupos)):
            for fim in range(len(grupos), inicio, -1):
                try:
                    return numeracao.validar("".join(grupos[inicio:fim]))
                except numeracao.NumeroInvalido:
                    continue
    return None


# Inbound messages ------------------------------------------------------------------------------------


def conferir(id_no_provedor, telefone):
    """(id, telephone in E.164) of an inbound message, or CorpoInvalido: checked for every message
    of a call before any is recorded."""
    id_no_provedor = str(id_no_provedor or "").strip()
    if not id_no_provedor or len(id_no_provedor) > ID_MAXIMO or not id_no_provedor.isprintable():
        raise CorpoInvalido("id da mensagem ausente ou inválido")
    numero = telefone_e164(telefone)
    if numero is None:
        raise CorpoInvalido("telefone do remetente inválido")
    return id_no_provedor, numero


def receber(*, canal, provedor, id_no_provedor, telefone, texto, so_texto=True):
    """Record and act on one inbound message; returns its MensagemRecebida (the one recorded
    before, when the provider repeats a call). so_texto False: a kind without text (an image, an
    audio). CorpoInvalido for a telephone or id that is no such thing."""
    id_no_provedor, numero = conferir(id_no_provedor, telefone)
    texto = str(texto or "").replace("\x00", "").strip()[:TEXTO_MAXIMO]
    with transaction.atomic():
        # INSERT … ON CONFLICT DO NOTHING, then the row under lock: a repeated call (or one racing
        # this one) finds the row the first one wrote, with its resultado, and stops there.
        MensagemRecebida.objects.bulk_create(
            [
                MensagemRecebida(
                    canal=canal, provedor=provedor, id_no_provedor=id_no_provedor, telefone=numero, texto=texto
                )
            ],
            ignore_conflicts=True,
        )
        recebida = MensagemRecebida.objects.select_for_update().get(provedor=provedor, id_no_provedor=id_no_provedor)
        if recebida.resultado:
            return recebida
        recebida.resultado, recebida.protocolo = _decidir(recebida, so_texto=so_texto)
        recebida.save(update_fields=["resultado", "protocolo"])
    return recebida


def _decidir(recebida, *, so_texto):
    """(resultado, protocolo) of a message recorded now, inside its transaction."""
    canal, telefone, texto = recebida.canal, recebida.telefone, recebida.texto
    try:
        limites.consumir("mensagem_telefone", limites.chave(f"telefone:{telefone}"))
        limitado = False
    except limites.Limitado:
        limitado = True
    if so_texto and e_sair(texto):
        canais.registrar(telefone=telefone, canal=canal, aceita=False, origem=EscolhaDeCanal.Origem.PALAVRA_CHAVE)
        return Resultado.SAIR, None
    if limitado:
        logger.warning("Mensagem recebida %s acima do limite do remetente: só registrada.", recebida.pk)
        return Resultado.LIMITE, None
    if not so_texto or not texto:
        _responder(recebida, RESPOSTAS["sem_texto"])
        return Resultado.IGNORADA, None
    if (numero := numero_no_texto(texto)) is not None:
        # One query, the same whether the number exists or not: the reply and the work done never
        # tell a number out of reach from one that does not exist.
        protocolo = _ao_alcance(telefone, numero=numero)
        if protocolo is None:
            _responder(recebida, _texto_canal(RESPOSTAS["recusada"][canal]))
            return Resultado.RECUSADA, None
        return _anexar(recebida, protocolo)
    if (protocolo := _conversa(recebida)) is not None:
        return _anexar(recebida, protocolo)
    if canal != Mensagem.Canal.WHATSAPP:
        _responder(recebida, _texto_canal(RESPOSTAS["sms_sem_numero"]))
        return Resultado.IGNORADA, None
    protocolo = services.protocolo_abrir_por_mensagem(canal=Canal.WHATSAPP, telefone=telefone, texto=texto)
    return Resultado.ABERTURA, protocolo


def _ao_alcance(telefone, **filtro):
    """The protocol matching `filtro` if the telephone may reach it, else None: the telephone is one
    of its open contacts, its own or bound to its consumer (contatos.destinatarios). The provider
    authenticates the sender, so the message proves control of the telephone, never ownership of
    a CPF."""
    contatos = Contato.objects.abertos().filter(tipo=TipoContato.TELEFONE, valor=telefone)
    return (
        Protocolo.objects.filter(**filtro)
        .filter(
            Exists(contatos.filter(protocolo=OuterRef("pk"), consumidor=None))
            | Exists(contatos.filter(consumidor=OuterRef("consumidor")))
        )
        .first()
    )


def _conversa(recebida):
    """The protocol this telephone opened or wrote to on this channel in the last JANELA, while it
    still reaches it; None otherwise."""
    anterior = (
        MensagemRecebida.objects.filter(
            telefone=recebida.telefone,
            canal=recebida.canal,
            recebida_em__gte=relogio.agora() - JANELA,
            resultado__in=[Resultado.ABERTURA, Resultado.ANEXADA],
            protocolo__isnull=False,
        )
        .exclude(pk=recebida.pk)
        .order_by("-recebida_em")
        .values_list("protocolo_id", flat=True)
        .first()
    )
    return None if anterior is None else _ao_alcance(recebida.telefone, pk=anterior)


def _anexar(recebida, protocolo):
    """Add the text to the protocol's timeline as the consumer's message, within the protocol's own
    message limit (the portal's)."""
    try:
        limites.consumir("mensagem_protocolo", limites.chave(f"protocolo:{protocolo.pk}"))
    except limites.Limitado:
        return Resultado.LIMITE, protocolo
    try:
        services.protocolo_registrar_interacao(
            protocolo=protocolo, texto=recebida.texto, origem=services.Origem.CONSUMIDOR
        )
    except TransicaoInvalida:
        protocolo.refresh_from_db(fields=["situacao"])
        novo = _texto_canal(NOVO[recebida.canal])
        texto = RESPOSTAS["encerrado"].format(
            numero=protocolo.numero_formatado, situacao=protocolo.get_situacao_display(), novo=novo
        )
        _responder(recebida, texto, protocolo=protocolo)
        return Resultado.RECUSADA, protocolo
    _responder(recebida, RESPOSTAS["anexada"].format(numero=protocolo.numero_formatado), protocolo=protocolo)
    return Resultado.ANEXADA, protocolo


def _texto_canal(texto):
    return texto.format(url=settings.PROTOCOLO_URL_BASE + "/", telefone=settings.PROTOCOLO_EMPRESA_TELEFONE)


def _responder(recebida, texto, *, protocolo=None):
    """An answer on the channel the consumer wrote on, through the outbox; nothing on a channel the
    telephone refused. A WhatsApp answer is free text: the message just received opened the window."""
    if not canais.aceita(recebida.telefone, recebida.canal):
        return None
    return outbox.enfileirar(
        protocolo=protocolo,
        canal=recebida.canal,
        destinatario=recebida.telefone,
        assunto=f"Resposta a uma mensagem recebida por {recebida.get_canal_display()}",
        corpo=texto,
    )


# Delivery receipts -----------------------------------------------------------------------------------


def registrar_estado(*, canal, id_no_provedor, estado, motivo=""):
    """Record a provider's receipt on the message it names: the state moves only forward
    (TRANSICOES), and a failure gives the message up (outbox.desistir, which passes it to the next
    channel that may reach the consumer). Returns the message, or None for an id we never sent (the
    provider is answered 200 all the same: a retry would not find it either)."""
    id_no_provedor = str(id_no_provedor or "").strip()
    if not id_no_provedor or len(id_no_provedor) > 100:
        return None
    if estado not in Estado.values:
        raise DadosInvalidos(f"Estado de entrega desconhecido: {estado!r}.")
    with transaction.atomic():
        mensagem = (
            Mensagem.objects.select_for_update()
            .filter(canal=canal, id_no_provedor=id_no_provedor)
            .exclude(id_no_provedor="")
            .order_by("pk")
            .first()
        )
        if mensagem is None or estado not in TRANSICOES[mensagem.estado_no_provedor]:
            return mensagem
        mensagem.estado_no_provedor = estado
        mensagem.estado_em = relogio.agora()
        mensagem.save(update_fields=["estado_no_provedor", "estado_em"])
        if estado == Estado.FALHOU and mensagem.desistida_em is None:
            motivo = motivo or f"{mensagem.get_canal_display()}: o provedor informou falha na entrega."
            outbox.desistir(mensagem, motivo)
    return mensagem
