"""
Every URL pattern (the portal, the back-office and the admin, every model it registers, the API, the
providers' endpoints) for the six roles of docs/dominio.md §5. Each app keeps its table in
tests/<app>/permissoes.py; a pattern without an entry fails `test_every_url_pattern_has_an_entry`.

An entry maps (url name, method) to the expected outcome per role: a status code, or a path the
response redirects to. An unnamed pattern is keyed by its route. URLs that take arguments name them
in ARGUMENTOS, a function of the protocol the visitor holds access to; the admin's are built from
real rows (tests/seguranca/rotas.py).
"""

import pytest

from tests.api import permissoes as api
from tests.atendimento import permissoes as atendimento
from tests.consumidor import permissoes as consumidor
from tests.entrada import permissoes as entrada
from tests.protocolo import permissoes as admin
from tests.seguranca import rotas

PAPEIS = ["anonimo", "visitante", "sem_grupo", "atendente", "supervisor", "ouvidoria"]
ESPERADO = consumidor.ESPERADO | atendimento.ESPERADO | admin.ESPERADO | api.ESPERADO | entrada.ESPERADO
# The Ouvidoria (nível 3) is a back-office team like the attendants: its column is theirs except
# where an app's table says otherwise (a power it holds, OUVIDORIA).
OUVIDORIA = (
    getattr(consumidor, "OUVIDORIA", {}) | getattr(atendimento, "OUVIDORIA", {}) | getattr(admin, "OUVIDORIA", {})
)
ARGUMENTOS = getattr(consumidor, "ARGUMENTOS", {}) | getattr(atendimento, "ARGUMENTOS", {}) | api.ARGUMENTOS


def test_every_url_pattern_has_an_entry():
    cobertos = {nome for nome, _ in ESPERADO}
    assert rotas.chaves() - cobertos == set()


def test_the_table_names_no_url_that_does_not_exist():
    assert {nome for nome, _ in ESPERADO} - rotas.chaves() == set()


def test_every_model_the_admin_registers_has_its_row():
    assert set(admin.MODELOS) == set(rotas.modelos_do_admin())


@pytest.mark.parametrize(("nome", "metodo"), list(ESPERADO))
@pytest.mark.parametrize("papel", PAPEIS)
def test_each_role_gets_what_design_allows(clientes, nome, metodo, papel):
    linha = ESPERADO[nome, metodo]
    if papel == "ouvidoria":
        esperado = OUVIDORIA.get((nome, metodo), linha[PAPEIS.index("atendente")])
    else:
        esperado = linha[PAPEIS.index(papel)]
    endereco = rotas.endereco(rotas.Rota(nome, nome), rotas.Objetos(clientes), ARGUMENTOS)
    resposta = getattr(clientes[papel], metodo)(endereco)
    # A streamed file (an attachment) holds its file open until it is read to the end, when the
    # test client closes it.
    if getattr(resposta, "streaming", False):
        b"".join(resposta.streaming_content)
    if isinstance(esperado, str):
        assert resposta.status_code == 302
        assert resposta.url.split("?")[0] == esperado
    else:
        assert resposta.status_code == esperado
