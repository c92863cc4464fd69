"""The second factor in the back-office (docs/seguranca.md, "Verificação em duas etapas"): a
supervisor's own powers (assign to others, cancel, extend a deadline) wait for the authenticator's
code, while the attendant's work a supervisor also does goes on with the password alone; where
PROTOCOLO_SEGUNDO_FATOR_ATENDENTES asks for it, the whole back-office waits for the code."""

import datetime
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from stdnum.br import cpf

from protocolo.contas import segundo_fator
from protocolo.models import AcessoDadoPessoal, Interacao, Protocolo, Situacao
from tests.atendimento import permissoes
from tests.factories import AtendenteFactory, ConsumidorFactory, UsuarioFactory, abrir, categoria
from tests.segundo_fator import codigo, dispositivo_de
from tests.seguranca import rotas

VERIFICAR = reverse("atendimento:verificacao")
ATIVAR = reverse("atendimento:verificacao_ativar")
PAINEL = reverse("atendimento:painel")


def pagina(protocolo, acao=None):
    if acao is None:
        return reverse("atendimento:protocolo", args=[protocolo.numero])
    return reverse(f"atendimento:{acao}", args=[protocolo.numero])


def verificar_e_voltar(protocolo):
    return f"{VERIFICAR}?{urlencode({'next': pagina(protocolo)})}"


@pytest.fixture
def protocolo(atendente):
    return abrir(atendente=atendente, consumidor=ConsumidorFactory(email="maria@exemplo.com.br"))


@pytest.fixture
def sem_verificar(client, supervisor):
    """A supervisor who typed the password and not yet the code (a device is enrolled)."""
    dispositivo_de(supervisor)
    client.force_login(supervisor, verificado=False)
    return client


def _dados(protocolo, acao, colega=None):
    if acao == "cancelar":
        return {"cancelar-versao": protocolo.versao, "cancelar-motivo": "Engano."}
    if acao == "prorrogar":
        return {
            "prorrogar-versao": protocolo.versao,
            "prorrogar-novo_prazo": (protocolo.prazo + datetime.timedelta(days=5)).isoformat(),
            "prorrogar-motivo": "Perícia.",
        }
    return {"atribuir-versao": protocolo.versao, "atribuir-responsavel": colega.pk}


def _retrato(protocolo):
    protocolo.refresh_from_db()
    return (
        protocolo.situacao,
        protocolo.prazo,
        protocolo.responsavel_id,
        protocolo.versao,
        protocolo.interacoes.count(),
    )


# A supervisor's powers ----------------------------------------------------------------------------

PODERES = ["cancelar", "prorrogar", "atribuir"]


@pytest.mark.parametrize("acao", PODERES)
def test_a_supervisors_power_without_the_code_is_sent_to_verify_and_changes_nothing(sem_verificar, protocolo, acao):
    antes = _retrato(protocolo)

    resposta = sem_verificar.post(pagina(protocolo, acao), _dados(protocolo, acao, AtendenteFactory()))

    assert resposta.status_code == 302
    assert resposta.url == verificar_e_voltar(protocolo)
    assert _retrato(protocolo) == antes


@pytest.mark.parametrize("acao", PODERES)
def test_a_supervisors_power_without_a_device_is_sent_to_enrol(client, supervisor, protocolo, acao):
    client.force_login(supervisor, verificado=False)
    antes = _retrato(protocolo)

    resposta = client.post(pagina(protocolo, acao), _dados(protocolo, acao, AtendenteFactory()), follow=True)

    assert resposta.redirect_chain[-1][0] == f"{ATIVAR}?{urlencode({'next': pagina(protocolo)})}"
    assert "Ativar a verificação em duas etapas" in resposta.text
    assert _retrato(protocolo) == antes


def test_with_the_code_the_supervisor_cancels_extends_and_assigns(client, supervisor, protocolo):
    client.force_login(supervisor)
    colega = AtendenteFactory()

    for acao in ("prorrogar", "atribuir", "cancelar"):
        protocolo.refresh_from_db()
        resposta = client.post(pagina(protocolo, acao), _dados(protocolo, acao, colega))
        assert resposta.status_code == 302
        assert resposta.url == pagina(protocolo)

    protocolo.refresh_from_db()
    assert protocolo.situacao == Situacao.CANCELADO
    assert protocolo.responsavel == colega
    assert protocolo.interacoes.filter(tipo=Interacao.Tipo.PRORROGACAO, autor=supervisor).exists()


def test_the_page_offers_the_code_instead_of_the_supervisors_forms_and_the_code_brings_them_back(
    sem_verificar, supervisor, protocolo
):
    resposta = sem_verificar.get(pagina(protocolo))

    assert resposta.status_code == 200
    assert not {"atribuir", "cancelar", "prorrogar"} & set(resposta.context["f"])
    assert resposta.context["verificar_supervisao"] == verificar_e_voltar(protocolo)
    assert f'href="{verificar_e_voltar(protocolo).replace("&", "&amp;")}"' in resposta.text

    verificado = sem_verificar.post(
        VERIFICAR, {"codigo": codigo(dispositivo_de(supervisor)), "next": pagina(protocolo)}, follow=True
    )

    assert verificado.redirect_chain == [(pagina(protocolo), 302)]
    assert {"atribuir", "cancelar", "prorrogar"} <= set(verificado.context["f"])
    assert verificado.context["verificar_supervisao"] is None


def test_the_attendants_work_goes_on_without_the_code(sem_verificar, supervisor):
    protocolo = abrir(consumidor=ConsumidorFactory())

    assert sem_verificar.get(PAINEL).status_code == 200
    assumido = sem_verificar.post(pagina(protocolo, "assumir"), {"assumir-versao": protocolo.versao})
    nota = sem_verificar.post(
        pagina(protocolo, "interacao"), {"interacao-texto": "Liguei de volta.", "interacao-tipo": "interna"}
    )

    assert assumido.url == nota.url == pagina(protocolo)
    protocolo.refresh_from_db()
    assert protocolo.responsavel == supervisor
    assert protocolo.interacoes.filter(texto="Liguei de volta.", autor=supervisor).exists()


def test_taking_a_colleagues_protocol_is_a_power_that_waits_for_the_code(sem_verificar, protocolo, atendente):
    resposta = sem_verificar.post(pagina(protocolo, "assumir"), {"assumir-versao": protocolo.versao}, follow=True)

    assert "peça a um supervisor" in resposta.text
    protocolo.refresh_from_db()
    assert protocolo.responsavel == atendente


@pytest.mark.parametrize(("verificado", "adiado"), [(False, False), (True, True)])
def test_a_later_deadline_by_a_new_categoria_is_a_power_that_waits_for_the_code(
    client, supervisor, protocolo, verificado, adiado
):
    dispositivo_de(supervisor)
    client.force_login(supervisor, verificado=verificado)
    prazo = protocolo.prazo

    client.post(
        pagina(protocolo, "categoria"),
        {"categoria-versao": protocolo.versao, "categoria-categoria": categoria("lgpd").pk},
    )

    protocolo.refresh_from_db()
    assert protocolo.categoria.codigo == "lgpd"
    assert (protocolo.prazo > prazo) is adiado


def test_a_superuser_without_the_code_cancels_nothing(client, protocolo):
    raiz = UsuarioFactory(is_staff=True, is_superuser=True)
    client.force_login(raiz, verificado=False)

    resposta = client.post(pagina(protocolo, "cancelar"), _dados(protocolo, "cancelar"))

    assert resposta.url == verificar_e_voltar(protocolo)
    protocolo.refresh_from_db()
    assert protocolo.situacao != Situacao.CANCELADO


def test_after_the_code_next_never_leaves_the_site(sem_verificar, supervisor):
    resposta = sem_verificar.post(
        VERIFICAR, {"codigo": codigo(dispositivo_de(supervisor)), "next": "https://malicioso.exemplo/"}
    )

    assert resposta.url == "/admin/"


# Attendants, where the setting asks for it ---------------------------------------------------------


@pytest.fixture
def exigido(settings):
    settings.PROTOCOLO_SEGUNDO_FATOR_ATENDENTES = True


def test_with_the_setting_off_an_attendant_works_and_never_sees_the_second_factor(
    settings, client, atendente, protocolo
):
    settings.PROTOCOLO_SEGUNDO_FATOR_ATENDENTES = False
    client.force_login(atendente)

    assert client.get(PAINEL).status_code == 200
    assert client.post(pagina(protocolo, "mostrar_cpf")).status_code == 200
    assert client.get(VERIFICAR).status_code == 403


def test_with_the_setting_on_an_attendant_without_a_device_is_taken_to_enrol_and_then_back(exigido, client, atendente):
    client.force_login(atendente)

    resposta = client.get(PAINEL, follow=True)
    assert resposta.redirect_chain[-1][0] == f"{ATIVAR}?{urlencode({'next': PAINEL})}"
    chave = client.session[segundo_fator.CHAVE_PENDENTE]

    ativado = client.post(ATIVAR, {"codigo": codigo(TOTPDevice(user=atendente, key=chave)), "next": PAINEL})

    assert ativado.url == PAINEL
    assert client.get(PAINEL).status_code == 200
    assert TOTPDevice.objects.get(user=atendente).confirmed


@pytest.mark.parametrize(
    "endereco", [PAINEL, reverse("atendimento:consumidores"), reverse("atendimento:novo"), reverse("atendimento:senha")]
)
def test_with_the_setting_on_every_back_office_page_asks_an_attendant_for_the_code(
    exigido, client, atendente, endereco
):
    dispositivo_de(atendente)
    client.force_login(atendente)

    resposta = client.get(endereco)

    assert resposta.status_code == 302
    assert resposta.url == f"{VERIFICAR}?{urlencode({'next': endereco})}"


def test_with_the_setting_on_revealing_a_cpf_waits_for_the_code(exigido, client, atendente, protocolo):
    dispositivo = dispositivo_de(atendente)
    client.force_login(atendente)

    recusado = client.post(pagina(protocolo, "mostrar_cpf"))
    assert recusado.url == verificar_e_voltar(protocolo)
    assert not AcessoDadoPessoal.objects.exists()

    client.post(VERIFICAR, {"codigo": codigo(dispositivo), "next": pagina(protocolo)})
    revelado = client.post(pagina(protocolo, "mostrar_cpf"))

    assert revelado.status_code == 200
    assert cpf.compact(revelado.context["cpf_revelado"]) == protocolo.consumidor.cpf
    assert AcessoDadoPessoal.objects.filter(usuario=atendente).count() == 1


def test_with_the_setting_on_a_post_without_the_code_changes_nothing(exigido, client, atendente, protocolo):
    dispositivo_de(atendente)
    client.force_login(atendente)
    antes = _retrato(protocolo)

    resposta = client.post(
        pagina(protocolo, "interacao"), {"interacao-texto": "Sem código.", "interacao-tipo": "interna"}
    )

    assert resposta.url == verificar_e_voltar(protocolo)
    assert _retrato(protocolo) == antes


def test_with_the_setting_on_a_verified_attendant_goes_back_to_the_back_office_by_default(exigido, client, atendente):
    dispositivo = dispositivo_de(atendente)
    client.force_login(atendente)

    resposta = client.post(VERIFICAR, {"codigo": codigo(dispositivo), "next": "https://malicioso.exemplo/"})

    assert resposta.url == PAINEL
    assert client.get(PAINEL).status_code == 200


# Every back-office URL ----------------------------------------------------------------------------

ABERTAS = {"atendimento:entrar", "atendimento:sair", *(f"atendimento:{nome}" for nome in permissoes.REDEFINICAO)}
VERIFICACAO = {f"atendimento:{nome}" for nome in permissoes.SEGUNDO_FATOR}


def _endereco(clientes, nome):
    return rotas.endereco(rotas.Rota(nome, nome), rotas.Objetos(clientes), permissoes.ARGUMENTOS)


def _esperado_sem_codigo(nome, metodo):
    """What a supervisor who gave the password alone gets: the verified supervisor's answer, except
    for a supervisor's power (sent to the code) and the second factor's own pages."""
    if permissoes.ESPERADO[nome, metodo] is permissoes.SUPERVISAO and (
        metodo == "post" or nome in permissoes.PODERES_COM_PAGINA
    ):
        return VERIFICAR
    if nome == "atendimento:verificacao":
        return 200
    if nome == "atendimento:verificacao_ativar":
        return VERIFICAR
    return permissoes.ESPERADO[nome, metodo][-1]


@pytest.mark.parametrize(("nome", "metodo"), list(permissoes.ESPERADO))
def test_a_supervisor_without_the_code_gets_every_back_office_url_as_the_table_says_but_the_powers(
    clientes, supervisor, nome, metodo
):
    dispositivo_de(supervisor)
    clientes["supervisor"].force_login(supervisor, verificado=False)
    esperado = _esperado_sem_codigo(nome, metodo)

    resposta = getattr(clientes["supervisor"], metodo)(_endereco(clientes, nome))
    if getattr(resposta, "streaming", False):
        b"".join(resposta.streaming_content)  # a file is closed once read to its end

    if isinstance(esperado, str):
        assert resposta.status_code == 302
        assert resposta.url.split("?")[0] == esperado
    else:
        assert resposta.status_code == esperado


@pytest.mark.parametrize(
    ("nome", "metodo"),
    [
        (nome, metodo)
        for (nome, metodo), esperado in permissoes.ESPERADO.items()
        if nome not in ABERTAS | VERIFICACAO and esperado[3] not in (403, 405, permissoes.LOGIN)
    ],
)
def test_with_the_setting_on_every_back_office_url_an_attendant_may_use_asks_for_the_code_first(
    exigido, clientes, nome, metodo
):
    atendente = rotas.usuario_de(clientes["atendente"])
    dispositivo_de(atendente)
    # The address first: some are made of rows (a file to download) that the snapshot must include.
    endereco = _endereco(clientes, nome)
    antes = _retrato(clientes.protocolo), Protocolo.objects.count(), AcessoDadoPessoal.objects.count()

    resposta = getattr(clientes["atendente"], metodo)(endereco)

    assert resposta.status_code == 302
    assert resposta.url.split("?")[0] == VERIFICAR
    assert (_retrato(clientes.protocolo), Protocolo.objects.count(), AcessoDadoPessoal.objects.count()) == antes
