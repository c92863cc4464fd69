"""
The proof-of-work challenge of the public lookup (docs/seguranca.md), in ALTCHA's protocol (PoW v2):
nothing is sent to a third party, the challenge is made and checked here.

- ``criar()`` is a new challenge as the JSON the widget's ``challenge`` attribute takes: the server
  draws a counter in settings.PROTOCOLO_DESAFIO's range and publishes only a prefix of the key that
  counter derives; the browser must derive keys from 0 upwards until it finds it. The work is thus
  bounded by the range (no unlucky visitor waits for ever), and costs the server one derivation.
- ``resolvido(payload)`` is True for a solution of one of our challenges (its HMAC under a key derived
  from SECRET_KEY), before it expires, the first time it is sent: a used challenge is remembered in
  the limits' cache (with its local-memory fallback, so a Redis outage never makes this a 500) until
  it expires, and a replay is refused. Checking costs no derivation: the challenge carries an HMAC
  of the expected key. Anything else — empty, too long, not base64, not JSON, tampered — is False.
"""

import json
import secrets
import time

import altcha
from django.conf import settings

from . import limites

# A payload of ours is about 600 characters; anything much longer is not one.
TAMANHO_MAXIMO = 4000


def criar():
    config = settings.PROTOCOLO_DESAFIO
    minimo, maximo = config["contador_minimo"], config["contador_maximo"]
    desafio = altcha.create_challenge(
        algorithm=config["algoritmo"],
        cost=config["custo"],
        counter=minimo + secrets.randbelow(max(1, maximo - minimo)),
        expires_at=int(time.time()) + config["validade"],
        hmac_secret=settings.PROTOCOLO_DESAFIO_CHAVE,
        hmac_key_secret=settings.PROTOCOLO_DESAFIO_CHAVE_DA_SOLUCAO,
    )
    return json.dumps(desafio.to_dict(), separators=(",", ":"))


def resolvido(payload):
    if not isinstance(payload, str) or not payload or len(payload) > TAMANHO_MAXIMO:
        return False
    try:
        resultado = altcha.verify_solution(
            payload,
            settings.PROTOCOLO_DESAFIO_CHAVE,
            hmac_key_secret=settings.PROTOCOLO_DESAFIO_CHAVE_DA_SOLUCAO,
        )
        if not resultado.verified:
            return False
        desafio = altcha.Payload.from_base64(payload).challenge
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
        # Whatever a hostile payload makes the parser raise, it is not a solution.
        return False
    restante = int(desafio.parameters.expires_at or 0) - int(time.time())
    return limites.usar_uma_vez("desafio", desafio.signature, max(1, restante + 1))
