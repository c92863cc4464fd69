"""
Contacts (docs/seguranca.md, "Contatos"). A CPF is not a secret, so an e-mail or telephone typed
with one proves nothing about who owns it: a contact typed for a protocol serves that protocol
only, and a contact is bound to the consumer (every protocol of the CPF, the recovery) only by an
attendant after the company's identity check, or by an OpenID sign-in whose verified claim carries
the CPF. Confirming an e-mail by link proves control of the address, never ownership of the CPF.

ESCOPOS is the one table of what each origin may do; the services below refuse anything else, and
tests/protocolo/test_contatos_tabela.py holds the table in docs/seguranca.md to it.
"""

import re

import phonenumbers
from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

from .. import outbox, relogio
from ..exceptions import DadosInvalidos, PermissaoNegada
from ..links import link_consumidor, link_protocolo, validade_dos_links
from ..models import Consumidor, Contato, Mensagem, PedidoDeRecuperacao, Protocolo
from .historico import Origem, Tipo, _cpf, _email, _origem_de, _texto, anexar_ao_historico

OrigemContato = Contato.Origem
TipoContato = Contato.Tipo

PROTOCOLO = "protocolo"
VINCULO = "vinculo"

# What a contact from each origin may become: "protocolo", a contact of the protocol it was typed
# for; "vinculo", bound to the consumer. A public form (portal, chatbot) and inbound WhatsApp/SMS
# only ever reach the protocol; the back-office, and an integrated system holding the
# contatos:vincular scope, bind only after a check chosen from VERIFICACOES; an OpenID sign-in
# binds with its identity-proofed CPF claim.
ESCOPOS = {
    OrigemContato.PORTAL: frozenset({PROTOCOLO}),
    OrigemContato.ATENDIMENTO: frozenset({PROTOCOLO, VINCULO}),
    OrigemContato.OIDC: frozenset({VINCULO}),
    OrigemContato.API: frozenset({PROTOCOLO, VINCULO}),
    OrigemContato.WHATSAPP: frozenset({PROTOCOLO}),
    OrigemContato.SMS: frozenset({PROTOCOLO}),
    OrigemContato.MIGRACAO: frozenset({PROTOCOLO}),
}

# The identity checks an attendant may record before binding a contact. None rests on what leaks
# with a CPF (name, birth date, mother's name, address): see docs/seguranca.md.
VERIFICACOES = {
    "documento_presencial": "documento oficial com foto conferido pessoalmente",
    "codigo_contato_vinculado": "código enviado a um contato já vinculado, lido de volta pelo consumidor",
    "dados_do_contrato": "dados do contrato que só o titular tem (número do contrato e valor da última fatura)",
}
PREFIXO_OIDC = "oidc:"
# What a telephone may be typed with: digits and the usual separators, nothing else.
TELEFONE = re.compile(r"\+?[0-9 ().\-]+")

# How many protocols a recovery message lists one by one; the link to all demands covers the rest.
RECUPERACAO_MAXIMO = 50
SAL_CONFIRMACAO = "protocolo.contato.confirmacao"


# Values ---------------------------------------------------------------------------------------------


def normalizar(tipo, valor):
    """The value as stored: an e-mail lowercased (addresses are compared that way everywhere), a
    telephone in E.164 ("+5511987654321", docs/seguranca.md "Telefones"). DadosInvalidos when
    malformed; "" when blank."""
    if tipo == TipoContato.EMAIL:
        return _email(valor).lower()
    if tipo == TipoContato.TELEFONE:
        texto = _texto(valor, campo="telefone", obrigatorio=False)
        if not texto:
            return ""
        numero = telefone_e164(texto)
        if numero is None:
            raise DadosInvalidos(
                "Telefone inválido: informe o DDD e o número (por exemplo, (11) 98765-4321), "
                "ou o código do país com + para um número estrangeiro."
            )
        return numero
    raise DadosInvalidos("Tipo de contato inválido.")


# Brazil's country code, and the first digits of an eight-digit mobile subscriber number: since
# 2016 every Brazilian mobile has nine digits, the ninth a 9 in front (Anatel), while fixed lines
# keep eight digits starting with 2 to 5.
_BRASIL = 55
_MOVEL_SEM_NONO = frozenset("6789")


def telefone_e164(texto):
    """The telephone in E.164, or None when it is no valid number. Read as Brazilian unless it
    starts with + and a country code; a Brazilian mobile typed with its old eight digits
    gets its ninth (a 9 in front), so both forms of one telephone are one stored value."""
    texto = str(texto or "").strip()
    if not TELEFONE.fullmatch(texto) or len(re.sub(r"\D", "", texto)) > 17:
        return None
    try:
        numero = phonenumbers.parse(texto, "BR")
    except phonenumbers.NumberParseException:
        return None
    if numero.country_code == _BRASIL:
        nacional = phonenumbers.national_significant_number(numero)
        # phonenumbers still reads a few old eight-digit ranges (7…) as valid mobiles; Anatel's
        # rule is the one applied, so both forms of the telephone store the same value.
        if len(nacional) == 10 and nacional[2] in _MOVEL_SEM_NONO:
            numero = phonenumbers.parse(f"+55{nacional[:2]}9{nacional[2:]}")
    if not phonenumbers.is_valid_number(numero):
        return None
    return phonenumbers.format_number(numero, phonenumbers.PhoneNumberFormat.E164)


def telefone_formatado(valor):
    """A stored telephone as people read it: "(11) 98765-4321" for a Brazilian one, the
    international form for another; the value as it is when it does not parse (rows that the
    migration to E.164 could not read)."""
    try:
        numero = phonenumbers.parse(valor, "BR")
    except phonenumbers.NumberParseException:
        return valor
    if not phonenumbers.is_valid_number(numero):
        return valor
    formato = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if numero.country_code == _BRASIL
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(numero, formato)


def pode(origem, escopo):
    return escopo in ESCOPOS.get(origem, ())


def verificacao_aceita(origem, verificacao):
    """Whether `verificacao` is an identity check that may bind a contact from `origem`."""
    if not pode(origem, VINCULO):
        return False
    if origem == OrigemContato.OIDC:
        return verificacao.startswith(PREFIXO_OIDC) and len(verificacao) > len(PREFIXO_OIDC)
    return verificacao in VERIFICACOES


# Protocol contacts -----------------------------------------------------------------------------------


def contato_do_protocolo(*, protocolo, tipo, valor, origem, confirmado=False, novo=False):
    """A contact that serves this protocol only, inside the caller's transaction (the protocol
    locked). The same open value twice is one contact (novo: the protocol was opened in this
    transaction, so there is none to look for). None when the value is blank."""
    if not pode(origem, PROTOCOLO):
        raise PermissaoNegada("Esta origem não registra contatos de protocolo.")
    valor = normalizar(tipo, valor)
    if not valor:
        return None
    if not novo:
        existente = (
            Contato.objects.filter(protocolo=protocolo, consumidor=None, tipo=tipo, valor=valor).abertos().first()
        )
        if existente is not None:
            return existente
    agora = relogio.agora()
    return Contato.objects.create(
        protocolo=protocolo,
        tipo=tipo,
        valor=valor,
        origem=origem,
        confirmado_em=agora if confirmado else None,
        criado_em=agora,
    )


def destinatarios(protocolo, tipo=TipoContato.EMAIL):
    """The contacts that may receive this protocol's messages: its own open contacts and the open
    contacts bound to its consumer, one per value (bound first). Unconfirmed ones are included:
    their messages are held until the address is confirmed (Mensagem.aguarda_confirmacao)."""
    filtro = Q(protocolo=protocolo, consumidor=None)
    if protocolo.consumidor_id is not None:
        filtro |= Q(consumidor_id=protocolo.consumidor_id)
    contatos = Contato.objects.filter(filtro, tipo=tipo).abertos().order_by("-vinculado_em", "pk")
    vistos, escolhidos = set(), []
    for contato in contatos:
        if contato.valor not in vistos:
            vistos.add(contato.valor)
            escolhidos.append(contato)
    return escolhidos


def contatos_para_a_equipe(protocolo):
    """Every contact the back-office shows on a protocol page: the protocol's own (closed ones
    too) and the consumer's bound ones, with their origin and state."""
    filtro = Q(protocolo=protocolo, consumidor=None)
    if protocolo.consumidor_id is not None:
        filtro |= Q(consumidor_id=protocolo.consumidor_id)
    return list(Contato.objects.filter(filtro).select_related("vinculado_por").order_by("tipo", "criado_em", "pk"))


def enfileirar_para(contato, *, assunto, corpo, protocolo=None, aviso="", substitui=None):
    """One outbox row to a contact; held while an e-mail is unconfirmed."""
    return outbox.enfileirar(
        protocolo=protocolo,
        destinatario=contato.valor,
        assunto=assunto,
        corpo=corpo,
        contato=contato,
        aguarda_confirmacao=contato.confirmado_em is None,
        aviso=aviso,
        substitui=substitui,
    )


# Confirmation by link --------------------------------------------------------------------------------


def token_confirmacao(contato):
    return signing.dumps({"k": contato.pk, "v": contato.valor}, salt=SAL_CONFIRMACAO, compress=True)


def link_confirmacao(contato):
    return settings.PROTOCOLO_URL_BASE + reverse("consumidor:confirmar", args=[token_confirmacao(contato)])


def contato_do_token(token):
    """The open contact a confirmation link names, or None (forged, expired, closed, emptied)."""
    try:
        dados = signing.loads(token, salt=SAL_CONFIRMACAO, max_age=validade_dos_links())
    except signing.BadSignature:
        return None
    if not isinstance(dados, dict) or not isinstance(dados.get("k"), int) or not isinstance(dados.get("v"), str):
        return None
    contato = Contato.objects.select_related("protocolo").filter(pk=dados["k"]).abertos().first()
    if contato is None or not contato.valor or contato.valor != dados["v"]:
        return None
    return contato


def pedir_confirmacao(contato, *, protocolo):
    """The one message an unconfirmed e-mail gets: the link that confirms it."""
    corpo = render_to_string(
        "mensagens/confirmacao.txt",
        {
            "protocolo": protocolo,
            "link": link_confirmacao(contato),
            "dias_validade": settings.PROTOCOLO_LINK_DIAS,
        },
    )
    return outbox.enfileirar(
        protocolo=protocolo,
        destinatario=contato.valor,
        assunto=f"Protocolo {protocolo.numero_formatado}: confirme o seu e-mail",
        corpo=corpo,
        contato=contato,
    )


def contato_confirmar(*, contato):
    """Confirm control of the address or telephone (by its link or its code, never ownership of a
    CPF) and release the messages held for it. Confirming twice changes nothing. Returns the contact."""
    with transaction.atomic():
        contato = Contato.objects.select_for_update().get(pk=contato.pk)
        if contato.confirmado_em is not None or contato.encerrado_em is not None:
            return contato
        contato.confirmado_em = relogio.agora()
        contato.save(update_fields=["confirmado_em"])
        retidas = list(Mensagem.objects.filter(contato=contato, aguarda_confirmacao=True).values_list("pk", flat=True))
        Mensagem.objects.filter(pk__in=retidas).update(aguarda_confirmacao=False, proxima_tentativa_em=relogio.agora())
        if contato.protocolo_id is not None:
            protocolo = Protocolo.objects.select_for_update(of=("self",)).get(pk=contato.protocolo_id)
            anexar_ao_historico(
                protocolo,
                tipo=Tipo.CONFIRMACAO_CONTATO,
                origem=Origem.CONSUMIDOR,
                publica=True,
                texto="Telefone confirmado pelo código enviado a ele."
                if contato.tipo == TipoContato.TELEFONE
                else "E-mail confirmado pelo link enviado a ele.",
                detalhes={"contato": contato.pk},
            )
        for pk in retidas:
            outbox.entregar_apos_commit(pk)
    return contato


# Binding ---------------------------------------------------------------------------------------------


def consumidor_vincular_contato(*, consumidor, tipo, valor, origem, verificacao, autor=None, protocolo=None):
    """Bind a contact to the consumer: it then serves every protocol of the CPF and the recovery.
    Only after an identity check: an attendant's (`verificacao` from VERIFICACOES, `autor` with
    permission to serve, recorded on `protocolo`'s timeline) or an OpenID sign-in's (origem oidc,
    verificacao "oidc:<issuer>"). Closes the open bound contact of the same type (a re-binding) and
    warns every contact bound before, so a takeover is never silent. Returns the new contact."""
    verificacao = str(verificacao or "").strip()
    if not verificacao_aceita(origem, verificacao):
        raise DadosInvalidos("Escolha a verificação de identidade feita: sem ela, o contato não é vinculado.")
    if origem in (OrigemContato.ATENDIMENTO, OrigemContato.API):
        if autor is None or not autor.has_perm("protocolo.atender_protocolo"):
            raise PermissaoNegada("Você não tem permissão para vincular contatos.")
        if protocolo is None:
            raise DadosInvalidos("O vínculo é feito durante um atendimento: indique o protocolo.")
    valor = normalizar(tipo, valor)
    if not valor:
        raise DadosInvalidos(f"Informe o {TipoContato(tipo).label} a vincular.")
    with transaction.atomic():
        consumidor = Consumidor.objects.select_for_update().get(pk=consumidor.pk)
        if consumidor.anonimizado_em is not None or not consumidor.cpf:
            raise DadosInvalidos("Só um consumidor identificado pelo CPF recebe contatos vinculados.")
        if protocolo is not None:
            protocolo = Protocolo.objects.select_for_update(of=("self",)).get(pk=protocolo.pk)
            if protocolo.consumidor_id != consumidor.pk:
                raise DadosInvalidos("O protocolo não é deste consumidor.")
        anteriores = list(Contato.objects.filter(consumidor=consumidor).abertos().select_for_update())
        agora = relogio.agora()
        fechar = [c.pk for c in anteriores if c.tipo == tipo]
        Contato.objects.filter(pk__in=fechar).update(encerrado_em=agora)
        novo = Contato.objects.create(
            tipo=tipo,
            valor=valor,
            protocolo=protocolo,
            consumidor=consumidor,
            origem=origem,
            confirmado_em=agora,
            vinculado_em=agora,
            vinculado_por=autor,
            verificacao=verificacao,
            criado_em=agora,
        )
        _avisar_vinculo(anteriores, novo, consumidor=consumidor)
        if protocolo is not None:
            anexar_ao_historico(
                protocolo,
                tipo=Tipo.VINCULACAO_CONTATO,
                origem=_origem_de(autor)
                if origem in (OrigemContato.ATENDIMENTO, OrigemContato.API)
                else Origem.CONSUMIDOR,
                autor=autor,
                texto=f"{TipoContato(tipo).label.capitalize()} vinculado ao consumidor após verificação de identidade.",
                detalhes={
                    "contato": novo.pk,
                    "tipo": tipo,
                    "origem": origem,
                    "verificacao": verificacao,
                    "encerrados": fechar,
                },
            )
    return novo


def _avisar_vinculo(anteriores, novo, *, consumidor):
    """Tell every e-mail bound before that a contact was bound now, so a takeover is not silent."""
    corpo = render_to_string(
        "mensagens/vinculo.txt",
        {
            "nome": consumidor.nome,
            "tipo": novo.get_tipo_display(),
            "valor": _mascarar(novo),
            "quando": novo.vinculado_em,
            "telefone": settings.PROTOCOLO_EMPRESA_TELEFONE,
        },
    )
    for anterior in anteriores:
        if anterior.tipo == TipoContato.EMAIL and anterior.valor and anterior.valor != novo.valor:
            outbox.enfileirar(
                destinatario=anterior.valor,
                assunto="Um novo contato foi vinculado ao seu cadastro",
                corpo=corpo,
                contato=anterior,
            )


def _mascarar(contato):
    """a…@exemplo.com.br / …4321: enough to recognise, too little to learn."""
    if contato.tipo == TipoContato.EMAIL:
        usuario, _, dominio = contato.valor.partition("@")
        return f"{usuario[:1]}…@{dominio}"
    return f"…{contato.valor[-4:]}"


mascarar_contato = _mascarar


# Identity for data-subject requests ---------------------------------------------------------------------


def protocolo_identidade_confirmada(protocolo):
    """Whether the requester of this protocol proved to be its consumer by one of the two binding
    ways (an attendant's identity check or an OpenID sign-in) recorded on this protocol. An LGPD
    request (export, deletion, correction) is answered only then."""
    if protocolo.consumidor_id is None:
        return False
    return Contato.objects.filter(
        protocolo=protocolo, consumidor_id=protocolo.consumidor_id, vinculado_em__isnull=False
    ).exists()


def consumidor_identidade_confirmada(consumidor):
    """Whether a data-subject request of this consumer may be answered: a contact is bound to them
    (by an attendant's identity check or an OpenID sign-in), so the answer goes to someone who
    proved to be them, never to whoever typed the CPF on a public form."""
    return consumidor.contatos.vinculados().exists()


# Recovery by CPF ------------------------------------------------------------------------------------


def consumidor_pedir_protocolos(*, cpf):
    """The portal's part of the recovery: one row, whatever the CPF. What depends on the CPF runs
    in processar_pedidos_de_recuperacao, after the answer."""
    return PedidoDeRecuperacao.objects.create(cpf=_cpf(cpf))


def processar_pedidos_de_recuperacao(*, limite=1000):
    """Answer the pending recovery requests (run by `enviar_mensagens`): every contact bound to the
    CPF's consumer gets the list of all its protocols and the link to all demands; a protocol's own
    confirmed contacts get that protocol only. The CPF is cleared once processed. Returns how many
    requests were processed."""
    feitos = 0
    # The same command delivers them right after, over its one connection to the mail server.
    while feitos < limite:
        with outbox.entrega_adiada(), transaction.atomic():
            pedidos = list(
                PedidoDeRecuperacao.objects.select_for_update(skip_locked=True)
                .filter(processado_em__isnull=True)
                .order_by("pedido_em")[: min(100, limite - feitos)]
            )
            if not pedidos:
                break
            for pedido in pedidos:
                if pedido.cpf:
                    _recuperar(pedido.cpf)
                pedido.cpf = ""
                pedido.processado_em = relogio.agora()
                pedido.save(update_fields=["cpf", "processado_em"])
            feitos += len(pedidos)
    return feitos


def _recuperar(cpf):
    consumidor = Consumidor.objects.filter(cpf=cpf).first()
    if consumidor is None:
        return
    protocolos = list(
        consumidor.protocolos.select_related("categoria").order_by("-aberto_em")[: RECUPERACAO_MAXIMO + 1]
    )
    if not protocolos:
        return
    vinculados = list(consumidor.contatos.vinculados().filter(tipo=TipoContato.EMAIL))
    for contato in vinculados:
        contexto = {
            "nome": consumidor.nome,
            "itens": [(p, link_protocolo(p, contato)) for p in protocolos[:RECUPERACAO_MAXIMO]],
            "mais": len(protocolos) > RECUPERACAO_MAXIMO,
            "link_todos": link_consumidor(consumidor, contato),
            "url_portal": settings.PROTOCOLO_URL_BASE + "/",
            "dias_validade": settings.PROTOCOLO_LINK_DIAS,
        }
        enfileirar_para(
            contato,
            assunto="Seus protocolos de atendimento",
            corpo=render_to_string("mensagens/recuperacao.txt", contexto),
        )
    ja = {c.valor for c in vinculados}
    proprios = (
        Contato.objects.filter(protocolo__in=protocolos[:RECUPERACAO_MAXIMO], consumidor=None, tipo=TipoContato.EMAIL)
        .abertos()
        .exclude(confirmado_em=None)
        .order_by("pk")
    )
    por_protocolo = {p.pk: p for p in protocolos}
    for contato in proprios:
        if contato.valor in ja:
            continue
        protocolo = por_protocolo[contato.protocolo_id]
        contexto = {
            "itens": [(protocolo, link_protocolo(protocolo, contato))],
            "mais": False,
            "link_todos": None,
            "url_portal": settings.PROTOCOLO_URL_BASE + "/",
            "dias_validade": settings.PROTOCOLO_LINK_DIAS,
        }
        enfileirar_para(
            contato,
            protocolo=protocolo,
            assunto=f"Protocolo {protocolo.numero_formatado}: seu atendimento",
            corpo=render_to_string("mensagens/recuperacao.txt", contexto),
        )
