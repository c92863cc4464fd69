"""
How the consumer wants to be told (docs/dominio.md, "Canais das mensagens"; docs/seguranca.md,
"Canais e preferência"): the protocol's preferred channel, and stopping or resuming SMS and
WhatsApp for its telephones, from the portal or as stated to an attendant. The preference only
orders the channels; a stop (protocolo/canais.py) is per telephone and overrides any preference.
"""

import dataclasses
import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from .. import canais, relogio, sms
from ..exceptions import DadosInvalidos, PermissaoNegada
from ..models import CanalPreferido, CodigoDeConfirmacao, Contato, EscolhaDeCanal, Mensagem
from .contatos import TipoContato, destinatarios, mascarar_contato
from .historico import Origem, Tipo, _travar, anexar_ao_historico

OrigemEscolha = EscolhaDeCanal.Origem


def canais_de_telefone():
    """The telephone channels the company sends by: SMS when configured, WhatsApp when configured."""
    return [
        canal
        for canal, ativo in (
            (Mensagem.Canal.WHATSAPP, bool(getattr(settings, "WHATSAPP", None))),
            (Mensagem.Canal.SMS, sms.ativo()),
        )
        if ativo
    ]


def canais_possiveis(protocolo, *, emails=None, telefones=None):
    """The channels the protocol's preference may name: e-mail when it has an e-mail, SMS and
    WhatsApp (those the company sends by) when it has a telephone."""
    emails = destinatarios(protocolo) if emails is None else emails
    telefones = destinatarios(protocolo, TipoContato.TELEFONE) if telefones is None else telefones
    possiveis = [CanalPreferido.EMAIL] if emails else []
    if telefones:
        possiveis += [CanalPreferido(c) for c in canais_de_telefone()]
    return possiveis


def _origem_da_entrada(origem, autor):
    return Origem.CONSUMIDOR if origem == OrigemEscolha.PORTAL else (Origem.ATENDENTE if autor else Origem.SISTEMA)


def protocolo_preferir_canal(*, protocolo, canal, origem, autor=None):
    """Record the channel the consumer prefers for this protocol's messages (from the portal, or
    stated to an attendant: `autor`). "" clears it. Only a channel the protocol can be reached by.
    The same choice again writes nothing. Returns the protocol."""
    if origem not in (OrigemEscolha.PORTAL, OrigemEscolha.ATENDIMENTO):
        raise DadosInvalidos("Origem da preferência inválida.")
    if origem == OrigemEscolha.ATENDIMENTO and (autor is None or not autor.has_perm("protocolo.atender_protocolo")):
        raise PermissaoNegada("Você não tem permissão para registrar a preferência do consumidor.")
    with transaction.atomic():
        protocolo = _travar(protocolo)
        if canal and canal not in canais_possiveis(protocolo):
            raise DadosInvalidos("Este protocolo não tem um contato para esse canal: escolha outro.")
        if protocolo.canal_preferido == canal:
            return protocolo
        anterior = protocolo.canal_preferido
        protocolo.canal_preferido = canal
        protocolo.save(update_fields=["canal_preferido"])
        rotulo = CanalPreferido(canal).label if canal else ""
        if origem == OrigemEscolha.PORTAL:
            texto = f"Preferência de canal: {rotulo}." if canal else "Preferência de canal retirada."
        else:
            texto = (
                f"Preferência de canal informada pelo consumidor ao atendimento: {rotulo}."
                if canal
                else "Preferência de canal retirada a pedido do consumidor ao atendimento."
            )
        anexar_ao_historico(
            protocolo,
            tipo=Tipo.CANAIS,
            origem=_origem_da_entrada(origem, autor),
            autor=autor,
            publica=True,
            texto=texto,
            detalhes={"canal_preferido": canal, "anterior": anterior, "origem": origem},
        )
    return protocolo


def telefones_do_protocolo(protocolo):
    """The telephones whose channels the protocol's pages let the consumer stop or resume: those
    that may receive its messages and are confirmed (an unconfirmed one is someone's typing, and a
    stop applies to the telephone everywhere)."""
    return [c for c in destinatarios(protocolo, TipoContato.TELEFONE) if c.confirmado]


def protocolo_escolher_canal_do_telefone(*, protocolo, contato, canal, aceita, origem, autor=None):
    """Stop (aceita False) or resume SMS or WhatsApp for one confirmed telephone of the protocol,
    recorded in EscolhaDeCanal (append-only, per telephone: honoured from the next message on, for
    every protocol) and on the timeline. A channel the telephone itself stopped (the keyword SAIR)
    is not resumed from the portal, where anyone holding the number and the CPF is: the consumer
    asks the attendant, who records the request as such (`autor`, origin atendimento)."""
    if canal not in canais_de_telefone():
        raise DadosInvalidos("Canal inválido: escolha SMS ou WhatsApp.")
    if origem not in (OrigemEscolha.PORTAL, OrigemEscolha.ATENDIMENTO):
        raise DadosInvalidos("Origem da escolha inválida.")
    if origem == OrigemEscolha.ATENDIMENTO and (autor is None or not autor.has_perm("protocolo.atender_protocolo")):
        raise PermissaoNegada("Você não tem permissão para registrar a escolha do consumidor.")
    with transaction.atomic():
        protocolo = _travar(protocolo)
        if contato.pk not in {c.pk for c in telefones_do_protocolo(protocolo)}:
            raise DadosInvalidos("Escolha um telefone confirmado deste protocolo.")
        vigente = EscolhaDeCanal.objects.filter(telefone=contato.valor, canal=canal).order_by("-em", "-id").first()
        if (
            aceita
            and origem == OrigemEscolha.PORTAL
            and vigente is not None
            and vigente.origem == OrigemEscolha.PALAVRA_CHAVE
        ):
            raise DadosInvalidos(
                f"O {Mensagem.Canal(canal).label} deste telefone foi parado por uma mensagem do próprio telefone: "
                "para voltar a receber, peça ao atendimento."
            )
        if (vigente is None or vigente.aceita) == aceita:
            return vigente
        escolha = canais.registrar(
            telefone=contato.valor, canal=canal, aceita=aceita, origem=origem, protocolo=protocolo
        )
        rotulo, mascarado = Mensagem.Canal(canal).label, mascarar_contato(contato)
        if origem == OrigemEscolha.PORTAL:
            texto = f"{rotulo} {'retomado' if aceita else 'parado'} para o telefone {mascarado}."
        else:
            texto = (
                f"{rotulo} {'retomado' if aceita else 'parado'} para o telefone {mascarado}, "
                "a pedido do consumidor ao atendimento."
            )
        anexar_ao_historico(
            protocolo,
            tipo=Tipo.CANAIS,
            origem=_origem_da_entrada(origem, autor),
            autor=autor,
            publica=True,
            texto=texto,
            detalhes={"contato": contato.pk, "canal": canal, "aceita": aceita, "origem": origem},
        )
    return escolha


@dataclasses.dataclass(frozen=True)
class EstadoDoCanal:
    canal: str
    rotulo: str
    aceita: bool
    # The choice in force, when one was ever made: when, and from where (a label).
    em: datetime.datetime | None = None
    origem: str = ""
    origem_valor: str = ""


@dataclasses.dataclass
class CanaisDoProtocolo:
    """What the portal's "Como prefere receber as mensagens" shows: the channels the preference may
    name, the telephones awaiting their code (with the live code's expiry) and, for each confirmed
    telephone, each channel's state."""

    possiveis: list
    pendentes: list
    telefones: list

    @property
    def vazio(self):
        return not (self.possiveis or self.pendentes or self.telefones)


def canais_do_protocolo(protocolo):
    """CanaisDoProtocolo: the contacts that may receive the protocol's messages (its own and its
    consumer's bound ones), the live code's expiry of each telephone awaiting one, and the choices
    in force for the channels configured here. The status page asks this on every reload, so each
    part is one plain query, asked only when there is something to ask: most protocols have an
    e-mail and nothing else."""
    filtro = Q(protocolo=protocolo, consumidor=None)
    if protocolo.consumidor_id is not None:
        filtro |= Q(consumidor_id=protocolo.consumidor_id)
    contatos = Contato.objects.filter(filtro).abertos().order_by("-vinculado_em", "pk")
    vistos, emails, confirmados, pendentes = set(), [], [], []
    for contato in contatos:
        if (contato.tipo, contato.valor) in vistos:
            continue
        vistos.add((contato.tipo, contato.valor))
        if contato.tipo == TipoContato.EMAIL:
            emails.append(contato)
        elif contato.confirmado:
            confirmados.append(contato)
        elif contato.protocolo_id == protocolo.pk and contato.consumidor_id is None:
            pendentes.append(contato)
    ativos = canais_de_telefone()
    escolhas = canais.vigentes(c.valor for c in confirmados) if ativos else {}
    telefones = [
        (contato, mascarar_contato(contato), [_estado(escolhas.get((contato.valor, canal)), canal) for canal in ativos])
        for contato in confirmados
    ]
    expiram = _codigos_vivos(pendentes)
    pendentes = [(contato, mascarar_contato(contato), expiram.get(contato.pk)) for contato in pendentes]
    possiveis = canais_possiveis(protocolo, emails=emails, telefones=telefones or pendentes)
    return CanaisDoProtocolo(possiveis=possiveis, pendentes=pendentes, telefones=telefones)


def _codigos_vivos(contatos):
    """{contact id: the expiry of its newest live confirmation code}, in one query when any."""
    if not contatos:
        return {}
    expiram = {}
    codigos = (
        CodigoDeConfirmacao.objects.filter(contato__in=contatos, encerrado_em=None, expira_em__gt=relogio.agora())
        .order_by("-criado_em", "-pk")
        .values_list("contato_id", "expira_em")
    )
    for contato_id, expira_em in codigos:
        expiram.setdefault(contato_id, expira_em)
    return expiram


def _estado(escolha, canal):
    """A channel's state for one telephone from its choice in force (None: never chosen, accepted)."""
    return EstadoDoCanal(
        canal=canal,
        rotulo=Mensagem.Canal(canal).label,
        aceita=escolha is None or escolha.aceita,
        em=escolha.em if escolha else None,
        origem=escolha.get_origem_display() if escolha else "",
        origem_valor=escolha.origem if escolha else "",
    )
