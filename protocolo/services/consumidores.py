"""
Who the consumer is: found or created by CPF (an existing record keeps what it has, so a public
form never overwrites anyone's e-mail), linked to a protocol, their full CPF revealed only to whoever
may see it and on the record, and the recovery e-mail that lists a CPF's protocols.
"""

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string

from .. import outbox
from ..exceptions import DadosInvalidos
from ..links import link_consumidor, link_protocolo
from ..models import AcessoDadoPessoal, Consumidor, formatar_cpf, mascarar_cpf
from .historico import (
    Tipo,
    _conferir_versao,
    _cpf,
    _email,
    _exigir_aberto,
    _exigir_nao_anonimizado,
    _exigir_permissao,
    _origem_de,
    _salvar,
    _texto,
    _travar,
    anexar_ao_historico,
)

# How many protocols the recovery e-mail lists one by one; the link to all demands covers the rest.
RECUPERACAO_MAXIMO = 50


def _contato(*, nome, email, telefone):
    return {
        "nome": _texto(nome, campo="nome", obrigatorio=False)[:200],
        "email": _email(email),
        "telefone": _texto(telefone, campo="telefone", obrigatorio=False)[:20],
    }


def consumidor_identificar(*, cpf, nome="", email="", telefone=""):
    """(consumidor, created) for a CPF. An existing record keeps what it has: only empty fields
    are filled, so a public form can never overwrite someone's e-mail."""
    cpf = _cpf(cpf)
    dados = _contato(nome=nome, email=email, telefone=telefone)
    with transaction.atomic():
        consumidor, criado = Consumidor.objects.select_for_update().get_or_create(cpf=cpf, defaults=dados)
        if not criado:
            vazios = [campo for campo, valor in dados.items() if valor and not getattr(consumidor, campo)]
            for campo in vazios:
                setattr(consumidor, campo, dados[campo])
            if vazios:
                consumidor.save(update_fields=vazios)
    return consumidor, criado


def consumidor_revelar_cpf(*, consumidor, usuario, protocolo=None):
    """The full CPF, for someone allowed to see it; every time is recorded (LGPD art. 37)."""
    _exigir_permissao(usuario, "ver_cpf", "Você não tem permissão para ver o CPF completo.")
    if not consumidor.cpf:
        raise DadosInvalidos("Este consumidor não tem CPF registrado.")
    AcessoDadoPessoal.objects.create(
        usuario=usuario, consumidor=consumidor, protocolo=protocolo, tipo=AcessoDadoPessoal.Tipo.VER_CPF
    )
    return formatar_cpf(consumidor.cpf)


def protocolo_identificar_consumidor(*, protocolo, consumidor, autor=None, versao=None):
    with transaction.atomic():
        _exigir_nao_anonimizado(consumidor)
        protocolo = _travar(protocolo)
        _conferir_versao(protocolo, versao)
        _exigir_aberto(protocolo)
        if protocolo.consumidor_id == consumidor.pk:
            raise DadosInvalidos("Este consumidor já está identificado no protocolo.")
        anterior = protocolo.consumidor
        protocolo.consumidor = consumidor
        anexar_ao_historico(
            protocolo,
            tipo=Tipo.IDENTIFICACAO,
            origem=_origem_de(autor),
            autor=autor,
            detalhes={
                "de": mascarar_cpf(anterior.cpf) if anterior else None,
                "para": mascarar_cpf(consumidor.cpf),
            },
        )
        _salvar(protocolo, "consumidor")
    return protocolo


def _consumidor_do_atendimento(*, cpf, nome, email, telefone):
    """(consumidor, criado): found or created by CPF, or, since the first contact may not demand
    the CPF (Decreto 11.034 art. 4 §4), a new record with the name and contact given. (None, False)
    when nothing was given."""
    if str(cpf or "").strip():
        return consumidor_identificar(cpf=cpf, nome=nome, email=email, telefone=telefone)
    dados = _contato(nome=nome, email=email, telefone=telefone)
    if not any(dados.values()):
        return None, False
    return Consumidor.objects.create(**dados), True


def protocolo_identificar_por_cpf(*, protocolo, cpf, autor, nome="", email="", telefone="", versao=None):
    """Find the consumer by CPF (an existing record keeps its data, only empty fields are filled)
    or create them, and link them to the protocol; without a CPF (the first contact may not demand
    it), a record with the name and contact given. One transaction, so a stale form leaves no
    consumer behind. Returns (protocolo, consumidor, criado)."""
    with transaction.atomic():
        consumidor, criado = _consumidor_do_atendimento(cpf=cpf, nome=nome, email=email, telefone=telefone)
        if consumidor is None:
            raise DadosInvalidos("Informe o CPF ou, sem ele, o nome e um contato do consumidor.")
        protocolo = protocolo_identificar_consumidor(
            protocolo=protocolo, consumidor=consumidor, autor=autor, versao=versao
        )
    return protocolo, consumidor, criado


def consumidor_enviar_protocolos(*, cpf):
    """Recovery by CPF: when the CPF has a consumer with an e-mail and protocols, queue one message
    listing them, each with a signed link. Returns the message or None; the caller shows the same
    answer either way."""
    cpf = _cpf(cpf)
    consumidor = Consumidor.objects.filter(cpf=cpf).exclude(email="").first()
    if consumidor is None:
        return None
    protocolos = list(
        consumidor.protocolos.select_related("categoria").order_by("-aberto_em")[: RECUPERACAO_MAXIMO + 1]
    )
    if not protocolos:
        return None
    contexto = {
        "consumidor": consumidor,
        "itens": [(p, link_protocolo(p)) for p in protocolos[:RECUPERACAO_MAXIMO]],
        "mais": len(protocolos) > RECUPERACAO_MAXIMO,
        "link_todos": link_consumidor(consumidor),
        "url_portal": settings.PROTOCOLO_URL_BASE + "/",
        "dias_validade": settings.PROTOCOLO_LINK_DIAS,
    }
    # Left to `enviar_mensagens` (every minute), never sent inside the request: a mail server's
    # latency would tell an existing CPF with an e-mail from any other by the answer's time alone.
    with outbox.entrega_adiada():
        return outbox.enfileirar(
            destinatario=consumidor.email,
            assunto="Seus protocolos de atendimento",
            corpo=render_to_string("mensagens/recuperacao.txt", contexto),
        )
