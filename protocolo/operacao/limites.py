"""
Rate limits and lockouts of the public pages (docs/dominio.md §5), on Django's cache API.

Rules are named after settings.PROTOCOLO_LIMITES[nome] = (vezes, segundos):

- ``consumir(nome, identificador)`` counts one request in a fixed window of ``segundos`` that
  starts with the first request ("20 lookups a minute per IP", "3 recoveries an hour per CPF") and
  raises ``Limitado`` once the count passes ``vezes``.
- ``registrar_falha(nome, identificador)`` counts a failure in the same kind of window; the
  ``vezes``-th failure sets a lock of its own that lasts ``segundos`` from that moment ("5 failed
  lookups for one number in an hour lock it for an hour"), which refuses while it stands. A lock
  is never lifted by a later success: the lookup that would succeed is refused too, so a lock
  reveals nothing about whether the pair exists.

``consumir(..., bloqueios=(nome, identificadores))`` checks those locks, in the same round trip
as its count. ``contar_e_ler`` counts the same way without refusing and also reads failure counts:
the lookup counts its address, reads the failures of its address and number (past their limit it
asks for the proof-of-work challenge, protocolo/operacao/desafio.py) and checks the CPF's lock in one
round trip. ``registrar_falhas`` counts a failure under several rules at once and returns the counts
(what the visitor is told is left); only the rules it is told to lock set a lock.
``usar_uma_vez(nome, identificador, segundos)`` is True the first time only (a solved challenge is
accepted once).

With Redis (Django's RedisCache) each call is one round trip: the counter is ``SET 0 EX NX`` and
``INCR`` in one MULTI/EXEC (no expiry can fall between them), with the lock check in the same
pipeline; ``registrar_falha`` needs a second one only on the failure that sets a lock. Any other
cache backend goes through the cache API (``add``, ``incr``, ``get_many``) with the same meaning.

Identifiers are the client's network (``rede()`` of protocolo.operacao.rede.ip_do_cliente: an IPv6 client
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
from django.core.cache.backends.redis import RedisCache
from django.shortcuts import render
from django.utils.crypto import salted_hmac

logger = logging.getLogger(__name__)

# The salt keys every stored counter and lock: it keeps the name the module had when they were made.
SAL = "protocolo.limites"
PREFIXO = "limite"

_reserva = LocMemCache("protocolo-limites-reserva", {"OPTIONS": {"MAX_ENTRIES": 100_000}})


class Limitado(Exception):
    """The request went over a limit; ``segundos`` is how long to wait at most (Retry-After)."""

    def __init__(self, nome, segundos):
        super().__init__(f"limite {nome} atingido; tente em {segundos} s")
        self.nome = nome
        self.segundos = segundos


def resposta(request, erro, template):
    """The 429 page of a Limitado: how many minutes to wait, and Retry-After in seconds."""
    pagina = render(request, template, {"minutos": max(1, erro.segundos // 60)}, status=429)
    pagina["Retry-After"] = str(erro.segundos)
    return pagina


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


def _redis(cache):
    """The redis-py client behind a Django RedisCache (None for any other backend), for pipelines
    the cache API does not offer. Django keeps it behind RedisCache._cache.get_client()."""
    if isinstance(cache, RedisCache):
        return cache._cache.get_client(write=True)
    return None


def _contar_no_pipeline(pipeline, chave_redis, segundos):
    # Django's RedisCache stores an int as its digits, so INCR and cache.get() agree with add().
    pipeline.set(chave_redis, 0, ex=segundos, nx=True)
    pipeline.incr(chave_redis)


def _contar_e_ler(cache, nome_chave, segundos, travas, leituras=()):
    """(count after this hit, whether any of the lock keys `travas` is set, the counters `leituras`)."""
    cliente = _redis(cache)
    if cliente is None:
        contagem = _contar(cache, nome_chave, segundos)
        valores = cache.get_many([*travas, *leituras]) if travas or leituras else {}
        travado = any(t in valores for t in travas)
        return contagem, travado, [int(valores.get(chave, 0)) for chave in leituras]
    pipeline = cliente.pipeline(transaction=True)
    _contar_no_pipeline(pipeline, cache.make_and_validate_key(nome_chave), segundos)
    if travas:
        pipeline.exists(*(cache.make_and_validate_key(t) for t in travas))
    if leituras:
        pipeline.mget([cache.make_and_validate_key(chave) for chave in leituras])
    resultados = pipeline.execute()
    lidos = resultados[-1] if leituras else []
    return resultados[1], bool(travas and resultados[2]), [int(valor or 0) for valor in lidos]


def _k(*partes):
    return ":".join((PREFIXO, *partes))


def consumir(nome, identificador, *, bloqueios=None):
    """Count one request of `identificador` under the rule `nome`; Limitado past the limit.

    bloqueios=(regra, identificadores): then also Limitado(regra) while any of those identifiers is
    locked under `regra`, checked in the same round trip. The request is
    counted either way, and the limit of `nome` is reported first."""
    vezes, segundos = regra(nome)
    travas = [_k(bloqueios[0], "bloqueio", i) for i in bloqueios[1]] if bloqueios else []
    contagem, travado, _ = _com_reserva(lambda cache: _contar_e_ler(cache, _k(nome, identificador), segundos, travas))
    if contagem > vezes:
        raise Limitado(nome, segundos)
    if travado:
        raise Limitado(bloqueios[0], regra(bloqueios[0])[1])
    return contagem


def contar_e_ler(nome, identificador, *, falhas=(), bloqueios=None):
    """Count one request like consumir() but never refuse; in the same round trip read the failure
    counts of falhas=[(regra, identificador), ...] and whether a lock of bloqueios=(regra,
    identificadores) stands. Returns (requests in the window, [failure counts], locked)."""
    _, segundos = regra(nome)
    travas = [_k(bloqueios[0], "bloqueio", i) for i in bloqueios[1]] if bloqueios else []
    leituras = [_k(regra_, "falhas", i) for regra_, i in falhas]
    contagem, travado, contagens = _com_reserva(
        lambda cache: _contar_e_ler(cache, _k(nome, identificador), segundos, travas, leituras)
    )
    return contagem, contagens, travado


def registrar_falhas(*pares, travar=()):
    """One failure for each (regra, identificador), in one round trip; returns the counts after it.
    Under a rule named in `travar`, the `vezes`-th failure in a window locks the identifier for the
    rule's `segundos`; the other rules only count (what contar_e_ler reads)."""

    def registrar(cache):
        falhas = [(_k(nome, "falhas", i), regra(nome)[1]) for nome, i in pares]
        cliente = _redis(cache)
        if cliente is None:
            contagens = [_contar(cache, chave, segundos) for chave, segundos in falhas]
        else:
            pipeline = cliente.pipeline(transaction=True)
            for chave, segundos in falhas:
                _contar_no_pipeline(pipeline, cache.make_and_validate_key(chave), segundos)
            contagens = pipeline.execute()[1::2]
        for nome in travar:
            vezes, segundos = regra(nome)
            travas = {
                _k(nome, "bloqueio", i): 1
                for (regra_, i), n in zip(pares, contagens, strict=True)
                if regra_ == nome and n >= vezes
            }
            if travas:
                cache.set_many(travas, segundos)
        return contagens

    return _com_reserva(registrar)


def registrar_falha(nome, *identificadores):
    """One failure for each identifier; the `vezes`-th in a window locks it for `segundos`."""
    registrar_falhas(*((nome, i) for i in identificadores), travar=(nome,))


def usar_uma_vez(nome, identificador, segundos):
    """True the first time `identificador` is used under `nome` within `segundos`, False after."""
    return _com_reserva(lambda cache: cache.add(_k(nome, "usado", identificador), 1, segundos))
