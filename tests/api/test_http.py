"""Every API route over real HTTP against a running server (Django's live server on loopback):
the headers, the JSON and the errors as a client on the network gets them."""

import pytest
import requests
from django.test import Client

from protocolo import services
from tests.api.apoio import cliente
from tests.factories import ConsumidorFactory, abrir, dados_iniciais

pytestmark = pytest.mark.django_db(transaction=True)

TEMPO = 1


@pytest.fixture
def http(live_server, limites_zerados):
    dados_iniciais()
    # The server thread shares this process: what its first request would load (the URLconf, the
    # views, the deadline calendar) is loaded here, so no request waits past the timeout for it.
    Client().get("/api/v1/protocolos/0/")
    abrir()
    api = cliente()
    sessao = requests.Session()
    sessao.headers["Authorization"] = f"Bearer {api.token}"
    sessao.base = f"{live_server.url}/api/v1"
    sessao.sistema = api.sistema
    yield sessao
    sessao.close()


def _post(http, caminho, corpo, **kwargs):
    return http.post(f"{http.base}{caminho}", json=corpo, timeout=TEMPO, **kwargs)


def test_a_menu_opens_reads_and_acts_over_http(http):
    aberto = _post(http, "/protocolos/", {"canal": "telefone", "cpf": "52998224725"}, headers={"Idempotency-Key": "u1"})
    assert aberto.status_code == 201, aberto.text
    numero = aberto.json()["numero"]
    assert aberto.headers["Location"] == f"/api/v1/protocolos/{numero}/"
    repetido = _post(
        http, "/protocolos/", {"canal": "telefone", "cpf": "52998224725"}, headers={"Idempotency-Key": "u1"}
    )
    assert (repetido.status_code, repetido.json()["numero"]) == (200, numero)

    lido = http.get(f"{http.base}/protocolos/{numero}/", timeout=TEMPO)
    assert lido.status_code == 200
    assert lido.headers["Content-Type"] == "application/json"
    versao = lido.json()["versao"]

    passos = [
        ("interacoes", {"texto": "Recebemos a sua ligação.", "publica": True}, 201),
        ("demanda", {"objeto": "Cobrança em dobro"}, 200),
        ("identificar", {"cpf": "11144477735", "nome": "Outra Pessoa", "versao": versao}, 200),
        ("categoria", {"categoria": "cobranca"}, 200),
        ("situacao", {"situacao": "em_atendimento"}, 200),
        ("resolver", {"texto": "Estornado."}, 200),
        ("reabrir", {"motivo": "Não veio."}, 200),
        # Last: past the first nível the protocol is the supervisors' (docs/dominio.md §5).
        ("escalar", {"motivo": "Valor alto"}, 200),
    ]
    for acao, corpo, esperado in passos:
        if "versao" not in corpo and acao not in ("interacoes", "demanda"):
            corpo = {**corpo, "versao": versao}
        resposta = _post(http, f"/protocolos/{numero}/{acao}/", corpo)
        assert resposta.status_code == esperado, (acao, resposta.text)
        versao = resposta.json().get("versao", versao)

    velho = _post(http, f"/protocolos/{numero}/escalar/", {"motivo": "de novo", "versao": 1})
    assert velho.status_code == 409
    assert velho.headers["Content-Type"] == "application/problem+json"


def test_a_cpfs_open_protocols_over_http(http):
    consumidor = ConsumidorFactory()
    abrir(consumidor=consumidor)

    resposta = _post(http, "/consumidores/protocolos/", {"cpf": consumidor.cpf})

    assert resposta.status_code == 200
    assert resposta.json()["em_aberto"] == 1


def test_errors_and_the_schema_over_http(http, live_server):
    sem_token = requests.get(f"{http.base}/protocolos/{abrir().numero}/", timeout=TEMPO)
    assert sem_token.status_code == 401
    assert sem_token.headers["WWW-Authenticate"] == 'Bearer realm="api"'
    assert sem_token.headers["Content-Type"] == "application/problem+json"

    services.credencial_revogar(credencial=http.sistema.credenciais.get(), autor=None)
    assert http.get(f"{http.base}/protocolos/{abrir().numero}/", timeout=TEMPO).status_code == 401

    esquema = requests.get(f"{http.base}/esquema/", timeout=TEMPO)
    assert esquema.status_code == 200
    assert "/api/v1/protocolos/{numero}/escalar/" in esquema.text
    pagina = requests.get(f"{http.base}/documentacao/", timeout=TEMPO)
    assert pagina.status_code == 200
    assert "'unsafe-inline'" not in pagina.headers["Content-Security-Policy"]
    assert requests.get(f"{http.base}/nada/", timeout=TEMPO).status_code == 404
