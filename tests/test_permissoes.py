"""
Every URL of the portal and the back-office for the five roles of DESIGN §5. A URL without an entry
here fails `test_every_url_has_an_entry`.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

PAPEIS = ["anonimo", "visitante", "sem_grupo", "atendente", "supervisor"]

LOGIN = "/atendimento/entrar/"
ADMIN_LOGIN = "/admin/login/"

# (url name, method): expected status per role, in PAPEIS order. A string is a redirect target.
ESPERADO = {
    ("consumidor:inicio", "get"): [200, 200, 200, 200, 200],
    ("atendimento:entrar", "get"): [200, 200, "/atendimento/", "/atendimento/", "/atendimento/"],
    ("atendimento:sair", "post"): [LOGIN, LOGIN, LOGIN, LOGIN, LOGIN],
    ("atendimento:sair", "get"): [405, 405, 405, 405, 405],
    ("atendimento:painel", "get"): [LOGIN, LOGIN, 403, 200, 200],
    ("atendimento:painel", "post"): [405, 405, 405, 405, 405],
    ("admin:index", "get"): [ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200],
}


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
    resposta = getattr(clientes[papel], metodo)(reverse(nome))
    if isinstance(esperado, str):
        assert resposta.status_code == 302
        assert resposta.url.split("?")[0] == esperado
    else:
        assert resposta.status_code == esperado
