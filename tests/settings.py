"""The project's settings as production runs them, with what the tests need adjusted."""

import atexit
import os
import shutil
import tempfile

from tests import certificado

os.environ.setdefault("SECRET_KEY", "testes-" + "k" * 50)
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("PROTOCOLO_URL_BASE", "https://protocolo.exemplo.com.br")
os.environ.setdefault("PROTOCOLO_CHAVES_INTEGRIDADE", "1:" + "a1" * 32)
os.environ.setdefault("PROTOCOLO_CHAVES_COMPROVANTE", "1:" + "b2" * 32)
os.environ.setdefault("PROTOCOLO_EMPRESA_CNPJ", "11.222.333/0001-81")
# Published in tests, so that the permission table and the header walk see the page itself.
os.environ.setdefault("PROTOCOLO_INDICADORES_PUBLICOS", "1")
os.environ.setdefault("MAILER_URL", "locmem://")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/protocolo")

# The signed PDFs' certificate: a development one, made per test run (tests/certificado.py).
if not os.environ.get("PROTOCOLO_ASSINATURA_PKCS12"):
    os.environ["PROTOCOLO_ASSINATURA_PKCS12"] = certificado.de_teste()
    os.environ["PROTOCOLO_ASSINATURA_SENHA"] = certificado.SENHA

from protocolo.settings import *  # noqa: F403
from protocolo.settings import DATABASES, PROTOCOLO_DESAFIO

if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise RuntimeError(
        "Os testes rodam contra PostgreSQL (DATABASE_URL=postgres://…). Use `make test`, que encontra ou "
        "inicia um servidor."
    )

SECURE_SSL_REDIRECT = False
# The suite's logins stand for the password alone, as with the setting off; production's default
# (on) is read in tests/protocolo/test_settings.py, and tests/atendimento/test_segundo_fator_retaguarda.py
# turns it on.
PROTOCOLO_SEGUNDO_FATOR_ATENDENTES = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
_pasta_dos_anexos = tempfile.mkdtemp(prefix="protocolo-anexos-")
atexit.register(shutil.rmtree, _pasta_dos_anexos, ignore_errors=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # Each test process its own folder, gone when it ends (tests/anexos/ runs S3 against moto).
    "anexos": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": _pasta_dos_anexos},
    },
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Serve static files from the source folders, as in development: tests do not run collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# A lookup challenge the tests solve in milliseconds; tests/e2e/test_csp.py solves the production one.
PROTOCOLO_DESAFIO = {**PROTOCOLO_DESAFIO, "custo": 1, "contador_minimo": 1, "contador_maximo": 20}
