"""
Settings, read from the environment.

Production is the default: every unsafe shortcut (console e-mail, development keys, no HTTPS) needs
DEBUG=1. The README lists every variable.
"""

import hashlib
import hmac
import ipaddress
import re
import warnings
import zoneinfo
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from stdnum.br import cnpj
from stdnum.exceptions import ValidationError

# pyHanko imports cryptography's DSA key type, which cryptography deprecates at import: nothing of
# ours to change, and not a line for the terminal of every command (docs/pilha.md 39).
warnings.filterwarnings("ignore", message="DSA is deprecated")

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)


def _exigir(nome, padrao_debug):
    """A value that production must set and development may leave to a local default."""
    valor = env.str(nome, default="")
    if valor:
        return valor
    if DEBUG:
        return padrao_debug
    raise ImproperlyConfigured(f"A variável de ambiente {nome} é obrigatória fora do modo DEBUG.")


SECRET_KEY = _exigir("SECRET_KEY", "desenvolvimento-apenas-nao-use-em-producao-" + "x" * 20)

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Django's admin with a site that asks supervisors for a second factor (protocolo/contas/segundo_fator.py).
    "protocolo.apps.AdminComSegundoFator",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "sequences",
    "pgtrigger",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "protocolo",
    "consumidor",
    "atendimento",
]

MIDDLEWARE = [
    # Outermost, so that every response carries their headers: the HTTPS redirect and the 400 for a
    # host we do not serve come from the layers below and would otherwise go out without them.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Picks the database of the reads that opt in (protocolo/leitura.py): after the session, before
    # any view; inert without DATABASE_REPLICA_URL.
    "protocolo.leitura.LeituraNaReplica",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Inside the header middlewares, so its redirect to the login page carries their headers too.
    "protocolo.contas.sessao.ExpiracaoPorInatividade",
    # Last, as django-axes asks: it turns a lockout raised by authentication into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "protocolo.urls"
WSGI_APPLICATION = "protocolo.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database ----------------------------------------------------------------------------------------

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# A PostgreSQL streaming replica for the reads that opt in (protocolo/leitura.py, docs/replica.md):
# without it, the alias does not exist and those reads stay on the primary.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = env.db_url_config(DATABASE_REPLICA_URL)
# psycopg's connection pool per process instead of one persistent connection (docs/replica.md).
DATABASE_POOL = env.bool("DATABASE_POOL", default=False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Without IMMEDIATE, concurrent openings fail with "database is locked" (docs/pilha.md 12).
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
    # The covering indexes (INCLUDE) are plain ones on SQLite: the demo has a few rows. The daily
    # rollups' tables, whose key leaves NULLs not distinct, are PostgreSQL's only (required_db_vendor).
    SILENCED_SYSTEM_CHECKS = ["models.W040", "models.W047"]
    if DATABASE_REPLICA_URL or DATABASE_POOL:
        raise ImproperlyConfigured("DATABASE_REPLICA_URL e DATABASE_POOL pedem PostgreSQL na DATABASE_URL.")
else:
    _pool = {
        "min_size": env.int("DATABASE_POOL_MIN", default=2),
        "max_size": env.int("DATABASE_POOL_MAX", default=4),
        # Seconds a request waits for a free connection (or for the database to come back) before
        # it fails as an outage, a 503 (protocolo/operacao/falhas.py).
        "timeout": env.float("DATABASE_POOL_TIMEOUT", default=5.0),
    }
    if DATABASE_POOL and not 1 <= _pool["min_size"] <= _pool["max_size"]:
        raise ImproperlyConfigured("DATABASE_POOL_MIN vai de 1 até DATABASE_POOL_MAX.")
    for _alias, _banco in DATABASES.items():
        if _alias == "replica" and _banco["ENGINE"] != "django.db.backends.postgresql":
            raise ImproperlyConfigured("DATABASE_REPLICA_URL deve ser um endereço postgres://, como a DATABASE_URL.")
        if DATABASE_POOL:
            # The pool replaces persistent connections (Django refuses both). CONN_HEALTH_CHECKS
            # then becomes the pool's check (ConnectionPool.check_connection): a connection that a
            # database restart broke is thrown away when taken, never handed to a request.
            _banco["CONN_MAX_AGE"] = 0
            _banco.setdefault("OPTIONS", {})["pool"] = dict(_pool)
        else:
            _banco["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
        _banco["CONN_HEALTH_CHECKS"] = True
        # Timeouts kept by this side of the connection (libpq), so a server that stops answering
        # without closing the socket (frozen, its host gone, the network cut) fails a request in
        # seconds instead of holding a worker until gunicorn kills it: statement_timeout is enforced
        # by the server, which then cannot. Values given in DATABASE_URL's query string win
        # (docs/falhas.md, docs/operacao.md).
        for _opcao, _valor in {
            # Seconds to open a connection (libpq counts at least 2).
            "connect_timeout": env.int("DB_CONNECT_TIMEOUT", default=5),
            # An idle connection is probed after 10 s of silence, every 5 s, given up after 3 misses.
            "keepalives": env.int("DB_KEEPALIVES", default=1),
            "keepalives_idle": env.int("DB_KEEPALIVES_IDLE", default=10),
            "keepalives_interval": env.int("DB_KEEPALIVES_INTERVAL", default=5),
            "keepalives_count": env.int("DB_KEEPALIVES_COUNT", default=3),
            # Milliseconds that sent data may stay unacknowledged by the server's host before the
            # connection is dropped (Linux TCP_USER_TIMEOUT). A long query is not cut: its bytes were
            # acknowledged when sent. It also bounds the keepalive probes above.
            "tcp_user_timeout": env.int("DB_TCP_USER_TIMEOUT_MS", default=15_000),
        }.items():
            _banco.setdefault("OPTIONS", {}).setdefault(_opcao, _valor)
    if DATABASE_REPLICA_URL:
        # Every transaction on the replica is read-only even when the URL names a server that
        # accepts writes (a logical replica, a mistake): a write sent there fails instead of
        # forking the data. A test database is never created there: the test runner points the
        # alias at the primary's (its own tests point it at a real standby, tests/replica).
        _replica = DATABASES["replica"]
        _opcoes = _replica["OPTIONS"].get("options", "")
        _replica["OPTIONS"]["options"] = f"{_opcoes} -c default_transaction_read_only=on".strip()
        _replica["TEST"] = {"MIRROR": "default"}

# Rows read from the replica are written back to the primary, never to it (protocolo/leitura.py).
DATABASE_ROUTERS = ["protocolo.leitura.RoteadorDaReplica"]

# Seconds after a write during which the same browser (or signed-in user) reads from the primary
# only, so that it sees what it just did even when the replica lags (protocolo/leitura.py).
PROTOCOLO_REPLICA_JANELA = env.int("PROTOCOLO_REPLICA_JANELA", default=5)
if PROTOCOLO_REPLICA_JANELA < 0:
    raise ImproperlyConfigured("PROTOCOLO_REPLICA_JANELA deve ser 0 ou mais (segundos).")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache and sessions --------------------------------------------------------------------------------

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A Redis that hangs must cost a request a second, not a worker for good.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    # cached_db that falls back to the database when Redis is down (protocolo/operacao/sessoes.py).
    SESSION_ENGINE = "protocolo.operacao.sessoes"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# E-mail -------------------------------------------------------------------------------------------


def _mailer(url):
    """MAILERS["default"] from one URL: smtp://, smtps://, console:// or locmem://."""
    partes = urlsplit(url)
    opcoes = {k: v[-1] for k, v in parse_qs(partes.query).items()}
    if partes.scheme == "console":
        return {"BACKEND": "protocolo.operacao.console.EmailBackend"}
    if partes.scheme == "locmem":
        return {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if partes.scheme not in ("smtp", "smtps"):
        raise ImproperlyConfigured(f"MAILER_URL com esquema desconhecido: {partes.scheme!r}.")
    return {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": partes.hostname or "localhost",
            "port": partes.port or (465 if partes.scheme == "smtps" else 25),
            "username": unquote(partes.username or ""),
            "password": unquote(partes.password or ""),
            "use_ssl": partes.scheme == "smtps",
            "use_tls": opcoes.get("tls") in ("1", "true"),
            "timeout": int(opcoes.get("timeout", "10")),
        },
    }


MAILERS = {"default": _mailer(env.str("MAILER_URL", default="console://" if DEBUG else "smtp://localhost:25"))}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Protocolo <nao-responda@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# SMS (docs/operacao.md, "SMS") -----------------------------------------------------------------------

_LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def _sms(url):
    """The SMS backend from one URL, like MAILER_URL: console://, memoria://,
    twilio://SID:TOKEN@host:port/?de=+55…, or http(s)://… for a gateway that takes a JSON body.
    Empty: no SMS at all. Plain http only towards loopback (the tests' fake providers)."""
    if not url:
        return None
    partes = urlsplit(url)
    # A "+" is the sender's E.164 (?de=+5511…), never a space.
    opcoes = {k: v[-1] for k, v in parse_qs(partes.query.replace("+", "%2B")).items()}
    if partes.scheme in ("console", "memoria"):
        return {"backend": partes.scheme}
    if partes.scheme not in ("twilio", "http", "https"):
        raise ImproperlyConfigured(f"SMS_URL com esquema desconhecido: {partes.scheme!r}.")
    inseguro = partes.scheme == "http" or opcoes.pop("inseguro", "") in ("1", "true")
    if inseguro and partes.hostname not in _LOOPBACK:
        raise ImproperlyConfigured("SMS_URL: http sem TLS só vale para 127.0.0.1 (servidores de teste).")
    esquema = "http" if inseguro else "https"
    porta = f":{partes.port}" if partes.port else ""
    comum = {
        "de": opcoes.pop("de", ""),
        "timeout": float(opcoes.pop("timeout", "10")),
        "usuario": unquote(partes.username or ""),
        "senha": unquote(partes.password or ""),
    }
    if partes.scheme == "twilio":
        if not comum["usuario"] or not comum["senha"] or not comum["de"]:
            raise ImproperlyConfigured("SMS_URL twilio:// pede ACCOUNT_SID:AUTH_TOKEN@ e ?de=+55… (remetente).")
        host = partes.hostname or "api.twilio.com"
        return {"backend": "twilio", "base": f"{esquema}://{host}{porta}", **comum}
    cabecalho = opcoes.pop("cabecalho", "")
    nome, _, valor = cabecalho.partition(":")
    resto = "&".join(f"{k}={quote(v)}" for k, v in opcoes.items())
    return {
        "backend": "http",
        "url": f"{esquema}://{partes.hostname}{porta}{partes.path}" + (f"?{resto}" if resto else ""),
        "cabecalhos": {nome.strip(): unquote(valor).strip()} if nome.strip() else {},
        # Zenvia's v2 API by default; "{de}", "{para}", "{texto}" and "{id}" are filled in.
        "corpo": env.str(
            "SMS_CORPO_JSON",
            default='{"from": "{de}", "to": "{para}", "contents": [{"type": "text", "text": "{texto}"}]}',
        ),
        **comum,
    }


SMS = _sms(env.str("SMS_URL", default="console://" if DEBUG else ""))

# WhatsApp (docs/operacao.md, "WhatsApp") ---------------------------------------------------------------


def _whatsapp(url):
    """The WhatsApp backend from one URL, like SMS_URL: console://, memoria://, or
    meta://ACCESS_TOKEN@graph.facebook.com/v21.0/PHONE_NUMBER_ID for Meta's Cloud API (?timeout=10,
    ?idioma=pt_BR for the templates). Empty: no WhatsApp at all. Plain http only towards loopback
    (?inseguro=1, the tests' fake provider)."""
    if not url:
        return None
    partes = urlsplit(url)
    opcoes = {k: v[-1] for k, v in parse_qs(partes.query).items()}
    try:
        timeout = float(opcoes.pop("timeout", "10"))
    except ValueError:
        timeout = 0
    if not 0 < timeout <= 120:
        raise ImproperlyConfigured("WHATSAPP_URL: timeout precisa ser um número de segundos entre 0 e 120.")
    idioma = opcoes.pop("idioma", "pt_BR")
    if not re.fullmatch(r"[a-z]{2,3}(_[A-Z]{2})?", idioma):
        raise ImproperlyConfigured(f"WHATSAPP_URL: idioma {idioma!r} inválido (por exemplo pt_BR).")
    if partes.scheme in ("console", "memoria"):
        return {"backend": partes.scheme, "idioma": idioma}
    if partes.scheme != "meta":
        raise ImproperlyConfigured(f"WHATSAPP_URL com esquema desconhecido: {partes.scheme!r}.")
    host = partes.hostname or "graph.facebook.com"
    inseguro = opcoes.pop("inseguro", "") in ("1", "true")
    if inseguro and host not in _LOOPBACK:
        raise ImproperlyConfigured("WHATSAPP_URL: http sem TLS só vale para 127.0.0.1 (servidores de teste).")
    caminho = re.fullmatch(r"/(v\d+\.\d+)/(\d+)/?", partes.path)
    token = unquote(partes.username or "")
    if not token or caminho is None:
        raise ImproperlyConfigured(
            "WHATSAPP_URL meta:// pede ACCESS_TOKEN@graph.facebook.com/vXX.X/PHONE_NUMBER_ID "
            "(o token de um usuário do sistema, a versão da API e o id do número)."
        )
    esquema = "http" if inseguro else "https"
    porta = f":{partes.port}" if partes.port else ""
    if ":" in host:
        host = f"[{host}]"
    versao, numero = caminho.groups()
    return {
        "backend": "meta",
        "url": f"{esquema}://{host}{porta}/{versao}/{numero}/messages",
        "token": token,
        "timeout": timeout,
        "idioma": idioma,
    }


WHATSAPP = _whatsapp(env.str("WHATSAPP_URL", default="console://" if DEBUG else ""))

# Inbound messages and delivery receipts (docs/operacao.md, "Mensagens recebidas"). Empty, the
# endpoint refuses every call: no signature can be checked. Twilio's calls are checked with the auth
# token of a twilio:// SMS_URL; the URL they were signed for is PROTOCOLO_URL_BASE + the path.
WHATSAPP_TOKEN_VERIFICACAO = env.str("WHATSAPP_TOKEN_VERIFICACAO", default="")
WHATSAPP_SEGREDO_APP = env.str("WHATSAPP_SEGREDO_APP", default="")
SMS_GATEWAY_SEGREDO = env.str("SMS_GATEWAY_SEGREDO", default="")

# Authentication -----------------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Withholds a supervisor's powers from a session that has not given the second factor.
    "protocolo.contas.segundo_fator.PoderesVerificados",
    "django.contrib.auth.backends.ModelBackend",
]
# A call centre shares one IP: lock the username-and-IP pair, not the whole office.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HORAS", default=0.25)
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "protocolo.operacao.rede.ip_do_cliente"
AXES_USERNAME_CALLABLE = "protocolo.operacao.rede.usuario_do_login"
AXES_LOCKOUT_TEMPLATE = "atendimento/bloqueado.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_SENSITIVE_PARAMETERS = ["password"]
AXES_VERBOSE = False

LOGIN_URL = "atendimento:entrar"
LOGIN_REDIRECT_URL = "atendimento:painel"
LOGOUT_REDIRECT_URL = "atendimento:entrar"

# The admin's second factor (django-otp, TOTP). Wrong codes wait 1 s, 2 s, 4 s … before the next try.
OTP_TOTP_ISSUER = "Protocolo"
OTP_TOTP_THROTTLE_FACTOR = 1
# Nobody reads another supervisor's key or QR code in the admin; they may only delete the device.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# The whole back-office asks everyone in it for the code too, not only the admin and a supervisor's
# powers: attendants reveal full CPFs (docs/seguranca.md). On in production, off in the DEBUG demo.
PROTOCOLO_SEGUNDO_FATOR_ATENDENTES = env.bool("PROTOCOLO_SEGUNDO_FATOR_ATENDENTES", default=not DEBUG)

# A logged-in user idle this long is logged out at the next request (protocolo/contas/sessao.py).
PROTOCOLO_SESSAO_OCIOSA_MINUTOS = env.int("PROTOCOLO_SESSAO_OCIOSA_MINUTOS", default=30)
if PROTOCOLO_SESSAO_OCIOSA_MINUTOS < 1:
    raise ImproperlyConfigured("PROTOCOLO_SESSAO_OCIOSA_MINUTOS deve ser 1 ou mais.")

# Language, time, static files ---------------------------------------------------------------------

LANGUAGE_CODE = "pt-br"
# Our catalogue first: month names in lowercase, as pt-BR writes them inside a date.
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates follow the tzdata package (requirements.in), never the host's files, which may predate the
# end of Brazil's daylight saving (2019): zoneinfo reads the host first unless its path is empty, and
# would reuse a zone it built from them before this line.
zoneinfo.reset_tzpath(to=())
zoneinfo.ZoneInfo.clear_cache()
TIME_ZONE = "America/Sao_Paulo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Attachments (docs/anexos.md) ---------------------------------------------------------------------
# Their own storage, never the static files' nor a URL anyone can reach: the bytes go out only
# through the views that check access. On disk under the project by default (`make run`); on
# S3-compatible object storage when a bucket is named.
PROTOCOLO_ANEXOS_DIR = env.path("PROTOCOLO_ANEXOS_DIR", default=BASE_DIR / "media" / "anexos")
PROTOCOLO_ANEXOS_S3_BUCKET = env.str("PROTOCOLO_ANEXOS_S3_BUCKET", default="")
if PROTOCOLO_ANEXOS_S3_BUCKET:
    from botocore.config import Config

    # A storage that stops answering must cost a request seconds, not a worker: boto3's own
    # defaults wait a minute per read and retry on top of it.
    _tempo_limite_s3 = env.int("PROTOCOLO_ANEXOS_S3_TEMPO_LIMITE", default=10)
    STORAGES["anexos"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": PROTOCOLO_ANEXOS_S3_BUCKET,
            "endpoint_url": env.str("PROTOCOLO_ANEXOS_S3_ENDPOINT", default="") or None,
            "region_name": env.str("PROTOCOLO_ANEXOS_S3_REGIAO", default="") or None,
            # Without keys, boto3's own chain (instance role, AWS_* variables) answers.
            "access_key": env.str("PROTOCOLO_ANEXOS_S3_ACCESS_KEY", default="") or None,
            "secret_key": env.str("PROTOCOLO_ANEXOS_S3_SECRET_KEY", default="") or None,
            "location": env.str("PROTOCOLO_ANEXOS_S3_PREFIXO", default=""),
            "addressing_style": env.str("PROTOCOLO_ANEXOS_S3_ENDERECAMENTO", default="") or None,
            # Private objects, and no pre-signed URL is ever handed out (docs/anexos.md).
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": True,
            "client_config": Config(
                connect_timeout=min(_tempo_limite_s3, 5),
                read_timeout=_tempo_limite_s3,
                retries={"mode": "standard", "max_attempts": 2},
            ),
        },
    }
else:
    STORAGES["anexos"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": PROTOCOLO_ANEXOS_DIR,
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    }
# Limits: per file, per message (or opening form, or API call) and per protocol, in bytes and in
# files; an image's pixels are limited before it is decoded (decompression bombs).
PROTOCOLO_ANEXOS_TAMANHO_MAXIMO = env.int("PROTOCOLO_ANEXOS_TAMANHO_MAXIMO", default=10 * 1024 * 1024)
PROTOCOLO_ANEXOS_POR_MENSAGEM = env.int("PROTOCOLO_ANEXOS_POR_MENSAGEM", default=5)
PROTOCOLO_ANEXOS_TAMANHO_POR_MENSAGEM = env.int("PROTOCOLO_ANEXOS_TAMANHO_POR_MENSAGEM", default=25 * 1024 * 1024)
PROTOCOLO_ANEXOS_POR_PROTOCOLO = env.int("PROTOCOLO_ANEXOS_POR_PROTOCOLO", default=30)
PROTOCOLO_ANEXOS_TAMANHO_POR_PROTOCOLO = env.int("PROTOCOLO_ANEXOS_TAMANHO_POR_PROTOCOLO", default=150 * 1024 * 1024)
PROTOCOLO_ANEXOS_PIXELS_MAXIMO = env.int("PROTOCOLO_ANEXOS_PIXELS_MAXIMO", default=40_000_000)
if min(PROTOCOLO_ANEXOS_TAMANHO_MAXIMO, PROTOCOLO_ANEXOS_POR_MENSAGEM, PROTOCOLO_ANEXOS_PIXELS_MAXIMO) < 1:
    raise ImproperlyConfigured("Os limites dos anexos (PROTOCOLO_ANEXOS_*) devem ser 1 ou mais.")
# A body past the message's limit stops being read at its first file (protocolo/anexos.py,
# LimiteDoEnvio): the fields typed before it are kept for the form that refuses it. Files above
# FILE_UPLOAD_MAX_MEMORY_SIZE wait in temporary files, never in memory.
FILE_UPLOAD_HANDLERS = [
    "protocolo.anexos.LimiteDoEnvio",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_PERMISSIONS = 0o600
DATA_UPLOAD_MAX_NUMBER_FILES = max(20, PROTOCOLO_ANEXOS_POR_MENSAGEM * 2)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Security -----------------------------------------------------------------------------------------

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    # The lookup's challenge solves in a worker started from our own static file (docs/pilha.md 24).
    "worker-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# No script of ours reads the CSRF cookie: forms carry the token.
CSRF_COOKIE_HTTPONLY = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Behind a load balancer, the header it sets (e.g. HTTP_X_FORWARDED_PROTO) and never one a client
# could send on its own.
# The header where the load balancer appends the client's address, and how many proxies of ours
# stand between the client and the app (docs/dominio.md §6: never a header anyone can send).
PROTOCOLO_CABECALHO_IP = env.str("PROTOCOLO_CABECALHO_IP", default="")
PROTOCOLO_PROXIES_CONFIAVEIS = env.int("PROTOCOLO_PROXIES_CONFIAVEIS", default=1)

_proxy_https = env.str("PROXY_HTTPS_HEADER", default="")
if _proxy_https:
    SECURE_PROXY_SSL_HEADER = (_proxy_https, "https")

# The load balancer probes /saude/ over plain HTTP: it must see the app, not the redirect. Matched
# against the path without its leading slash.
SECURE_REDIRECT_EXEMPT = [r"^saude/$"]

if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Logging ------------------------------------------------------------------------------------------

# Errors are reported through logging: everything, django.request's 500s included, goes to stderr
# through one handler whose filter masks CPFs, e-mail addresses and telephone numbers (LGPD).
# Django's own "django" handlers (console in debug, mail_admins) are dropped: one place, masked.
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"dados_pessoais": {"()": "protocolo.operacao.registro.MascararDadosPessoais"}},
    # With the UTC offset: gunicorn's master logs before Django sets TIME_ZONE, its workers after.
    "formatters": {
        "registro": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s", "datefmt": "%Y-%m-%dT%H:%M:%S%z"}
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "registro", "filters": ["dados_pessoais"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        "django.server": {"handlers": [], "propagate": True},
        # WeasyPrint reports each step of a render at INFO, and its font subsetting every table it touches.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Protocolo ----------------------------------------------------------------------------------------


def _chaves(nome, padrao_debug):
    """Versioned keys, "1:hex,2:hex": the highest version signs, every listed one verifies."""
    bruto = _exigir(nome, padrao_debug)
    chaves = {}
    for item in bruto.split(","):
        versao, _, chave = item.strip().partition(":")
        try:
            chaves[int(versao)] = bytes.fromhex(chave)
        except ValueError:
            raise ImproperlyConfigured(
                f"{nome}: cada item deve ser 'versão:chave_hexadecimal' (recebido {item!r})."
            ) from None
        if len(chaves[int(versao)]) < 32:
            raise ImproperlyConfigured(f"{nome}: a chave da versão {versao} tem menos de 32 bytes.")
    return chaves


PROTOCOLO_CHAVES_INTEGRIDADE = _chaves("PROTOCOLO_CHAVES_INTEGRIDADE", "1:" + "11" * 32)
PROTOCOLO_CHAVES_COMPROVANTE = _chaves("PROTOCOLO_CHAVES_COMPROVANTE", "1:" + "22" * 32)
PROTOCOLO_URL_BASE = _exigir("PROTOCOLO_URL_BASE", "http://127.0.0.1:8000").rstrip("/")

PROTOCOLO_PREFIXO = env.str("PROTOCOLO_PREFIXO", default="")
PROTOCOLO_DIGITOS_SEQUENCIA = env.int("PROTOCOLO_DIGITOS_SEQUENCIA", default=6)
PROTOCOLO_DIGITOS_VERIFICADORES = env.bool("PROTOCOLO_DIGITOS_VERIFICADORES", default=True)
PROTOCOLO_FORMATOS_ANTERIORES = env.list("PROTOCOLO_FORMATOS_ANTERIORES", default=[])
PROTOCOLO_UF = env.str("PROTOCOLO_UF", default="SP")
# Five years hold two 29 Februaries at most: 1827 days never falls short of five years.
PROTOCOLO_RETENCAO_DIAS = env.int("PROTOCOLO_RETENCAO_DIAS", default=5 * 365 + 2)

# Who answers for personal data (LGPD art. 41) and how a consumer reaches the company by phone.
PROTOCOLO_EMPRESA_NOME = env.str("PROTOCOLO_EMPRESA_NOME", default="Empresa Exemplo S.A.")
PROTOCOLO_EMPRESA_TELEFONE = env.str("PROTOCOLO_EMPRESA_TELEFONE", default="0800 000 0000")


def _cnpj(nome, padrao_debug):
    """The company's CNPJ, printed on every receipt a consumer takes to Procon: required in production,
    refused unless its check digits hold, kept formatted (00.000.000/0000-00)."""
    valor = _exigir(nome, padrao_debug)
    try:
        return cnpj.format(cnpj.validate(valor))
    except ValidationError:
        raise ImproperlyConfigured(f"{nome}: {valor!r} não é um CNPJ válido (confira os dígitos).") from None


PROTOCOLO_EMPRESA_CNPJ = _cnpj("PROTOCOLO_EMPRESA_CNPJ", "11.222.333/0001-81")
PROTOCOLO_ENCARREGADO_NOME = env.str("PROTOCOLO_ENCARREGADO_NOME", default="Encarregado de Proteção de Dados")
PROTOCOLO_ENCARREGADO_EMAIL = env.str("PROTOCOLO_ENCARREGADO_EMAIL", default="privacidade@exemplo.com.br")

# The public transparency page /indicadores/ (aggregates only, docs/operacao.md): on in the
# development demo, off in production until the operator chooses to publish it; off, it is a 404.
PROTOCOLO_INDICADORES_PUBLICOS = env.bool("PROTOCOLO_INDICADORES_PUBLICOS", default=DEBUG)

# How long the signed links in our e-mails open a protocol (or all of a consumer's demands).
PROTOCOLO_LINK_DIAS = env.int("PROTOCOLO_LINK_DIAS", default=7)

# The one-time code that confirms a telephone typed on the portal (docs/seguranca.md, "Confirmação
# por código"): how long it is valid, how many wrong tries kill it, and how many codes one
# telephone receives in an hour (its own protocol's resends and every other protocol's together).
PROTOCOLO_CODIGO_MINUTOS = env.int("PROTOCOLO_CODIGO_MINUTOS", default=10)
PROTOCOLO_CODIGO_TENTATIVAS = env.int("PROTOCOLO_CODIGO_TENTATIVAS", default=5)
PROTOCOLO_CODIGO_POR_HORA = env.int("PROTOCOLO_CODIGO_POR_HORA", default=3)

# On: each message goes to the mail server right after its commit, still inside the request. Off:
# `manage.py enviar_mensagens --continuo`, run as a service, delivers it (protocolo/outbox.py).
PROTOCOLO_ENTREGA_IMEDIATA = env.bool("PROTOCOLO_ENTREGA_IMEDIATA", default=True)

# /saude/ answers within this many milliseconds, even when the database server is frozen and its
# socket gets no reply (protocolo/operacao/saude.py).
PROTOCOLO_SAUDE_TEMPO_LIMITE_MS = env.int("PROTOCOLO_SAUDE_TEMPO_LIMITE_MS", default=2000)

# The lookup's proof-of-work challenge (ALTCHA PoW v2, protocolo/operacao/desafio.py; the numbers are
# measured in docs/seguranca.md). The widget runs PBKDF2/SHA-256 `custo` iterations per try and must
# find the one counter the server drew in [contador_minimo, contador_maximo): the work is bounded, not
# a lottery. `validade` seconds to solve and send it; each solution is accepted once.
PROTOCOLO_DESAFIO = {
    "algoritmo": "PBKDF2/SHA-256",
    "custo": 250,
    "contador_minimo": 1000,
    "contador_maximo": 2000,
    "validade": 600,
}
# The challenge's HMAC keys, derived from SECRET_KEY (one for the challenge, one for the derived key
# that lets the server check a solution without redoing the work).
PROTOCOLO_DESAFIO_CHAVE = hmac.new(SECRET_KEY.encode(), b"protocolo.desafio", hashlib.sha256).hexdigest()
PROTOCOLO_DESAFIO_CHAVE_DA_SOLUCAO = hmac.new(
    SECRET_KEY.encode(), b"protocolo.desafio.solucao", hashlib.sha256
).hexdigest()

# The cache alias the public rate limits count in (shared by every app server through Redis).
PROTOCOLO_CACHE_LIMITES = env.str("PROTOCOLO_CACHE_LIMITES", default="default")

# Public rate limits (docs/dominio.md §5), as (requests, seconds). The benchmark raises them with the
# multiplier so its load is not refused while the limiter stays in the measured path.
_multiplicador = env.int("PROTOCOLO_LIMITES_MULTIPLICADOR", default=1)
PROTOCOLO_LIMITES = {
    nome: (vezes * _multiplicador, segundos)
    for nome, (vezes, segundos) in {
        # The lookup (docs/seguranca.md): past these an address or a number is asked for the
        # proof-of-work challenge, never refused, since strangers share addresses (carrier-grade NAT)
        # and anyone can fail on someone else's number.
        "consulta_ip": (20, 60),
        "consulta_falhas_ip": (5, 3600),
        "consulta_falhas_numero": (3, 3600),
        # A hard cap, whatever the challenge: number + CPF can accept a resolution, and with a leaked
        # CPF a day's sequential numbers are few to guess.
        "consulta_falhas_cpf": (10, 86400),
        "recuperacao_ip": (3, 3600),
        "recuperacao_cpf": (3, 3600),
        "abertura_ip": (5, 3600),
        "senha_ip": (10, 3600),
        # The receipt verification: a person checks a few codes, a script measuring answers many.
        "verificacao_ip": (30, 60),
        # An uploaded PDF costs a child process and up to seconds of CPU: fewer.
        "verificacao_pdf_ip": (10, 600),
        # What a consumer writes on the record can never be deleted: a burst from one protocol or
        # one network is refused, with the text kept in the form.
        "mensagem_protocolo": (10, 3600),
        "mensagem_ip": (30, 3600),
        # One telephone writing to the SMS and WhatsApp numbers, both channels counted together:
        # past it a message is recorded and nothing else (protocolo/entrada/processar.py).
        "mensagem_telefone": (20, 3600),
        # Each integrated system's requests to the API (protocolo/api/, docs/integracao.md).
        "api_sistema": (env.int("PROTOCOLO_API_LIMITE_POR_MINUTO", default=600), 60),
    }.items()
}

# The integration API (protocolo/api/, docs/integracao.md). A token is the only way in: neither the
# session nor HTTP Basic, with which a team member's password would reach the API without the second
# factor and outside the login lockout.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["protocolo.api.autenticacao.TokenDoSistema"],
    "DEFAULT_PERMISSION_CLASSES": ["protocolo.api.permissoes.ComEscopo"],
    "DEFAULT_THROTTLE_CLASSES": ["protocolo.api.permissoes.LimiteDoSistema"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["protocolo.api.analise.Json"],
    "DEFAULT_PAGINATION_CLASS": "protocolo.api.paginacao.Cursor",
    "EXCEPTION_HANDLER": "protocolo.api.erros.tratar",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DATETIME_FORMAT": "iso-8601",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Protocolo · API de integração",
    "DESCRIPTION": "Abrir, consultar e acompanhar protocolos a partir de outros sistemas da empresa "
    "(URA, chatbot, CRM). Guia: docs/integracao.md.",
    "VERSION": "1",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from our own static files (drf-spectacular-sidecar), under the site's CSP.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None, "persistAuthorization": False},
}


# Consumers' sign-in with OpenID Connect (consumidor/entrar.py, docs/seguranca.md "Entrar com um
# provedor de identidade"). PROTOCOLO_OIDC_PROVEDORES names each provider (lowercase letters and
# digits, it is part of the URL); each one is then read from PROTOCOLO_OIDC_<NOME>_*. A provider's
# CPF grants access to that CPF's protocols only when CPF_COMPROVADO says the provider proofed it.
def _provedor_oidc(nome):
    if not re.fullmatch(r"[a-z0-9]{1,30}", nome):
        raise ImproperlyConfigured(f"PROTOCOLO_OIDC_PROVEDORES: nome inválido {nome!r} (letras minúsculas e dígitos).")
    prefixo = f"PROTOCOLO_OIDC_{nome.upper()}_"
    ler = lambda chave, **kw: env.str(prefixo + chave, **kw)  # noqa: E731
    nivel = ler("CLAIM_NIVEL", default="")
    niveis = env.list(prefixo + "NIVEIS_ACEITOS", default=[])
    if bool(nivel) != bool(niveis):
        raise ImproperlyConfigured(f"{prefixo}CLAIM_NIVEL e {prefixo}NIVEIS_ACEITOS vão juntos.")
    return {
        "emissor": ler("EMISSOR").rstrip("/"),
        "cliente": ler("CLIENTE"),
        "segredo": ler("SEGREDO"),
        "titulo": ler("TITULO", default=nome),
        "escopos": ler("ESCOPOS", default="openid"),
        "claim_cpf": ler("CLAIM_CPF", default="cpf"),
        "cpf_comprovado": env.bool(prefixo + "CPF_COMPROVADO", default=False),
        "claim_nivel": nivel,
        "niveis_aceitos": niveis,
        "tempo_limite": env.float(prefixo + "TEMPO_LIMITE", default=5.0),
    }


PROTOCOLO_OIDC = {nome: _provedor_oidc(nome) for nome in env.list("PROTOCOLO_OIDC_PROVEDORES", default=[])}


# Webhooks (protocolo/webhooks/rede.py, docs/seguranca.md "Webhooks"). Receivers must be at public
# addresses; ENDERECOS_PERMITIDOS adds addresses or networks (CIDR) for a closed network or the
# tests, and is empty by default. CA: a file of the certificate authorities to trust instead of the
# system's (a company's own CA). TEMPO_LIMITE: seconds for the connection and for the whole exchange.
PROTOCOLO_WEBHOOKS_ENDERECOS_PERMITIDOS = env.list("PROTOCOLO_WEBHOOKS_ENDERECOS_PERMITIDOS", default=[])
PROTOCOLO_WEBHOOKS_CA = env.str("PROTOCOLO_WEBHOOKS_CA", default="")
PROTOCOLO_WEBHOOKS_TEMPO_LIMITE = env.float("PROTOCOLO_WEBHOOKS_TEMPO_LIMITE", default=5.0)


def _redes_de_webhook(redes):
    for rede in redes:
        try:
            ipaddress.ip_network(rede, strict=False)
        except ValueError:
            raise ImproperlyConfigured(
                f"PROTOCOLO_WEBHOOKS_ENDERECOS_PERMITIDOS: {rede!r} não é um endereço IP nem uma rede (CIDR)."
            ) from None
    return redes


_redes_de_webhook(PROTOCOLO_WEBHOOKS_ENDERECOS_PERMITIDOS)
if not 0 < PROTOCOLO_WEBHOOKS_TEMPO_LIMITE <= 30:
    raise ImproperlyConfigured("PROTOCOLO_WEBHOOKS_TEMPO_LIMITE vai de mais de 0 a 30 segundos.")

# Signed PDFs (protocolo/evidencias, docs/evidencias.md). The company's certificate and key as a
# PKCS#12 file (an e-CNPJ A1, or `make run`'s development certificate) and its password; without one
# the PDFs go out unsigned, saying so, and `check --deploy` refuses (protocolo.E002). CARIMBO_URL: an
# RFC 3161 time-stamping authority, optional. The uploaded PDFs /verificar/ checks: at most
# VERIFICACAO_PDF_BYTES, checked in a child process given VERIFICACAO_PDF_SEGUNDOS and
# VERIFICACAO_PDF_MEMORIA_MB of address space.
PROTOCOLO_ASSINATURA_PKCS12 = env.str("PROTOCOLO_ASSINATURA_PKCS12", default="")
PROTOCOLO_ASSINATURA_SENHA = env.str("PROTOCOLO_ASSINATURA_SENHA", default="")
PROTOCOLO_CARIMBO_URL = env.str("PROTOCOLO_CARIMBO_URL", default="")
PROTOCOLO_CARIMBO_TEMPO_LIMITE = env.float("PROTOCOLO_CARIMBO_TEMPO_LIMITE", default=5.0)
PROTOCOLO_VERIFICACAO_PDF_BYTES = env.int("PROTOCOLO_VERIFICACAO_PDF_BYTES", default=5 * 1024 * 1024)
PROTOCOLO_VERIFICACAO_PDF_SEGUNDOS = env.float("PROTOCOLO_VERIFICACAO_PDF_SEGUNDOS", default=5.0)
PROTOCOLO_VERIFICACAO_PDF_MEMORIA_MB = env.int("PROTOCOLO_VERIFICACAO_PDF_MEMORIA_MB", default=1024)
if PROTOCOLO_ASSINATURA_PKCS12 and not Path(PROTOCOLO_ASSINATURA_PKCS12).is_file():
    raise ImproperlyConfigured(f"PROTOCOLO_ASSINATURA_PKCS12: o arquivo {PROTOCOLO_ASSINATURA_PKCS12!r} não existe.")
if PROTOCOLO_CARIMBO_URL and urlsplit(PROTOCOLO_CARIMBO_URL).scheme not in ("http", "https"):
    raise ImproperlyConfigured("PROTOCOLO_CARIMBO_URL deve ser um endereço http:// ou https://.")
if not 0 < PROTOCOLO_VERIFICACAO_PDF_SEGUNDOS <= 60:
    raise ImproperlyConfigured("PROTOCOLO_VERIFICACAO_PDF_SEGUNDOS vai de mais de 0 a 60 segundos.")
if PROTOCOLO_VERIFICACAO_PDF_BYTES < 1024 * 1024 or PROTOCOLO_VERIFICACAO_PDF_MEMORIA_MB < 256:
    # Below these, our own PDFs (tens of kB) or the checking child (some 70 MB of address space at start) fail.
    raise ImproperlyConfigured(
        "PROTOCOLO_VERIFICACAO_PDF_BYTES vai de 1 MB (1048576) para cima, "
        "e PROTOCOLO_VERIFICACAO_PDF_MEMORIA_MB de 256 para cima."
    )
