"""
Rate limits and lockouts of the public pages (DESIGN §5), on Django's cache API.

Rules are named after settings.PROTOCOLO_LIMITES[nome] = (vezes, segundos):

- ``consumir(nome, identificador)`` counts one request in a fixed window of ``segundos`` that
  starts with the first request ("20 lookups a minute per IP", "3 recoveries an hour per CPF") and
  raises ``Limitado`` once the count passes ``vezes``.
- ``registrar_falha(nome, identificador)`` counts a failure in the same kind of window; the
  ``vezes``-th failure sets a lock of its own that lasts ``segundos`` from that moment ("5 failed
  lookups for one number in an hour lock it for an hour"). ``exigir_desbloqueado`` raises
  ``Limitado`` while the lock stands. A lock is never lifted by a later success: the lookup that
  would succeed is refused too, so a lock reveals nothing about whether the pair exists.

Identifiers are the client's network (``rede()`` of protocolo.rede.ip_do_cliente: an IPv6 client
by its /64) or ``chave(valor)``: an HMAC of a number or CPF under settings.SECRET_KEY
(django.utils.crypto.salted_hmac), never the value itself nor a plain hash of it — the 10⁹ CPFs
are hashed through in minutes, the HMAC needs the key.

Degraded behaviour when the cache fails (Redis down, a timeout): every cache call is wrapped, and on
any exception the limiter falls back to a local-memory cache private to this process, logs a
warning and carries on. So a cache outage never becomes a 500 and never switches the limits off:
they keep holding per app server process, i.e. at most (number of processes) times looser than
configured, and counts start from zero (locks set in the shared cache are forgotten until it
comes back). When the shared cache answers again it is used again on the next call; counts made in
the fallback are not copied back.
"""

import ipaddress
import logging

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.utils.crypto import salted_hmac

logger = logging.getLogger(__name__)

SAL = "protocolo.limites"
PREFIXO = "limite"

_reserva = LocMemCache("protocolo-limites-reserva", {"OPTIONS": {"MAX_ENTRIES": 100_000}})


class Limitado(Exception):
    """The request went over a limit; ``segundos`` is how long to wait at most (Retry-After)."""

    def __init__(self, nome, segundos):
        super().__init__(f"limite {nome} atingido; tente em {segundos} s")
        self.nome = nome
        self.segundos = segundos


def chave(valor):
    """The identifier of a number or CPF in the cache: HMAC-SHA256 under SECRET_KEY."""
    return salted_hmac(SAL, str(valor), algorithm="sha256").hexdigest()


def rede(ip):
    """The identifier of a client address: an IPv4 address as it is, an IPv6 address by its /64, the
    block one customer line gets (each of its 2⁶⁴ addresses would otherwise be a fresh client)."""
    try:
        endereco = ipaddress.ip_address(ip)
    except ValueError:
        return str(ip)
    if endereco.version == 6:
        if endereco.ipv4_mapped:
            return str(endereco.ipv4_mapped)
        return str(ipaddress.ip_network(f"{endereco}/64", strict=False))
    return str(endereco)


def regra(nome):
    vezes, segundos = settings.PROTOCOLO_LIMITES[nome]
    return int(vezes), int(segundos)


def _cache():
    return caches[settings.PROTOCOLO_CACHE_LIMITES]


def _com_reserva(operacao):
    """Run operacao(cache) on the shared cache, or on the process-local fallback if it fails."""
    try:
        return operacao(_cache())
    except Exception as erro:
        # Any backend's failure: redis.ConnectionError, TimeoutError, a pickling error …
        logger.warning("Cache de limites indisponível (%s: %s); usando a reserva local.", type(erro).__name__, erro)
        return operacao(_reserva)


def _contar(cache, nome_chave, segundos):
    """Add one to a fixed-window counter that starts at the first hit."""
    if cache.add(nome_chave, 1, segundos):
        return 1
    try:
        return cache.incr(nome_chave)
    except ValueError:
        # Expired between add() and incr(): this hit opens a new window.
        cache.set(nome_chave, 1, segundos)
        return 1


def _k(*partes):
    return ":".join((PREFIXO, *partes))


def consumir(nome, identificador):
    """Count one request of `identificador` under the rule `nome`; Limitado past the limit."""
    vezes, segundos = regra(nome)
    contagem = _com_reserva(lambda cache: _contar(cache, _k(nome, identificador), segundos))
    if contagem > vezes:
        raise Limitado(nome, segundos)
    return contagem


def bloqueado(nome, identificador):
    return bool(_com_reserva(lambda cache: cache.get(_k(nome, "bloqueio", identificador))))


def exigir_desbloqueado(nome, *identificadores):
    """Limitado when any of the identifiers is locked under `nome`."""
    chaves = [_k(nome, "bloqueio", i) for i in identificadores]
    encontrados = _com_reserva(lambda cache: cache.get_many(chaves))
    if encontrados:
        raise Limitado(nome, regra(nome)[1])


def registrar_falha(nome, *identificadores):
    """One failure for each identifier; the `vezes`-th in a window locks it for `segundos`."""
    vezes, segundos = regra(nome)

    def registrar(cache):
        for identificador in identificadores:
            if _contar(cache, _k(nome, "falhas", identificador), segundos) >= vezes:
                cache.set(_k(nome, "bloqueio", identificador), 1, segundos)

    _com_reserva(registrar)
