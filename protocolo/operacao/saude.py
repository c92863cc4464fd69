"""
/saude/: the load balancer's health check, which asks one question: can this server serve?

The database is required: 503 {"banco": "falhou", …} when the default database does not answer a
trivial query within TEMPO_LIMITE_MS. The cache is reported, not required: sessions carry on from
the database and the rate limits count per process while it is down (docs/falhas.md), so a cache
outage answers 200 {"banco": "ok", "cache": "falhou"}. A Redis outage shared by every app server
would otherwise take them all out of rotation at once, a full outage made by the health check
itself. It says nothing else (no versions, hosts, counts, personal data), sets no cookie, is never
cached, never rate limited and exempt from the HTTPS redirect (settings.SECURE_REDIRECT_EXEMPT): a
probe over plain HTTP must see the app, not a 301.
"""

import logging

from django.conf import settings
from django.core.cache import caches
from django.db import connections, transaction
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

# A health check that waits longer than the load balancer's probe is worse than one that fails.
TEMPO_LIMITE_MS = 2000
CHAVE = "protocolo:saude"


def _banco():
    with transaction.atomic(using="default"), connections["default"].cursor() as cursor:
        if connections["default"].vendor == "postgresql":
            cursor.execute("SET LOCAL statement_timeout = %s", [TEMPO_LIMITE_MS])
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def _cache():
    # The value is constant: app servers probing at once write the same thing.
    for alias in dict.fromkeys(["default", settings.PROTOCOLO_CACHE_LIMITES]):
        cache = caches[alias]
        cache.set(CHAVE, "ok", 60)
        if cache.get(CHAVE) != "ok":
            return False
    return True


def _verificar(nome, verificacao):
    try:
        if verificacao():
            return "ok"
        logger.warning("Saúde: %s respondeu errado.", nome)
    except Exception as erro:
        # Any failure of the part (refused connection, timeout, authentication) makes it unhealthy.
        logger.warning("Saúde: %s indisponível (%s: %s).", nome, type(erro).__name__, erro)
    return "falhou"


@csrf_exempt  # never changes anything; a POST gets the 405 below, not a CSRF page
@require_safe
@never_cache
def saude(request):
    estado = {"banco": _verificar("banco", _banco), "cache": _verificar("cache", _cache)}
    return JsonResponse(estado, status=200 if estado["banco"] == "ok" else 503)
