"""The back-office's forms under the hostile corpus: every text stored as typed and shown inert in
the portal, the back-office, the admin, the CSV and the e-mails, or refused in Portuguese; never a 500."""

import pytest
from django.test import Client

from protocolo import services
from protocolo.models import Consumidor, Contato, EscolhaDeCanal, Interacao, Protocolo
from protocolo.services import TEXTO_MAXIMO
from protocolo.services.contatos import mascarar_contato, telefone_e164
from tests.factories import ConsumidorFactory, categoria
from tests.hostil import inerte
from tests.hostil.corpus import CORPUS, LONGO, REPRESENTANTES, esperado

pytestmark = pytest.mark.django_db

# Every atendimento URL that takes a POST, and the test below that sends it hostile input.
FORMULARIOS = {
    "entrar": "test_login_refuses_hostile_credentials",
    "sair": "test_posts_without_text_fields_ignore_hostile_fields",
    "senha": "test_the_password_change_refuses_hostile_input",
    "senha_redefinir": "test_account_forms_answer_hostile_input_in_portuguese",
    "senha_redefinir_nova": "test_account_forms_answer_hostile_input_in_portuguese",
    "verificacao": "test_account_forms_answer_hostile_input_in_portuguese",
    "verificacao_ativar": "test_account_forms_answer_hostile_input_in_portuguese",
    "iniciar": "test_starting_a_service_refuses_a_hostile_channel",
    "novo": "test_one_step_opening_keeps_or_refuses_the_objeto",
    "identificar": "test_identifying_keeps_or_refuses_the_contact",
    "vincular": "test_binding_keeps_or_refuses_the_contact",
    "categoria": "test_choice_and_number_fields_refuse_hostile_input",
    "objeto": "test_every_text_action_keeps_or_refuses_the_text",
    "interacao": "test_a_public_answer_is_kept_as_typed_and_shown_inert_everywhere",
    "situacao": "test_every_text_action_keeps_or_refuses_the_text",
    "assumir": "test_choice_and_number_fields_refuse_hostile_input",
    "atribuir": "test_choice_and_number_fields_refuse_hostile_input",
    "escalar": "test_every_text_action_keeps_or_refuses_the_text",
    "resolver": "test_every_text_action_keeps_or_refuses_the_text",
    "reabrir": "test_every_text_action_keeps_or_refuses_the_text",
    "duplicado": "test_choice_and_number_fields_refuse_hostile_input",
    "cancelar": "test_every_text_action_keeps_or_refuses_the_text",
    "sem_demanda": "test_closing_a_call_without_demand_keeps_or_refuses_the_reason",
    "prorrogar": "test_every_text_action_keeps_or_refuses_the_text",
    "enviar_numero": "test_posts_without_text_fields_ignore_hostile_fields",
    "mostrar_cpf": "test_posts_without_text_fields_ignore_hostile_fields",
    "preferencia": "test_the_channel_forms_refuse_hostile_input",
    "canal_telefone": "test_the_channel_forms_refuse_hostile_input",
    "remover_anexo": "test_the_legal_removal_keeps_or_refuses_the_order_and_the_reason",
}
CONSULTAS = {
    "painel": "test_queue_filters_show_hostile_input_inert",
    "consumidores": "test_queue_filters_show_hostile_input_inert",
}


def _url(protocolo, acao):
    return f"/atendimento/protocolos/{protocolo.numero}/{acao.replace('_', '-')}/"


def _telefone(valor):
    """What a telephone field keeps of `valor`: the telephone in E.164 (docs/seguranca.md,
    "Telefones"), when typed with digits and the usual separators only and within the field's 20
    characters; None when refused."""
    texto = esperado(valor, maximo=20, linhas=False)
    if texto is None:
        return None
    return telefone_e164(texto)


def _recusado(resposta):
    assert resposta.status_code in (200, 409), resposta.status_code
    erros = inerte.erros_do_formulario(resposta) or [m.message for m in resposta.context["messages"]]
    return inerte.erros_em_portugues(erros)


@pytest.mark.parametrize("endereco", ["/atendimento/entrar/", "/admin/login/"])
@pytest.mark.parametrize("campo", ["username", "password"])
@pytest.mark.parametrize("carga", REPRESENTANTES, ids=str)
def test_login_refuses_hostile_credentials(endereco, campo, carga, atendente):
    dados = {"username": atendente.username, "password": "senha-errada", campo: carga.valor}
    resposta = Client(raise_request_exception=False).post(endereco, dados)

    assert resposta.status_code == 200, resposta.status_code
    inerte.erros_em_portugues(inerte.erros_do_formulario(resposta))
    inerte.html_inerte(resposta.text, carga.valor)


def test_a_login_with_a_100_kb_username_is_refused_not_a_database_error(atendente):
    resposta = Client(raise_request_exception=False).post(
        "/atendimento/entrar/", {"username": "a" * LONGO, "password": "x"}
    )

    assert resposta.status_code == 200
    inerte.erros_em_portugues(inerte.erros_do_formulario(resposta))


@pytest.mark.parametrize("campo", ["old_password", "new_password1", "new_password2"])
@pytest.mark.parametrize("carga", REPRESENTANTES, ids=str)
def test_the_password_change_refuses_hostile_input(campo, carga, cliente_atendente):
    dados = {"old_password": "senha-de-teste", "new_password1": "x", "new_password2": "y", campo: carga.valor}
    resposta = cliente_atendente.post("/atendimento/senha/", dados)

    assert resposta.status_code == 200
    inerte.erros_em_portugues(inerte.erros_do_formulario(resposta))
    inerte.html_inerte(resposta.text, carga.valor)


@pytest.mark.parametrize("endereco", ["/atendimento/senha/redefinir/", "/atendimento/verificacao/"])
@pytest.mark.parametrize("carga", REPRESENTANTES, ids=str)
def test_account_forms_answer_hostile_input_in_portuguese(endereco, carga, atendente, supervisor):
    cliente = Client(raise_request_exception=False)
    if "verificacao" in endereco:
        cliente.force_login(supervisor)
    dados = {"email": carga.valor, "codigo": carga.valor, "token": carga.valor, "otp_token": carga.valor}
    resposta = cliente.post(endereco, dados)

    assert resposta.status_code in (200, 302, 404, 429), resposta.status_code
    if resposta.status_code == 200:
        inerte.html_inerte(resposta.text, carga.valor)
        erros = inerte.erros_do_formulario(resposta)
        if erros:
            inerte.erros_em_portugues(erros)


@pytest.mark.parametrize("carga", REPRESENTANTES, ids=str)
def test_starting_a_service_refuses_a_hostile_channel(carga, cliente_atendente):
    resposta = cliente_atendente.post("/atendimento/protocolos/iniciar/", {"canal": carga.valor}, follow=True)

    assert resposta.status_code == 200
    inerte.erros_em_portugues([m.message for m in resposta.context["messages"]])
    assert not Protocolo.objects.exists()


def _novo(**campos):
    return {
        "canal": "chat",
        "cpf": "111.444.777-35",
        "nome": "Joana Teste",
        "email": "joana@exemplo.com.br",
        "telefone": "11 99999-0000",
        "categoria": str(categoria("cobranca").pk),
        "objeto": "Cobrança em dobro.",
        **campos,
    }


@pytest.mark.parametrize("carga", CORPUS, ids=str)
def test_one_step_opening_keeps_or_refuses_the_objeto(carga, cliente_atendente, vitrines):
    resposta = cliente_atendente.post("/atendimento/protocolos/novo/", _novo(objeto=carga.valor))

    valor = esperado(carga.valor, maximo=TEXTO_MAXIMO, linhas=True)
    if valor is None:
        _recusado(resposta)
        inerte.html_inerte(resposta.text, carga.valor)
        assert not Protocolo.objects.filter(consumidor__cpf="11144477735").exists()
        return
    assert resposta.status_code == 302, resposta.status_code
    protocolo = Protocolo.objects.get(consumidor__cpf="11144477735")
    assert protocolo.objeto == valor
    vitrines.retaguarda(protocolo, valor)
    vitrines.admin(protocolo, valor, coluna="objeto")


@pytest.mark.parametrize(("campo", "maximo"), [("nome", 200), ("telefone", 20), ("email", 254), ("cpf", 20)])
@pytest.mark.parametrize("carga", REPRESENTANTES, ids=str)
def test_one_step_opening_keeps_or_refuses_the_contact(campo, maximo, carga, cliente_atendente):
    resposta = cliente_atendente.post("/atendimento/protocolos/novo/", _novo(**{campo: carga.valor}))

    consumidor = Consumidor.objects.filter(cpf="11144477735").first() if campo != "cpf" else None
    if consumidor is None:
        _recusado(resposta)
        inerte.html_inerte(resposta.text, carga.valor)
        assert not Protocolo.objects.exists()
        return
    assert campo in ("nome", "telefone")
    if campo == "nome":
        assert consumidor.nome == esperado(carga.valor, maximo=maximo, linhas=False)
    else:
        assert Contato.objects.get(tipo="telefone").valor == _telefone(carga.valor)


@pytest.mark.parametrize("campo", ["canal", "categoria"])
@pytest.mark.parametrize("carga", REPRESENTANTES, ids=str)
def test_one_step_opening_refuses_hostile_choices(campo, carga, cliente_atendente):
    resposta = cliente_atendente.post("/atendimento/protocolos/novo/", _novo(**{campo: carga.valor}))

    _recusado(resposta)
    inerte.html_inerte(resposta.text, carga.valor)
    assert not Protocolo.objects.exists()


@pytest.mark.parametrize("campo", ["nome", "telefone", "email"])
@pytest.mark.parametrize("carga", REPRESENTANTES, ids=str)
def test_identifying_keeps_or_refuses_the_contact(campo, carga, atendente, cliente_atendente, vitrines):
    protocolo = services.protocolo_abrir(canal="telefone", atendente=atendente)
    dados = {"identificar-versao": protocolo.versao, "identificar-nome": "Joana", f"identificar-{campo}": carga.valor}
    resposta = cliente_atendente.post(_url(protocolo, "identificar"), dados)

    protocolo.refresh_from_db()
    maximo = {"nome": 200, "telefone": 20, "email": 254}[campo]
    valor = esperado(carga.valor, maximo=maximo, linhas=False)
    if campo == "telefone":
        valor = _telefone(carga.valor)
    if protocolo.consumidor is None:
        _recusado(resposta)
        inerte.html_inerte(resposta.text, carga.valor)
        assert campo == "email" or valor is None
        return
    assert resposta.status_code == 302
    if campo == "nome":
        assert protocolo.consumidor.nome == valor
        vitrines.retaguarda(protocolo, valor)
    else:
        # A contact of this protocol, shown masked on its page (docs/seguranca.md, "Contatos").
        contato = protocolo.contatos.get(tipo=campo)
        assert contato.valor == valor.lower()
        vitrines.retaguarda(protocolo, mascarar_contato(contato))
    vitrines.admin(protocolo, valor, mostra=False)


def _preparar(protocolo, acao, atendente):
    if acao == "reabrir":
        services.protocolo_resolver(protocolo=protocolo, texto="Resolvido.", autor=atendente)
    protocolo.refresh_from_db()
    return protocolo


ACOES_DE_TEXTO = {
    # action: (its text field, other fields, whether the consumer sees the text)
    "objeto": ("objeto", {}, True),
    "situacao": ("texto", {"situacao": "em_atendimento"}, True),
    "escalar": ("motivo", {}, False),
    "resolver": ("texto", {}, True),
    "reabrir": ("motivo", {}, False),
    "cancelar": ("motivo", {}, True),
    "prorrogar": ("motivo", {"novo_prazo": "2099-12-31"}, False),
}


@pytest.mark.parametrize("acao", list(ACOES_DE_TEXTO))
@pytest.mark.parametrize("carga", REPRESENTANTES, ids=str)
def test_every_text_action_keeps_or_refuses_the_text(acao, carga, protocolo, atendente, cliente_supervisor, vitrines):
    protocolo = _preparar(protocolo, acao, atendente)
    campo, outros, publico = ACOES_DE_TEXTO[acao]
    antes = protocolo.interacoes.count()
    dados = {f"{acao}-versao": protocolo.versao, f"{acao}-{campo}": carga.valor}
    dados |= {f"{acao}-{chave}": valor for chave, valor in outros.items()}
    resposta = cliente_supervisor.post(_url(protocolo, acao), dados)

    valor = esperado(carga.valor, maximo=TEXTO_MAXIMO, linhas=True)
    if valor is None:
        _recusado(resposta)
        inerte.html_inerte(resposta.text, carga.valor)
        assert protocolo.interacoes.count() == antes
        return
    assert resposta.status_code == 302, (resposta.status_code, inerte.erros_do_formulario(resposta))
    protocolo.refresh_from_db()
    if acao == "objeto":
        assert protocolo.objeto == valor
    else:
        assert protocolo.interacoes.latest("ordem").texto == valor
    vitrines.retaguarda(protocolo, valor)
    vitrines.admin(protocolo, valor, mostra=True)
    vitrines.portal(protocolo, valor, mostra=publico)
    if acao in ("resolver", "cancelar"):
        vitrines.mensagens(protocolo, valor)


@pytest.mark.parametrize("carga", REPRESENTANTES, ids=str)
def test_closing_a_call_without_demand_keeps_or_refuses_the_reason(carga, atendente, cliente_atendente, vitrines):
    # Only its opener closes it, the same day, before any demand: a call opened here by that attendant.
    protocolo = services.protocolo_abrir(canal="telefone", atendente=atendente)
    antes = protocolo.interacoes.count()
    dados = {"sem_demanda-versao": protocolo.versao, "sem_demanda-motivo": carga.valor}
    resposta = cliente_atendente.post(_url(protocolo, "sem_demanda"), dados)

    valor = esperado(carga.valor, maximo=TEXTO_MAXIMO, linhas=True)
    if valor is None:
        _recusado(resposta)
        inerte.html_inerte(resposta.text, carga.valor)
        assert protocolo.interacoes.count() == antes
        return
    assert resposta.status_code == 302, (resposta.status_code, inerte.erros_do_formulario(resposta))
    protocolo.refresh_from_db()
    assert protocolo.situacao == "sem_demanda"
    assert protocolo.interacoes.latest("ordem").texto == valor
    vitrines.retaguarda(protocolo, valor)


@pytest.mark.parametrize("tipo", ["publica", "interna"])
@pytest.mark.parametrize("carga", CORPUS, ids=str)
def test_a_public_answer_is_kept_as_typed_and_shown_inert_everywhere(
    tipo, carga, protocolo, cliente_atendente, vitrines
):
    antes = protocolo.interacoes.count()
    dados = {"interacao-tipo": tipo, "interacao-texto": carga.valor}
    resposta = cliente_atendente.post(_url(protocolo, "interacao"), dados)

    valor = esperado(carga.valor, maximo=TEXTO_MAXIMO, linhas=True)
    if valor is None:
        _recusado(resposta)
        inerte.html_inerte(resposta.text, carga.valor)
        assert protocolo.interacoes.count() == antes
        return
    assert resposta.status_code == 302, resposta.status_code
    assert protocolo.interacoes.latest("ordem").texto == valor
    publica = tipo == "publica"
    vitrines.portal(protocolo, valor, mostra=publica)
    if not publica:
        assert valor not in protocolo.mensagens.values_list("corpo", flat=True)
        return
    vitrines.retaguarda(protocolo, valor)
    vitrines.admin(protocolo, valor, mostra=False)
    vitrines.mensagens(protocolo, valor)


NAO_TEXTO = {
    "categoria": {"categoria": None},
    "assumir": {},
    "atribuir": {"responsavel": None},
    "duplicado": {"numero": None},
    "situacao": {"situacao": None},
    "interacao": {"tipo": None, "texto": "Olá."},
    "prorrogar": {"novo_prazo": None, "motivo": "Feriado."},
}


@pytest.mark.parametrize(
    ("acao", "campo"),
    [
        (acao, campo)
        for acao, campos in NAO_TEXTO.items()
        # Every form that changes the protocol carries its versão; a note does not.
        for campo in [*(c for c, v in campos.items() if v is None), *(["versao"] if acao != "interacao" else [])]
    ],
)
@pytest.mark.parametrize("carga", REPRESENTANTES, ids=str)
def test_choice_and_number_fields_refuse_hostile_input(acao, campo, carga, protocolo, cliente_supervisor):
    antes = (protocolo.interacoes.count(), protocolo.versao)
    dados = {f"{acao}-versao": protocolo.versao}
    dados |= {f"{acao}-{chave}": valor for chave, valor in NAO_TEXTO[acao].items() if valor is not None}
    dados[f"{acao}-{campo}"] = carga.valor
    resposta = cliente_supervisor.post(_url(protocolo, acao), dados)

    _recusado(resposta)
    inerte.html_inerte(resposta.text, carga.valor)
    protocolo.refresh_from_db()
    assert (protocolo.interacoes.count(), protocolo.versao) == antes


@pytest.mark.parametrize("acao", ["enviar_numero", "mostrar_cpf", "sair"])
@pytest.mark.parametrize("carga", REPRESENTANTES, ids=str)
def test_posts_without_text_fields_ignore_hostile_fields(acao, carga, protocolo, cliente_supervisor):
    endereco = "/atendimento/sair/" if acao == "sair" else _url(protocolo, acao)
    resposta = cliente_supervisor.post(endereco, {"texto": carga.valor, f"{acao}-versao": carga.valor})

    assert resposta.status_code in (200, 302), resposta.status_code
    if resposta.status_code == 200:
        inerte.html_inerte(resposta.text, carga.valor)
    assert (
        not Interacao.objects.filter(protocolo=protocolo)
        .exclude(texto="")
        .filter(
            pk__in=[i.pk for i in protocolo.interacoes.all() if carga.valor.strip() and carga.valor.strip() in i.texto]
        )
    )


@pytest.mark.parametrize(
    "parametro", ["q", "situacao", "categoria", "responsavel", "nivel", "prazo", "pagina", "por_pagina"]
)
@pytest.mark.parametrize("carga", REPRESENTANTES, ids=str)
def test_queue_filters_show_hostile_input_inert(parametro, carga, protocolo, cliente_atendente):
    resposta = cliente_atendente.get("/atendimento/", {parametro: carga.valor})

    assert resposta.status_code == 200, resposta.status_code
    inerte.html_inerte(resposta.text, carga.valor)
    if parametro == "q":
        resposta = cliente_atendente.get("/atendimento/consumidores/", {"q": carga.valor})
        assert resposta.status_code == 200, resposta.status_code
        inerte.html_inerte(resposta.text, carga.valor)
        if esperado(carga.valor, maximo=200, linhas=False) is None:
            inerte.erros_em_portugues(inerte.erros_do_formulario(resposta))


@pytest.mark.parametrize("campo", ["tipo", "valor", "verificacao"])
@pytest.mark.parametrize("carga", REPRESENTANTES, ids=str)
def test_binding_keeps_or_refuses_the_contact(campo, carga, atendente, cliente_atendente, vitrines):
    consumidor = ConsumidorFactory(email="", telefone="")
    protocolo = services.protocolo_abrir(canal="telefone", atendente=atendente, consumidor=consumidor)
    dados = {
        "vincular-tipo": "email",
        "vincular-valor": "joana@exemplo.com.br",
        "vincular-verificacao": "documento_presencial",
        f"vincular-{campo}": carga.valor,
    }
    resposta = cliente_atendente.post(_url(protocolo, "vincular"), dados)

    contato = consumidor.contatos.first()
    if contato is None:
        _recusado(resposta)
        inerte.html_inerte(resposta.text, carga.valor)
        return
    assert campo == "valor"
    assert contato.valor == esperado(carga.valor, maximo=254, linhas=False).lower()
    vitrines.retaguarda(protocolo, mascarar_contato(contato))


@pytest.mark.parametrize("acao", ["preferencia", "canal_telefone"])
@pytest.mark.parametrize("carga", REPRESENTANTES, ids=str)
def test_the_channel_forms_refuse_hostile_input(acao, carga, protocolo, cliente_atendente):
    campos = ("canal_preferido", "contato", "canal", "acao", "pedido")
    resposta = cliente_atendente.post(_url(protocolo, acao), {f"{acao}-{campo}": carga.valor for campo in campos})

    assert resposta.status_code == 200, resposta.status_code
    inerte.html_inerte(resposta.text, carga.valor)
    assert Protocolo.objects.get(pk=protocolo.pk).canal_preferido == ""
    assert not EscolhaDeCanal.objects.exists()


@pytest.mark.parametrize("carga", CORPUS, ids=str)
@pytest.mark.parametrize("campo", ["referencia", "motivo"])
def test_the_legal_removal_keeps_or_refuses_the_order_and_the_reason(
    carga, campo, protocolo, cliente_supervisor, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile
    from django.urls import reverse

    from protocolo.models import Anexo

    entrada = services.anexar(
        protocolo=protocolo, arquivos=[ContentFile(b"prova", name="a.txt")], origem=Interacao.Origem.CONSUMIDOR
    )
    dados = {"referencia": "0001234-56.2026.8.26.0100", "motivo": "Conteúdo ilícito.", campo: carga.valor}
    endereco = reverse("atendimento:remover_anexo", args=[protocolo.numero, entrada.ordem, 1])
    with django_capture_on_commit_callbacks(execute=True):
        resposta = cliente_supervisor.post(endereco, dados)
    linhas = campo == "motivo"
    valor = esperado(carga.valor, maximo=TEXTO_MAXIMO if linhas else 200, linhas=linhas)
    if valor is None:
        _recusado(resposta)
        inerte.html_inerte(resposta.text, carga.valor)
        assert not Anexo.objects.filter(removido_em__isnull=False).exists()
        return
    assert resposta.status_code == 302, resposta.status_code
    registro = protocolo.interacoes.latest("ordem")
    assert registro.tipo == Interacao.Tipo.REMOCAO_ANEXO
    assert registro.detalhes["ordem_judicial" if campo == "referencia" else "motivo"] == valor
    pagina = cliente_supervisor.get(f"/atendimento/protocolos/{protocolo.numero}/")
    inerte.html_inerte(pagina.text, carga.valor)
