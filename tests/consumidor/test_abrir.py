"""Opening a demand online (issue 3, item 4)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from protocolo import services
from protocolo.models import Canal, Consumidor, Mensagem, Protocolo
from tests.consumidor.apoio import CPF, pagina
from tests.factories import ConsumidorFactory, abrir
from tests.factories import categoria as categoria_por_codigo

pytestmark = pytest.mark.django_db

URL = "/abrir/"


def _dados(**mudancas):
    return {
        "cpf": "529.982.247-25",
        "nome": "Maria Aparecida Souza",
        "email": "maria@exemplo.com.br",
        "categoria": categoria_por_codigo("cobranca").pk,
        "objeto": "Cobraram duas vezes a mensalidade.",
        **mudancas,
    }


def test_it_opens_a_portal_protocol_and_shows_the_number_with_the_receipt_at_once(client, db, time_machine):
    # Friday 23:30 in São Paulo, already Saturday in UTC: the 7 calendar days count from the local
    # day and end on Friday the 13th, a business day (a Saturday would move to Monday the 16th).
    aberto_em = datetime.datetime(2026, 3, 6, 23, 30, tzinfo=ZoneInfo("America/Sao_Paulo"))
    time_machine.move_to(aberto_em, tick=False)

    resposta = client.post(URL, _dados(), follow=True)

    protocolo = Protocolo.objects.get()
    assert (protocolo.canal, protocolo.categoria.codigo) == (Canal.PORTAL, "cobranca")
    assert protocolo.objeto == "Cobraram duas vezes a mensalidade."
    assert protocolo.consumidor.cpf == CPF
    assert protocolo.aberto_em == aberto_em
    assert protocolo.prazo == datetime.date(2026, 3, 13)
    assert resposta.redirect_chain[-1][0] == pagina(protocolo, "consumidor:comprovante")
    assert f"Protocolo {protocolo.numero_formatado} aberto." in resposta.text
    assert "Enviamos ao e-mail informado um link de confirmação" in resposta.text
    assert "se você informou" not in resposta.text
    assert "Código de verificação" in resposta.text
    assert client.get(pagina(protocolo)).status_code == 200
    abertura = protocolo.interacoes.get(ordem=1)
    assert (abertura.origem, abertura.publica) == ("consumidor", True)


def test_the_email_typed_gets_the_confirmation_and_the_number_waits_for_it(client, db):
    client.post(URL, _dados())

    protocolo = Protocolo.objects.get()
    confirmacao, numero = Mensagem.objects.order_by("pk")
    assert (confirmacao.destinatario, confirmacao.aguarda_confirmacao) == ("maria@exemplo.com.br", False)
    assert "/confirmar/" in confirmacao.corpo and protocolo.numero_formatado not in confirmacao.corpo
    assert (numero.destinatario, numero.aguarda_confirmacao) == ("maria@exemplo.com.br", True)
    assert protocolo.numero_formatado in numero.corpo
    assert CPF not in numero.corpo and CPF not in confirmacao.corpo


def test_an_existing_consumers_name_and_bound_email_are_not_overwritten(client, consumidor):
    client.post(URL, _dados(nome="Outra Pessoa", email="atacante@exemplo.com"))

    consumidor.refresh_from_db()
    assert consumidor.nome == "Maria Aparecida Souza"
    assert [c.valor for c in consumidor.contatos.vinculados().filter(tipo="email")] == ["maria@exemplo.com.br"]
    assert Consumidor.objects.count() == 1
    # Only what was typed, for this protocol: the bound e-mail learns of it at the next message.
    assert set(Mensagem.objects.values_list("destinatario", flat=True)) == {"atacante@exemplo.com"}


@pytest.mark.parametrize("rota", [URL, "/privacidade/"])
def test_the_public_forms_never_give_an_existing_consumer_an_email_or_name_they_did_not_have(client, db, rota):
    """Otherwise anyone who knows a CPF registered by phone could set their own e-mail on it and have
    the recovery send that consumer's protocols, and the link to all their demands, to themselves."""
    dados = {"pedido": "acesso"} if rota != URL else {}
    consumidor = ConsumidorFactory(cpf=CPF, nome="", email="", telefone="")
    anterior = abrir(consumidor=consumidor)

    assert client.post(rota, _dados(nome="Atacante", email="atacante@exemplo.com", **dados)).status_code == 302
    client.post("/recuperar/", {"cpf": CPF})
    services.processar_pedidos_de_recuperacao()

    consumidor.refresh_from_db()
    assert consumidor.nome == ""
    assert not consumidor.contatos.exists()
    assert not Mensagem.objects.filter(
        destinatario="atacante@exemplo.com", corpo__contains=anterior.numero_formatado
    ).exists()


def test_only_active_categorias_are_offered(client, db):
    inativa = categoria_por_codigo("informacao")
    inativa.ativa = False
    inativa.save()

    resposta = client.get(URL)
    recusada = client.post(URL, _dados(categoria=inativa.pk))

    assert "Informação" not in resposta.text
    assert "Cobrança" in resposta.text
    assert "Escolha um assunto da lista." in recusada.text
    assert not Protocolo.objects.exists()


@pytest.mark.parametrize(
    ("mudancas", "erro"),
    [
        ({"cpf": "123"}, "O CPF tem 11 dígitos."),
        ({"cpf": ""}, "Informe o CPF."),
        ({"email": "nao-e-email"}, "Informe um e-mail válido."),
        ({"objeto": "x" * 10_240}, "Use no máximo 4000 caracteres"),
        ({"nome": "n" * 10_240}, "Use no máximo 200 caracteres"),
        ({"objeto": "linha\x00nula"}, "caracteres inválidos"),
        ({"objeto": "sino\x07"}, "caracteres inválidos"),
        ({"categoria": "999999"}, "Escolha um assunto da lista."),
        ({"objeto": ""}, "Conte o que você precisa."),
        ({"nome": ""}, "Informe o seu nome completo."),
        ({"email": ""}, "Informe o e-mail."),
    ],
)
def test_invalid_input_is_a_portuguese_form_error(client, db, mudancas, erro):
    resposta = client.post(URL, _dados(**mudancas))

    assert resposta.status_code == 200
    assert erro in resposta.text
    assert not Protocolo.objects.exists()


def test_a_sixth_opening_in_an_hour_from_one_ip_gets_a_429(client, db):
    for _ in range(5):
        assert client.post(URL, _dados()).status_code == 302

    limitada = client.post(URL, _dados())

    assert limitada.status_code == 429
    assert Protocolo.objects.count() == 5


def test_the_form_page_explains_the_number_comes_at_once(client, db):
    resposta = client.get(reverse("consumidor:abrir"))

    assert "O número do protocolo aparece assim que você enviar" in resposta.text
