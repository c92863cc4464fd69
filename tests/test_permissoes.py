"""
Every URL of the portal and the back-office for the five roles of DESIGN §5. Each app keeps its
table in tests/<app>/permissoes.py; a named URL without an entry fails `test_every_url_has_an_entry`.

An entry maps (url name, method) to the expected outcome per role: a status code, or a path the
response redirects to. URLs that take arguments name them in ARGUMENTOS, a function of the protocol
the visitor holds access to.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.atendimento import permissoes as atendimento
from tests.consumidor import permissoes as consumidor
from tests.protocolo import permissoes as admin

PAPEIS = ["anonimo", "visitante", "sem_grupo", "atendente", "supervisor"]
ESPERADO = consumidor.ESPERADO | atendimento.ESPERADO | admin.ESPERADO
ARGUMENTOS = getattr(consumidor, "ARGUMENTOS", {}) | getattr(atendimento, "ARGUMENTOS", {})


def _nomes(resolver, prefixo=""):
    for padrao in resolver.url_patterns:
        if isinstance(padrao, URLResolver):
            if padrao.namespace in ("consumidor", "atendimento"):
                yield from _nomes(padrao, f"{padrao.namespace}:")
        elif isinstance(padrao, URLPattern) and padrao.name:
            yield prefixo + padrao.name


def test_every_url_has_an_entry():
    cobertos = {nome for nome, _ in ESPERADO}
    assert set(_nomes(get_resolver())) - cobertos == set()


@pytest.mark.parametrize(("nome", "metodo"), list(ESPERADO))
@pytest.mark.parametrize("papel", PAPEIS)
def test_each_role_gets_what_design_allows(clientes, nome, metodo, papel):
    esperado = ESPERADO[nome, metodo][PAPEIS.index(papel)]
    argumentos = ARGUMENTOS[nome](clientes.protocolo) if nome in ARGUMENTOS else {}
    resposta = getattr(clientes[papel], metodo)(reverse(nome, kwargs=argumentos))
    if isinstance(esperado, str):
        assert resposta.status_code == 302
        assert resposta.url.split("?")[0] == esperado
    else:
        assert resposta.status_code == esperado
