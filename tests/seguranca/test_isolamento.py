"""Access to one protocol never opens another (docs/dominio.md §5): a browser holding protocol A gets, on
every protocol-scoped public URL with B's number, the same 404 as for a number that does not exist;
the link to all of a consumer's demands lists theirs and nobody else's."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from consumidor import acesso
from protocolo import links, numeracao
from tests.anexos.arquivos import anexo_publico
from tests.consumidor.permissoes import ESPERADO
from tests.factories import ConsumidorFactory, abrir
from tests.seguranca import rotas

pytestmark = pytest.mark.django_db

INEXISTENTE = numeracao.formato_atual().montar(datetime.date(2026, 1, 5), 4242)
POR_NUMERO = sorted(
    (r.chave, metodo) for r in rotas.rotas() if "<str:numero>" in r.rota for nome, metodo in ESPERADO if nome == r.chave
)


def _sem_tokens(corpo):
    corpo = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", corpo)
    return re.sub(rb'nonce="[^"]+"', b"", corpo)


@pytest.fixture
def com_acesso_a_a():
    a = abrir(consumidor=ConsumidorFactory())
    navegador = Client()
    sessao = navegador.session
    acesso.conceder(sessao, a)
    sessao.save()
    return navegador, a


def test_every_protocol_scoped_public_url_is_covered():
    assert {nome for nome, _ in POR_NUMERO} >= {"consumidor:protocolo", "consumidor:comprovante", "consumidor:mensagem"}


@pytest.mark.parametrize(("nome", "metodo"), POR_NUMERO)
def test_holding_a_gives_the_missing_number_404_for_b(com_acesso_a_a, nome, metodo):
    navegador, a = com_acesso_a_a
    b = abrir(consumidor=ConsumidorFactory())
    # A URL of one file of the protocol (its entry's position and the file's): one of B's public ones.
    arquivo = [] if nome != "consumidor:anexo" else list(anexo_publico(b).values())[1:]
    antes = b.interacoes.count()
    enviar = getattr(navegador, metodo)
    dados = {"texto": "Olá", "resolvido": "sim"} if metodo == "post" else None

    de_b = enviar(reverse(nome, args=[b.numero, *arquivo]), dados)
    inexistente = enviar(reverse(nome, args=[INEXISTENTE, *arquivo]), dados)

    # A GET of a POST-only action is refused before any protocol is looked up, for every number.
    esperado = 405 if ESPERADO[nome, metodo][1] == 405 else 404
    assert de_b.status_code == inexistente.status_code == esperado
    assert _sem_tokens(de_b.content) == _sem_tokens(inexistente.content)
    assert b.interacoes.count() == antes
    # A itself is still open to this browser: the refusal is about B, not a broken session.
    assert navegador.get(reverse("consumidor:protocolo", args=[a.numero])).status_code == 200


def test_the_demands_link_lists_only_that_consumers_protocols():
    maria, joao = ConsumidorFactory(), ConsumidorFactory()
    de_maria = [abrir(consumidor=maria) for _ in range(2)]
    de_joao = [abrir(consumidor=joao) for _ in range(2)]
    navegador = Client()
    navegador.get(
        reverse("consumidor:acesso_demandas", args=[links.token_consumidor(maria, maria.contatos.get(tipo="email"))])
    )

    pagina = navegador.get(reverse("consumidor:demandas"))
    dados = navegador.get(reverse("consumidor:demandas_json"))

    assert pagina.status_code == dados.status_code == 200
    for texto in (pagina.text, dados.text):
        assert all(numeracao.formatar(p.numero) in texto or p.numero in texto for p in de_maria)
        assert not any(numeracao.formatar(p.numero) in texto or p.numero in texto for p in de_joao)
    for p in de_joao:
        assert navegador.get(reverse("consumidor:protocolo", args=[p.numero])).status_code == 404
