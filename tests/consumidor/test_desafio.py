"""protocolo.operacao.desafio: the lookup's proof-of-work challenge (docs/seguranca.md), and the widget
vendored in static/vendor/altcha/ at the version package.json pins (docs/pilha.md 24)."""

import base64
import json
import time
from importlib.metadata import version
from pathlib import Path

import altcha
import pytest

from protocolo.operacao import desafio, limites

RAIZ = Path(__file__).resolve().parents[2]
ALTCHA_NPM = RAIZ / "node_modules" / "altcha"

VENDORIZADOS = {
    "static/vendor/altcha/altcha.min.js": "dist/external/altcha.min.js",
    "static/vendor/altcha/altcha.css": "dist/external/altcha.css",
    "static/vendor/altcha/workers/pbkdf2.js": "dist/workers/pbkdf2.js",
    "static/vendor/altcha/i18n/pt-br.js": "dist/i18n/pt-br.js",
    "static/vendor/altcha/LICENSE": "LICENSE.txt",
}


@pytest.fixture(autouse=True)
def _limpo(limites_zerados):
    yield


def _resolver(texto):
    proposto = altcha.Challenge.from_dict(json.loads(texto))
    return altcha.Payload(proposto, altcha.solve_challenge(proposto, timeout=5)).to_base64()


def test_the_vendored_widget_is_the_npm_release_package_json_pins(settings):
    if not ALTCHA_NPM.exists():
        pytest.fail("altcha não está em node_modules/: rode `npm ci --ignore-scripts` (o `make test` faz isso).")
    pinado = json.loads((RAIZ / "package.json").read_text())["dependencies"]["altcha"]
    travado = json.loads((RAIZ / "package-lock.json").read_text())["packages"]["node_modules/altcha"]["version"]
    instalado = json.loads((ALTCHA_NPM / "package.json").read_text())["version"]

    assert pinado == travado == instalado
    for nosso, deles in VENDORIZADOS.items():
        assert (RAIZ / nosso).read_bytes() == (ALTCHA_NPM / deles).read_bytes(), nosso
    # Widget 3.x and the Python package 2.x both speak PoW v2.
    assert instalado.split(".")[0] == "3" and version("altcha").split(".")[0] == "2"


def test_a_challenge_is_signed_expires_and_bounds_the_work_to_the_configured_range(settings):
    settings.PROTOCOLO_DESAFIO = {**settings.PROTOCOLO_DESAFIO, "contador_minimo": 5, "contador_maximo": 9}

    parametros = [json.loads(desafio.criar())["parameters"] for _ in range(20)]
    contadores = [altcha.solve_challenge(altcha.Challenge.from_dict({"parameters": p})).counter for p in parametros]

    assert {p["algorithm"] for p in parametros} == {"PBKDF2/SHA-256"}
    assert all(abs(p["expiresAt"] - (time.time() + 600)) < 5 for p in parametros)
    assert all(5 <= c < 9 for c in contadores)
    assert len({p["nonce"] for p in parametros}) == 20


def test_a_solution_is_accepted_once_then_refused(db):
    solucao = _resolver(desafio.criar())

    assert desafio.resolvido(solucao)
    assert not desafio.resolvido(solucao)
    assert desafio.resolvido(_resolver(desafio.criar()))


def test_an_expired_a_tampered_or_a_foreign_solution_is_refused(db, time_machine, settings):
    time_machine.move_to("2026-11-27 12:00:00Z", tick=False)
    vencida = _resolver(desafio.criar())
    time_machine.move_to("2026-11-27 12:10:01Z", tick=False)
    assert not desafio.resolvido(vencida)

    dados = json.loads(base64.b64decode(_resolver(desafio.criar())))
    dados["challenge"]["parameters"]["expiresAt"] += 3600
    assert not desafio.resolvido(base64.b64encode(json.dumps(dados).encode()).decode())
    dados = json.loads(base64.b64decode(_resolver(desafio.criar())))
    dados["solution"]["derivedKey"] = "00" * 32
    assert not desafio.resolvido(base64.b64encode(json.dumps(dados).encode()).decode())

    alheio = altcha.create_challenge("PBKDF2/SHA-256", 1, counter=3, hmac_secret="outra", expires_at=2**40)
    assert not desafio.resolvido(altcha.Payload(alheio, altcha.solve_challenge(alheio)).to_base64())


@pytest.mark.parametrize("payload", [None, "", "x", "e30=", "W10=", "bnVsbA==", "A" * 5000, "\x00", "é"])
def test_anything_else_is_refused_never_raised(db, payload):
    assert not desafio.resolvido(payload)


def test_with_the_cache_down_a_solution_is_still_checked_and_accepted_once(settings, caplog):
    settings.CACHES = {**settings.CACHES, "fora": {"BACKEND": "tests.consumidor.cache_fora.CacheFora"}}
    settings.PROTOCOLO_CACHE_LIMITES = "fora"
    solucao = _resolver(desafio.criar())

    assert desafio.resolvido(solucao)
    assert not desafio.resolvido(solucao)
    assert "Cache de limites indisponível" in caplog.text
    limites._reserva.clear()
