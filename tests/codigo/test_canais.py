"""The consumer chooses and stops channels from the portal; the back-office sees them and records
what the consumer asks (docs/seguranca.md, "Canais e preferência")."""

import pytest
from django.urls import reverse

from protocolo import canais
from protocolo.models import CanalPreferido, EscolhaDeCanal, Interacao, Protocolo
from tests.codigo.conftest import TELEFONE, abrir_no_portal, codigo_de, telefone_de
from tests.segundo_fator import Cliente

pytestmark = pytest.mark.django_db


@pytest.fixture
def confirmado(client, aberto, caixa):
    """The portal's protocol with its telephone confirmed by its code."""
    resposta = client.post(
        reverse("consumidor:confirmar_telefone", args=[aberto.numero]),
        {"telefone": telefone_de(aberto).pk, "codigo": codigo_de(caixa)},
    )
    assert resposta.status_code == 302
    return aberto


def _parar(client, protocolo, canal="sms", acao="parar"):
    return client.post(
        reverse("consumidor:canal_do_telefone", args=[protocolo.numero]),
        {"telefone": telefone_de(protocolo).pk, "canal": canal, "acao": acao},
    )


def _ultima(protocolo):
    return protocolo.interacoes.order_by("-ordem").first()


def test_stopping_sms_on_the_portal_is_recorded_and_honoured(client, confirmado):
    resposta = _parar(client, confirmado)

    assert resposta.status_code == 302
    assert canais.aceita(TELEFONE, "sms") is False
    escolha = EscolhaDeCanal.objects.get()
    assert (escolha.telefone, escolha.canal, escolha.aceita, escolha.origem, escolha.protocolo_id) == (
        TELEFONE,
        "sms",
        False,
        EscolhaDeCanal.Origem.PORTAL,
        confirmado.pk,
    )
    entrada = _ultima(confirmado)
    assert (entrada.tipo, entrada.origem, entrada.publica) == (Interacao.Tipo.CANAIS, "consumidor", True)
    assert entrada.texto == "SMS parado para o telefone …4321."
    pagina = client.get(reverse("consumidor:protocolo", args=[confirmado.numero])).text
    assert 'data-canal="sms" data-aceita="nao"' in pagina
    assert "parado</span> desde" in pagina
    assert "Voltar a receber por SMS" in pagina

    assert _parar(client, confirmado, acao="retomar").status_code == 302
    assert canais.aceita(TELEFONE, "sms") is True
    assert EscolhaDeCanal.objects.count() == 2


def test_a_channel_the_telephone_stopped_by_keyword_is_not_resumed_from_the_portal(client, confirmado):
    canais.registrar(telefone=TELEFONE, canal="sms", aceita=False, origem=EscolhaDeCanal.Origem.PALAVRA_CHAVE)

    resposta = _parar(client, confirmado, acao="retomar")

    assert resposta.status_code == 200
    assert "peça ao atendimento" in resposta.text
    assert canais.aceita(TELEFONE, "sms") is False


def test_an_unconfirmed_telephone_cannot_stop_a_channel(client, aberto):
    """A stop applies to the telephone everywhere: one typed by anyone cannot silence it."""
    resposta = _parar(client, aberto)

    assert resposta.status_code == 200
    assert "recarregue a página" in resposta.text
    assert not EscolhaDeCanal.objects.exists()


def test_the_preference_is_saved_and_recorded(client, confirmado):
    url = reverse("consumidor:preferir_canal", args=[confirmado.numero])

    assert client.post(url, {"canal_preferido": "sms"}).status_code == 302

    confirmado.refresh_from_db()
    assert confirmado.canal_preferido == CanalPreferido.SMS
    entrada = _ultima(confirmado)
    assert (entrada.tipo, entrada.texto, entrada.publica) == (Interacao.Tipo.CANAIS, "Preferência de canal: SMS.", True)
    assert entrada.detalhes["origem"] == "portal"
    # WhatsApp is not offered while the company does not send by it.
    resposta = client.post(url, {"canal_preferido": "whatsapp"})
    assert resposta.status_code == 200
    assert "Escolha um canal da lista." in resposta.text
    assert Protocolo.objects.get(pk=confirmado.pk).canal_preferido == CanalPreferido.SMS


def test_the_opening_takes_the_preference(client, caixa):
    protocolo = abrir_no_portal(client, canal_preferido="sms")

    assert protocolo.canal_preferido == CanalPreferido.SMS


def test_preferring_sms_without_a_telephone_is_a_form_error(client, caixa):
    resposta = client.post(
        "/abrir/",
        {
            "cpf": "52998224725",
            "nome": "Maria",
            "email": "maria@exemplo.com.br",
            "telefone": "",
            "canal_preferido": "sms",
            "categoria": "1",
            "objeto": "Algo.",
        },
    )

    assert resposta.status_code == 200
    assert "Para receber por SMS ou WhatsApp, informe o telefone." in resposta.text


def test_without_sms_or_whatsapp_the_portal_asks_no_telephone_and_no_channel(client):
    pagina = client.get("/abrir/").text

    assert 'name="telefone"' not in pagina
    assert 'name="canal_preferido"' not in pagina


def test_a_bad_telephone_on_the_opening_is_a_form_error(client, caixa):
    resposta = client.post("/abrir/", {"telefone": "12345"})

    assert resposta.status_code == 200
    assert "Telefone inválido" in resposta.text


# The protocol's page: bounded queries ------------------------------------------------------------


def test_the_page_with_telephones_takes_five_queries(client, confirmado, django_assert_num_queries):
    _parar(client, confirmado)
    # 1. the session; 2. the protocol; 3. its public timeline; 4. its contacts; 5. the choices in
    # force for its confirmed telephones (a telephone awaiting its code would add its live code).
    with django_assert_num_queries(5):
        resposta = client.get(reverse("consumidor:protocolo", args=[confirmado.numero]))

    assert resposta.status_code == 200
    assert "Como prefere receber as mensagens" in resposta.text


# The back-office ---------------------------------------------------------------------------------


@pytest.fixture
def cliente_atendente(atendente):
    cliente = Cliente()
    cliente.force_login(atendente)
    return cliente


def _pagina(cliente, protocolo):
    return cliente.get(reverse("atendimento:protocolo", args=[protocolo.numero])).text


def test_the_attendant_sees_each_telephones_channels_and_the_preference(client, confirmado, cliente_atendente):
    _parar(client, confirmado)
    client.post(reverse("consumidor:preferir_canal", args=[confirmado.numero]), {"canal_preferido": "email"})

    pagina = _pagina(cliente_atendente, confirmado)

    assert 'data-canal="sms" data-aceita="nao"' in pagina
    assert "parado</span> desde" in pagina
    assert "portal do consumidor" in pagina
    assert "Canal preferido: <strong>e-mail</strong>" in pagina


def test_the_attendant_records_a_stated_preference(confirmado, cliente_atendente, atendente):
    url = reverse("atendimento:preferencia", args=[confirmado.numero])

    assert cliente_atendente.post(url, {"preferencia-canal_preferido": "sms"}).status_code == 302

    confirmado.refresh_from_db()
    assert confirmado.canal_preferido == "sms"
    entrada = _ultima(confirmado)
    assert (entrada.autor, entrada.texto) == (
        atendente,
        "Preferência de canal informada pelo consumidor ao atendimento: SMS.",
    )
    assert entrada.detalhes["origem"] == "atendimento"


def test_the_attendant_resumes_a_stopped_channel_only_as_the_consumers_request(
    client, confirmado, cliente_atendente, atendente
):
    _parar(client, confirmado)
    url = reverse("atendimento:canal_telefone", args=[confirmado.numero])
    dados = {
        "canal_telefone-contato": telefone_de(confirmado).pk,
        "canal_telefone-canal": "sms",
        "canal_telefone-acao": "retomar",
    }

    sem_pedido = cliente_atendente.post(url, dados)

    assert sem_pedido.status_code == 200
    assert "Só o consumidor pode pedir para voltar a receber" in sem_pedido.text
    assert canais.aceita(TELEFONE, "sms") is False

    assert cliente_atendente.post(url, {**dados, "canal_telefone-pedido": "on"}).status_code == 302
    assert canais.aceita(TELEFONE, "sms") is True
    escolha = EscolhaDeCanal.objects.order_by("-em", "-id").first()
    assert (escolha.aceita, escolha.origem) == (True, EscolhaDeCanal.Origem.ATENDIMENTO)
    entrada = _ultima(confirmado)
    assert entrada.autor == atendente
    assert entrada.texto == "SMS retomado para o telefone …4321, a pedido do consumidor ao atendimento."


def test_neither_the_back_office_nor_the_admin_shows_the_code(aberto, caixa, supervisor):
    codigo = codigo_de(caixa)
    cliente = Cliente()
    cliente.force_login(supervisor)
    mensagem = telefone_de(aberto).mensagens.get()

    paginas = [
        _pagina(cliente, aberto),
        cliente.get(reverse("admin:protocolo_mensagem_changelist")).text,
        cliente.get(reverse("admin:protocolo_mensagem_change", args=[mensagem.pk])).text,
    ]

    assert "código de confirmação do telefone" in paginas[0]
    assert "******" in paginas[2]
    for pagina in paginas:
        assert codigo not in pagina
