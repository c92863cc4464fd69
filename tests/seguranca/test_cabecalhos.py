"""Every URL pattern, requested over HTTPS as each role that may see it and anonymously, answers
with the security headers production sends, whatever its status (200, redirect, 4xx), and its HTML
needs nothing the Content-Security-Policy would block."""

import datetime
import os
import re
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings

from protocolo import anexos, numeracao
from tests.consumidor.apoio import consultar_resolvendo, desafio_da_pagina
from tests.seguranca import rotas
from tests.test_permissoes import ARGUMENTOS, ESPERADO

pytestmark = pytest.mark.django_db

UM_ANO = 365 * 24 * 3600
RAIZ = Path(__file__).resolve().parents[2]


def _diretivas(politica):
    return {partes[0]: partes[1:] for diretiva in politica.split(";") if (partes := diretiva.split()) and partes[0]}


def problemas_do_csp(politica, nonce):
    """What makes `politica` weaker than docs/seguranca.md asks: 'self' and this response's nonce for scripts,
    'self' for styles, no other host, no inline or eval, nothing embedded, nothing framing us."""
    d = _diretivas(politica)
    erros = []
    if d.get("script-src") != ["'self'", f"'nonce-{nonce}'"] and d.get("script-src") != ["'self'"]:
        erros.append(f"script-src {d.get('script-src')}")
    if d.get("style-src") != ["'self'"]:
        erros.append(f"style-src {d.get('style-src')}")
    for nome in ("default-src", "base-uri", "form-action"):
        if d.get(nome) != ["'self'"]:
            erros.append(f"{nome} {d.get(nome)}")
    for nome in ("object-src", "frame-ancestors"):
        if d.get(nome) != ["'none'"]:
            erros.append(f"{nome} {d.get(nome)}")
    for nome, valores in d.items():
        for valor in valores:
            permitido = valor in ("'self'", "'none'") or valor.startswith("'nonce-") or valor == "data:"
            if not permitido or (valor == "data:" and nome != "img-src"):
                erros.append(f"{nome} permite {valor}")
    return erros


class _Html(HTMLParser):
    """Collects what a strict CSP would block or leak: inline code and styles, third-party URLs."""

    def __init__(self, nonce):
        super().__init__()
        self.nonce = nonce
        self.erros = []

    def handle_starttag(self, tag, attrs):
        atributos = dict(attrs)
        if "style" in atributos:
            self.erros.append(f"atributo style em <{tag}>")
        if any(nome.startswith("on") for nome in atributos):
            self.erros.append(f"manipulador inline em <{tag}>")
        if tag == "style":
            self.erros.append("bloco <style>")
        inline = tag == "script" and not atributos.get("src") and atributos.get("type") != "application/json"
        if inline and (not self.nonce or atributos.get("nonce") != self.nonce):
            self.erros.append("<script> inline sem o nonce da resposta")
        for nome in ("src", "href", "action", "srcset"):
            valor = atributos.get(nome) or ""
            if re.match(r"^\s*(https?:)?//", valor) and tag in ("script", "link", "img", "iframe", "source", "form"):
                self.erros.append(f"<{tag} {nome}={valor}> de outra origem")
            if re.match(r"^\s*javascript:", valor, re.IGNORECASE):
                self.erros.append(f"<{tag} {nome}> com javascript:")


def problemas(resposta):
    erros = []
    cabecalhos = resposta.headers
    csp = cabecalhos.get("Content-Security-Policy", "")
    nonce = next(iter(re.findall(r"'nonce-([^']+)'", csp)), None)
    if not csp:
        erros.append("sem Content-Security-Policy")
    elif csp == anexos.CSP_DO_ARQUIVO and cabecalhos.get("Content-Disposition", "").startswith("attachment;"):
        # A file sent to be downloaded (protocolo/anexos.py): sandboxed, nothing allowed at all.
        pass
    else:
        erros += problemas_do_csp(csp, nonce)
    esperados = {
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "X-Content-Type-Options": "nosniff",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    erros += [f"{nome}: {cabecalhos.get(nome)!r}" for nome, valor in esperados.items() if cabecalhos.get(nome) != valor]
    hsts = re.fullmatch(
        r"max-age=(\d+)(; includeSubDomains)?(; preload)?", cabecalhos.get("Strict-Transport-Security", "")
    )
    if not hsts or int(hsts[1]) < UM_ANO:
        erros.append(f"Strict-Transport-Security: {cabecalhos.get('Strict-Transport-Security')!r}")
    for nome, biscoito in resposta.cookies.items():
        if not biscoito.value and biscoito["max-age"] == 0:
            continue
        if not biscoito["secure"] or biscoito["samesite"] not in ("Lax", "Strict"):
            erros.append(f"cookie {nome} sem Secure/SameSite")
        if not biscoito["httponly"]:
            erros.append(f"cookie {nome} sem HttpOnly")
    if cabecalhos.get("Content-Type", "").startswith("text/html") and not resposta.streaming:
        html = _Html(nonce)
        html.feed(resposta.content.decode())
        erros += html.erros
    return erros


SAIR = {"atendimento:sair", "admin:logout", "consumidor:sair"}


# Who asks for each URL besides an anonymous visitor: the role that may see it.
def _papeis(nome):
    if nome.startswith(("admin", "supervisao")):
        return ["anonimo", "supervisor"]
    if nome.startswith("atendimento:"):
        return ["anonimo", "atendente", "supervisor"]
    return ["anonimo", "visitante"]


def test_every_page_of_every_area_carries_the_security_headers(clientes):
    objetos = rotas.Objetos(clientes)
    falhas, paginas = [], set()
    # Logging out last: the other pages are walked while logged in.
    for nome, metodo in sorted(ESPERADO, key=lambda chave: chave[0] in SAIR):
        endereco = rotas.endereco(rotas.Rota(nome, nome), objetos, ARGUMENTOS)
        for papel in _papeis(nome):
            resposta = getattr(clientes[papel], metodo)(endereco, secure=True)
            if resposta.streaming:
                b"".join(resposta.streaming_content)  # a file is closed once read to its end
            onde = f"{metodo.upper()} {endereco} ({papel}, {resposta.status_code})"
            falhas += [f"{onde}: {erro}" for erro in problemas(resposta)]
            if resposta.status_code == 200 and "text/html" in resposta.headers.get("Content-Type", ""):
                paginas.add(endereco)
    assert falhas == []
    # The walk saw real pages of every area, not only redirects to a login.
    assert {"/", "/atendimento/", "/admin/", "/admin/protocolo/protocolo/", "/admin/supervisao/"} <= paginas
    assert f"/admin/protocolo/protocolo/{clientes.protocolo.pk}/change/" in paginas


def test_the_walk_would_see_a_weak_policy_or_an_inline_style():
    assert problemas_do_csp("default-src 'self'; script-src 'self' 'unsafe-inline'", None)
    html = _Html("abc")
    html.feed('<p style="color:red"></p><script>alert(1)</script><script src="https://cdn.exemplo.com/x.js"></script>')
    assert len(html.erros) == 3


def test_the_session_and_csrf_cookies_are_secure_and_unreadable_by_scripts():
    assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY


def test_production_passes_the_deployment_checks_with_nothing_silenced():
    """`check --deploy --fail-level WARNING` under the production settings module, as .ci/run runs it."""
    codigo = (
        "import django; django.setup(); from django.conf import settings; "
        "assert settings.SILENCED_SYSTEM_CHECKS == [], settings.SILENCED_SYSTEM_CHECKS; "
        "from django.core.management import call_command; "
        "call_command('check', deploy=True, fail_level='WARNING')"
    )
    ambiente = {
        k: v for k, v in os.environ.items() if not k.startswith(("PROTOCOLO_", "DEBUG", "SECRET_KEY", "DJANGO_"))
    }
    ambiente |= {
        "DJANGO_SETTINGS_MODULE": "protocolo.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "protocolo.exemplo.com.br",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/protocolo"),
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "MAILER_URL": "smtp://127.0.0.1:25",
        "PROTOCOLO_URL_BASE": "https://protocolo.exemplo.com.br",
        "PROTOCOLO_CHAVES_INTEGRIDADE": "1:" + secrets.token_hex(32),
        "PROTOCOLO_CHAVES_COMPROVANTE": "1:" + secrets.token_hex(32),
        "PROTOCOLO_EMPRESA_CNPJ": "11222333000181",
        "PROTOCOLO_ASSINATURA_PKCS12": settings.PROTOCOLO_ASSINATURA_PKCS12,
        "PROTOCOLO_ASSINATURA_SENHA": settings.PROTOCOLO_ASSINATURA_SENHA,
    }

    resultado = subprocess.run([sys.executable, "-c", codigo], cwd=RAIZ, env=ambiente, capture_output=True, text=True)

    assert resultado.returncode == 0, resultado.stderr
    assert "System check identified no issues (0 silenced)." in resultado.stdout


def test_the_lookups_failure_challenge_and_cap_pages_need_nothing_the_policy_blocks(client, limites_zerados):
    """The walk above posts an empty lookup; these are the lookup's other answers (docs/seguranca.md)."""
    numero = numeracao.formato_atual().montar(datetime.date(2026, 1, 5), 4242)
    respostas = [
        consultar_resolvendo(client, numero, cpf, secure=True)
        for cpf in ["11144477735", "39053344705", "71428793860", "86288366757"]
    ]
    for sequencia in range(1, 11):
        outro = numeracao.formato_atual().montar(datetime.date(2025, 3, 3), sequencia)
        respostas.append(consultar_resolvendo(client, outro, "52998224725", secure=True))
    respostas.append(consultar_resolvendo(client, numero, "52998224725", secure=True))

    assert desafio_da_pagina(respostas[2]) and respostas[-1].status_code == 429
    assert "Retry-After" in respostas[-1]
    assert [problemas(r) for r in respostas] == [[]] * len(respostas)
