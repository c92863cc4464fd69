"""What the five roles of docs/dominio.md §5 get from the API (see tests/test_permissoes.py), and
what each scope gets from each route (tests/api/test_permissoes.py).

A session is no way into the API: every role, the verified supervisor included, gets 401 from every
route. The schema and its Swagger page are public (they describe the API and hold no data)."""

from protocolo.models import EscopoSistema as Escopo
from tests.anexos.arquivos import anexo_publico

NINGUEM = [401, 401, 401, 401, 401]

# Each route of the API, the method it answers and the one scope that opens it.
ROTAS = {
    "api:protocolos": ("post", Escopo.ABRIR),
    "api:protocolo": ("get", Escopo.LER),
    "api:interacoes": ("post", Escopo.INTERACOES),
    "api:anexos": ("post", Escopo.INTERACOES),
    # A public entry's file; an internal one's needs protocolos:agir too (tests/anexos/test_api.py).
    "api:anexo": ("get", Escopo.LER),
    "api:identificar": ("post", Escopo.AGIR),
    "api:categoria": ("post", Escopo.AGIR),
    "api:demanda": ("post", Escopo.AGIR),
    "api:situacao": ("post", Escopo.AGIR),
    "api:escalar": ("post", Escopo.AGIR),
    "api:resolver": ("post", Escopo.AGIR),
    "api:reabrir": ("post", Escopo.AGIR),
    "api:consumidor_protocolos": ("post", Escopo.CONSUMIDORES),
}
COM_NUMERO = [nome for nome in ROTAS if nome not in ("api:protocolos", "api:consumidor_protocolos")]

ESPERADO = {
    **{(nome, metodo): NINGUEM for nome, (metodo, _) in ROTAS.items()},
    ("api:esquema", "get"): [200, 200, 200, 200, 200],
    ("api:documentacao", "get"): [200, 200, 200, 200, 200],
    # Any other path under /api/v1/ is a 404 in problem+json.
    ("api:inexistente", "get"): [404, 404, 404, 404, 404],
}


def _numero(protocolo):
    return {"numero": protocolo.numero}


ARGUMENTOS = dict.fromkeys(COM_NUMERO, _numero) | {"api:anexo": anexo_publico}
