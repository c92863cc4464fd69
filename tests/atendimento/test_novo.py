from django.urls import reverse

from protocolo.models import Consumidor, Interacao, Protocolo
from tests.factories import ConsumidorFactory, categoria, email_de

NOVO = reverse("atendimento:novo")


def test_chat_opens_a_protocol_with_consumer_categoria_and_objeto_in_one_step(cliente_atendente, atendente):
    cobranca = categoria("cobranca")

    resposta = cliente_atendente.post(
        NOVO,
        {
            "canal": "chat",
            "cpf": "529.982.247-25",
            "nome": "Rita Moraes",
            "email": "rita@exemplo.com.br",
            "telefone": "11 97777-6666",
            "categoria": cobranca.pk,
            "objeto": "Cobrança em dobro.",
        },
        follow=True,
    )

    protocolo = Protocolo.objects.get()
    assert resposta.redirect_chain[-1][0] == reverse("atendimento:protocolo", args=[protocolo.numero])
    assert (protocolo.canal, protocolo.categoria, protocolo.objeto) == ("chat", cobranca, "Cobrança em dobro.")
    assert protocolo.prazo is not None and protocolo.responsavel == atendente
    assert protocolo.consumidor.cpf == "52998224725" and protocolo.consumidor.nome == "Rita Moraes"
    assert protocolo.numero_formatado in resposta.text


def test_an_existing_cpf_keeps_the_consumer_data(cliente_atendente):
    consumidor = ConsumidorFactory(nome="Rita Moraes", email="rita@exemplo.com.br")

    resposta = cliente_atendente.post(
        NOVO, {"canal": "email", "cpf": consumidor.cpf, "nome": "Outra", "email": "outra@exemplo.com.br"}, follow=True
    )

    assert Protocolo.objects.get().consumidor == consumidor
    assert email_de(Consumidor.objects.get()) == "rita@exemplo.com.br"
    assert "já cadastrado" in resposta.text


def test_the_cpf_is_optional_on_the_first_contact(cliente_atendente):
    cliente_atendente.post(NOVO, {"canal": "chat", "nome": "Sem CPF", "telefone": "1133334444"})

    protocolo = Protocolo.objects.get()
    assert protocolo.consumidor.cpf is None and protocolo.consumidor.nome == "Sem CPF"


def test_nothing_is_created_when_the_form_is_wrong_and_the_text_stays(cliente_atendente):
    resposta = cliente_atendente.post(
        NOVO, {"canal": "email", "cpf": "123.456.789-00", "objeto": "<b>Texto digitado</b>", "email": "não é e-mail"}
    )

    assert resposta.status_code == 200
    assert not Protocolo.objects.exists() and not Interacao.objects.exists()
    assert "CPF inválido" in resposta.text
    assert "&lt;b&gt;Texto digitado&lt;/b&gt;" in resposta.text
    assert "<b>Texto digitado" not in resposta.text


def test_email_needs_an_address(cliente_atendente):
    resposta = cliente_atendente.post(NOVO, {"canal": "email", "nome": "Fulano"})

    assert "Informe o e-mail do consumidor" in resposta.text
    assert not Protocolo.objects.exists()


def test_an_empty_submission_says_what_is_missing(cliente_atendente):
    resposta = cliente_atendente.post(NOVO, {})

    assert resposta.status_code == 200
    assert resposta.context["form"].errors["canal"]
    assert "Este campo é obrigatório" in resposta.text
    assert not Protocolo.objects.exists()
