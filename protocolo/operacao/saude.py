"""
/saude/: the load balancer's health check, which asks one question: can this server serve?

The database is required: 503 {"banco": "falhou", …} when the default database does not answer a
trivial query within settings.PROTOCOLO_SAUDE_TEMPO_LIMITE_MS (2 s unless configured). The cache is
reported, not required: sessions carry on from the database and the rate limits count per process
while it is down (docs/falhas.md), so a cache outage answers 200 {"banco": "ok", "cache": "falhou"}.
A Redis outage shared by every app server would otherwise take them all out of rotation at once, a
full outage made by the health check itself. It says nothing else (no versions, hosts, counts,
personal data), sets no cookie, is never cached, never rate limited and exempt from the HTTPS
redirect (settings.SECURE_REDIRECT_EXEMPT): a probe over plain HTTP must see the app, not a 301.

The deadline holds even when the server is frozen (SIGSTOP, a hung host): its kernel still
acknowledges what is sent, so neither statement_timeout (enforced by the server) nor any TCP timeout
ends the wait. The query therefore runs in a thread of its own, on that thread's own connection,
opened for the probe and closed after it; the request waits for it at most the deadline and then
answers 503. A probe left waiting keeps its connection to itself, so no request or later probe
ever inherits a connection stuck on a frozen server. While it waits, later probes wait on it too
(at most their deadline each) instead of starting another: a frozen server costs one thread and
one connection per process, however often the load balancer asks.
"""

import logging
import threading

from django.conf import settings
from django.core.cache import caches
from django.db import connections, transaction
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

CHAVE = "protocolo:saude"


def _consultar(tempo_limite_ms):
    try:
        with transaction.atomic(using="default"), connections["default"].cursor() as cursor:
            if connections["default"].vendor == "postgresql":
                cursor.execute("SET LOCAL statement_timeout = %s", [tempo_limite_ms])
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    finally:
        # This thread's connection serves this probe only.
        connections["default"].close()


class _Sonda:
    """One probe of the database in a daemon thread (never joined at exit: a frozen server must not
    hold up a worker's shutdown either)."""

    def __init__(self, tempo_limite_ms):
        self.resultado = None
        self.erro = None
        self.linha = threading.Thread(target=self._rodar, args=(tempo_limite_ms,), daemon=True, name="saude-banco")
        self.linha.start()

    def _rodar(self, tempo_limite_ms):
        try:
            self.resultado = _consultar(tempo_limite_ms)
        except Exception as erro:
            self.erro = erro


_em_curso = None
_trava = threading.Lock()


def _banco():
    global _em_curso
    tempo_limite_ms = settings.PROTOCOLO_SAUDE_TEMPO_LIMITE_MS
    with _trava:
        if _em_curso is None or not _em_curso.linha.is_alive():
            _em_curso = _Sonda(tempo_limite_ms)
        sonda = _em_curso
    sonda.linha.join(tempo_limite_ms / 1000)
    if sonda.linha.is_alive():
        raise TimeoutError(f"sem resposta em {tempo_limite_ms} ms")
    if sonda.erro is not None:
        raise sonda.erro
    return sonda.resultado


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
