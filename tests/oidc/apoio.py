"""A real OpenID Provider on loopback for the sign-in tests (tests/oidc/provedor.mjs, the certified
oidc-provider from node_modules), and a browser of its side driven with plain HTTP."""

import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from django.conf import settings

RAIZ = Path(__file__).resolve().parents[2]
CLIENTE, SEGREDO = "protocolo-testes", "segredo-do-cliente-de-testes"
NOMES = ("empresa", "aberto", "govbr", "confuso")
# Accounts of the provider beyond their `sub` and "cpf" claims, both the login itself.
CONTAS = {
    # gov.br-like accounts: the CPF in `sub`, the assurance level in a claim of its own.
    "52998224725": {"nivel": "ouro"},
    "11144477735": {"nivel": "bronze"},
    "sem-cpf": {"cpf": None},
    # Accounts whose provider also vouches for an e-mail address, or only shows one.
    "39053344705": {"email": "Joana@Exemplo.com.br", "email_verified": True},
    "12345678909": {"email": "outra@exemplo.com.br", "email_verified": False},
}
TEMPO = 1


class Provedor:
    def __init__(self, *, base=None, **ambiente):
        node = shutil.which("node")
        if node is None or not (RAIZ / "node_modules" / "oidc-provider").exists():
            pytest.fail("Os testes de entrada precisam do node e do oidc-provider: rode npm ci --ignore-scripts.")
        retornos = ",".join(f"{base or settings.PROTOCOLO_URL_BASE}/entrar/{nome}/retorno/" for nome in NOMES)
        self.processo = subprocess.Popen(
            [node, str(Path(__file__).with_name("provedor.mjs"))],
            cwd=RAIZ,
            env={
                "PATH": "/usr/bin:/bin",
                "PROVEDOR_CLIENTE": CLIENTE,
                "PROVEDOR_SEGREDO": SEGREDO,
                "PROVEDOR_RETORNOS": retornos,
                "PROVEDOR_CONTAS": json.dumps(CONTAS),
                **ambiente,
            },
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        # The first line, printed once it listens: the port and the issuer it announces.
        linha = self.processo.stdout.readline()
        if not linha:
            self.processo.kill()
            pytest.fail("O provedor de identidade de teste não iniciou (tests/oidc/provedor.mjs).")
        dados = json.loads(linha)
        self.porta, self.emissor = dados["porta"], dados["emissor"]
        self.endereco = f"http://127.0.0.1:{self.porta}"

    def parar(self):
        self.processo.stdout.close()
        self.processo.terminate()
        try:
            self.processo.wait(5)
        except subprocess.TimeoutExpired:
            self.processo.kill()


def config(endereco, **mudancas):
    """A provider's settings as protocolo/settings.py builds them from PROTOCOLO_OIDC_<NOME>_*."""
    return {
        "emissor": endereco,
        "cliente": CLIENTE,
        "segredo": SEGREDO,
        "titulo": "Conta Exemplo",
        "escopos": "openid cpf",
        "claim_cpf": "cpf",
        "cpf_comprovado": False,
        "claim_nivel": "",
        "niveis_aceitos": [],
        "tempo_limite": TEMPO,
    } | mudancas


def autorizar(endereco_de_autorizacao, login):
    """The browser's part at the provider: its login form with any password, then the redirects,
    up to the portal's return address (with code and state), which is returned as a path."""
    navegador = requests.Session()
    resposta = navegador.get(endereco_de_autorizacao, timeout=TEMPO)
    resposta.raise_for_status()
    acao = re.search(r'<form[^>]*action="([^"]+)"', resposta.text)[1]
    resposta = navegador.post(
        urljoin(resposta.url, acao),
        data={"prompt": "login", "login": login, "password": "qualquer"},
        allow_redirects=False,
        timeout=TEMPO,
    )
    for _ in range(10):
        assert resposta.status_code in (302, 303), resposta.text
        destino = urljoin(resposta.url, resposta.headers["Location"])
        if destino.startswith(settings.PROTOCOLO_URL_BASE):
            partes = urlsplit(destino)
            return f"{partes.path}?{partes.query}"
        resposta = navegador.get(destino, allow_redirects=False, timeout=TEMPO)
    raise AssertionError("o provedor não devolveu o navegador ao portal")


def iniciar(client, nome):
    """The portal's first step: the link answers a redirect to the provider's authorization."""
    resposta = client.get(f"/entrar/{nome}/")
    assert resposta.status_code == 302, resposta.content
    return resposta["Location"]


def entrar(client, nome, login):
    """A whole sign-in; the portal's answer to the return."""
    return client.get(autorizar(iniciar(client, nome), login))
