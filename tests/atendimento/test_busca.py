"""The back-office search (protocolo/selectors.py `busca`): names without regard to accents,
telephones and e-mails as the contacts store them, words of the demand, each read from its index."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from protocolo import services
from protocolo.models import Contato
from protocolo.services.contatos import contato_do_protocolo
from tests.factories import ConsumidorFactory, abrir

PAINEL = reverse("atendimento:painel")
CONSUMIDORES = reverse("atendimento:consumidores")


def _numeros(resposta):
    return sorted(p.numero for p in resposta.context["pagina"].object_list)


@pytest.mark.parametrize(
    ("nome", "busca"),
    [
        ("João Conceição", "joao"),
        ("João Conceição", "CONCEICAO"),
        ("Joao Conceicao", "João"),
        ("Antônio Araújo Gonçalves", "antonio goncalves"),
        ("Maria Aparecida da Silva", "  aparecida "),
    ],
)
def test_a_name_is_found_whatever_its_accents_and_case_both_ways(cliente_atendente, nome, busca):
    procurado = abrir(consumidor=ConsumidorFactory(nome=nome))
    abrir(consumidor=ConsumidorFactory(nome="Pedro Alves"))

    resposta = cliente_atendente.get(PAINEL, {"q": busca})

    assert _numeros(resposta) == [procurado.numero]


def test_every_word_of_a_name_must_be_in_it(cliente_atendente):
    abrir(consumidor=ConsumidorFactory(nome="João Souza"))

    resposta = cliente_atendente.get(PAINEL, {"q": "joao conceicao"})

    assert _numeros(resposta) == []


@pytest.mark.parametrize("digitado", ["(11) 98765-4321", "11987654321", "+55 11 98765-4321", "5511987654321"])
def test_a_telephone_in_any_format_finds_its_protocols(cliente_atendente, digitado):
    vinculado = ConsumidorFactory(telefone="+5511987654321")
    dele, outro_dele = abrir(consumidor=vinculado), abrir(consumidor=vinculado)
    abrir(consumidor=ConsumidorFactory(telefone="11912345678"))

    resposta = cliente_atendente.get(PAINEL, {"q": digitado})

    assert _numeros(resposta) == sorted([dele.numero, outro_dele.numero])


def test_a_telephone_typed_for_one_protocol_finds_that_protocol_only(cliente_atendente):
    consumidor = ConsumidorFactory(telefone="")
    digitado_nele, outro = abrir(consumidor=consumidor), abrir(consumidor=consumidor)
    contato_do_protocolo(
        protocolo=digitado_nele, tipo=Contato.Tipo.TELEFONE, valor="21 3456-7890", origem=Contato.Origem.ATENDIMENTO
    )

    resposta = cliente_atendente.get(PAINEL, {"q": "2134567890"})

    assert _numeros(resposta) == [digitado_nele.numero]
    assert outro.numero not in _numeros(resposta)


def test_an_email_finds_its_protocols_whatever_its_case(cliente_atendente):
    procurado = abrir(consumidor=ConsumidorFactory(email="carla.dias@example.com"))
    abrir(consumidor=ConsumidorFactory(email="pedro@example.com"))

    resposta = cliente_atendente.get(PAINEL, {"q": " Carla.Dias@Example.COM "})

    assert _numeros(resposta) == [procurado.numero]


def test_a_closed_contact_still_finds_the_protocol_it_was_typed_for(cliente_atendente):
    # A caller who gives the old e-mail is still looking for the same demand; the search reads
    # what was stored, never sends anything.
    procurado = abrir(consumidor=ConsumidorFactory(email=""))
    contato_do_protocolo(
        protocolo=procurado, tipo=Contato.Tipo.EMAIL, valor="antigo@example.com", origem=Contato.Origem.ATENDIMENTO
    )

    resposta = cliente_atendente.get(PAINEL, {"q": "antigo@example.com"})

    assert _numeros(resposta) == [procurado.numero]


@pytest.mark.parametrize("busca", ["cobrancas indevidas", "reclamação geladeira", "GELADEIRA"])
def test_words_of_the_demand_find_it_in_portuguese_without_accents(cliente_atendente, busca):
    procurado = abrir(objeto="Cobrança indevida na fatura da geladeira; quero registrar uma reclamação.")
    abrir(objeto="Pedido de segunda via do boleto.")

    resposta = cliente_atendente.get(PAINEL, {"q": busca})

    assert _numeros(resposta) == [procurado.numero]


def test_words_of_a_public_entry_find_the_protocol_but_an_internal_note_does_not(cliente_atendente, atendente):
    publico, interno = abrir(objeto="Problema."), abrir(objeto="Problema.")
    services.protocolo_registrar_interacao(
        protocolo=publico, texto="O técnico trocou o compressor.", autor=atendente, publica=True
    )
    services.protocolo_registrar_interacao(protocolo=interno, texto="Compressor em garantia?", autor=atendente)

    resposta = cliente_atendente.get(PAINEL, {"q": "compressor"})

    assert _numeros(resposta) == [publico.numero]


def test_the_consumer_search_finds_by_name_without_accents_telephone_email_and_demand(cliente_atendente):
    joao = ConsumidorFactory(nome="João Conceição", email="joao@example.com", telefone="11987654321")
    abrir(consumidor=joao, objeto="Geladeira parou de gelar.")
    ConsumidorFactory(nome="Pedro Alves", email="pedro@example.com", telefone="11912345678")

    for busca in ("joao conceicao", "(11) 98765-4321", "JOAO@example.com", "geladeira"):
        resposta = cliente_atendente.get(CONSUMIDORES, {"q": busca})
        assert resposta.context["resultados"] == [joao], busca


@pytest.mark.parametrize("busca", ["0000", "12345", "1234567", "joao@", "@@@", "a@b@c"])
def test_digits_or_an_e_mail_that_cannot_be_one_find_nothing_and_break_nothing(cliente_atendente, busca):
    abrir()

    resposta = cliente_atendente.get(PAINEL, {"q": busca})

    assert resposta.status_code == 200
    assert _numeros(resposta) == []


PALAVRAS = {"consumidor_nome_sem_acento_trgm", "protocolo_objeto_busca", "interacao_publica_busca"}
LINHAS = 'SELECT "protocolo_protocolo"."id"'


def _nos(plano):
    yield plano
    for filho in plano.get("Plans", []):
        yield from _nos(filho)


@pytest.mark.parametrize(
    ("busca", "indices"),
    [
        ("joao", PALAVRAS),
        ("geladeira quebrada", PALAVRAS),
        ("11987654321", {"contato_valor"}),
        ("carla@example.com", {"contato_valor"}),
    ],
)
def test_each_kind_of_search_reads_its_own_index_never_the_whole_table(cliente_atendente, busca, indices):
    """At a million protocols a search must read the matches, not every row: the planner is
    denied sequential scans so that, on these few rows, it picks the plan it would at scale (bench/
    measures the time)."""
    abrir(consumidor=ConsumidorFactory(nome="João", email="carla@example.com", telefone="11987654321"))
    with CaptureQueriesContext(connection) as consultas:
        assert cliente_atendente.get(PAINEL, {"q": busca}).status_code == 200
    [pagina] = [q["sql"] for q in consultas.captured_queries if q["sql"].startswith(LINHAS)]

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN (FORMAT JSON) " + pagina)
        [[explicacao]] = cursor.fetchall()

    nos = list(_nos(explicacao[0]["Plan"]))
    assert not [n for n in nos if n["Node Type"] == "Seq Scan"]
    assert indices <= {n.get("Index Name") for n in nos}
