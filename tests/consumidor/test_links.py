"""Signed, expiring links (issue 3, item 2; docs/dominio.md §5)."""

import datetime
import json

import pytest
import time_machine
from django.core import signing
from django.test import Client
from django.urls import reverse

from protocolo import links, services
from protocolo.models import Mensagem
from tests.consumidor.apoio import pagina
from tests.factories import ConsumidorFactory, abrir

pytestmark = pytest.mark.django_db

EMITIDO = datetime.datetime(2026, 11, 20, 12, tzinfo=datetime.UTC)


def _todas(consumidor):
    return links.token_consumidor(consumidor, consumidor.contatos.vinculados().get(tipo="email"))


def _revincular(consumidor, protocolo, atendente):
    services.consumidor_vincular_contato(
        consumidor=consumidor,
        tipo="email",
        valor="novo@exemplo.com.br",
        origem="atendimento",
        verificacao="documento_presencial",
        autor=atendente,
        protocolo=protocolo,
    )


def _link(protocolo):
    return reverse("consumidor:acesso", args=[links.token_protocolo(protocolo)])


def test_a_signed_link_grants_this_browser_access_and_redirects_to_the_status_page(client, protocolo):
    resposta = client.get(_link(protocolo))

    assert resposta.status_code == 302
    assert resposta.url == pagina(protocolo)
    assert client.get(pagina(protocolo)).status_code == 200


def test_a_link_works_for_a_protocol_without_a_cpf(client, db):
    protocolo = abrir()

    client.get(_link(protocolo))

    assert client.get(pagina(protocolo)).status_code == 200


def test_a_link_expires_after_seven_days(protocolo):
    with time_machine.travel(EMITIDO, tick=False) as viagem:
        link = _link(protocolo)
        viagem.move_to(EMITIDO + datetime.timedelta(days=6, hours=23))
        assert Client().get(link).status_code == 302
        viagem.move_to(EMITIDO + datetime.timedelta(days=7, minutes=1))
        expirado = Client().get(link)

    assert expirado.status_code == 404
    assert "Link inválido ou expirado" in expirado.text


def test_the_validity_is_a_setting(protocolo, settings):
    settings.PROTOCOLO_LINK_DIAS = 1
    with time_machine.travel(EMITIDO, tick=False) as viagem:
        link = _link(protocolo)
        viagem.move_to(EMITIDO + datetime.timedelta(days=1, minutes=1))
        assert Client().get(link).status_code == 404


def test_a_tampered_link_is_refused(client, protocolo):
    outro = abrir()
    token = links.token_protocolo(protocolo)
    forjado = signing.dumps({"p": outro.pk}, salt="outro-sal", compress=True)

    assert client.get(reverse("consumidor:acesso", args=[token[:-2] + "xx"])).status_code == 404
    assert client.get(reverse("consumidor:acesso", args=[forjado])).status_code == 404
    assert client.get(pagina(outro)).status_code == 404


def test_a_protocol_link_is_not_a_link_to_all_demands_nor_the_other_way_round(client, protocolo, consumidor):
    de_protocolo = links.token_protocolo(protocolo)
    de_consumidor = _todas(consumidor)

    assert client.get(reverse("consumidor:acesso_demandas", args=[de_protocolo])).status_code == 404
    assert client.get(reverse("consumidor:acesso", args=[de_consumidor])).status_code == 404


def test_the_link_to_all_demands_shows_every_protocol_of_that_consumer_only(client, consumidor):
    primeiro = abrir(consumidor=consumidor, objeto="Primeira demanda")
    segundo = abrir(consumidor=consumidor, objeto="Segunda demanda", categoria_codigo="cobranca")
    alheio = abrir(consumidor=ConsumidorFactory(), objeto="Demanda de outra pessoa")

    resposta = client.get(reverse("consumidor:acesso_demandas", args=[_todas(consumidor)]), follow=True)

    assert resposta.redirect_chain[-1][0] == reverse("consumidor:demandas")
    assert primeiro.numero_formatado in resposta.text and segundo.numero_formatado in resposta.text
    assert "Primeira demanda" in resposta.text and "Segunda demanda" in resposta.text
    assert alheio.numero_formatado not in resposta.text
    assert client.get(pagina(primeiro)).status_code == 200
    assert client.get(pagina(alheio)).status_code == 404


def test_all_demands_take_a_fixed_number_of_queries(client, consumidor, django_assert_num_queries):
    for _ in range(4):
        abrir(consumidor=consumidor)
    client.get(reverse("consumidor:acesso_demandas", args=[_todas(consumidor)]))

    # The session; the consumer; the protocols with consumidor, categoria and duplicado_de; their
    # public entries with the authors.
    with django_assert_num_queries(4):
        assert client.get(reverse("consumidor:demandas")).status_code == 200


def test_all_demands_download_as_json_with_the_masked_cpf(client, consumidor):
    primeiro = abrir(consumidor=consumidor, objeto="Primeira demanda")
    client.get(reverse("consumidor:acesso_demandas", args=[_todas(consumidor)]))

    resposta = client.get(reverse("consumidor:demandas_json"))

    assert resposta["Content-Disposition"] == 'attachment; filename="meus-protocolos.json"'
    dados = json.loads(resposta.content)
    assert dados["cpf"] == "***.982.247-**"
    assert [p["numero"] for p in dados["protocolos"]] == [primeiro.numero]
    assert dados["protocolos"][0]["historico"][0]["texto"] == "Primeira demanda"
    assert consumidor.cpf not in resposta.content.decode()


def test_the_link_to_all_demands_stops_working_once_the_email_is_rebound(client, consumidor, atendente):
    link = reverse("consumidor:acesso_demandas", args=[_todas(consumidor)])
    _revincular(consumidor, abrir(consumidor=consumidor), atendente)

    assert client.get(link).status_code == 404
    assert client.get(reverse("consumidor:demandas")).status_code == 404


def test_a_protocol_link_stops_working_once_the_email_is_rebound(client, protocolo, consumidor, atendente):
    """Like the link to all demands: a link mailed to an address the consumer has since replaced opens
    nothing."""
    link = reverse("consumidor:acesso", args=[links.token_protocolo(protocolo, consumidor.contatos.get(tipo="email"))])
    assert Client().get(link).status_code == 302
    _revincular(consumidor, protocolo, atendente)

    assert client.get(link).status_code == 404
    assert client.get(pagina(protocolo)).status_code == 404


def test_a_protocol_link_stops_working_once_the_protocol_belongs_to_someone_else(client, protocolo, atendente):
    from protocolo import services

    link = _link(protocolo)
    services.protocolo_identificar_consumidor(protocolo=protocolo, consumidor=ConsumidorFactory(), autor=atendente)

    assert client.get(link).status_code == 404


def test_a_consumer_without_a_cpf_on_file_follows_the_link_in_our_message_to_the_protocol(client, atendente):
    protocolo = abrir(atendente=atendente)
    services.protocolo_identificar_por_cpf(
        protocolo=protocolo, cpf="", nome="Rita", email="rita@exemplo.com.br", autor=atendente
    )
    services.protocolo_resolver(protocolo=protocolo, texto="Estorno feito.", autor=atendente)

    corpo = Mensagem.objects.get(protocolo=protocolo).corpo
    link = next(linha for linha in corpo.splitlines() if "/acesso/" in linha).strip()
    assert link.startswith("https://protocolo.exemplo.com.br/acesso/")
    assert "válido por 7 dias" in corpo

    assert client.get(link.removeprefix("https://protocolo.exemplo.com.br")).url == pagina(protocolo)
    assert "Estorno feito." in client.get(pagina(protocolo)).text


@pytest.mark.parametrize("forma", ["link", "consulta"])
def test_access_ends_as_soon_as_the_protocol_is_identified_as_someone_elses(client, atendente, forma, limites_zerados):
    # The session used to keep the protocol for its 30 minutes after an attendant re-identified it.
    anterior = ConsumidorFactory(cpf="52998224725")
    protocolo = abrir(consumidor=anterior)
    if forma == "link":
        client.get(_link(protocolo))
    else:
        client.post(reverse("consumidor:consultar"), {"numero": protocolo.numero, "cpf": anterior.cpf})
    assert client.get(pagina(protocolo)).status_code == 200

    services.protocolo_identificar_consumidor(protocolo=protocolo, consumidor=ConsumidorFactory(), autor=atendente)

    assert client.get(pagina(protocolo)).status_code == 404
    assert client.get(reverse("consumidor:historico", args=[protocolo.numero])).status_code == 404
