"""The status page (issue 3, items 2 and 8)."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consumidor import acesso
from protocolo import relogio, services
from tests.consumidor.apoio import CPF, CPF_FORMATADO, CPF_MASCARADO, pagina
from tests.factories import AtendenteFactory, abrir

pytestmark = pytest.mark.django_db

# Friday 2026-11-20, 10:00 in São Paulo.
ABERTURA = datetime.datetime(2026, 11, 20, 13, tzinfo=datetime.UTC)


def _visitar(client, protocolo):
    sessao = client.session
    acesso.conceder(sessao, protocolo)
    sessao.save()
    return client.get(pagina(protocolo))


@pytest.fixture
def atendente():
    return AtendenteFactory(first_name="Joana", last_name="Pereira Lima")


def test_it_shows_what_the_consumer_needs_to_follow_the_case(client, consumidor, time_machine):
    time_machine.move_to(ABERTURA, tick=False)
    protocolo = abrir(consumidor=consumidor, objeto="A fatura de outubro veio em dobro.")
    time_machine.move_to(ABERTURA + datetime.timedelta(days=3), tick=False)

    resposta = _visitar(client, protocolo)

    assert resposta.status_code == 200
    texto = resposta.text
    assert protocolo.numero_formatado in texto
    assert "Onde está a sua demanda" in texto and 'aria-current="step"' in texto
    assert "aguarda o início do atendimento" in texto
    assert "20/11/2026 às 10:00" in texto
    assert "telefone" in texto
    assert "Reclamação" in texto
    assert "A fatura de outubro veio em dobro." in texto
    assert "até 27/11/2026" in texto
    assert "faltam 4 dias" in texto
    assert "A equipe de atendimento" in texto and "1 · atendimento" not in texto
    assert "A empresa responde até 27/11/2026." in texto
    assert "Protocolo aberto" in texto
    assert CPF_MASCARADO in texto
    assert CPF not in texto and CPF_FORMATADO not in texto


@pytest.mark.parametrize(
    ("dias_depois", "esperado"),
    [(6, "falta 1 dia"), (7, "vence hoje"), (8, "venceu há 1 dia"), (12, "venceu há 5 dias")],
)
def test_the_deadline_is_said_in_plain_words(client, consumidor, time_machine, dias_depois, esperado):
    time_machine.move_to(ABERTURA, tick=False)
    protocolo = abrir(consumidor=consumidor)
    time_machine.move_to(ABERTURA + datetime.timedelta(days=dias_depois), tick=False)

    assert esperado in _visitar(client, protocolo).text


def test_a_late_case_says_how_to_go_to_procon_and_what_to_bring(client, consumidor, time_machine):
    time_machine.move_to(ABERTURA, tick=False)
    protocolo = abrir(consumidor=consumidor)
    time_machine.move_to(ABERTURA + datetime.timedelta(days=9), tick=False)

    texto = _visitar(client, protocolo).text

    assert "Procon" in texto and "consumidor.gov.br" in texto
    assert "Pedir análise da supervisão" in texto
    assert "o número do protocolo" in texto and "comprovante" in texto


def test_a_case_within_its_deadline_neither_offers_supervision_nor_sends_to_procon(visitante, protocolo):
    texto = visitante.get(pagina(protocolo)).text

    assert "Pedir análise da supervisão" not in texto
    assert "Se o problema continuar" not in texto


def test_the_timeline_never_shows_an_internal_note_nor_the_attendants_full_name(visitante, protocolo, atendente):
    services.protocolo_registrar_interacao(protocolo=protocolo, texto="NOTA: cliente difícil", autor=atendente)
    services.protocolo_registrar_interacao(
        protocolo=protocolo, texto="Estamos verificando a fatura.", autor=atendente, publica=True
    )

    texto = visitante.get(pagina(protocolo)).text

    assert "Estamos verificando a fatura." in texto
    assert "Joana (atendente)" in texto
    assert "NOTA: cliente difícil" not in texto
    assert "Pereira" not in texto and "Lima" not in texto
    assert atendente.username not in texto


def test_a_duplicate_names_the_protocol_that_carries_the_demand_and_never_opens_it(client, consumidor, atendente):
    # Whoever typed someone's CPF on the portal holds the new protocol; once an attendant joins it
    # to that person's older one, the page used to carry a signed link straight into it.
    original = abrir(consumidor=consumidor)
    duplicado = abrir(consumidor=consumidor)
    services.protocolo_marcar_duplicado(protocolo=duplicado, original=original, autor=atendente)

    resposta = _visitar(client, duplicado)

    assert "Esta demanda foi unida ao protocolo" in resposta.text
    assert original.numero_formatado in resposta.text
    assert "/acesso/" not in resposta.text
    assert pagina(original) not in resposta.text
    assert client.get(pagina(original)).status_code == 404


def test_a_duplicate_of_someone_elses_protocol_names_it_the_same_way(client, consumidor, atendente):
    original = abrir()
    duplicado = abrir(consumidor=consumidor)
    services.protocolo_marcar_duplicado(protocolo=duplicado, original=original, autor=atendente)

    resposta = _visitar(client, duplicado)

    assert original.numero_formatado in resposta.text
    assert "/acesso/" not in resposta.text
    assert client.get(pagina(original)).status_code == 404


def test_the_status_page_makes_four_queries(visitante, protocolo, atendente, django_assert_num_queries):
    for n in range(5):
        services.protocolo_registrar_interacao(
            protocolo=protocolo, texto=f"Resposta {n}", autor=atendente, publica=True
        )

    # 1. the session; 2. the protocol with consumidor, categoria and duplicado_de;
    # 3. its public timeline with the authors; 4. its contacts, with each one's live code and the
    # channels it stopped, for "Como prefere receber as mensagens". (The issue allows at most 4.)
    with django_assert_num_queries(4):
        resposta = visitante.get(pagina(protocolo))

    assert resposta.status_code == 200


def test_a_duplicates_page_takes_the_same_four_queries(client, consumidor, atendente, django_assert_num_queries):
    original = abrir(consumidor=consumidor)
    duplicado = abrir(consumidor=consumidor)
    services.protocolo_marcar_duplicado(protocolo=duplicado, original=original, autor=atendente)
    sessao = client.session
    acesso.conceder(sessao, duplicado)
    sessao.save()

    # The protocol query also brings duplicado_de, whose number the page shows.
    with django_assert_num_queries(4):
        assert client.get(pagina(duplicado)).status_code == 200


def test_access_from_a_lookup_lasts_thirty_minutes(client, protocolo):
    with time_machine.travel(ABERTURA, tick=False) as viagem:
        client.post(reverse("consumidor:consultar"), {"numero": protocolo.numero, "cpf": CPF})
        viagem.move_to(ABERTURA + datetime.timedelta(minutes=29))
        assert client.get(pagina(protocolo)).status_code == 200
        viagem.move_to(ABERTURA + datetime.timedelta(minutes=31))
        assert client.get(pagina(protocolo)).status_code == 404


def test_access_to_one_protocol_does_not_open_another(visitante, consumidor):
    outro = abrir(consumidor=consumidor)

    assert visitante.get(pagina(outro)).status_code == 404


def test_an_impossible_number_in_the_url_is_a_404_without_a_protocol_query(visitante):
    with CaptureQueriesContext(connection) as consultas:
        assert visitante.get("/protocolo/123/").status_code == 404

    assert not [q for q in consultas if "protocolo_protocolo" in q["sql"]]


def test_a_protocol_opened_in_the_past_with_relogio_shows_its_opening_time(client, consumidor):
    with relogio.em(ABERTURA):
        protocolo = abrir(consumidor=consumidor)

    assert "20/11/2026 às 10:00" in _visitar(client, protocolo).text


def test_the_written_out_empty_message_form_is_the_one_crispy_forms_renders(client, protocolo):
    import re

    from django.template import engines
    from django.test.html import parse_html

    from consumidor.forms import MensagemForm

    pagina_html = _visitar(client, protocolo).text
    escrito = re.search(r'(<div id="div_id_texto".*?</div>)\s*<button', pagina_html, re.S).group(1)
    pelo_crispy = engines["django"].from_string("{% load crispy_forms_tags %}{% crispy form %}")

    assert parse_html(escrito) == parse_html(pelo_crispy.render({"form": MensagemForm()}))


def test_a_refused_message_comes_back_in_its_form_with_the_error(client, protocolo):
    sessao = client.session
    acesso.conceder(sessao, protocolo)
    sessao.save()

    resposta = client.post(reverse("consumidor:mensagem", args=[protocolo.numero]), {"texto": ""})

    assert "Escreva a sua mensagem." in resposta.text
    assert 'aria-invalid="true"' in resposta.text
