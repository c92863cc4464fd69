"""
Confirming a telephone typed on the portal by a one-time code (docs/seguranca.md, "Confirmação por
código"). The telephone gets the code and nothing else until the visitor types it back on the
protocol's page; then it is confirmed and what was held for it goes out. The code proves control of
the telephone, never ownership of a CPF: it never binds the telephone to the consumer.
"""

import dataclasses
import datetime

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string

from .. import canais, codigos, outbox, relogio, sms
from ..exceptions import DadosInvalidos
from ..models import CanalPreferido, CodigoDeConfirmacao, Contato, Mensagem
from ..segmentos import para_gsm7
from . import canais_de_envio
from .contatos import TipoContato, contato_confirmar
from .historico import _travar

# The approved WhatsApp template of the code (Meta's authentication category): one body parameter,
# the code.
MODELO_WHATSAPP = "protocolo_codigo"


def texto_sms_codigo(protocolo):
    """The code's SMS, with MASCARA where the code goes: put into GSM-7 whole and written for one
    segment with the longest values (tests/sms/test_segmentos.py)."""
    texto = render_to_string(
        "mensagens/sms_codigo.txt",
        {
            "protocolo": protocolo,
            "empresa": para_gsm7(settings.PROTOCOLO_EMPRESA_NOME)[: canais_de_envio.EMPRESA_NO_SMS],
            "codigo": codigos.MASCARA,
            "minutos": settings.PROTOCOLO_CODIGO_MINUTOS,
        },
    )
    return para_gsm7(texto.strip())


def canal_do_codigo(protocolo, telefone):
    """The channel a code to `telefone` goes by: WhatsApp when the company has it, the protocol
    prefers it and the telephone did not stop it; otherwise SMS, unless the telephone stopped it;
    None when neither can reach it."""
    if (
        getattr(settings, "WHATSAPP", None)
        and protocolo.canal_preferido == CanalPreferido.WHATSAPP
        and canais.aceita(telefone, Mensagem.Canal.WHATSAPP)
    ):
        return Mensagem.Canal.WHATSAPP
    if sms.ativo() and canais.aceita(telefone, Mensagem.Canal.SMS):
        return Mensagem.Canal.SMS
    return None


def envia_codigos():
    """Whether a code can go out at all: the portal asks for a telephone only then."""
    return sms.ativo() or bool(getattr(settings, "WHATSAPP", None))


def telefones_a_confirmar(protocolo):
    """The protocol's own open telephones not confirmed yet (typed on the portal), oldest first."""
    return list(
        Contato.objects.filter(protocolo=protocolo, consumidor=None, tipo=TipoContato.TELEFONE, confirmado_em=None)
        .abertos()
        .order_by("criado_em", "pk")
    )


def codigo_enviar(*, contato, protocolo):
    """Send a new code to an unconfirmed telephone of this protocol, inside the caller's transaction
    (the protocol locked); a code still valid for it ends, replaced. Refused past the limit per
    telephone and hour, or when no channel reaches it. Returns the code's row."""
    if (
        contato.tipo != TipoContato.TELEFONE
        or contato.protocolo_id != protocolo.pk
        or contato.consumidor_id is not None
        or contato.encerrado_em is not None
    ):
        raise DadosInvalidos("Este telefone não é deste protocolo.")
    if contato.confirmado_em is not None:
        raise DadosInvalidos("Este telefone já está confirmado.")
    agora = relogio.agora()
    enviados = CodigoDeConfirmacao.objects.filter(
        telefone=contato.valor, criado_em__gt=agora - datetime.timedelta(hours=1)
    ).count()
    if enviados >= settings.PROTOCOLO_CODIGO_POR_HORA:
        raise DadosInvalidos(
            f"Este telefone já recebeu {enviados} códigos na última hora: espere um pouco antes de pedir outro."
        )
    canal = canal_do_codigo(protocolo, contato.valor)
    if canal is None:
        raise DadosInvalidos(
            "Não conseguimos enviar o código a este telefone agora (o envio está indisponível ou foi parado "
            "por ele). Acompanhe o protocolo pelo e-mail ou ligue para a empresa."
        )
    CodigoDeConfirmacao.objects.filter(contato=contato, encerrado_em=None).update(
        encerrado_em=agora, fim=CodigoDeConfirmacao.Fim.SUBSTITUIDO
    )
    assunto = f"Protocolo {protocolo.numero_formatado}: código de confirmação do telefone"
    if canal == Mensagem.Canal.WHATSAPP:
        mensagem = outbox.enfileirar(
            protocolo=protocolo,
            canal=canal,
            destinatario=contato.valor,
            contato=contato,
            assunto=assunto,
            corpo=texto_sms_codigo(protocolo),
            modelo=MODELO_WHATSAPP,
            parametros=[codigos.MASCARA],
        )
    else:
        mensagem = outbox.enfileirar(
            protocolo=protocolo,
            canal=canal,
            destinatario=contato.valor,
            contato=contato,
            assunto=assunto,
            corpo=texto_sms_codigo(protocolo),
        )
    return CodigoDeConfirmacao.objects.create(
        contato=contato,
        protocolo=protocolo,
        telefone=contato.valor,
        semente=codigos.nova_semente(),
        mensagem=mensagem,
        criado_em=agora,
        expira_em=agora + datetime.timedelta(minutes=settings.PROTOCOLO_CODIGO_MINUTOS),
    )


def protocolo_pedir_codigo(*, protocolo, contato):
    """The visitor asks a new code for a telephone of this protocol (the page's "Enviar outro
    código")."""
    with transaction.atomic():
        protocolo = _travar(protocolo)
        contato = Contato.objects.select_for_update().get(pk=contato.pk)
        return codigo_enviar(contato=contato, protocolo=protocolo)


@dataclasses.dataclass(frozen=True)
class Conferencia:
    confirmado: bool
    # What the visitor is told when not confirmed.
    erro: str = ""


def protocolo_confirmar_telefone(*, protocolo, contato, codigo):
    """Check the code typed for a telephone of this protocol: right, the telephone is confirmed
    (contato_confirmar: the held messages go out, the timeline says so); wrong, one try is spent,
    and the last one ends the code. Raises DadosInvalidos when not confirmed, after recording
    the try."""
    resultado = _conferir(protocolo=protocolo, contato=contato, codigo=str(codigo or "").strip())
    if not resultado.confirmado:
        raise DadosInvalidos(resultado.erro)
    return contato


def _conferir(*, protocolo, contato, codigo):
    with transaction.atomic():
        protocolo = _travar(protocolo)
        contato = Contato.objects.select_for_update().get(pk=contato.pk)
        if contato.protocolo_id != protocolo.pk or contato.consumidor_id is not None or contato.encerrado_em:
            return Conferencia(False, "Este telefone não é deste protocolo.")
        if contato.confirmado_em is not None:
            return Conferencia(True)
        vivo = (
            CodigoDeConfirmacao.objects.select_for_update()
            .filter(contato=contato, encerrado_em=None)
            .order_by("-criado_em", "-pk")
            .first()
        )
        if vivo is None or vivo.expira_em <= relogio.agora():
            return Conferencia(False, "Este código expirou ou não vale mais: peça um novo.")
        if not codigos.confere(vivo.semente, codigo):
            vivo.tentativas += 1
            campos = ["tentativas"]
            restam = settings.PROTOCOLO_CODIGO_TENTATIVAS - vivo.tentativas
            if restam <= 0:
                vivo.encerrado_em, vivo.fim = relogio.agora(), CodigoDeConfirmacao.Fim.TENTATIVAS
                campos += ["encerrado_em", "fim"]
            vivo.save(update_fields=campos)
            if restam <= 0:
                return Conferencia(False, "Código errado, e as tentativas acabaram: peça um novo código.")
            return Conferencia(False, f"Código errado. Restam {restam} tentativa(s) com este código.")
        vivo.encerrado_em, vivo.fim = relogio.agora(), CodigoDeConfirmacao.Fim.USADO
        vivo.save(update_fields=["encerrado_em", "fim"])
        contato_confirmar(contato=contato)
    return Conferencia(True)
