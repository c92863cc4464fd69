"""Recovery by CPF (issue 3, items 6–7; docs/seguranca.md, "Contatos"): always the same answer;
`enviar_mensagens` sends the list, with signed links, to the contacts bound to the consumer, and
each protocol alone to its own confirmed contacts."""

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from protocolo import services
from protocolo.models import Mensagem
from tests.consumidor.apoio import CPF, CPF_FORMATADO, OUTRO_CPF, pagina
from tests.factories import ConsumidorFactory, abrir

pytestmark = pytest.mark.django_db

URL = "/recuperar/"


def _pedir(client, cpf, **extra):
    return client.post(URL, {"cpf": cpf}, **extra)


def _entregar():
    call_command("enviar_mensagens", stdout=io.StringIO())


def _links(corpo):
    return [
        re.sub(r"^https://protocolo\.exemplo\.com\.br", "", u) for u in re.findall(r"https://\S+/acesso/\S+", corpo)
    ]


def test_the_answer_is_the_same_whatever_the_cpf(client, protocolo):
    sem_email = ConsumidorFactory(email="")
    abrir(consumidor=sem_email)

    respostas = [
        _pedir(client, cpf, follow=True, REMOTE_ADDR=f"203.0.113.{i}")
        for i, cpf in enumerate([CPF, OUTRO_CPF, sem_email.cpf])
    ]

    assert {r.redirect_chain[-1][0] for r in respostas} == {URL + "?enviado=1"}
    assert len({r.content for r in respostas}) == 1
    assert "Se houver protocolos com este CPF, enviamos em alguns minutos" in respostas[0].text
    assert not Mensagem.objects.exists()  # nothing is looked up while answering
    _entregar()
    assert Mensagem.objects.count() == 1


def test_the_page_tells_who_has_no_email_to_call_the_company(client, db, settings):
    settings.PROTOCOLO_EMPRESA_TELEFONE = "0800 123 4567"

    assert "0800 123 4567" in client.get(URL).text


def test_the_message_lists_each_protocol_with_a_signed_link(client, consumidor):
    primeiro = abrir(consumidor=consumidor)
    segundo = abrir(consumidor=consumidor, categoria_codigo="cobranca")
    services.protocolo_resolver(protocolo=segundo, texto="Estornado.")

    _pedir(client, CPF_FORMATADO)
    _entregar()

    mensagem = Mensagem.objects.get(protocolo=None)
    assert mensagem.destinatario == "maria@exemplo.com.br"
    assert mensagem.assunto == "Seus protocolos de atendimento"
    corpo = mensagem.corpo
    for protocolo in (primeiro, segundo):
        assert protocolo.numero_formatado in corpo
        assert protocolo.aberto_em.astimezone().strftime("%d/%m/%Y") in corpo
    assert "Reclamação" in corpo and "Cobrança" in corpo
    assert "aberto" in corpo and "resolvido" in corpo
    assert CPF not in corpo and CPF_FORMATADO not in corpo
    links = _links(corpo)
    assert len(links) == 3  # one per protocol and one to all demands

    navegador = Client()
    assert navegador.get(links[0]).url == pagina(segundo)
    assert navegador.get(links[1]).url == pagina(primeiro)
    assert navegador.get(links[2]).url == reverse("consumidor:demandas")


def test_the_email_link_leads_to_the_history_of_all_demands(client, consumidor):
    protocolo = abrir(consumidor=consumidor, objeto="Internet cai toda noite.")
    _pedir(client, CPF)
    _entregar()
    todos = _links(Mensagem.objects.get().corpo)[-1]

    resposta = Client().get(todos, follow=True)

    assert "Todas as suas demandas" in resposta.text
    assert protocolo.numero_formatado in resposta.text
    assert "Internet cai toda noite." in resposta.text


def test_a_consumer_without_protocols_or_without_email_gets_no_message(client, db):
    ConsumidorFactory(cpf=OUTRO_CPF)
    sem_email = ConsumidorFactory(email="")
    abrir(consumidor=sem_email)

    _pedir(client, OUTRO_CPF)
    _pedir(client, sem_email.cpf)
    _entregar()

    assert not Mensagem.objects.exists()


def test_the_cpf_is_validated_first(client, db):
    resposta = _pedir(client, "123.456.789-00")

    assert resposta.status_code == 200
    assert "CPF inválido" in resposta.text


def test_a_fourth_request_in_an_hour_from_one_ip_gets_a_429(client, db):
    cpfs = ["11144477735", "39053344705", "71428793860"]
    for cpf in cpfs:
        assert _pedir(client, cpf).status_code == 302

    assert _pedir(client, "86288366757").status_code == 429


def test_a_fourth_request_in_an_hour_for_one_cpf_gets_a_429_from_any_ip(client, consumidor):
    abrir(consumidor=consumidor)
    for i in range(3):
        assert _pedir(client, CPF, REMOTE_ADDR=f"198.51.100.{i}").status_code == 302

    limitada = _pedir(client, CPF, REMOTE_ADDR="198.51.100.200")
    _entregar()

    assert limitada.status_code == 429
    assert "Muitas tentativas" in limitada.text
    assert Mensagem.objects.count() == 3


def test_the_recovery_sends_nothing_while_answering_so_its_time_does_not_tell_whether_the_cpf_exists(
    client, consumidor, mailoutbox
):
    """Delivery happens after the answer (the outbox command, every minute): a mail server's latency
    inside the request would tell an existing CPF with an e-mail from any other."""
    abrir(consumidor=consumidor)
    _pedir(client, CPF)

    assert mailoutbox == []
    assert not Mensagem.objects.exists()
    _entregar()
    assert [m.to for m in mailoutbox] == [["maria@exemplo.com.br"]]


def test_a_protocols_own_confirmed_email_gets_only_that_protocol(client, consumidor, atendente):
    """A contact typed for one protocol (here by an attendant) is not the consumer's: the recovery
    sends it that protocol alone, without the link to all demands."""
    sem_vinculo = ConsumidorFactory(email="", telefone="")
    proprio, _, _ = services.protocolo_abrir_completo(
        canal="chat", atendente=atendente, cpf=sem_vinculo.cpf, email="so.este@exemplo.com.br"
    )
    outro = abrir(consumidor=sem_vinculo)
    Mensagem.objects.all().delete()

    _pedir(client, sem_vinculo.cpf)
    _entregar()

    mensagem = Mensagem.objects.get()
    assert mensagem.destinatario == "so.este@exemplo.com.br"
    assert proprio.numero_formatado in mensagem.corpo
    assert outro.numero_formatado not in mensagem.corpo
    assert "/acesso/demandas/" not in mensagem.corpo
