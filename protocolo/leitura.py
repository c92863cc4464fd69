"""
Reads that may be served by a PostgreSQL streaming replica (DATABASE_REPLICA_URL, docs/replica.md).

Nothing goes to the replica unless it asks: a named read-only selector passes its queryset through
de_leitura() (or opens its cursor on alias()), and only within a request that LeituraNaReplica
allowed. Everything else stays on the primary, where Django sends it by default: writes,
select_for_update, anything inside a transaction, and every access check (sessions, users,
groups and permissions, API tokens, a visitor's grant to a protocol). A replica lags by a moment
and could still hold an access that was taken away; a list shown a second late is harmless.

Read-your-writes: a request whose method is not safe (POST, PUT, PATCH, DELETE) reads from the
primary throughout, and once it succeeded (a status below 400) the same browser reads from the
primary for PROTOCOLO_REPLICA_JANELA seconds: a signed cookie carries the moment, so it holds on
any app server, with any session store, for an anonymous visitor too. A signed-in user's write is
also noted in the cache under their id, which reaches the clients that keep no cookies (the API's
systems) and the user's other browsers; the cache is shared by every process in production
(REDIS_URL). Writes made by a safe request (an access-log row, a session refresh) do not count:
they are nothing the pages that read from the replica show.

Outside a request (commands, workers, the shell) reads stay on the primary unless the caller
opens da_replica().
"""

import contextlib
import contextvars
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

REPLICA = "replica"
COOKIE = "protocolo_escrita"
_SAL = "protocolo.leitura.escrita"
_CHAVE_DO_USUARIO = "protocolo:leitura:escrita:{}"
METODOS_SEGUROS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

# Seconds this process leaves a replica it could not reach before trying it again.
PAUSA_SEM_REPLICA = 30

logger = logging.getLogger(__name__)
_sem_replica_ate = 0.0


class _Pedido:
    """What decides, within one request, whether the replica may answer."""

    def __init__(self, request, permitida):
        self.request = request
        self.permitida = permitida
        self._usuario_escreveu = None
        self._replica_alcancavel = None

    def replica_alcancavel(self):
        if self._replica_alcancavel is None:
            self._replica_alcancavel = _replica_alcancavel()
        return self._replica_alcancavel

    def usuario_escreveu(self):
        # Read once per request, and only when a read asks: a page that reads nothing from the
        # replica costs no cache round trip.
        if self._usuario_escreveu is None:
            usuario = getattr(self.request, "user", None)
            if usuario is None or not usuario.is_authenticated:
                self._usuario_escreveu = False
            else:
                try:
                    self._usuario_escreveu = cache.get(_CHAVE_DO_USUARIO.format(usuario.pk)) is not None
                except Exception as erro:
                    # Redis down (docs/falhas.md): the page is still served, from the primary,
                    # since whether this user just wrote cannot be known.
                    logger.warning("Cache indisponível (%s); leitura no primário.", type(erro).__name__)
                    self._usuario_escreveu = True
        return self._usuario_escreveu


_pedido = contextvars.ContextVar("protocolo_leitura_pedido", default=None)
_forcado = contextvars.ContextVar("protocolo_leitura_forcado", default=None)


def replica_configurada():
    """Whether a replica other than the primary itself is configured. The test runner points the
    alias at the primary's test database (TEST MIRROR), and reading "from the replica" there would
    only open a second connection to the same database."""
    if REPLICA not in connections.settings:
        return False
    replica, primario = connections[REPLICA].settings_dict, connections[DEFAULT_DB_ALIAS].settings_dict
    return any(replica.get(chave) != primario.get(chave) for chave in ("HOST", "PORT", "NAME"))


def _replica_alcancavel():
    """Whether the replica answers a connection; when it does not, this process reads from the
    primary for PAUSA_SEM_REPLICA seconds: a replica down (or being rebuilt) never takes the
    pages down with it, and no request waits on it meanwhile."""
    global _sem_replica_ate
    if time.monotonic() < _sem_replica_ate:
        return False
    try:
        connections[REPLICA].ensure_connection()
    except DatabaseError as erro:
        _sem_replica_ate = time.monotonic() + PAUSA_SEM_REPLICA
        primeira_linha = str(erro).strip().splitlines()[0] if str(erro).strip() else ""
        logger.warning(
            "Réplica indisponível (%s: %s); leituras no primário por %d s.",
            type(erro).__name__,
            primeira_linha,
            PAUSA_SEM_REPLICA,
        )
        return False
    return True


def alias():
    """The database this read may use now: the replica, or the primary whenever in doubt."""
    if not replica_configurada() or connections[DEFAULT_DB_ALIAS].in_atomic_block:
        # Inside a transaction a read belongs with it: it may follow a write of the same one.
        return DEFAULT_DB_ALIAS
    forcado = _forcado.get()
    if forcado is not None:
        return REPLICA if forcado else DEFAULT_DB_ALIAS
    pedido = _pedido.get()
    if pedido is None or not pedido.permitida or pedido.usuario_escreveu() or not pedido.replica_alcancavel():
        return DEFAULT_DB_ALIAS
    return REPLICA


def de_leitura(queryset):
    """The queryset on the replica when this read may go there, else untouched. A queryset that
    locks rows, or that its caller already bound to a database, is never moved."""
    if queryset.query.select_for_update or queryset._db is not None:
        return queryset
    escolhido = alias()
    return queryset if escolhido == DEFAULT_DB_ALIAS else queryset.using(escolhido)


@contextlib.contextmanager
def no_primario():
    """Every read in the block on the primary, whatever the request allows."""
    token = _forcado.set(False)
    try:
        yield
    finally:
        _forcado.reset(token)


@contextlib.contextmanager
def da_replica():
    """The opted-in reads of the block on the replica, outside a request too (a report, a
    benchmark); a transaction still keeps them on the primary."""
    token = _forcado.set(True)
    try:
        yield
    finally:
        _forcado.reset(token)


class RoteadorDaReplica:
    """Never a read: only what keeps rows read from the replica safe to use. A row read there and
    then saved (or given a related row) is written to the primary, and it may be related to rows of
    the primary: both databases hold the same data. Nothing is migrated on the replica."""

    def db_for_write(self, model, **hints):
        instancia = hints.get("instance")
        if instancia is not None and instancia._state.db == REPLICA:
            return DEFAULT_DB_ALIAS
        return None

    def allow_relation(self, obj1, obj2, **hints):
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA}:
            return True
        return None

    def allow_migrate(self, db, app_label, **hints):
        return False if db == REPLICA else None


def so_leitura(view):
    """Marks a view that reads only, though its method is POST (a CPF goes in the body, never in
    the URL): it may read from the replica and opens no read-your-writes window. Works on a view
    function or an APIView's as_view()."""
    view.protocolo_so_leitura = True
    return view


def _so_leitura(view_func):
    classe = getattr(view_func, "view_class", None) or getattr(view_func, "cls", None)
    return getattr(view_func, "protocolo_so_leitura", False) or getattr(classe, "protocolo_so_leitura", False)


def _escreveu_ha_pouco(request):
    janela = settings.PROTOCOLO_REPLICA_JANELA
    if not janela or COOKIE not in request.COOKIES:
        return False
    return request.get_signed_cookie(COOKIE, default=None, salt=_SAL, max_age=janela) is not None


class LeituraNaReplica:
    """Decides per request whether the opted-in reads may use the replica, and opens the
    read-your-writes window after a successful write."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_configurada():
            return self.get_response(request)
        request.protocolo_escrita = request.method not in METODOS_SEGUROS
        request.protocolo_escreveu_ha_pouco = _escreveu_ha_pouco(request)
        token = _pedido.set(
            _Pedido(request, permitida=not request.protocolo_escrita and not request.protocolo_escreveu_ha_pouco)
        )
        try:
            resposta = self.get_response(request)
        finally:
            _pedido.reset(token)
        if request.protocolo_escrita and resposta.status_code < 400:
            self._abrir_janela(request, resposta)
        return resposta

    def process_view(self, request, view_func, view_args, view_kwargs):
        pedido = _pedido.get()
        if pedido is not None and request.protocolo_escrita and _so_leitura(view_func):
            request.protocolo_escrita = False
            pedido.permitida = not request.protocolo_escreveu_ha_pouco

    def _abrir_janela(self, request, resposta):
        janela = settings.PROTOCOLO_REPLICA_JANELA
        if not janela:
            return
        resposta.set_signed_cookie(
            COOKIE,
            str(int(time.time())),
            salt=_SAL,
            max_age=janela,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
        usuario = getattr(request, "user", None)
        if usuario is not None and usuario.is_authenticated:
            try:
                cache.set(_CHAVE_DO_USUARIO.format(usuario.pk), 1, janela)
            except Exception as erro:
                # The write is done; only the window of the user's other clients is lost (the
                # cookie still holds it for this browser).
                logger.warning("Cache indisponível (%s); janela só pelo cookie.", type(erro).__name__)
