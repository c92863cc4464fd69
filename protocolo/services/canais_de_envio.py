"""
Which channel each notice to a consumer goes by (docs/dominio.md, "Canais das mensagens").

The channels are tried in the protocol's order (protocolo/canais.py: its canal_preferido, then
e-mail, WhatsApp and SMS, the last two only with their backend configured). A channel reaches the
consumer when the protocol has contacts of its kind that may receive its messages
(contatos.destinatarios): e-mail when at least one address is confirmed, a telephone when it is
confirmed and still accepts that channel. The notice goes to every contact of the first channel
that reaches; with e-mail, unconfirmed addresses get their copy held until confirmed, as they always
did, and when no channel reaches they still get it. A notice the law requires (OBRIGATORIOS) that
no channel may carry because the consumer refused every one they have is recorded on the timeline
instead: a refusal is never overridden.

A message given up for good (outbox.desistir) is replaced here, in the same transaction, on the next
channel that reaches: the same telephone's other channel first, then the rest of the order.

SMS and WhatsApp carry a short text (templates/mensagens/sms_<aviso>.txt) written for one GSM-7
segment with the longest values (tests/sms/test_segmentos.py); WhatsApp sends it as free text inside
the 24-hour window and otherwise the approved template protocolo_<aviso> with the same values as
body parameters, the formatted number first.
"""

import datetime

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from .. import canais, outbox, relogio
from ..links import link_protocolo
from ..models import EQUIPE_DO_NIVEL, AvisoMensagem, CanalMensagem, Interacao, LinkCurto, Protocolo
from ..segmentos import para_gsm7, segmentos
from .contatos import TipoContato, destinatarios, enfileirar_para
from .historico import _travar, anexar_ao_historico

Aviso = AvisoMensagem
Canal = CanalMensagem

# The notices the law requires, each with its source (docs/dominio.md, "Mensagens obrigatórias").
OBRIGATORIOS = frozenset({Aviso.NUMERO, Aviso.RESOLUCAO, Aviso.ENCERRAMENTO, Aviso.CANCELAMENTO})
# The notices whose short text links to the protocol: there is something to read or answer there.
COM_LINK = frozenset({Aviso.MENSAGEM, Aviso.RESOLUCAO, Aviso.CANCELAMENTO, Aviso.PRORROGACAO})

RECUSOU_TUDO = "Não notificado: o consumidor recusou todos os canais"
NENHUM_ENTREGOU = "Não notificado: nenhum canal conseguiu entregar a mensagem"

# How much of the company's name a short text carries: with the longest values, the text still
# fits one segment (tests/sms/test_segmentos.py).
EMPRESA_NO_SMS = 30


class Alcance:
    """Which contacts each channel reaches on one protocol, read only as far as the order needs:
    the e-mails (one query), the telephones (one) and their refusals (one, canais.recusados)."""

    def __init__(self, protocolo):
        self.protocolo = protocolo

    @cached_property
    def emails(self):
        return destinatarios(self.protocolo, TipoContato.EMAIL)

    @cached_property
    def telefones(self):
        return destinatarios(self.protocolo, TipoContato.TELEFONE)

    @cached_property
    def recusas(self):
        return canais.recusados(t.valor for t in self.telefones)

    def contatos(self, canal):
        """The contacts `canal` reaches; [] when it reaches nobody."""
        if canal == Canal.EMAIL:
            return self.emails if any(c.confirmado for c in self.emails) else []
        # An unconfirmed telephone gets its confirmation code and nothing else.
        return [t for t in self.telefones if t.confirmado and (t.valor, canal) not in self.recusas]

    def primeiro(self, ordem):
        """(channel, its contacts) of the first channel of `ordem` that reaches, or (None, [])."""
        for canal in ordem:
            if contatos := self.contatos(canal):
                return canal, contatos
        return None, []

    def recusou_tudo(self):
        """Whether the consumer refused every channel they have: no e-mail, and every telephone
        refuses every telephone channel configured here."""
        por_telefone = [c for c in canais.CANAIS_DE_TELEFONE if canais.configurado(c)]
        return bool(
            por_telefone
            and self.telefones
            and not self.emails
            and all((t.valor, c) in self.recusas for t in self.telefones for c in por_telefone)
        )


def avisar(protocolo, aviso, assunto, *, contatos=None, alcance=None, **contexto):
    """Queue notice `aviso` (a template of templates/mensagens/) on the locked protocol, by the
    first channel that reaches its consumer; or by e-mail to `contatos`, the address a form has just
    typed. contexto: the e-mail template's values. Returns the messages."""
    aviso = Aviso(aviso).value
    assunto = f"Protocolo {protocolo.numero_formatado}: {assunto}"
    if contatos is not None:
        return [_por_email(protocolo, contato, aviso, assunto, contexto) for contato in contatos]
    alcance = alcance or Alcance(protocolo)
    canal, escolhidos = alcance.primeiro(canais.ordem(protocolo))
    if canal in (Canal.WHATSAPP, Canal.SMS):
        return [_por_telefone(protocolo, contato, canal, aviso, assunto) for contato in escolhidos]
    # E-mail first, or nothing reaches: every address gets its copy, held while unconfirmed.
    mensagens = [_por_email(protocolo, contato, aviso, assunto, contexto) for contato in alcance.emails]
    if not mensagens and aviso in OBRIGATORIOS and alcance.recusou_tudo():
        nao_notificado(protocolo, aviso, RECUSOU_TUDO)
    return mensagens


def nao_notificado(protocolo, aviso, texto, *, mensagem=None):
    """Record on the locked protocol's public timeline that a notice the law requires reached no one."""
    detalhes = {"aviso": str(aviso)}
    if mensagem is not None:
        detalhes["mensagem"] = mensagem.message_id
    return anexar_ao_historico(
        protocolo,
        tipo=Interacao.Tipo.NAO_NOTIFICADO,
        origem=Interacao.Origem.SISTEMA,
        publica=True,
        texto=texto,
        detalhes=detalhes,
    )


# E-mail ---------------------------------------------------------------------------------------------


def _contexto_email(protocolo, contato):
    return {
        "protocolo": protocolo,
        # Greeted by name only where the contact is bound to the consumer or was taken by an
        # attendant serving them: a public form's address learns nothing about the CPF's owner.
        "nome": protocolo.consumidor.nome if protocolo.consumidor and _pode_saudar(contato) else "",
        "url_portal": settings.PROTOCOLO_URL_BASE + "/",
        # The way in for whoever has no CPF on file yet, or no number at hand (docs/dominio.md §5).
        "link_protocolo": link_protocolo(protocolo, contato),
        "dias_validade": settings.PROTOCOLO_LINK_DIAS,
    }


def _pode_saudar(contato):
    return contato.vinculado or contato.origem in ("atendimento", "oidc", "migracao")


def _por_email(protocolo, contato, aviso, assunto, contexto, *, substitui=None, modelo=None):
    return enfileirar_para(
        contato,
        protocolo=protocolo,
        assunto=assunto,
        corpo=render_to_string(f"mensagens/{modelo or aviso}.txt", contexto | _contexto_email(protocolo, contato)),
        aviso=aviso,
        substitui=substitui,
    )


# SMS and WhatsApp -----------------------------------------------------------------------------------


def valores(protocolo, aviso, *, link=""):
    """The values a notice's short text carries after the number, in the WhatsApp template's order
    (docs/dominio.md lists them). Read from the protocol alone, so a replacement written later on
    another channel says the same."""
    local = timezone.localtime
    if aviso == Aviso.NUMERO:
        return {"aberto_em": f"{local(protocolo.aberto_em):%d/%m/%Y %H:%M}"}
    if aviso == Aviso.ENCERRAMENTO:
        return {"encerrado_em": f"{local(protocolo.encerrado_em or relogio.agora()):%d/%m/%Y}"}
    if aviso == Aviso.ESCALONAMENTO:
        prazo = f"{protocolo.prazo:%d/%m/%Y}" if protocolo.prazo else ""
        return {"equipe": EQUIPE_DO_NIVEL[protocolo.nivel], "prazo": prazo}
    if aviso == Aviso.PRORROGACAO:
        return {"prazo": f"{protocolo.prazo:%d/%m/%Y}" if protocolo.prazo else "", "link": link}
    if aviso == Aviso.DUPLICIDADE:
        original = protocolo.duplicado_de
        return {"original": original.numero_formatado if original else ""}
    return {"link": link}


def texto_curto(protocolo, aviso, *, link=""):
    """The SMS text of a notice, also WhatsApp's free text: GSM-7 (the company's name and the values
    put into it), one segment with the longest values. The link goes in where it fits; a base
    address too long for one segment leaves it out, and the text says where to look instead."""
    empresa = para_gsm7(settings.PROTOCOLO_EMPRESA_NOME)[:EMPRESA_NO_SMS]
    for com_link in (link, ""):
        contexto = {
            "empresa": empresa,
            "numero": protocolo.numero_formatado,
            **{chave: para_gsm7(valor) for chave, valor in valores(protocolo, aviso, link=com_link).items()},
        }
        texto = render_to_string(f"mensagens/sms_{aviso}.txt", contexto).strip()
        if segmentos(texto) <= 1:
            return texto
    return texto


def parametros(protocolo, aviso, *, link=""):
    """The WhatsApp template's body parameters: the formatted number, then valores()."""
    return [protocolo.numero_formatado, *valores(protocolo, aviso, link=link).values()]


def _link(protocolo, contato):
    """A new short link to the protocol for a confirmed telephone; its address."""
    if contato.tipo != TipoContato.TELEFONE or not contato.confirmado:
        raise ValueError("Link curto só para telefone confirmado.")
    agora = relogio.agora()
    link = LinkCurto.objects.create(
        codigo=LinkCurto.novo_codigo(),
        protocolo=protocolo,
        contato=contato,
        consumidor_id=protocolo.consumidor_id,
        criado_em=agora,
        expira_em=agora + datetime.timedelta(days=settings.PROTOCOLO_LINK_DIAS),
    )
    return settings.PROTOCOLO_URL_BASE + reverse("consumidor:link_curto", args=[link.codigo])


def _por_telefone(protocolo, contato, canal, aviso, assunto, *, substitui=None, corpo=None):
    """One SMS or WhatsApp message to a confirmed telephone. corpo: the text to send as it is (the
    same telephone's given-up message); otherwise written here, with a new link where it has one."""
    link = _link(protocolo, contato) if aviso in COM_LINK and corpo is None else ""
    whatsapp = canal == Canal.WHATSAPP
    return outbox.enfileirar(
        protocolo=protocolo,
        canal=canal,
        destinatario=contato.valor,
        contato=contato,
        assunto=assunto,
        corpo=corpo if corpo is not None else texto_curto(protocolo, aviso, link=link),
        modelo=f"protocolo_{aviso}" if whatsapp else "",
        parametros=parametros(protocolo, aviso, link=link) if whatsapp else (),
        aviso=aviso,
        substitui=substitui,
    )


# Replacing a message given up ---------------------------------------------------------------------


def substituir(mensagem):
    """Replace a notice given up for good (called by outbox.desistir, the row locked): the next
    channel that reaches the consumer gets a message of its own pointing at it (substitui). A
    telephone's other channel comes first, for that telephone, with the same text; then the rest of
    the order, channels already tried in this chain left out. With none left, a notice the law
    requires is recorded as not sent. Returns the replacements."""
    if mensagem.protocolo_id is None or not mensagem.aviso:
        return []
    protocolo = _travar(Protocolo(pk=mensagem.protocolo_id))
    alcance = Alcance(protocolo)
    tentados = _tentados(mensagem)
    restantes = [c for c in canais.ordem(protocolo) if c not in tentados]
    do_telefone = mensagem.canal in canais.CANAIS_DE_TELEFONE
    if do_telefone:
        # Stable: the telephone channels first, each keeping its place in the order.
        restantes.sort(key=lambda canal: canal not in canais.CANAIS_DE_TELEFONE)
    for canal in restantes:
        if canal == Canal.EMAIL:
            if contatos := alcance.contatos(canal):
                return [_email_substituto(protocolo, contato, mensagem) for contato in contatos]
            continue
        contatos = alcance.contatos(canal)
        if do_telefone:
            contatos = [c for c in contatos if c.valor == mensagem.destinatario][:1]
        if contatos:
            corpo = mensagem.corpo if do_telefone and canal == Canal.SMS else None
            return [
                _por_telefone(
                    protocolo, contato, canal, mensagem.aviso, mensagem.assunto, substitui=mensagem, corpo=corpo
                )
                for contato in contatos
            ]
    if mensagem.aviso in OBRIGATORIOS:
        nao_notificado(
            protocolo, mensagem.aviso, RECUSOU_TUDO if alcance.recusou_tudo() else NENHUM_ENTREGOU, mensagem=mensagem
        )
    return []


def _tentados(mensagem):
    """The channels this message and the ones it replaced went by (a chain of at most one per channel)."""
    tentados, atual = set(), mensagem
    while atual is not None and atual.canal not in tentados:
        tentados.add(atual.canal)
        atual = atual.substitui
    return tentados


def _email_substituto(protocolo, contato, mensagem):
    """The e-mail replacing a telephone's message: its short text, with the e-mail's own link."""
    return _por_email(
        protocolo,
        contato,
        mensagem.aviso,
        mensagem.assunto,
        {"texto": mensagem.corpo, "canal": Canal(mensagem.canal).label},
        substitui=mensagem,
        modelo="substituta",
    )
