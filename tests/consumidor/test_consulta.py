"""The lookup by number + CPF (issue 3, items 1–2 and "Abuse and privacy")."""

import datetime
import logging
import re

import altcha
import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from protocolo import numeracao
from protocolo.operacao import limites
from tests.consumidor.apoio import (
    CPF,
    CPF_FORMATADO,
    OUTRO_CPF,
    consultar,
    consultar_resolvendo,
    desafio_da_pagina,
    normalizar_pagina,
    pagina,
    resolver,
)

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
    # Fresh counters, so both pages say the same tries are left.
    cache.clear()
    limites._reserva.clear()
    with CaptureQueriesContext(connection) as consultas_inexistente:
        inexistente = consultar(client, INEXISTENTE, OUTRO_CPF)

    assert par_errado.status_code == inexistente.status_code == 404
    assert normalizar_pagina(par_errado.content, protocolo.numero, OUTRO_CPF) == normalizar_pagina(
        inexistente.content, INEXISTENTE, OUTRO_CPF
    )
    assert dict(par_errado.headers) == dict(inexistente.headers)
    assert hmacs_par_errado == hmacs == ["numero", "cpf"]
    assert [_normalizar(q["sql"]) for q in consultas_par_errado] == [
        _normalizar(q["sql"]) for q in consultas_inexistente
    ]
    assert len(consultas_par_errado) == 1


def test_the_404_page_says_what_to_do_in_portuguese(client, db):
    resposta = consultar(client, INEXISTENTE, CPF)

    assert resposta.status_code == 404
    assert "Não encontramos um protocolo com esse número e esse CPF." in resposta.text
    assert reverse("consumidor:recuperar") in resposta.text


def test_after_a_failure_the_fields_keep_what_was_typed_and_the_page_is_never_cached(client, db):
    resposta = consultar(client, _espaçado(INEXISTENTE), CPF_FORMATADO)

    assert resposta.status_code == 404
    assert f'value="{_espaçado(INEXISTENTE)}"' in resposta.text
    assert f'value="{CPF_FORMATADO}"' in resposta.text
    assert "no-store" in resposta["Cache-Control"]
    assert CPF not in resposta.get("Location", "") and "cpf" not in resposta.request["QUERY_STRING"]


def _avisos(resposta):
    return " ".join(re.sub(r"<[^>]+>", " ", resposta.text.split('id="avisos-consulta"')[1].split("</div>")[0]).split())


def test_each_failure_says_how_many_tries_are_left_before_the_challenge_and_with_the_cpf(client, protocolo):
    outros = ["11144477735", "39053344705", "71428793860"]
    avisos = [_avisos(consultar_resolvendo(client, protocolo.numero, cpf)) for cpf in outros]
    avisos.append(_avisos(consultar_resolvendo(client, INEXISTENTE, OUTRO_CPF)))

    assert "mais 2 vez(es) antes de pedirmos uma verificação" in avisos[0]
    assert "mais 1 vez(es) antes de pedirmos uma verificação" in avisos[1]
    assert "As próximas tentativas pedem uma verificação rápida" in avisos[2]  # 3 on the number
    assert "mais 1 vez(es) antes de pedirmos uma verificação" in avisos[3]  # 4 from this address
    assert "Com este CPF, restam 9 tentativa(s) nas próximas 24 horas." in avisos[0]
    assert "Com este CPF, restam 8 tentativa(s) nas próximas 24 horas." in avisos[3]  # OUTRO_CPF twice


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


def test_past_twenty_lookups_in_a_minute_one_address_is_asked_for_the_challenge_not_refused(
    client, protocolo, time_machine
):
    """Strangers behind one carrier-grade NAT share an address: its limit prices the next try."""
    time_machine.move_to(datetime.datetime(2026, 11, 27, 12, tzinfo=datetime.UTC), tick=False)
    for _ in range(20):
        assert not desafio_da_pagina(consultar(client, "1", CPF))

    pedida = consultar(client, protocolo.numero, CPF)

    assert pedida.status_code == 429
    assert "Retry-After" not in pedida
    assert "o seu aparelho faz uma verificação rápida" in pedida.text
    assert desafio_da_pagina(pedida)
    assert f'value="{protocolo.numero}"' in pedida.text and f'value="{CPF}"' in pedida.text
    assert consultar(client, "1", CPF).status_code == 200  # a form error, with the challenge for the next try
    assert desafio_da_pagina(consultar(client, "1", CPF))
    dados = {"numero": protocolo.numero, "cpf": CPF, "altcha": resolver(pedida)}
    assert client.post(reverse("consumidor:consultar"), dados).status_code == 302
    time_machine.move_to(datetime.datetime(2026, 11, 27, 12, 1, 1, tzinfo=datetime.UTC), tick=False)
    assert consultar(Client(), protocolo.numero, CPF).status_code == 302


def test_other_ips_are_not_limited_by_one_ip(client, db):
    for _ in range(21):
        consultar(client, "1", CPF, REMOTE_ADDR="203.0.113.9")

    assert consultar(client, "1", CPF, REMOTE_ADDR="203.0.113.10").status_code == 200


CPFS_ERRADOS = [
    "11144477735", "39053344705", "71428793860", "86288366757", "62648716050",
    "04264963028", "23387617070", "56184326090", "77426516024", "90141634014",
    "12522843060", "31862498059", "48379180003", "60530462052", "85318472060",
    "02117485014", "27436951025", "39573648091", "51826334084", "74950518097",
]  # fmt: skip


def test_strangers_failing_on_a_number_never_lock_its_owner_out(client, protocolo):
    """20 wrong CPFs from 20 other addresses, each solving the challenge once it is asked for: the
    owner with the right CPF is asked for the challenge too, solves it and gets in."""
    respostas = [
        consultar_resolvendo(Client(), protocolo.numero, cpf, REMOTE_ADDR=f"198.51.100.{i + 1}")
        for i, cpf in enumerate(CPFS_ERRADOS)
    ]
    assert {r.status_code for r in respostas} == {404}

    pedida = consultar(client, protocolo.numero, CPF, REMOTE_ADDR="203.0.113.200")
    assert pedida.status_code == 429 and desafio_da_pagina(pedida)
    assert "limite" not in _avisos(pedida)
    dados = {"numero": protocolo.numero, "cpf": CPF, "altcha": resolver(pedida)}
    entrou = client.post(reverse("consumidor:consultar"), dados, REMOTE_ADDR="203.0.113.200")

    assert entrou.status_code == 302
    assert client.get(entrou["Location"]).status_code == 200


def test_failures_on_a_number_ask_for_the_challenge_from_the_third_and_only_for_an_hour(
    client, protocolo, time_machine
):
    time_machine.move_to(datetime.datetime(2026, 11, 27, 12, tzinfo=datetime.UTC), tick=False)
    for i, cpf in enumerate(CPFS_ERRADOS[:2]):
        assert consultar(Client(), protocolo.numero, cpf, REMOTE_ADDR=f"198.51.100.{i + 1}").status_code == 404
    assert consultar(Client(), protocolo.numero, CPFS_ERRADOS[2], REMOTE_ADDR="198.51.100.3").status_code == 404
    assert not desafio_da_pagina(consultar(Client(), INEXISTENTE, CPFS_ERRADOS[3], REMOTE_ADDR="198.51.100.4"))

    assert consultar(client, protocolo.numero, CPF).status_code == 429
    time_machine.move_to(datetime.datetime(2026, 11, 27, 13, 0, 1, tzinfo=datetime.UTC), tick=False)
    assert consultar(client, protocolo.numero, CPF).status_code == 302


def test_a_challenge_asked_for_a_missing_number_looks_exactly_like_one_for_an_existing_number(client, protocolo):
    for i, cpf in enumerate(CPFS_ERRADOS[:3]):
        consultar(Client(), protocolo.numero, cpf, REMOTE_ADDR=f"198.51.100.{i + 1}")
        consultar(Client(), INEXISTENTE, cpf, REMOTE_ADDR=f"198.51.100.{i + 1}")

    existente = consultar(client, protocolo.numero, OUTRO_CPF, REMOTE_ADDR="203.0.113.7")
    inexistente = consultar(client, INEXISTENTE, OUTRO_CPF, REMOTE_ADDR="203.0.113.7")

    assert existente.status_code == inexistente.status_code == 429
    assert normalizar_pagina(existente.content, protocolo.numero, OUTRO_CPF) == normalizar_pagina(
        inexistente.content, INEXISTENTE, OUTRO_CPF
    )


def test_ten_failures_with_one_cpf_refuse_that_cpf_for_a_day_whatever_the_challenge(client, protocolo, time_machine):
    """With a leaked CPF, a day's sequential numbers are few to guess: the challenge only prices each
    guess, so the CPF has a hard cap (settings.PROTOCOLO_LIMITES["consulta_falhas_cpf"])."""
    time_machine.move_to(datetime.datetime(2026, 11, 27, 12, tzinfo=datetime.UTC), tick=False)
    for sequencia in range(1, 11):
        numero = numeracao.formato_atual().montar(datetime.date(2025, 3, 3), sequencia)
        assert consultar_resolvendo(client, numero, CPF).status_code == 404

    recusada = consultar_resolvendo(client, protocolo.numero, CPF)
    assert recusada.status_code == 429
    assert recusada["Retry-After"] == "86400"
    assert "Este CPF atingiu o limite de consultas erradas" in recusada.text
    assert not desafio_da_pagina(recusada)
    assert consultar_resolvendo(Client(), protocolo.numero, CPF, REMOTE_ADDR="198.51.100.1").status_code == 429
    time_machine.move_to(datetime.datetime(2026, 11, 28, 12, 0, 1, tzinfo=datetime.UTC), tick=False)
    assert consultar_resolvendo(Client(), protocolo.numero, CPF, REMOTE_ADDR="198.51.100.1").status_code == 302


def test_two_failures_ask_for_nothing(client, protocolo):
    for cpf in CPFS_ERRADOS[:2]:
        assert not desafio_da_pagina(consultar(client, protocolo.numero, cpf))

    assert consultar(client, protocolo.numero, CPF).status_code == 302


@pytest.mark.parametrize(
    "altcha",
    ["", "x", "e30=", "A" * 5000, "bm90IGpzb24=", "W10=", "eyJjaGFsbGVuZ2UiOiB7fX0=", "\x00"],
)
def test_a_missing_or_hostile_solution_is_asked_for_again_never_a_500(client, protocolo, altcha):
    for i, cpf in enumerate(CPFS_ERRADOS[:3]):
        consultar(Client(), protocolo.numero, cpf, REMOTE_ADDR=f"198.51.100.{i + 1}")

    resposta = client.post(reverse("consumidor:consultar"), {"numero": protocolo.numero, "cpf": CPF, "altcha": altcha})

    assert resposta.status_code == 429
    assert desafio_da_pagina(resposta)


def test_a_solved_challenge_is_accepted_once(client, protocolo):
    for i, cpf in enumerate(CPFS_ERRADOS[:3]):
        consultar(Client(), protocolo.numero, cpf, REMOTE_ADDR=f"198.51.100.{i + 1}")
    solucao = resolver(consultar(client, protocolo.numero, OUTRO_CPF))
    dados = {"numero": protocolo.numero, "cpf": OUTRO_CPF, "altcha": solucao}

    assert client.post(reverse("consumidor:consultar"), dados).status_code == 404
    assert client.post(reverse("consumidor:consultar"), dados).status_code == 429
    assert client.post(reverse("consumidor:consultar"), {**dados, "cpf": CPF}).status_code == 429


def test_an_expired_or_foreign_challenge_is_refused(client, protocolo, settings, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 27, 12, tzinfo=datetime.UTC), tick=False)
    for i, cpf in enumerate(CPFS_ERRADOS[:3]):
        consultar(Client(), protocolo.numero, cpf, REMOTE_ADDR=f"198.51.100.{i + 1}")
    solucao = resolver(consultar(client, protocolo.numero, CPF))
    alheio = altcha.create_challenge("PBKDF2/SHA-256", 1, counter=3, hmac_secret="outra chave", expires_at=2**40)
    alheia = altcha.Payload(alheio, altcha.solve_challenge(alheio)).to_base64()

    assert (
        client.post(
            reverse("consumidor:consultar"), {"numero": protocolo.numero, "cpf": CPF, "altcha": alheia}
        ).status_code
        == 429
    )
    time_machine.move_to(datetime.datetime(2026, 11, 27, 12, 10, 1, tzinfo=datetime.UTC), tick=False)
    dados = {"numero": protocolo.numero, "cpf": CPF, "altcha": solucao}
    assert client.post(reverse("consumidor:consultar"), dados).status_code == 429


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
        assert not desafio_da_pagina(consultar(client, "1", CPF, REMOTE_ADDR=f"2001:db8:1:2::{i + 1:x}"))

    assert desafio_da_pagina(consultar(client, "1", CPF, REMOTE_ADDR="2001:db8:1:2:ffff::9"))
    assert not desafio_da_pagina(consultar(client, "1", CPF, REMOTE_ADDR="2001:db8:1:3::1"))


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
        ("/consultar/", "protocolo.operacao.limites.contar_e_ler", {}),
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
