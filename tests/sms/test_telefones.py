"""Telephones in E.164 (docs/seguranca.md, "Telefones"): every way of typing one telephone is one
stored value, a Brazilian mobile typed with its old eight digits gets its ninth, and what is no
telephone is refused with a message in Portuguese."""

import logging

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from protocolo.exceptions import DadosInvalidos
from protocolo.models import Contato, Protocolo
from protocolo.selectors import busca
from protocolo.services.contatos import normalizar, telefone_formatado
from tests.factories import ConsumidorFactory, abrir

TELEFONE = Contato.Tipo.TELEFONE

MESMO_CELULAR = [
    "11987654321",
    "(11) 98765-4321",
    "(11)98765-4321",
    "11 9 8765 4321",
    "11.98765.4321",
    "+55 11 98765-4321",
    "+55 (11) 98765-4321",
    "+5511987654321",
    "5511987654321",
    "011 98765-4321",
    # Without the ninth digit, as written before 2016.
    "(11) 8765-4321",
    "11 87654321",
    "+55 11 8765-4321",
    " 1187654321 ",
]


@pytest.mark.parametrize("digitado", MESMO_CELULAR)
def test_every_way_of_typing_one_mobile_is_one_value(digitado):
    assert normalizar(TELEFONE, digitado) == "+5511987654321"


@pytest.mark.parametrize(
    ("digitado", "guardado"),
    [
        ("(11) 3456-7890", "+551134567890"),
        ("(21) 2345-6789", "+552123456789"),
        ("0800 123 4567", "+558001234567"),
        ("+1 650 253 0000", "+16502530000"),
        ("+351 912 345 678", "+351912345678"),
        ("(61) 7765-4321", "+5561977654321"),
    ],
)
def test_fixed_lines_toll_free_and_foreign_numbers_keep_their_form(digitado, guardado):
    assert normalizar(TELEFONE, digitado) == guardado


@pytest.mark.parametrize(
    "digitado",
    ["123", "98765-4321", "(00) 98765-4321", "+55 11 98765-43210", "11 98765-432a", "+0 123", "1" * 40, "+", "()-"],
)
def test_what_is_no_telephone_is_refused_in_portuguese(digitado):
    with pytest.raises(DadosInvalidos, match="Telefone inválido: informe o DDD e o número"):
        normalizar(TELEFONE, digitado)


def test_blank_is_no_telephone():
    assert normalizar(TELEFONE, "  ") == ""


@pytest.mark.parametrize(
    ("guardado", "mostrado"),
    [("+5511987654321", "(11) 98765-4321"), ("+551134567890", "(11) 3456-7890"), ("+16502530000", "+1 650-253-0000")],
)
def test_the_back_office_reads_telephones_formatted(guardado, mostrado):
    assert telefone_formatado(guardado) == mostrado


def test_a_value_that_does_not_parse_is_shown_as_it_is():
    assert telefone_formatado("0800") == "0800"


@pytest.mark.django_db
@pytest.mark.parametrize("digitado", ["(11) 8765-4321", "+55 11 98765 4321", "11987654321"])
def test_the_search_finds_a_telephone_however_it_is_typed(atendente, digitado):
    protocolo = abrir(atendente=atendente, consumidor=ConsumidorFactory(telefone="11 98765-4321"))

    assert list(busca(Protocolo.objects.all(), digitado)) == [protocolo]


@pytest.mark.django_db
def test_the_attendant_gets_the_error_on_the_telephone_field(atendente, client):
    client.force_login(atendente)
    protocolo = abrir(atendente=atendente)

    resposta = client.post(
        reverse("atendimento:identificar", args=[protocolo.numero]),
        {"identificar-versao": protocolo.versao, "identificar-nome": "Ana", "identificar-telefone": "98765-4321"},
        follow=True,
    )

    assert resposta.status_code == 200
    assert "Telefone inválido: informe o DDD e o número" in resposta.text
    assert not Contato.objects.filter(tipo=TELEFONE, protocolo=protocolo).exists()


@pytest.mark.django_db
def test_the_attendant_types_a_mobile_without_its_ninth_digit(atendente, client):
    client.force_login(atendente)
    protocolo = abrir(atendente=atendente)

    client.post(
        reverse("atendimento:identificar", args=[protocolo.numero]),
        {"identificar-versao": protocolo.versao, "identificar-nome": "Ana", "identificar-telefone": "(11) 8765-4321"},
    )

    assert Contato.objects.get(tipo=TELEFONE, protocolo=protocolo).valor == "+5511987654321"


def _migrar(alvo):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(alvo)
    return executor.loader.project_state(alvo).apps


@pytest.mark.django_db(transaction=True)
def test_the_migration_rewrites_stored_telephones_and_reports_the_unreadable(caplog):
    antigas = _migrar([("protocolo", "0022_mensagem_canal_sms")])
    try:
        Protocolo_ = antigas.get_model("protocolo", "Protocolo")
        Contato_ = antigas.get_model("protocolo", "Contato")
        protocolo = Protocolo_.objects.create(numero="1", canal="telefone")
        valores = ["11988887777", "+5511988887777", "1187776666", "551134567890", "12345", "ana@exemplo.com.br"]
        ids = [
            Contato_.objects.create(
                protocolo=protocolo, tipo="email" if "@" in v else "telefone", valor=v, origem="migracao"
            ).pk
            for v in valores
        ]
        with caplog.at_level(logging.WARNING, logger="protocolo.migracoes"):
            novas = _migrar([("protocolo", "0023_telefones_e164")])
        Contato = novas.get_model("protocolo", "Contato")
        guardados = [Contato.objects.get(pk=pk).valor for pk in ids]
    finally:
        executor = MigrationExecutor(connection)
        _migrar(executor.loader.graph.leaf_nodes("protocolo"))

    assert guardados == [
        "+5511988887777",
        "+5511988887777",
        "+5511987776666",
        "+551134567890",
        "12345",
        "ana@exemplo.com.br",
    ]
    assert f"1 telefone(s) não lido(s) como número válido ficaram como estavam: contatos {ids[4]}." in caplog.text
