"""The lookup by number + CPF (issue 3, items 1–2 and "Abuse and privacy")."""

import datetime
import logging
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from protocolo import numeracao
from protocolo.operacao import limites
from tests.consumidor.apoio import CPF, CPF_FORMATADO, OUTRO_CPF, consultar, pagina

pytestmark = pytest.mark.django_db

INEXISTENTE = numeracao.formato_atual().montar(datetime.date(2026, 1, 5), 4242)


def _espaçado(numero):
    return numeracao.formatar(numero)


def test_the_right_pair_grants_this_browser_access_and_redirects_to_the_status_page(client, protocolo):
    resposta = consultar(client, _espaçado(protocolo.numero), CPF_FORMATADO)

    assert resposta.status_code == 302
    assert resposta.url == pagina(protocolo)
    assert client.get(resposta.url).status_code == 200


def test_the_number_and_cpf_are_accepted_with_any_separators(client, protocolo):
    numero = "-".join(protocolo.numero[i : i + 4] for i in range(0, 16, 4))

    resposta = consultar(client, f" {numero} ", "529 982 247 25")

    assert resposta.status_code == 302


def test_the_cpf_never_appears_in_the_redirect_or_the_page(client, protocolo):
    resposta = consultar(client, protocolo.numero, CPF, follow=True)

    assert CPF not in resposta.redirect_chain[0][0]
    assert CPF not in resposta.text
    assert CPF_FORMATADO not in resposta.text


def test_a_get_of_the_lookup_is_refused(client, db):
    assert client.get(reverse("consumidor:consultar")).status_code == 405


def test_without_a_lookup_the_status_page_is_the_same_404_as_a_missing_number(client, protocolo):
    sem_acesso = client.get(pagina(protocolo))
    inexistente = client.get(reverse("consumidor:protocolo", args=[INEXISTENTE]))

    assert sem_acesso.status_code == inexistente.status_code == 404
    assert sem_acesso.content == inexistente.content


def _normalizar(sql):
    return re.sub(r"'[^']*'", "?", sql)


def test_a_wrong_pair_and_a_missing_number_are_byte_identical_and_do_the_same_work(client, protocolo, monkeypatch):
    hmacs = []
    original = limites.chave
    monkeypatch.setattr(limites, "chave", lambda valor: hmacs.append(valor.split(":")[0]) or original(valor))

    with CaptureQueriesContext(connection) as consultas_par_errado:
        par_errado = consultar(client, protocolo.numero, OUTRO_CPF)
    hmacs_par_errado, hmacs[:] = list(hmacs), []
    with CaptureQueriesContext(connection) as consultas_inexistente:
        inexistente = consultar(client, INEXISTENTE, OUTRO_CPF)

    assert par_errado.status_code == inexistente.status_code == 404
    assert par_errado.content == inexistente.content
    assert dict(par_errado.headers) == dict(inexistente.headers)
    assert hmacs_par_errado == hmacs == ["numero", "cpf"]
    assert [_normalizar(q["sql"]) for q in consultas_par_errado] == [
        _normalizar(q["sql"]) for q in consultas_inexistente
    ]
    assert len(consultas_par_errado) == 1


def test_the_404_page_says_what_to_do_in_portuguese(client, db):
    resposta = consultar(client, INEXISTENTE, CPF)

    assert resposta.status_code == 404
    assert "Protocolo não encontrado" in resposta.text
    assert reverse("consumidor:recuperar") in resposta.text


@pytest.mark.parametrize(
    ("numero", "cpf", "erro"),
    [
        ("", CPF, "Informe o número do protocolo."),
        ("2026 1127 0000 0100", CPF, "confira os dígitos"),  # bad check digits
        ("abc", CPF, "apenas algarismos"),
        ("9" * 40, CPF, "confira os dígitos"),
        ("9" * 41, CPF, "Número de protocolo inválido."),
        (INEXISTENTE, "", "Informe o CPF."),
        (INEXISTENTE, "529.982.247-24", "CPF inválido"),
        (INEXISTENTE, "111.111.111-11", "CPF inválido"),
        (INEXISTENTE, "5299822472x", "apenas algarismos"),
        (INEXISTENTE, "529\x00982\x0024725", "apenas algarismos"),
        (INEXISTENTE, "5" * 10_000, "O CPF tem 11 dígitos."),
    ],
)
def test_invalid_input_is_a_portuguese_form_error_and_never_a_query(client, db, numero, cpf, erro):
    with CaptureQueriesContext(connection) as consultas:
        resposta = consultar(client, numero, cpf)

    assert resposta.status_code == 200
    assert erro in resposta.text
    assert not [q for q in consultas if "protocolo_protocolo" in q["sql"]]


def test_the_twenty_first_lookup_in_a_minute_from_one_ip_gets_a_portuguese_429(client, db, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 27, 12, tzinfo=datetime.UTC), tick=False)
    for _ in range(20):
        assert consultar(client, "1", CPF).status_code == 200

    limitada = consultar(client, "1", CPF)

    assert limitada.status_code == 429
    assert "Muitas tentativas" in limitada.text
    assert limitada["Retry-After"] == "60"
    time_machine.move_to(datetime.datetime(2026, 11, 27, 12, 1, 1, tzinfo=datetime.UTC), tick=False)
    assert consultar(client, "1", CPF).status_code == 200


def test_other_ips_are_not_limited_by_one_ip(client, db):
    for _ in range(21):
        consultar(client, "1", CPF, REMOTE_ADDR="203.0.113.9")

    assert consultar(client, "1", CPF, REMOTE_ADDR="203.0.113.10").status_code == 200


def test_five_failures_for_one_number_lock_it_for_an_hour_even_for_the_right_cpf(
    client, protocolo, time_machine, settings
):
    settings.PROTOCOLO_LIMITES = {**settings.PROTOCOLO_LIMITES, "consulta_ip": (1000, 60)}
    time_machine.move_to(datetime.datetime(2026, 11, 27, 12, tzinfo=datetime.UTC), tick=False)
    outros = ["11144477735", "39053344705", "71428793860", "86288366757", "62648716050"]
    for cpf in outros:
        assert consultar(client, protocolo.numero, cpf).status_code == 404

    travada = consultar(client, protocolo.numero, CPF)

    assert travada.status_code == 429
    time_machine.move_to(datetime.datetime(2026, 11, 27, 12, 59, tzinfo=datetime.UTC), tick=False)
    assert consultar(client, protocolo.numero, CPF).status_code == 429
    time_machine.move_to(datetime.datetime(2026, 11, 27, 13, 0, 1, tzinfo=datetime.UTC), tick=False)
    assert consultar(client, protocolo.numero, CPF).status_code == 302


def test_a_missing_number_is_locked_exactly_like_an_existing_one(client, protocolo, settings):
    """The lock reveals nothing: the same five failures lock both, with the same page."""
    settings.PROTOCOLO_LIMITES = {**settings.PROTOCOLO_LIMITES, "consulta_ip": (1000, 60)}
    cpfs = ["11144477735", "39053344705", "71428793860", "86288366757", "62648716050"]
    for cpf in cpfs:
        consultar(client, protocolo.numero, cpf)
        consultar(client, INEXISTENTE, cpf, REMOTE_ADDR="203.0.113.7")

    existente = consultar(client, protocolo.numero, "08765432126")
    inexistente = consultar(client, INEXISTENTE, "08765432126")

    assert existente.status_code == inexistente.status_code == 429
    assert existente.content == inexistente.content


def test_five_failures_with_one_cpf_lock_that_cpf_for_any_number(client, protocolo, settings):
    settings.PROTOCOLO_LIMITES = {**settings.PROTOCOLO_LIMITES, "consulta_ip": (1000, 60)}
    for sequencia in range(1, 6):
        numero = numeracao.formato_atual().montar(datetime.date(2025, 3, 3), sequencia)
        assert consultar(client, numero, CPF).status_code == 404

    assert consultar(client, protocolo.numero, CPF).status_code == 429
    assert consultar(client, protocolo.numero, CPF, REMOTE_ADDR="198.51.100.1").status_code == 429


def test_four_failures_do_not_lock(client, protocolo, settings):
    settings.PROTOCOLO_LIMITES = {**settings.PROTOCOLO_LIMITES, "consulta_ip": (1000, 60)}
    for cpf in ["11144477735", "39053344705", "71428793860", "86288366757"]:
        consultar(client, protocolo.numero, cpf)

    assert consultar(client, protocolo.numero, CPF).status_code == 302


def test_the_cpf_never_reaches_the_logs(client, protocolo, caplog):
    with caplog.at_level(logging.DEBUG):
        consultar(client, protocolo.numero, OUTRO_CPF)
        consultar(client, protocolo.numero, CPF_FORMATADO)
        client.post(reverse("consumidor:recuperar"), {"cpf": CPF_FORMATADO})

    assert caplog.records
    assert not [r for r in caplog.records if CPF in r.getMessage() or OUTRO_CPF in r.getMessage()]
    assert "529.982.247-25" not in caplog.text


def test_rotating_addresses_inside_one_ipv6_64_network_is_still_one_client(client, db):
    """An IPv6 customer gets a whole /64: counting each address would let one machine try 2⁶⁴ times."""
    for i in range(20):
        assert consultar(client, "1", CPF, REMOTE_ADDR=f"2001:db8:1:2::{i + 1:x}").status_code == 200

    assert consultar(client, "1", CPF, REMOTE_ADDR="2001:db8:1:2:ffff::9").status_code == 429
    assert consultar(client, "1", CPF, REMOTE_ADDR="2001:db8:1:3::1").status_code == 200


def test_a_lookup_gives_the_browser_a_new_session_key(client, protocolo):
    """A session key planted beforehand (a shared computer, a cookie set by a sibling domain) must not
    inherit the access the consumer's lookup grants."""
    client.get(reverse("consumidor:inicio"))
    plantada = client.session
    plantada["plantada"] = True
    plantada.save()
    chave = plantada.session_key
    client.cookies["sessionid"] = chave

    consultar(client, protocolo.numero, CPF)

    assert client.cookies["sessionid"].value != chave


@pytest.mark.parametrize(
    ("endereco", "onde", "dados"),
    [
        ("/consultar/", "protocolo.operacao.limites.consumir", {}),
        ("/recuperar/", "protocolo.services.consumidor_pedir_protocolos", {}),
        ("/abrir/", "protocolo.services.protocolo_abrir_pelo_portal", {"objeto": "Cobrança em dobro."}),
        ("/privacidade/", "protocolo.services.protocolo_abrir_pelo_portal", {"pedido": "acesso"}),
    ],
)
def test_an_error_report_of_a_public_form_never_carries_the_cpf(
    client, protocolo, monkeypatch, caplog, endereco, onde, dados
):
    """Django's error report (the one mail_admins or an error tracker sends) lists the POST."""
    from django.views.debug import ExceptionReporter

    from tests.factories import categoria

    def falha(*args, **kwargs):
        raise RuntimeError("falha simulada")

    monkeypatch.setattr(onde, falha)
    campos = {"numero": protocolo.numero, "cpf": CPF_FORMATADO, "nome": "Maria", "email": "m@exemplo.com.br"}
    campos["categoria"] = categoria("cobranca").pk
    with caplog.at_level(logging.ERROR, logger="django.request"):
        resposta = Client(raise_request_exception=False).post(endereco, {**campos, **dados})

    assert resposta.status_code == 500
    registro = next(r for r in caplog.records if r.name == "django.request")
    relatorio = ExceptionReporter(registro.request, *registro.exc_info).get_traceback_text()
    assert "falha simulada" in relatorio
    assert CPF_FORMATADO not in relatorio and CPF not in relatorio
